//! The OS keychain as a home for private signing keys: the Secret Service over D-Bus on Linux,
//! the Keychain on macOS, the Credential Manager on Windows (the `keyring` crate).
//!
//! Only built with the `keychain` cargo feature and only on those three systems: elsewhere the
//! `keyring` crate would fall back to an in-memory mock store, and a private key written there
//! would be lost when the process ends. Without a backend every function here fails with a
//! sentence saying so, and callers fall back to (or stay with) 0600 files.
//!
//! Secrets are stored as base64 text so that a user looking at them in their keychain's own UI
//! (Seahorse, Keychain Access) sees what `skillmeat keys export --private` would print.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The keychain service name every SkillMeat key is stored under.
pub const SERVICE: &str = "skillmeat";

/// Where one private key sits in the keychain. Written into the key's `keys/<id>.toml`, so a
/// later version that names entries differently still finds the keys made before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct KeychainRef {
    /// The keychain service (always `skillmeat` for keys this version makes).
    pub service: String,
    /// The keychain account: `<key id>@<home folder>`, so two homes holding the same key never
    /// delete each other's copy.
    pub account: String,
}

/// What went wrong talking to the keychain, as a phrase for a longer sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeychainError {
    /// The keychain holds no entry under that service and account.
    NoEntry,
    /// The keychain could not be reached or refused the operation.
    Unavailable(String),
}

impl std::fmt::Display for KeychainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeychainError::NoEntry => f.write_str("the keychain has no such entry"),
            KeychainError::Unavailable(why) => f.write_str(why),
        }
    }
}

/// The name of the keychain this build talks to, for messages and `keys list`.
pub fn backend_name() -> &'static str {
    if !compiled_in() {
        "none (this skillmeat was built without the `keychain` feature)"
    } else if cfg!(target_os = "macos") {
        "macOS Keychain"
    } else if cfg!(target_os = "windows") {
        "Windows Credential Manager"
    } else {
        "Secret Service (D-Bus)"
    }
}

/// Whether this build has a keychain backend at all.
pub fn compiled_in() -> bool {
    cfg!(all(
        feature = "keychain",
        any(
            target_os = "linux",
            target_os = "macos",
            target_os = "windows"
        )
    ))
}

#[cfg(all(
    feature = "keychain",
    any(target_os = "linux", target_os = "macos", target_os = "windows")
))]
mod backend {
    use super::{KeychainError, KeychainRef};

    fn entry(r: &KeychainRef) -> Result<keyring::Entry, KeychainError> {
        keyring::Entry::new(&r.service, &r.account).map_err(convert)
    }

    fn convert(e: keyring::Error) -> KeychainError {
        match e {
            keyring::Error::NoEntry => KeychainError::NoEntry,
            // The crate's messages for an unreachable D-Bus are long; the first line says it.
            other => KeychainError::Unavailable(
                other
                    .to_string()
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_string(),
            ),
        }
    }

    pub fn store(r: &KeychainRef, secret: &str) -> Result<(), KeychainError> {
        entry(r)?.set_password(secret).map_err(convert)
    }

    pub fn load(r: &KeychainRef) -> Result<String, KeychainError> {
        entry(r)?.get_password().map_err(convert)
    }

    pub fn delete(r: &KeychainRef) -> Result<(), KeychainError> {
        entry(r)?.delete_credential().map_err(convert)
    }
}

#[cfg(not(all(
    feature = "keychain",
    any(target_os = "linux", target_os = "macos", target_os = "windows")
)))]
mod backend {
    use super::{KeychainError, KeychainRef};

    fn none() -> KeychainError {
        KeychainError::Unavailable("this skillmeat was built without the `keychain` feature".into())
    }

    pub fn store(_: &KeychainRef, _: &str) -> Result<(), KeychainError> {
        Err(none())
    }

    pub fn load(_: &KeychainRef) -> Result<String, KeychainError> {
        Err(none())
    }

    pub fn delete(_: &KeychainRef) -> Result<(), KeychainError> {
        Err(none())
    }
}

/// Stores `secret` and reads it back: a keychain that accepts a write but returns something
/// else (or nothing) must not be trusted with the only copy of a key.
pub fn store(r: &KeychainRef, secret: &str) -> Result<(), KeychainError> {
    backend::store(r, secret)?;
    match backend::load(r) {
        Ok(back) if back == secret => Ok(()),
        Ok(_) => {
            let _ = backend::delete(r);
            Err(KeychainError::Unavailable(
                "the keychain returned different bytes than were stored".into(),
            ))
        }
        Err(e) => {
            let _ = backend::delete(r);
            Err(e)
        }
    }
}

/// Reads a stored secret.
pub fn load(r: &KeychainRef) -> Result<String, KeychainError> {
    backend::load(r)
}

/// Deletes a stored secret.
pub fn delete(r: &KeychainRef) -> Result<(), KeychainError> {
    backend::delete(r)
}
