//! Sealed reporter identities. The identity a reporter gives (name, address, NIK, phone,
//! e-mail) is encrypted with XChaCha20-Poly1305 under a key derived from the operator's secret
//! key, and stored apart from the report; keyed hashes (HMAC-SHA256) of NIK, phone and e-mail let
//! the post find the same reporter again without decrypting. Nothing of it is ever in clear in
//! the database, the logs or an export.

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use posko_core::report::ReporterIdentity;
use posko_store::SealedIdentity;
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::accounts::SecretKey;

/// An identity in clear, as an officer sees it after an approved unseal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct OpenIdentity {
    pub name: Option<String>,
    pub address: Option<String>,
    pub nik: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("identitas tersegel tidak dapat dibuka dengan kunci ini (the sealed identity does not open with this key)")]
    Open,
    #[error("identitas tidak dapat disegel (cannot seal the identity)")]
    Seal,
}

const NONCE_LEN: usize = 24;

fn cipher(key: &SecretKey) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(&key.derive("reporter-identity-aead").into())
}

/// The keyed hash of a NIK, phone (E.164) or e-mail (lower case), for finding a reporter again.
pub fn identity_mac(key: &SecretKey, what: &str, value: &str) -> Vec<u8> {
    key.mac(&format!("reporter-{what}"), value.as_bytes())
        .to_vec()
}

/// The keyed hash that identifies a reported official across reports: of the NIP/NRP, or of the
/// normalised name and unit when no number was given (each under its own key, so they never
/// collide). No clear number is stored anywhere.
pub fn subject_mac(key: &SecretKey, who: &posko_core::official::OfficialKey) -> Vec<u8> {
    use posko_core::official::OfficialKey;
    match who {
        OfficialKey::Number(n) => key.mac("subject-id-number", n.as_bytes()).to_vec(),
        OfficialKey::NameAndUnit(t) => key.mac("subject-name-unit", t.as_bytes()).to_vec(),
    }
}

/// Seals an identity; `None` when the reporter gave nothing.
pub fn seal(key: &SecretKey, id: &ReporterIdentity) -> Result<Option<SealedIdentity>, SealError> {
    if id.is_empty() {
        return Ok(None);
    }
    let open = OpenIdentity {
        name: id.name.clone(),
        address: id.address.clone(),
        nik: id.nik.as_ref().map(|n| n.as_str().to_string()),
        phone: id.phone.as_ref().map(|p| p.as_e164().to_string()),
        email: id.email.as_ref().map(|e| e.to_lowercase()),
    };
    let plain = serde_json::to_vec(&open).map_err(|_| SealError::Seal)?;
    let mut nonce = [0u8; NONCE_LEN];
    rand::rng().fill_bytes(&mut nonce);
    let ct = cipher(key)
        .encrypt(XNonce::from_slice(&nonce), plain.as_slice())
        .map_err(|_| SealError::Seal)?;
    let mut ciphertext = nonce.to_vec();
    ciphertext.extend_from_slice(&ct);
    Ok(Some(SealedIdentity {
        ciphertext,
        nik_mac: open.nik.as_deref().map(|v| identity_mac(key, "nik", v)),
        phone_mac: open.phone.as_deref().map(|v| identity_mac(key, "phone", v)),
        email_mac: open.email.as_deref().map(|v| identity_mac(key, "email", v)),
    }))
}

/// Opens a sealed identity. Only `unseal::read_identity` calls this, after the two-officer check.
pub(crate) fn open(key: &SecretKey, sealed: &[u8]) -> Result<OpenIdentity, SealError> {
    if sealed.len() <= NONCE_LEN {
        return Err(SealError::Open);
    }
    let (nonce, ct) = sealed.split_at(NONCE_LEN);
    let plain = cipher(key)
        .decrypt(XNonce::from_slice(nonce), ct)
        .map_err(|_| SealError::Open)?;
    serde_json::from_slice(&plain).map_err(|_| SealError::Open)
}

#[cfg(test)]
mod tests {
    use super::*;
    use posko_core::phone::PhoneNumber;
    use posko_core::report::Nik;

    fn identity() -> ReporterIdentity {
        ReporterIdentity {
            name: Some("Siti Aminah".into()),
            address: Some("Jl. Kartini 1".into()),
            nik: Nik::parse("3320014507900001").ok(),
            phone: PhoneNumber::parse("0812-3456-7890").ok(),
            email: Some("Siti@Example.ID".into()),
        }
    }

    #[test]
    fn seals_and_opens_with_the_same_key_only() {
        let k = SecretKey::random();
        let s = seal(&k, &identity()).unwrap().unwrap();
        let text = String::from_utf8_lossy(&s.ciphertext);
        for clear in ["Siti", "3320014507900001", "81234567890", "Kartini"] {
            assert!(!text.contains(clear), "{clear} in ciphertext");
        }
        let o = open(&k, &s.ciphertext).unwrap();
        assert_eq!(o.nik.as_deref(), Some("3320014507900001"));
        assert_eq!(o.phone.as_deref(), Some("+6281234567890"));
        assert_eq!(o.email.as_deref(), Some("siti@example.id"));
        assert!(open(&SecretKey::random(), &s.ciphertext).is_err());
        let mut tampered = s.ciphertext.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(open(&k, &tampered).is_err(), "AEAD detects tampering");
    }

    #[test]
    fn macs_find_the_same_reporter_under_the_same_key() {
        let k = SecretKey::random();
        let a = seal(&k, &identity()).unwrap().unwrap();
        let b = seal(&k, &identity()).unwrap().unwrap();
        assert_ne!(a.ciphertext, b.ciphertext, "fresh nonce every time");
        assert_eq!(a.phone_mac, b.phone_mac);
        assert_eq!(a.nik_mac, b.nik_mac);
        let other = seal(&SecretKey::random(), &identity()).unwrap().unwrap();
        assert_ne!(
            a.nik_mac, other.nik_mac,
            "keyed: a copy of the database alone cannot test NIKs"
        );
        assert_eq!(seal(&k, &ReporterIdentity::default()).unwrap(), None);
    }
}
