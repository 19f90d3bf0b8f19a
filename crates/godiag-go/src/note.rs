//! Signed notes and verifier keys as golang.org/x/mod/sumdb/note defines them: the format
//! the checksum database signs its tree heads with.
//!
//! A verifier key is `NAME+HASH+KEY`: `HASH` is 8 hex digits, the first 4 bytes of
//! SHA-256(`NAME\n` + key bytes); `KEY` is standard base64 of an algorithm byte (1 =
//! Ed25519) and the 32-byte public key. A note is UTF-8 text, a blank line, and signature
//! lines `— NAME BASE64(4-byte key hash || signature)`. Pure functions only.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest, Sha256};

/// The checksum database key the go command trusts by default (cmd/go/internal/modfetch
/// key.go).
pub const SUM_GOLANG_ORG_KEY: &str =
    "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";

/// What is wrong with a key or a note, in x/mod's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoteError {
    /// The key text is not `name+hash+key`.
    #[error("malformed verifier id")]
    MalformedKey,
    /// The hash does not match the name and key.
    #[error("invalid verifier hash")]
    KeyHash,
    /// The algorithm byte is not Ed25519.
    #[error("unknown verifier algorithm")]
    Algorithm,
    /// The note is not in note format.
    #[error("malformed note")]
    Malformed,
    /// A signature by the known key does not verify.
    #[error("invalid signature for key {0}")]
    BadSignature(String),
    /// No signature by a known key.
    #[error("note has no verifiable signatures")]
    Unverified,
}

/// A parsed verifier key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verifier {
    /// The server name (`sum.golang.org`).
    pub name: String,
    /// The key hash.
    pub hash: u32,
    key: VerifyingKey,
}

/// `note.NewVerifier`.
pub fn parse_verifier(vkey: &str) -> Result<Verifier, NoteError> {
    let (name, rest) = vkey.split_once('+').ok_or(NoteError::MalformedKey)?;
    let (hash_text, key_text) = rest.split_once('+').ok_or(NoteError::MalformedKey)?;
    if !is_valid_name(name) || hash_text.len() != 8 || key_text.is_empty() {
        return Err(NoteError::MalformedKey);
    }
    let hash = u32::from_str_radix(hash_text, 16).map_err(|_| NoteError::MalformedKey)?;
    if !hash_text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(NoteError::MalformedKey);
    }
    let key = STANDARD
        .decode(key_text)
        .map_err(|_| NoteError::MalformedKey)?;
    if key.is_empty() {
        return Err(NoteError::MalformedKey);
    }
    if key_hash(name, &key) != hash {
        return Err(NoteError::KeyHash);
    }
    let (&algorithm, data) = key.split_first().ok_or(NoteError::MalformedKey)?;
    if algorithm != 1 {
        return Err(NoteError::Algorithm);
    }
    let bytes: [u8; 32] = data.try_into().map_err(|_| NoteError::MalformedKey)?;
    let key = VerifyingKey::from_bytes(&bytes).map_err(|_| NoteError::MalformedKey)?;
    Ok(Verifier {
        name: name.to_owned(),
        hash,
        key,
    })
}

/// `keyHash`: the first 4 bytes of SHA-256(name + "\n" + key).
#[must_use]
pub fn key_hash(name: &str, key: &[u8]) -> u32 {
    let mut sha = Sha256::new();
    sha.update(name.as_bytes());
    sha.update(b"\n");
    sha.update(key);
    let digest = sha.finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && !name.contains('+') && !name.chars().any(char::is_whitespace)
}

/// `note.Open` with one known key: returns the note's text when a signature by `verifier`
/// verifies.
pub fn open<'a>(message: &'a str, verifier: &Verifier) -> Result<&'a str, NoteError> {
    if message.chars().any(|c| c.is_control() && c != '\n') {
        return Err(NoteError::Malformed);
    }
    let split = message.rfind("\n\n").ok_or(NoteError::Malformed)?;
    let (text, signatures) = (&message[..=split], &message[split + 2..]);
    if signatures.is_empty() || !signatures.ends_with('\n') {
        return Err(NoteError::Malformed);
    }
    let mut ok = false;
    for (count, line) in signatures.trim_end_matches('\n').split('\n').enumerate() {
        if count >= 100 {
            return Err(NoteError::Malformed);
        }
        let rest = line.strip_prefix("— ").ok_or(NoteError::Malformed)?;
        let (name, encoded) = rest.split_once(' ').ok_or(NoteError::Malformed)?;
        if !is_valid_name(name) || encoded.is_empty() {
            return Err(NoteError::Malformed);
        }
        let raw = STANDARD.decode(encoded).map_err(|_| NoteError::Malformed)?;
        if raw.len() < 5 {
            return Err(NoteError::Malformed);
        }
        let hash = u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]);
        if name != verifier.name || hash != verifier.hash {
            continue;
        }
        let signature = Signature::from_slice(&raw[4..])
            .map_err(|_| NoteError::BadSignature(format!("{name}+{hash:08x}")))?;
        verifier
            .key
            .verify_strict(text.as_bytes(), &signature)
            .map_err(|_| NoteError::BadSignature(format!("{name}+{hash:08x}")))?;
        ok = true;
    }
    if ok {
        Ok(text)
    } else {
        Err(NoteError::Unverified)
    }
}

/// A checksum-database tree head (`go.sum database tree`, size, root hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    /// Number of records.
    pub size: u64,
    /// The root hash, base64.
    pub hash: String,
}

/// `tlog.ParseTree`.
#[must_use]
pub fn parse_tree(text: &str) -> Option<Tree> {
    let mut lines = text.split('\n');
    if lines.next()? != "go.sum database tree" {
        return None;
    }
    let size_text = lines.next()?;
    let size: u64 = size_text.parse().ok()?;
    if size.to_string() != size_text {
        return None;
    }
    let hash = lines.next()?;
    (STANDARD.decode(hash).ok()?.len() == 32).then(|| Tree {
        size,
        hash: hash.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use ed25519_dalek::{Signer, SigningKey};

    use super::*;

    #[test]
    fn the_default_key_parses() {
        let verifier = parse_verifier(SUM_GOLANG_ORG_KEY).unwrap();
        assert_eq!(verifier.name, "sum.golang.org");
        assert_eq!(verifier.hash, 0x033d_e0ae);
        assert_eq!(
            parse_verifier("sum.golang.org+033de0af+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"),
            Err(NoteError::KeyHash)
        );
        assert_eq!(parse_verifier("bogus"), Err(NoteError::MalformedKey));
    }

    #[test]
    fn the_package_documentation_vector_verifies() {
        let verifier =
            parse_verifier("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
                .unwrap();
        let note = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
        assert!(open(note, &verifier).unwrap().starts_with("If you think"));
        let tampered = note.replace("cryptography", "Cryptography");
        assert_eq!(
            open(&tampered, &verifier),
            Err(NoteError::BadSignature("PeterNeumann+c74f20a3".into()))
        );
    }

    #[test]
    fn notes_signed_with_a_test_key() {
        let signing = SigningKey::from_bytes(&[7; 32]);
        let mut key = vec![1];
        key.extend_from_slice(signing.verifying_key().as_bytes());
        let hash = key_hash("sumdb.test", &key);
        let vkey = format!("sumdb.test+{hash:08x}+{}", STANDARD.encode(&key));
        let verifier = parse_verifier(&vkey).unwrap();
        let text = "go.sum database tree\n1\nFRi+L0ecDFwHgtbxzN9mR0tq56ebDrkOzUXkK4cz+k0=\n";
        let mut raw = hash.to_be_bytes().to_vec();
        raw.extend_from_slice(&signing.sign(text.as_bytes()).to_bytes());
        let note = format!("{text}\n— sumdb.test {}\n", STANDARD.encode(&raw));
        assert_eq!(open(&note, &verifier), Ok(text));
        assert_eq!(parse_tree(text).unwrap().size, 1);
        assert!(open(&note.replace("\n1\n", "\n2\n"), &verifier).is_err());
        let other = parse_verifier(SUM_GOLANG_ORG_KEY).unwrap();
        assert_eq!(open(&note, &other), Err(NoteError::Unverified));
        assert_eq!(open("no blank line", &verifier), Err(NoteError::Malformed));
    }
}
