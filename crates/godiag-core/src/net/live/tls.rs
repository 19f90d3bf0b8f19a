//! A TLS handshake with rustls, and nothing after it: who the peer says it is.

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Instant;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

use crate::net::{NetError, NetErrorKind, TlsRequest, TlsSummary, Trust, left};

/// Connects to `address` and completes a handshake for `request.server_name`.
pub(super) fn handshake(
    address: SocketAddr,
    request: &TlsRequest,
    deadline: Instant,
) -> Result<TlsSummary, NetError> {
    let started = Instant::now();
    let fail = |kind, message: String| NetError::new(kind, message, started.elapsed());
    let config =
        config(&request.trust).map_err(|error| fail(NetErrorKind::Tls, error.to_string()))?;
    let name = ServerName::try_from(request.server_name.clone())
        .map_err(|error| fail(NetErrorKind::Other, error.to_string()))?;
    let mut connection = ClientConnection::new(Arc::new(config), name)
        .map_err(|error| fail(NetErrorKind::Tls, error.to_string()))?;
    let mut stream = TcpStream::connect_timeout(&address, left(deadline, started)?)
        .map_err(|error| NetError::from_io(&error, started.elapsed()))?;
    while connection.is_handshaking() {
        let wait = left(deadline, started)?;
        let io = |error: &io::Error| NetError::from_io(error, started.elapsed());
        stream.set_read_timeout(Some(wait)).map_err(|e| io(&e))?;
        stream.set_write_timeout(Some(wait)).map_err(|e| io(&e))?;
        if let Err(error) = connection.complete_io(&mut stream) {
            return Err(classify(&error, started));
        }
    }
    Ok(TlsSummary {
        version: connection
            .protocol_version()
            .map(|version| format!("{version:?}"))
            .unwrap_or_default(),
        cipher_suite: connection
            .negotiated_cipher_suite()
            .map(|suite| format!("{:?}", suite.suite()))
            .unwrap_or_default(),
        chain: connection
            .peer_certificates()
            .unwrap_or_default()
            .iter()
            .map(|certificate| certificate.len())
            .collect(),
        duration: started.elapsed(),
    })
}

/// Sorts a handshake failure: rustls wraps its own errors in `io::Error`.
fn classify(error: &io::Error, started: Instant) -> NetError {
    let kind = match error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        Some(rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)) => {
            NetErrorKind::UnknownAuthority
        }
        Some(rustls::Error::InvalidMessage(_)) => NetErrorKind::Protocol,
        Some(_) => NetErrorKind::Tls,
        None if error.kind() == io::ErrorKind::UnexpectedEof => NetErrorKind::Reset,
        None => NetErrorKind::of_io(error),
    };
    NetError::new(kind, error.to_string(), started.elapsed())
}

fn config(trust: &Trust) -> Result<ClientConfig, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()?;
    if trust.is_insecure() {
        return Ok(builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Anyone(provider)))
            .with_no_client_auth());
    }
    let mut store = RootCertStore::empty();
    match trust.certificates() {
        Some(certificates) => {
            for certificate in certificates.iter() {
                // A root rustls cannot use is left out, as crypto/x509 skips what it cannot parse.
                let _ = store.add(CertificateDer::from(certificate.der().to_vec()));
            }
        }
        None => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    Ok(builder.with_root_certificates(store).with_no_client_auth())
}

/// Accepts any certificate (GOINSECURE) but still checks the handshake's signatures.
#[derive(Debug)]
struct Anyone(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for Anyone {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            certificate,
            signature,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            certificate,
            signature,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;
    use std::time::Duration;

    use super::*;

    /// A self-signed certificate for 127.0.0.1, as PEM, and a server that completes one
    /// handshake with it.
    fn server() -> (SocketAddr, String, std::thread::JoinHandle<()>) {
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
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let serving = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut connection = rustls::ServerConnection::new(Arc::new(config)).unwrap();
            while connection.is_handshaking() {
                if connection.complete_io(&mut stream).is_err() {
                    return;
                }
            }
            let _ = connection.complete_io(&mut stream);
        });
        (address, cert.cert.pem(), serving)
    }

    fn request(trust: Trust) -> TlsRequest {
        TlsRequest {
            server_name: "127.0.0.1".to_owned(),
            trust,
        }
    }

    #[test]
    fn a_trusted_peer_shows_its_chain() {
        let (address, pem, serving) = server();
        let deadline = Instant::now() + Duration::from_secs(5);
        let trust = Trust::roots(vec![pem.into_bytes()]);
        let summary = handshake(address, &request(trust), deadline).unwrap();
        serving.join().unwrap();
        assert_eq!(summary.chain.len(), 1);
        assert!(summary.version.starts_with("TLS"), "{summary:?}");
    }

    #[test]
    fn an_unknown_issuer_is_an_unknown_authority() {
        let (address, _, serving) = server();
        let deadline = Instant::now() + Duration::from_secs(5);
        let error = handshake(address, &request(Trust::roots(Vec::new())), deadline).unwrap_err();
        serving.join().unwrap();
        assert_eq!(error.kind, NetErrorKind::UnknownAuthority, "{error:?}");
        let (address, _, serving) = server();
        let insecure = Trust::roots(Vec::new()).insecure(true);
        assert!(handshake(address, &request(insecure), deadline).is_ok());
        serving.join().unwrap();
    }

    #[test]
    fn a_plain_text_peer_is_a_protocol_error() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let serving = std::thread::spawn(move || {
            use std::io::{Read, Write};
            let (mut stream, _) = listener.accept().unwrap();
            let mut hello = [0u8; 512];
            let _ = stream.read(&mut hello);
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
        });
        let deadline = Instant::now() + Duration::from_secs(5);
        let error = handshake(address, &request(Trust::default()), deadline).unwrap_err();
        serving.join().unwrap();
        assert!(
            matches!(error.kind, NetErrorKind::Protocol | NetErrorKind::Tls),
            "{error:?}"
        );
    }
}
