//! A stand-in go binary for fixture machines: just the build-info blob the real one carries,
//! so godiag reads a version and platform from it without anything being run.

/// Bytes that godiag's build-info reader decodes as `go1.27.3` for linux/amd64, `CGO_ENABLED=0`.
pub fn fake_go_binary() -> Vec<u8> {
    let mut bytes = b"\x7fELF fixture\n".to_vec();
    bytes.extend_from_slice(b"\xff Go buildinf:");
    bytes.extend_from_slice(&[8, 2]);
    bytes.resize(bytes.len() + 16, 0);
    let version = b"go1.27.3";
    let modinfo = "0123456789abcdefpath\tcmd/go\nbuild\tCGO_ENABLED=0\nbuild\tGOARCH=amd64\nbuild\tGOOS=linux\n0123456789abcdef";
    for text in [&version[..], modinfo.as_bytes()] {
        bytes.push(u8::try_from(text.len()).unwrap());
        bytes.extend_from_slice(text);
    }
    bytes
}
