//! `libnss_godiag.so.2`: the `hosts` entry points glibc's NSS calls, over the safe map logic
//! in `godiag-nssmap`.
//!
//! This crate only converts: C arguments into a [`godiag_nssmap::Lookup`], and the answer into
//! the caller's buffer with glibc's contract (nss(5), glibc `nss/nss_files/files-hosts.c` and
//! `resolv/nss_dns/dns-host.c` are the reference): `NSS_STATUS_*`, `*errnop = ERANGE` with
//! `NSS_STATUS_TRYAGAIN` when the buffer is too small (glibc retries with a larger one),
//! `*h_errnop`, and every pointer it returns aligned and inside the caller's buffer. Each
//! entry point runs its body under `catch_unwind`: a bug returns `NSS_STATUS_UNAVAIL`, since
//! a panic leaving an `extern "C"` function would abort the host process (sshd, systemd, a
//! database). No allocation outlives a call except the cached map.
#![allow(
    unsafe_code,
    reason = "the NSS ABI is C: raw pointers in, raw pointers out; every block says why it is sound"
)]

mod arena;
pub mod entry;
mod status;
