//! glibc's NSS status codes and the `errno`/`h_errno` pairs that go with each outcome.

use std::ffi::c_int;

use godiag_nssmap::Lookup;

/// `enum nss_status` from `<nss.h>`.
pub(crate) const NSS_STATUS_TRYAGAIN: c_int = -2;
pub(crate) const NSS_STATUS_UNAVAIL: c_int = -1;
pub(crate) const NSS_STATUS_NOTFOUND: c_int = 0;
pub(crate) const NSS_STATUS_SUCCESS: c_int = 1;

/// `h_errno` values from `<netdb.h>`.
const NETDB_INTERNAL: c_int = -1;
const HOST_NOT_FOUND: c_int = 1;
const TRY_AGAIN: c_int = 2;
const NO_RECOVERY: c_int = 3;
const NO_DATA: c_int = 4;

/// Why an entry point did not succeed: the status to return and what to store in `*errnop`
/// and `*h_errnop`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) status: c_int,
    pub(crate) errno: c_int,
    pub(crate) h_errno: c_int,
}

impl Failure {
    /// The buffer is too small: glibc's callers grow it and call again on exactly this triple.
    pub(crate) const BUFFER_TOO_SMALL: Self = Self {
        status: NSS_STATUS_TRYAGAIN,
        errno: libc::ERANGE,
        h_errno: NETDB_INTERNAL,
    };
    /// No rule for the name: the next source on the hosts line answers.
    pub(crate) const NO_SUCH_NAME: Self = Self {
        status: NSS_STATUS_NOTFOUND,
        errno: libc::ENOENT,
        h_errno: HOST_NOT_FOUND,
    };
    const NO_DATA: Self = Self {
        status: NSS_STATUS_NOTFOUND,
        errno: libc::ENOENT,
        h_errno: NO_DATA,
    };
    const TRY_AGAIN: Self = Self {
        status: NSS_STATUS_TRYAGAIN,
        errno: libc::EAGAIN,
        h_errno: TRY_AGAIN,
    };
    /// The map cannot be read, as `libnss_files` reports a missing /etc/hosts.
    pub(crate) const UNAVAILABLE: Self = Self {
        status: NSS_STATUS_UNAVAIL,
        errno: libc::ENOENT,
        h_errno: NO_RECOVERY,
    };
    /// An address family the hosts database has no answers for.
    pub(crate) const BAD_FAMILY: Self = Self {
        status: NSS_STATUS_UNAVAIL,
        errno: libc::EAFNOSUPPORT,
        h_errno: NO_RECOVERY,
    };
    /// The body panicked; the module says it is unusable and the process goes on.
    pub(crate) const BUG: Self = Self {
        status: NSS_STATUS_UNAVAIL,
        errno: libc::EIO,
        h_errno: NO_RECOVERY,
    };

    /// The failure for a lookup that found no address; `None` for [`Lookup::Found`].
    pub(crate) fn of(lookup: &Lookup) -> Option<Self> {
        match lookup {
            Lookup::Found(_) => None,
            Lookup::NoSuchName => Some(Self::NO_SUCH_NAME),
            Lookup::NoData => Some(Self::NO_DATA),
            Lookup::TryAgain => Some(Self::TRY_AGAIN),
        }
    }
}
