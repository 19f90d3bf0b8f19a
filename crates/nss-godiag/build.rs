//! Gives the module the soname glibc loads it by (`libnss_godiag.so.2`).

fn main() {
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libnss_godiag.so.2");
}
