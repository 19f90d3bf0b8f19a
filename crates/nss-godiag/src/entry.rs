//! The exported entry points. Each one checks its pointers, runs `lookup` or `reverse`
//! under `catch_unwind`, and writes the answer through `Arena`.
#![allow(
    clippy::used_underscore_items,
    reason = "glibc dictates the _nss_ names; the shorter entry points call the longer ones"
)]

use std::ffi::{CStr, OsStr, c_char, c_int, c_void};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::unix::ffi::OsStrExt;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::ptr;

use godiag_nssmap::{Answer, Family, Lookup, MapCache, Reverse};
use libc::{AF_INET, AF_INET6, hostent, size_t, socklen_t};

use crate::arena::Arena;
use crate::status::{Failure, NSS_STATUS_SUCCESS};

/// `struct gaih_addrtuple` from glibc's `<nss.h>`: one address of a `gethostbyname4_r` answer.
#[repr(C)]
pub struct GaihAddrtuple {
    next: *mut Self,
    name: *mut c_char,
    family: c_int,
    addr: [u32; 4],
    scopeid: u32,
}

/// The map, shared by every thread of the process that loaded the module.
static CACHE: MapCache = MapCache::new();

unsafe extern "C" {
    /// glibc's `getenv` that returns NULL in setuid/setgid programs (`secure_getenv(3)`); the
    /// libc crate does not declare it for Linux.
    fn secure_getenv(name: *const c_char) -> *mut c_char;
}

/// Looks a name up for `gethostbyname4_r`: every address, IPv4 and IPv6, as a list of
/// `gaih_addrtuple` in the caller's buffer (what getaddrinfo calls first).
///
/// # Safety
/// glibc's contract: `name` is a C string, `pat`, `errnop` and `h_errnop` are valid, `buffer`
/// has `buflen` writable bytes, `ttlp` is null or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _nss_godiag_gethostbyname4_r(
    name: *const c_char,
    pat: *mut *mut GaihAddrtuple,
    buffer: *mut c_char,
    buflen: size_t,
    errnop: *mut c_int,
    h_errnop: *mut c_int,
    ttlp: *mut i32,
) -> c_int {
    guarded(errnop, h_errnop, || {
        if pat.is_null() {
            return Err(Failure::UNAVAILABLE);
        }
        let answer = lookup(name, Family::Any)?;
        let mut arena = Arena::new(buffer, buflen);
        let canonical = arena.put_str(&answer.canonical)?;
        // SAFETY: `pat` is non-null and glibc passes a valid pointer to its list head.
        let preallocated = unsafe { *pat };
        let mut tuples = Vec::with_capacity(answer.addresses.len());
        for (index, address) in answer.addresses.iter().enumerate() {
            let (family, addr) = tuple_address(*address);
            let tuple = GaihAddrtuple {
                next: ptr::null_mut(),
                name: canonical,
                family,
                addr,
                scopeid: 0,
            };
            // Old glibc (and nss_dns) fill a tuple the caller preallocated; modern glibc
            // passes NULL and the whole list lives in the buffer.
            if index == 0 && !preallocated.is_null() {
                // SAFETY: a non-null `*pat` points at the caller's own tuple.
                unsafe { preallocated.write(tuple) };
                tuples.push(preallocated);
            } else {
                tuples.push(arena.put(tuple)?);
            }
        }
        for pair in tuples.windows(2) {
            // SAFETY: both tuples were just written, in the buffer or the caller's tuple.
            unsafe { (*pair[0]).next = pair[1] };
        }
        // SAFETY: `pat` is valid (checked non-null above); `answer.addresses` is never empty.
        unsafe { *pat = tuples[0] };
        write_ttl(ttlp, answer.ttl);
        Ok(())
    })
}

/// `gethostbyname3_r`: one family's addresses as a `hostent`, with TTL and canonical name.
///
/// # Safety
/// As [`_nss_godiag_gethostbyname4_r`]; `host` is valid, `canonp` is null or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _nss_godiag_gethostbyname3_r(
    name: *const c_char,
    af: c_int,
    host: *mut hostent,
    buffer: *mut c_char,
    buflen: size_t,
    errnop: *mut c_int,
    h_errnop: *mut c_int,
    ttlp: *mut i32,
    canonp: *mut *mut c_char,
) -> c_int {
    guarded(errnop, h_errnop, || {
        let family = match af {
            AF_INET => Family::V4,
            AF_INET6 => Family::V6,
            _ => return Err(Failure::BAD_FAMILY),
        };
        if host.is_null() {
            return Err(Failure::UNAVAILABLE);
        }
        let answer = lookup(name, family)?;
        let mut arena = Arena::new(buffer, buflen);
        let h_name = fill_hostent(
            &mut arena,
            host,
            af,
            &answer.canonical,
            &[],
            &answer.addresses,
        )?;
        write_ttl(ttlp, answer.ttl);
        if !canonp.is_null() {
            // SAFETY: a non-null `canonp` is the caller's out-pointer.
            unsafe { *canonp = h_name };
        }
        Ok(())
    })
}

/// `gethostbyname2_r`: one family's addresses as a `hostent`.
///
/// # Safety
/// As [`_nss_godiag_gethostbyname3_r`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _nss_godiag_gethostbyname2_r(
    name: *const c_char,
    af: c_int,
    host: *mut hostent,
    buffer: *mut c_char,
    buflen: size_t,
    errnop: *mut c_int,
    h_errnop: *mut c_int,
) -> c_int {
    // SAFETY: the caller's guarantees are passed through; null TTL and canon are allowed.
    unsafe {
        _nss_godiag_gethostbyname3_r(
            name,
            af,
            host,
            buffer,
            buflen,
            errnop,
            h_errnop,
            ptr::null_mut(),
            ptr::null_mut(),
        )
    }
}

/// `gethostbyname_r`: IPv4 addresses as a `hostent`.
///
/// # Safety
/// As [`_nss_godiag_gethostbyname3_r`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _nss_godiag_gethostbyname_r(
    name: *const c_char,
    host: *mut hostent,
    buffer: *mut c_char,
    buflen: size_t,
    errnop: *mut c_int,
    h_errnop: *mut c_int,
) -> c_int {
    // SAFETY: as above.
    unsafe { _nss_godiag_gethostbyname2_r(name, AF_INET, host, buffer, buflen, errnop, h_errnop) }
}

/// `gethostbyaddr2_r`: the names an exact map rule gives an address.
///
/// # Safety
/// `addr` has `len` readable bytes; the rest as [`_nss_godiag_gethostbyname3_r`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _nss_godiag_gethostbyaddr2_r(
    addr: *const c_void,
    len: socklen_t,
    af: c_int,
    host: *mut hostent,
    buffer: *mut c_char,
    buflen: size_t,
    errnop: *mut c_int,
    h_errnop: *mut c_int,
    ttlp: *mut i32,
) -> c_int {
    guarded(errnop, h_errnop, || {
        if addr.is_null() || host.is_null() {
            return Err(Failure::UNAVAILABLE);
        }
        let address = match (af, len) {
            (AF_INET, 4) => {
                // SAFETY: the caller gives `len` (4) readable bytes at `addr`.
                let bytes = unsafe { addr.cast::<[u8; 4]>().read_unaligned() };
                IpAddr::V4(Ipv4Addr::from(bytes))
            }
            (AF_INET6, 16) => {
                // SAFETY: the caller gives `len` (16) readable bytes at `addr`.
                let bytes = unsafe { addr.cast::<[u8; 16]>().read_unaligned() };
                IpAddr::V6(Ipv6Addr::from(bytes))
            }
            (AF_INET | AF_INET6, _) => return Err(Failure::NO_SUCH_NAME),
            _ => return Err(Failure::BAD_FAMILY),
        };
        let Reverse { name, aliases } = reverse(address)?;
        let mut arena = Arena::new(buffer, buflen);
        fill_hostent(&mut arena, host, af, &name, &aliases, &[address])?;
        write_ttl(ttlp, 0);
        Ok(())
    })
}

/// `gethostbyaddr_r`: as [`_nss_godiag_gethostbyaddr2_r`] without a TTL.
///
/// # Safety
/// As [`_nss_godiag_gethostbyaddr2_r`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _nss_godiag_gethostbyaddr_r(
    addr: *const c_void,
    len: socklen_t,
    af: c_int,
    host: *mut hostent,
    buffer: *mut c_char,
    buflen: size_t,
    errnop: *mut c_int,
    h_errnop: *mut c_int,
) -> c_int {
    // SAFETY: the caller's guarantees are passed through; a null TTL is allowed.
    unsafe {
        _nss_godiag_gethostbyaddr2_r(
            addr,
            len,
            af,
            host,
            buffer,
            buflen,
            errnop,
            h_errnop,
            ptr::null_mut(),
        )
    }
}

/// Runs `body`, turning a panic into [`Failure::BUG`] and any failure into its status with
/// `*errnop` and `*h_errnop` set.
fn guarded(
    errnop: *mut c_int,
    h_errnop: *mut c_int,
    body: impl FnOnce() -> Result<(), Failure>,
) -> c_int {
    let result = panic::catch_unwind(AssertUnwindSafe(body)).unwrap_or(Err(Failure::BUG));
    match result {
        Ok(()) => NSS_STATUS_SUCCESS,
        Err(failure) => {
            if !errnop.is_null() {
                // SAFETY: a non-null `errnop` is glibc's pointer to the thread's errno.
                unsafe { *errnop = failure.errno };
            }
            if !h_errnop.is_null() {
                // SAFETY: a non-null `h_errnop` is glibc's pointer to the thread's h_errno.
                unsafe { *h_errnop = failure.h_errno };
            }
            failure.status
        }
    }
}

/// Resolves the caller's name with the current map.
fn lookup(name: *const c_char, family: Family) -> Result<Answer, Failure> {
    if name.is_null() {
        return Err(Failure::NO_SUCH_NAME);
    }
    // SAFETY: glibc passes a NUL-terminated name that outlives the call.
    let name = unsafe { CStr::from_ptr(name) }.to_bytes();
    let map = CACHE.get(&map_path()).map_err(|_| Failure::UNAVAILABLE)?;
    let lookup = godiag_nssmap::resolve(&map, name, family);
    if let Some(failure) = Failure::of(&lookup) {
        return Err(failure);
    }
    let Lookup::Found(mut answer) = lookup else {
        return Err(Failure::NO_SUCH_NAME);
    };
    // A C string ends at NUL; a name from a DNS answer could hold one, the query name cannot.
    if answer.canonical.contains('\0') {
        answer.canonical = String::from_utf8_lossy(name).into_owned();
    }
    Ok(answer)
}

fn reverse(address: IpAddr) -> Result<Reverse, Failure> {
    let map = CACHE.get(&map_path()).map_err(|_| Failure::UNAVAILABLE)?;
    godiag_nssmap::reverse(&map, address).ok_or(Failure::NO_SUCH_NAME)
}

/// `$GODIAG_NSS_MAP` when the process may trust its environment, the default map otherwise.
fn map_path() -> std::path::PathBuf {
    let variable = c"GODIAG_NSS_MAP";
    // SAFETY: the argument is a NUL-terminated literal; secure_getenv returns NULL or a
    // pointer into the environment.
    let value = unsafe { secure_getenv(variable.as_ptr()) };
    if value.is_null() {
        return godiag_nssmap::DEFAULT_MAP_PATH.into();
    }
    // SAFETY: a non-null result is a NUL-terminated string in the environment; it is copied
    // at once.
    let bytes = unsafe { CStr::from_ptr(value) }.to_bytes();
    if bytes.is_empty() {
        return godiag_nssmap::DEFAULT_MAP_PATH.into();
    }
    Path::new(OsStr::from_bytes(bytes)).to_owned()
}

/// Writes a `hostent` for `name` and `addresses` (all of family `af`) into `host`, with its
/// strings and arrays in the arena; returns `h_name`.
fn fill_hostent(
    arena: &mut Arena,
    host: *mut hostent,
    af: c_int,
    name: &str,
    aliases: &[String],
    addresses: &[IpAddr],
) -> Result<*mut c_char, Failure> {
    let mut address_pointers = Vec::with_capacity(addresses.len());
    for address in addresses {
        let pointer = match address {
            IpAddr::V4(v4) => arena.put(v4.octets())?.cast(),
            IpAddr::V6(v6) => arena.put(v6.octets())?.cast(),
        };
        address_pointers.push(pointer);
    }
    let h_name = arena.put_str(name)?;
    let mut alias_pointers = Vec::with_capacity(aliases.len());
    for alias in aliases {
        alias_pointers.push(arena.put_str(alias)?);
    }
    let h_aliases = arena.put_pointers(&alias_pointers)?;
    let h_addr_list = arena.put_pointers(&address_pointers)?;
    let h_length = if af == AF_INET6 { 16 } else { 4 };
    // SAFETY: `host` is non-null (checked by every caller) and glibc's own hostent.
    unsafe {
        host.write(hostent {
            h_name,
            h_aliases,
            h_addrtype: af,
            h_length,
            h_addr_list,
        });
    }
    Ok(h_name)
}

fn tuple_address(address: IpAddr) -> (c_int, [u32; 4]) {
    let mut words = [0u32; 4];
    let (family, octets): (c_int, Vec<u8>) = match address {
        IpAddr::V4(v4) => (AF_INET, v4.octets().to_vec()),
        IpAddr::V6(v6) => (AF_INET6, v6.octets().to_vec()),
    };
    // The words hold the address in network byte order, as `struct in6_addr` would.
    for (word, chunk) in words.iter_mut().zip(octets.chunks(4)) {
        let mut bytes = [0u8; 4];
        bytes.copy_from_slice(chunk);
        *word = u32::from_ne_bytes(bytes);
    }
    (family, words)
}

fn write_ttl(ttlp: *mut i32, ttl: u32) {
    if !ttlp.is_null() {
        // SAFETY: a non-null `ttlp` is the caller's out-pointer.
        unsafe { *ttlp = i32::try_from(ttl).unwrap_or(i32::MAX) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::NSS_STATUS_UNAVAIL;

    #[test]
    fn a_panic_in_a_body_is_unavail_with_errno_set_and_does_not_unwind() {
        let (mut errno, mut h_errno) = (0, 0);
        let status = guarded(&raw mut errno, &raw mut h_errno, || {
            let empty: Vec<u8> = Vec::new();
            // An out-of-bounds index: the kind of bug the guard is for.
            let _ = empty[std::hint::black_box(3)];
            Ok(())
        });
        assert_eq!(status, NSS_STATUS_UNAVAIL);
        assert_eq!((errno, h_errno), (Failure::BUG.errno, Failure::BUG.h_errno));
        // Null errno pointers are tolerated.
        let status = guarded(ptr::null_mut(), ptr::null_mut(), || {
            Err(Failure::NO_SUCH_NAME)
        });
        assert_eq!(status, Failure::NO_SUCH_NAME.status);
    }

    #[test]
    fn ipv4_tuples_hold_the_address_in_network_order() {
        let (family, words) = tuple_address("10.1.2.3".parse().unwrap());
        assert_eq!(family, AF_INET);
        assert_eq!(words[0].to_ne_bytes(), [10, 1, 2, 3]);
        assert_eq!(&words[1..], &[0, 0, 0]);
    }
}
