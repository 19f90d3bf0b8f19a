//! Carving results out of the caller's buffer: every allocation is bounds-checked and aligned
//! for its type, and running out is [`Failure::BUFFER_TOO_SMALL`], never a write past the end.

use std::ffi::c_char;
use std::mem::{align_of, size_of};
use std::ptr;

use crate::status::Failure;

/// The caller's `buffer`/`buflen`, filled front to back.
pub(crate) struct Arena {
    base: *mut u8,
    len: usize,
    used: usize,
}

impl Arena {
    /// Wraps the caller's buffer; a null buffer is an empty one.
    pub(crate) fn new(base: *mut c_char, len: usize) -> Self {
        let len = if base.is_null() { 0 } else { len };
        Self {
            base: base.cast(),
            len,
            used: 0,
        }
    }

    /// Reserves room for one `T`, aligned, and returns a pointer to it (uninitialised).
    fn reserve<T>(&mut self, count: usize) -> Result<*mut T, Failure> {
        let size = size_of::<T>()
            .checked_mul(count)
            .ok_or(Failure::BUFFER_TOO_SMALL)?;
        let address = (self.base as usize).wrapping_add(self.used);
        let padding = address.wrapping_neg() % align_of::<T>();
        let start = self
            .used
            .checked_add(padding)
            .ok_or(Failure::BUFFER_TOO_SMALL)?;
        let end = start.checked_add(size).ok_or(Failure::BUFFER_TOO_SMALL)?;
        if end > self.len {
            return Err(Failure::BUFFER_TOO_SMALL);
        }
        self.used = end;
        // SAFETY: start + size <= len, and base..base+len is the caller's buffer, so the
        // offset stays inside one allocation.
        Ok(unsafe { self.base.add(start) }.cast())
    }

    /// Stores `value`, aligned, and returns where.
    pub(crate) fn put<T>(&mut self, value: T) -> Result<*mut T, Failure> {
        let slot = self.reserve::<T>(1)?;
        // SAFETY: `reserve` returned room for one T inside the buffer, aligned for T, and no
        // other pointer into that room exists yet.
        unsafe { slot.write(value) };
        Ok(slot)
    }

    /// Stores `bytes` followed by NUL and returns the C string.
    pub(crate) fn put_str(&mut self, text: &str) -> Result<*mut c_char, Failure> {
        let slot = self.reserve::<u8>(text.len() + 1)?;
        // SAFETY: `reserve` returned text.len() + 1 bytes inside the buffer; `text` is a Rust
        // string, so it cannot overlap the caller's buffer.
        unsafe {
            ptr::copy_nonoverlapping(text.as_ptr(), slot, text.len());
            slot.add(text.len()).write(0);
        }
        Ok(slot.cast())
    }

    /// Stores `pointers` and a terminating null pointer, as `h_aliases` and `h_addr_list`
    /// are laid out, and returns the array.
    pub(crate) fn put_pointers(
        &mut self,
        pointers: &[*mut c_char],
    ) -> Result<*mut *mut c_char, Failure> {
        let slots = self.reserve::<*mut c_char>(pointers.len() + 1)?;
        for (index, pointer) in pointers
            .iter()
            .copied()
            .chain([ptr::null_mut()])
            .enumerate()
        {
            // SAFETY: `reserve` returned pointers.len() + 1 aligned slots; index is below that.
            unsafe { slots.add(index).write(pointer) };
        }
        Ok(slots)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocations_stay_inside_and_aligned_or_fail_with_erange() {
        let mut storage = [0u64; 8];
        for offset in 0..8 {
            for len in 0..=(64 - offset) {
                // SAFETY: offset + len <= 64, the size of `storage`.
                let base = unsafe { storage.as_mut_ptr().cast::<c_char>().add(offset) };
                let mut arena = Arena::new(base, len);
                let start = base as usize;
                let result = arena
                    .put_str("abc")
                    .and_then(|_| arena.put_pointers(&[base, base]))
                    .and_then(|array| arena.put(7u32).map(|_| array));
                match result {
                    Ok(array) => {
                        let at = array as usize;
                        assert_eq!(at % align_of::<*mut c_char>(), 0);
                        assert!(at >= start && at + 3 * 8 <= start + len);
                    }
                    Err(failure) => assert_eq!(failure, Failure::BUFFER_TOO_SMALL),
                }
                assert!(arena.used <= len);
            }
        }
        assert!(Arena::new(ptr::null_mut(), 100).put(1u8).is_err());
    }
}
