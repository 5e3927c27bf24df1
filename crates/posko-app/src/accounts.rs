//! Officer accounts and sessions: passwords hashed with argon2id, session tokens that exist in
//! clear only in the officer's cookie (the store keeps their SHA-256), and CSRF tokens derived
//! from the session with the server's key, so nothing extra is stored per form.

use std::fs;
use std::io::Write;
use std::path::Path;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use jiff::{Timestamp, ToSpan};
use posko_core::access::{check_password, check_username, AccountError};
use posko_core::{Agency, RegionCode, Role};
use posko_store::{NewSession, NewUser, Store, StoreError, User};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The server's 32-byte key. Sub-keys for each purpose are derived from it, so one key can
/// serve CSRF tokens now and other purposes later without reuse.
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey([disembunyikan])")
    }
}

/// A key that could not be read or made.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("kunci rahasia harus hex 64 karakter (secret_key must be 64 hex characters)")]
    Malformed,
    #[error(
        "berkas kunci {path} tidak dapat dibaca atau dibuat (cannot read or create the key file)"
    )]
    File {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl SecretKey {
    pub fn from_hex(text: &str) -> Result<SecretKey, KeyError> {
        let bytes = hex::decode(text.trim()).map_err(|_| KeyError::Malformed)?;
        let arr: [u8; 32] = bytes.try_into().map_err(|_| KeyError::Malformed)?;
        Ok(SecretKey(arr))
    }

    pub fn random() -> SecretKey {
        let mut k = [0u8; 32];
        rand::rng().fill_bytes(&mut k);
        SecretKey(k)
    }

    /// Reads `<dir>/secret.key`, creating it (readable by the owner only) when it is missing.
    pub fn load_or_create(dir: &Path) -> Result<SecretKey, KeyError> {
        let path = dir.join("secret.key");
        let file_err = |source| KeyError::File {
            path: path.display().to_string(),
            source,
        };
        match fs::read_to_string(&path) {
            Ok(text) => SecretKey::from_hex(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = SecretKey::random();
                let mut opts = fs::OpenOptions::new();
                opts.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    opts.mode(0o600);
                }
                let mut f = opts.open(&path).map_err(file_err)?;
                f.write_all(hex::encode(key.0).as_bytes())
                    .map_err(file_err)?;
                f.sync_all().map_err(file_err)?;
                Ok(key)
            }
            Err(e) => Err(file_err(e)),
        }
    }

    /// HMAC-SHA256 of `data` under the sub-key for `purpose`.
    pub fn mac(&self, purpose: &str, data: &[u8]) -> [u8; 32] {
        let sub = self.derive(purpose);
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(&sub).unwrap_or_else(|_| unreachable!());
        m.update(data);
        m.finalize().into_bytes().into()
    }

    /// A 32-byte key for one purpose, derived from the server key.
    pub(crate) fn derive(&self, purpose: &str) -> [u8; 32] {
        let mut m =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.0).unwrap_or_else(|_| unreachable!());
        m.update(b"posko/");
        m.update(purpose.as_bytes());
        m.finalize().into_bytes().into()
    }
}

/// What an admin asks for when creating an account.
#[derive(Debug, Clone)]
pub struct AccountRequest {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub role: Role,
    pub agency: Option<Agency>,
    pub region: Option<RegionCode>,
}

/// Why an account was not created or a login failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    #[error(transparent)]
    Invalid(#[from] AccountError),
    #[error("wilayah {0} tidak ada di data wilayah (unknown region)")]
    UnknownRegion(String),
    #[error("nama pengguna '{0}' sudah dipakai (username already taken)")]
    Taken(String),
    #[error("nama pengguna atau kata sandi salah (wrong username or password)")]
    BadCredentials,
    #[error("gagal membuat hash kata sandi (password hashing failed)")]
    Hash,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AccountsError {
    fn from(e: StoreError) -> AccountsError {
        AccountsError::Store(e)
    }
}

/// An open session: the token goes into the cookie, never anywhere else.
#[derive(Debug, Clone)]
pub struct OpenedSession {
    pub token: String,
    pub user: User,
    pub expires_at: Timestamp,
}

pub(crate) fn hash_password(password: &str) -> Result<String, AccountsError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|_| AccountsError::Hash)?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| AccountsError::Hash)
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of a password nobody has, verified when the username is unknown so that a failed
/// login takes as long whether or not the account exists.
const DECOY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$cG9za28tZGVjb3ktc2FsdA$xBHQsxH0Jy4vMq3BOYwxSoDuJpLgtlwmC9BldqK/uDA";

pub(crate) fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Creates an account after checking the request (the region must exist in the atlas).
pub async fn add_user(store: &dyn Store, req: AccountRequest) -> Result<User, AccountsError> {
    check_username(&req.username)?;
    check_password(&req.password)?;
    let name_len = req.display_name.chars().count();
    if !(1..=100).contains(&name_len) {
        return Err(AccountError::DisplayName.into());
    }
    if req.role.needs_agency() && req.agency.is_none() {
        return Err(AccountError::AgencyRequired(req.role).into());
    }
    if req.role.needs_region() && req.region.is_none() {
        return Err(AccountError::RegionRequired(req.role).into());
    }
    if let Some(r) = &req.region {
        if !posko_core::Atlas::embedded().contains(r) {
            return Err(AccountsError::UnknownRegion(r.to_string()));
        }
    }
    let password = req.password.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|_| AccountsError::Hash)??;
    let new = NewUser {
        username: req.username.clone(),
        display_name: req.display_name,
        password_hash: hash,
        role: req.role,
        agency: req.agency,
        region: req.region,
        created_at: Timestamp::now(),
    };
    store.create_user(&new).await.map_err(|e| match e {
        StoreError::Conflict(_) => AccountsError::Taken(req.username),
        other => AccountsError::Store(other),
    })
}

/// Checks a username and password and opens a session of `hours`.
pub async fn login(
    store: &dyn Store,
    username: &str,
    password: &str,
    hours: u32,
) -> Result<OpenedSession, AccountsError> {
    let found = store.user_for_login(username.trim()).await?;
    let (hash, user) = match found {
        Some((user, hash)) => (hash, Some(user)),
        None => (DECOY_HASH.to_string(), None),
    };
    let pw = password.to_string();
    let ok = tokio::task::spawn_blocking(move || verify_password(&pw, &hash))
        .await
        .map_err(|_| AccountsError::Hash)?;
    let user = match user {
        Some(u) if ok && u.active => u,
        _ => return Err(AccountsError::BadCredentials),
    };
    let mut raw = [0u8; 32];
    rand::rng().fill_bytes(&mut raw);
    let token = URL_SAFE_NO_PAD.encode(raw);
    let now = Timestamp::now();
    let expires_at = now + (i64::from(hours)).hours();
    store
        .create_session(&NewSession {
            token_hash: token_hash(&token),
            user_id: user.id,
            created_at: now,
            expires_at,
        })
        .await?;
    Ok(OpenedSession {
        token,
        user,
        expires_at,
    })
}

/// The account behind a session cookie, if the session is open.
pub async fn session_user(store: &dyn Store, token: &str) -> Result<Option<User>, StoreError> {
    if token.is_empty() || token.len() > 128 {
        return Ok(None);
    }
    store
        .session_user(&token_hash(token), Timestamp::now())
        .await
}

pub async fn logout(store: &dyn Store, token: &str) -> Result<(), StoreError> {
    store.delete_session(&token_hash(token)).await
}

/// The CSRF token for forms shown to the holder of `cookie_value` (a session token, or the
/// anonymous visitor cookie before login).
pub fn csrf_token(key: &SecretKey, cookie_value: &str) -> String {
    URL_SAFE_NO_PAD.encode(key.mac("csrf", cookie_value.as_bytes()))
}

/// True when `given` is the CSRF token for `cookie_value`, compared in constant time.
pub fn csrf_valid(key: &SecretKey, cookie_value: &str, given: &str) -> bool {
    if cookie_value.is_empty() {
        return false;
    }
    let expected = csrf_token(key, cookie_value);
    expected.as_bytes().ct_eq(given.as_bytes()).into()
}

/// Makes an API token for a machine client: returns its id and the token, which exists in clear
/// only in this return value (the store keeps its SHA-256). With `agency`, the token is that
/// agency's own case-handling system: it sees and acts on the cases routed to the agency only.
pub async fn create_api_token(
    store: &dyn Store,
    name: &str,
    agency: Option<posko_core::Agency>,
) -> Result<(i64, String), AccountsError> {
    let name = name.trim();
    if !(1..=64).contains(&name.chars().count()) {
        return Err(AccountError::DisplayName.into());
    }
    let token = format!("psk_{}", random_token());
    let now = Timestamp::now();
    let id = store
        .create_api_token(name, &token_hash(&token), agency, now)
        .await?;
    // An agency's system acts on cases as a handler of that agency: an account that can never
    // log in (its password hash is no hash), so every move it makes has an actor on the timeline
    // and in the audit chain.
    if let Some(agency) = agency {
        store
            .create_user(&posko_store::NewUser {
                username: api_actor_username(id),
                display_name: format!("Sistem {name}"),
                password_hash: "!api".into(),
                role: posko_core::Role::Penindak,
                agency: Some(agency),
                region: None,
                created_at: now,
            })
            .await?;
    }
    Ok((id, token))
}

/// The account an agency's API client acts as.
pub fn api_actor_username(client_id: i64) -> String {
    format!("api-{client_id}")
}

/// A fresh random value for the anonymous visitor cookie.
pub fn random_token() -> String {
    let mut raw = [0u8; 32];
    rand::rng().fill_bytes(&mut raw);
    URL_SAFE_NO_PAD.encode(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoy_hash_is_a_valid_hash_that_matches_nothing_likely() {
        assert!(PasswordHash::new(DECOY_HASH).is_ok());
        assert!(!verify_password("password123", DECOY_HASH));
    }

    #[test]
    fn passwords_verify() {
        let h = hash_password("kata-sandi-yang-kuat").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("kata-sandi-yang-kuat", &h));
        assert!(!verify_password("kata-sandi-yang-lemah", &h));
    }

    #[test]
    fn csrf_tokens_bind_to_the_cookie_and_the_key() {
        let k = SecretKey::random();
        let t = csrf_token(&k, "session-a");
        assert!(csrf_valid(&k, "session-a", &t));
        assert!(!csrf_valid(&k, "session-b", &t));
        assert!(!csrf_valid(&SecretKey::random(), "session-a", &t));
        assert!(!csrf_valid(&k, "", &csrf_token(&k, "")));
        assert!(!csrf_valid(&k, "session-a", ""));
    }

    #[test]
    fn key_file_is_made_once_and_reread() {
        let dir = tempfile::tempdir().unwrap();
        let a = SecretKey::load_or_create(dir.path()).unwrap();
        let b = SecretKey::load_or_create(dir.path()).unwrap();
        assert_eq!(a.0, b.0);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join("secret.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(matches!(
            SecretKey::from_hex("abc"),
            Err(KeyError::Malformed)
        ));
        assert!(!format!("{a:?}").contains(&hex::encode(a.0)[..8]));
    }
}
