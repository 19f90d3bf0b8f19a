//! Module proxies for tests, on 127.0.0.1: each serves one behaviour (a working proxy, a
//! fixed status, a hang, a reset, a certificate nobody trusts) and logs every request.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// What a proxy does with every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Serves `example.com/hello` v1.0.0 and v1.1.0 (and the sumdb if configured).
    Ok,
    /// Answers this status with a text/plain body.
    Status(u16),
    /// Accepts, reads the request, never answers.
    Hang,
    /// Accepts and closes the connection without answering.
    Reset,
    /// Like `Ok`, but over TLS with a self-signed certificate.
    BadTls,
}

/// One logged request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    /// The proxy's name.
    pub proxy: String,
    /// The request path.
    pub path: String,
}

/// A shared request log, in arrival order.
pub type Log = Arc<Mutex<Vec<Logged>>>;

/// A running proxy.
pub struct TestProxy {
    /// Its name in the log.
    pub name: String,
    /// Its base URL.
    pub url: String,
    stop: Arc<AtomicBool>,
    ip: String,
    port: u16,
}

impl Drop for TestProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect((self.ip.as_str(), self.port));
    }
}

impl TestProxy {
    /// Starts a proxy on a free port of 127.0.0.1.
    pub fn start(name: &str, behaviour: Behaviour, log: &Log) -> Self {
        let tls = (behaviour == Behaviour::BadTls).then(tls_config);
        Self::start_at("127.0.0.1", name, behaviour, log, tls)
    }

    /// Starts a proxy on a free port of `ip`, speaking TLS with `tls` when given.
    pub fn start_at(
        ip: &str,
        name: &str,
        behaviour: Behaviour,
        log: &Log,
        tls: Option<Arc<rustls::ServerConfig>>,
    ) -> Self {
        let listener = TcpListener::bind((ip, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let scheme = if tls.is_some() { "https" } else { "http" };
        let (log, stop2, name2) = (Arc::clone(log), Arc::clone(&stop), name.to_owned());
        thread::spawn(move || {
            for stream in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (log, name, tls) = (Arc::clone(&log), name2.clone(), tls.clone());
                thread::spawn(move || serve(stream, behaviour, &name, &log, tls));
            }
        });
        Self {
            name: name.to_owned(),
            url: format!("{scheme}://{ip}:{port}"),
            stop,
            ip: ip.to_owned(),
            port,
        }
    }
}

/// A certificate authority for tests and a server configuration whose certificate it
/// signed for `ip`; returns the CA's PEM (for `SSL_CERT_FILE`) and the configuration.
pub fn trusted_tls(ip: &str) -> (String, Arc<rustls::ServerConfig>) {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
        KeyUsagePurpose,
    };
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "godiag test CA");
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let mut leaf = CertificateParams::new(vec![ip.to_owned()]).unwrap();
    leaf.distinguished_name.push(DnType::CommonName, ip);
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf_cert = leaf.signed_by(&leaf_key, &ca_cert, &ca_key).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![leaf_cert.der().clone()], key)
    .unwrap();
    (ca_cert.pem(), Arc::new(config))
}

fn tls_config() -> Arc<rustls::ServerConfig> {
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.key_pair.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert.cert.der().clone()], key)
    .unwrap();
    Arc::new(config)
}

fn serve(
    stream: TcpStream,
    behaviour: Behaviour,
    name: &str,
    log: &Log,
    tls: Option<Arc<rustls::ServerConfig>>,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    if let Some(config) = tls {
        let Ok(connection) = rustls::ServerConnection::new(config) else {
            return;
        };
        let mut tls_stream = rustls::StreamOwned::new(connection, stream);
        // A client that rejects the certificate never sends a request: log the handshake.
        if tls_stream.conn.complete_io(&mut tls_stream.sock).is_err() {
            log.lock().unwrap().push(Logged {
                proxy: name.to_owned(),
                path: TLS_REJECTED.to_owned(),
            });
            return;
        }
        handle(&mut tls_stream, behaviour, name, log);
    } else {
        let mut stream = stream;
        handle(&mut stream, behaviour, name, log);
    }
}

fn handle<S: Read + Write>(stream: &mut S, behaviour: Behaviour, name: &str, log: &Log) {
    loop {
        let mut reader = BufReader::new(&mut *stream);
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
                break;
            }
        }
        drop(reader);
        let path = line
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_owned();
        log.lock().unwrap().push(Logged {
            proxy: name.to_owned(),
            path: path.clone(),
        });
        let (status, content_type, body) = match behaviour {
            Behaviour::Hang => {
                thread::sleep(Duration::from_secs(60));
                return;
            }
            Behaviour::Reset => return,
            Behaviour::Status(code) => (
                code,
                "text/plain; charset=utf-8",
                format!("{code} from test proxy\n").into_bytes(),
            ),
            Behaviour::Ok | Behaviour::BadTls => module_answer(&path),
        };
        let reason = match status {
            200 => "OK",
            404 => "Not Found",
            410 => "Gone",
            500 => "Internal Server Error",
            502 => "Bad Gateway",
            403 => "Forbidden",
            401 => "Unauthorized",
            _ => "Status",
        };
        let head = format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        if stream.write_all(head.as_bytes()).is_err() || stream.write_all(&body).is_err() {
            return;
        }
        let _ = stream.flush();
    }
}

/// What the log holds for a connection whose client rejected the certificate.
pub const TLS_REJECTED: &str = "<certificate rejected>";

/// The module the working proxies serve.
pub const MODULE: &str = "example.com/hello";

fn module_answer(path: &str) -> (u16, &'static str, Vec<u8>) {
    let versions = ["v1.0.0", "v1.1.0"];
    let Some(rest) = path.strip_prefix(&format!("/{MODULE}/")) else {
        return (
            404,
            "text/plain; charset=utf-8",
            b"not found: unknown module\n".to_vec(),
        );
    };
    if rest == "@v/list" {
        return (
            200,
            "text/plain; charset=utf-8",
            versions.join("\n").into_bytes(),
        );
    }
    if rest == "@latest" {
        return (
            200,
            "application/json",
            br#"{"Version":"v1.1.0","Time":"2021-01-01T00:00:00Z"}"#.to_vec(),
        );
    }
    for version in versions {
        let base = format!("@v/{version}");
        if rest == format!("{base}.info") {
            return (
                200,
                "application/json",
                format!(r#"{{"Version":"{version}","Time":"2020-01-01T00:00:00Z"}}"#).into_bytes(),
            );
        }
        if rest == format!("{base}.mod") {
            return (
                200,
                "text/plain; charset=utf-8",
                format!("module {MODULE}\n\ngo 1.20\n").into_bytes(),
            );
        }
        if rest == format!("{base}.zip") {
            return (200, "application/zip", module_zip(version));
        }
    }
    (
        404,
        "text/plain; charset=utf-8",
        format!("not found: {MODULE}@{rest}: invalid version: unknown revision\n").into_bytes(),
    )
}

/// A zip of the module's files: stored (uncompressed) for v1.0.0, deflated for other
/// versions, so both kinds reach the go command and godiag's hashing.
pub fn module_zip(version: &str) -> Vec<u8> {
    let files = [
        (
            format!("{MODULE}@{version}/go.mod"),
            format!("module {MODULE}\n\ngo 1.20\n"),
        ),
        (
            format!("{MODULE}@{version}/hello.go"),
            "package hello\n\n// Hello greets.\nfunc Hello() string { return \"hello\" }\n"
                .to_owned(),
        ),
    ];
    let deflate = version != "v1.0.0";
    let method: u8 = if deflate { 8 } else { 0 };
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, content) in &files {
        let offset = u32::try_from(out.len()).unwrap();
        let crc = godiag_go::dirhash::zip::crc32(content.as_bytes());
        let size = u32::try_from(content.len()).unwrap();
        let data = if deflate {
            miniz_oxide::deflate::compress_to_vec(content.as_bytes(), 6)
        } else {
            content.as_bytes().to_vec()
        };
        let compressed = u32::try_from(data.len()).unwrap();
        let name_len = u16::try_from(name.len()).unwrap();
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&[20, 0, 0, 0, method, 0, 0, 0, 0x21, 0]);
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&compressed.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&data);
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&[20, 0, 20, 0, 0, 0, method, 0, 0, 0, 0x21, 0]);
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&compressed.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&name_len.to_le_bytes());
        central.extend_from_slice(&[0; 12]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let central_offset = u32::try_from(out.len()).unwrap();
    let central_len = u32::try_from(central.len()).unwrap();
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    let count = u16::try_from(files.len()).unwrap();
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&central_len.to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}
