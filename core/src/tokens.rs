//! Access tokens for SkillMeat's HTTP servers (`skillmeat mcp serve --http`, `skillmeat web`):
//! `<home>/tokens.toml`, written 0600, holding only the SHA-256 of each token, never the token.
//!
//! A token is shown once, when it is created; afterwards it can only be checked ([`verify`]) or
//! revoked. Servers call [`verify`] on every request, so a revoked token stops working at once.
//!
//! ```toml
//! [[tokens]]
//! name = "claude-code"
//! hash = "sha256:…"              # SHA-256 of the whole token
//! prefix = "smt_1a2b3c4d"        # the first characters, to recognise a token in a list
//! created = "2026-11-25T10:00:00Z"
//! ```

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::artifact::{NameError, to_hex, validate_name};
use crate::home::{Home, HomeError, atomic_write_private};
use crate::text::line_col;
use crate::time::Timestamp;

/// Every token starts with this, so secret scanners (and people) recognise one.
pub const TOKEN_PREFIX: &str = "smt_";

/// How many characters of a token are kept in the file to tell tokens apart.
const SHOWN_CHARS: usize = 12;

/// Errors about tokens. Each message is one sentence naming the file and the fix.
#[derive(Debug, Error)]
pub enum TokenError {
    #[error(
        "{path}:{line}:{col}: {message}; fix the file there, or delete it and create new tokens"
    )]
    Syntax {
        path: PathBuf,
        line: usize,
        col: usize,
        message: String,
    },
    #[error("a token named `{name}` already exists in {path}; pick another name")]
    Exists { name: String, path: PathBuf },
    #[error("no token named `{name}` in {path}")]
    NotFound { name: String, path: PathBuf },
    #[error("the system's random number source failed ({0}); try again")]
    Random(String),
    #[error(transparent)]
    Name(#[from] NameError),
    #[error(transparent)]
    Home(#[from] HomeError),
}

impl crate::hint::Hinted for TokenError {
    fn kind(&self) -> crate::hint::ErrorKind {
        use crate::hint::ErrorKind as K;
        match self {
            TokenError::Syntax { .. } => K::Invalid,
            TokenError::Exists { .. } => K::Conflict,
            TokenError::NotFound { .. } => K::NotFound,
            TokenError::Random(_) => K::Io,
            TokenError::Name(e) => e.kind(),
            TokenError::Home(e) => e.kind(),
        }
    }
    fn fixes(&self) -> Vec<crate::hint::Fix> {
        use crate::hint::Fix;
        match self {
            TokenError::Exists { name, .. } => vec![
                Fix::op_with("token_revoke", serde_json::json!({ "name": name }))
                    .why("first to replace it"),
            ],
            TokenError::NotFound { .. } => vec![Fix::op("token_list").why("to see the tokens")],
            TokenError::Name(e) => e.fixes(),
            TokenError::Home(e) => e.fixes(),
            _ => Vec::new(),
        }
    }
}

/// One token as stored: never the token itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TokenRecord {
    /// The name it was created under (unique).
    pub name: String,
    /// `sha256:` + hex SHA-256 of the token.
    pub hash: String,
    /// The token's first characters, to recognise it.
    pub prefix: String,
    /// When it was created.
    pub created: Timestamp,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct TokensFile {
    #[serde(default)]
    tokens: Vec<TokenRecord>,
}

/// `token create`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTokenRequest {
    /// A name for the token (who or what uses it), unique in the home.
    pub name: String,
}

/// A newly created token: the only time its secret is shown.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct CreatedToken {
    /// Its name.
    pub name: String,
    /// The token. It is not stored; copy it now.
    pub token: String,
    /// Its first characters, as `token list` shows them.
    pub prefix: String,
    /// When it was created.
    pub created: Timestamp,
    /// The file it was recorded in (hashed).
    pub path: PathBuf,
}

/// `token list`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct TokenListReport {
    /// The tokens file.
    pub path: PathBuf,
    /// Every token, by name (hashes only).
    pub tokens: Vec<TokenRecord>,
}

/// What `token revoke` did.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RevokeReport {
    /// The token revoked.
    pub revoked: TokenRecord,
    /// The tokens file.
    pub path: PathBuf,
}

/// `<home>/tokens.toml`.
pub fn tokens_path(home: &Home) -> PathBuf {
    home.root().join("tokens.toml")
}

fn load(path: &Path) -> Result<TokensFile, TokenError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(TokensFile::default()),
        Err(e) => {
            return Err(HomeError::Io {
                path: path.into(),
                source: e,
            }
            .into());
        }
    };
    toml::from_str(&text).map_err(|e| {
        let (line, col) = line_col(&text, e.span().map_or(0, |s| s.start));
        TokenError::Syntax {
            path: path.into(),
            line,
            col,
            message: e.message().trim().trim_end_matches('.').replace('\n', " "),
        }
    })
}

fn save(path: &Path, file: &TokensFile) -> Result<(), TokenError> {
    let body = toml::to_string(file).map_err(|e| TokenError::Syntax {
        path: path.into(),
        line: 1,
        col: 1,
        message: e.to_string(),
    })?;
    let text = format!(
        "# SkillMeat access tokens (`skillmeat token create|list|revoke`). Only SHA-256 hashes are kept.\n\n{body}"
    );
    atomic_write_private(path, text.as_bytes())?;
    Ok(())
}

/// `sha256:` + hex SHA-256 of a token.
pub fn hash_token(token: &str) -> String {
    format!("sha256:{}", to_hex(&Sha256::digest(token.as_bytes())))
}

/// Creates a token, records its hash and returns it (the only time it is shown).
pub fn create(home: &Home, req: CreateTokenRequest) -> Result<CreatedToken, TokenError> {
    validate_name(&req.name)?;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| TokenError::Random(e.to_string()))?;
    let token = format!("{TOKEN_PREFIX}{}", to_hex(&bytes));
    let _lock = home.lock()?;
    let path = tokens_path(home);
    let mut file = load(&path)?;
    if file.tokens.iter().any(|t| t.name == req.name) {
        return Err(TokenError::Exists {
            name: req.name,
            path,
        });
    }
    let record = TokenRecord {
        name: req.name,
        hash: hash_token(&token),
        prefix: token[..SHOWN_CHARS].to_string(),
        created: Timestamp::now(),
    };
    file.tokens.push(record.clone());
    file.tokens.sort_by(|a, b| a.name.cmp(&b.name));
    save(&path, &file)?;
    Ok(CreatedToken {
        name: record.name,
        token,
        prefix: record.prefix,
        created: record.created,
        path,
    })
}

/// Lists the tokens (names, prefixes and hashes; never the tokens).
pub fn list(home: &Home) -> Result<TokenListReport, TokenError> {
    let path = tokens_path(home);
    let mut tokens = load(&path)?.tokens;
    tokens.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(TokenListReport { path, tokens })
}

/// Revokes (deletes) the token named `name`.
pub fn revoke(home: &Home, name: &str) -> Result<RevokeReport, TokenError> {
    let _lock = home.lock()?;
    let path = tokens_path(home);
    let mut file = load(&path)?;
    let Some(i) = file.tokens.iter().position(|t| t.name == name) else {
        return Err(TokenError::NotFound {
            name: name.into(),
            path,
        });
    };
    let revoked = file.tokens.remove(i);
    save(&path, &file)?;
    Ok(RevokeReport { revoked, path })
}

/// The record of the token `token`, if it is a live one. Reads the file each time, so a token
/// revoked while a server runs stops working at its next request.
pub fn verify(home: &Home, token: &str) -> Result<Option<TokenRecord>, TokenError> {
    let hash = hash_token(token);
    let file = load(&tokens_path(home))?;
    // Compare every record in full, without stopping early, so the time taken does not say how
    // much of a guess was right.
    let mut found = None;
    for t in file.tokens {
        if constant_time_eq(t.hash.as_bytes(), hash.as_bytes()) {
            found = Some(t);
        }
    }
    Ok(found)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn home() -> (tempfile::TempDir, Home) {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path().join("h"));
        (dir, home)
    }

    #[test]
    fn create_verify_revoke() {
        let (_d, home) = home();
        let t = create(&home, CreateTokenRequest { name: "ci".into() }).unwrap();
        assert!(t.token.starts_with(TOKEN_PREFIX) && t.token.len() == 4 + 64);
        let text = std::fs::read_to_string(tokens_path(&home)).unwrap();
        assert!(
            !text.contains(&t.token),
            "the token itself must never be stored"
        );
        assert!(text.contains(&hash_token(&t.token)));
        assert_eq!(verify(&home, &t.token).unwrap().unwrap().name, "ci");
        assert!(verify(&home, "smt_wrong").unwrap().is_none());
        assert!(matches!(
            create(&home, CreateTokenRequest { name: "ci".into() }),
            Err(TokenError::Exists { .. })
        ));
        assert_eq!(list(&home).unwrap().tokens.len(), 1);
        revoke(&home, "ci").unwrap();
        assert!(verify(&home, &t.token).unwrap().is_none());
        assert!(matches!(
            revoke(&home, "ci"),
            Err(TokenError::NotFound { .. })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn tokens_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let (_d, home) = home();
        create(&home, CreateTokenRequest { name: "a".into() }).unwrap();
        let mode = std::fs::metadata(tokens_path(&home))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        let (_d, home) = home();
        home.ensure().unwrap();
        std::fs::write(tokens_path(&home), "[[tokens]]\nname = \n").unwrap();
        let e = list(&home).unwrap_err().to_string();
        assert!(e.contains("tokens.toml:2:"), "{e}");
    }

    #[test]
    fn names_must_be_safe() {
        let (_d, home) = home();
        assert!(
            create(
                &home,
                CreateTokenRequest {
                    name: "../x".into()
                }
            )
            .is_err()
        );
    }
}
