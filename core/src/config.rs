//! `config.toml`: the user's settings, a table of known keys with types and defaults. Edited
//! through `toml_edit`, so keys we do not know (the Python tool's, a user's) are kept.

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::Serialize;
use thiserror::Error;
use toml_edit::{DocumentMut, Item, Table, value};

use crate::home::{Home, HomeError, atomic_write};

/// The type of a setting's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyType {
    Bool,
    /// A safe name (a collection's).
    Name,
    /// An `http://` or `https://` URL.
    Url,
    /// The name of an environment variable.
    EnvVar,
    /// One of a fixed list of words.
    OneOf(&'static [&'static str]),
}

/// A known setting.
struct KeySpec {
    key: &'static str,
    ty: KeyType,
    default: &'static str,
    doc: &'static str,
    /// Older spellings (the Python tool's) read when the key is absent.
    aliases: &'static [&'static str],
}

const KEYS: &[KeySpec] = &[
    KeySpec {
        key: "active-collection",
        ty: KeyType::Name,
        default: "default",
        doc: "The collection operations use when a request names none.",
        aliases: &["default-collection", "active_collection"],
    },
    KeySpec {
        key: "github-api-url",
        ty: KeyType::Url,
        default: "https://api.github.com",
        doc: "Base URL of the GitHub REST API (GitHub Enterprise, or a local server in tests). SKILLMEAT_GITHUB_API_URL overrides it.",
        aliases: &[],
    },
    KeySpec {
        key: "github-token-env",
        ty: KeyType::EnvVar,
        default: "GITHUB_TOKEN",
        doc: "The environment variable holding a GitHub token. The token itself is never stored.",
        aliases: &[],
    },
    KeySpec {
        key: "analytics",
        ty: KeyType::Bool,
        default: "true",
        doc: "Whether operations are recorded in analytics.db (kept on this machine only).",
        aliases: &[],
    },
    KeySpec {
        key: "key-storage",
        ty: KeyType::OneOf(&["auto", "keychain", "file"]),
        default: "auto",
        doc: "Where generated and imported private keys go: the OS keychain when reachable (auto), the keychain or fail, or a 0600 file. A storage given with the request, or SKILLMEAT_KEY_STORAGE, overrides it.",
        aliases: &[],
    },
];

/// Errors reading or changing settings.
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("unknown setting `{key}`; known settings are {known}{hint}")]
    UnknownKey {
        key: String,
        known: String,
        hint: String,
    },
    #[error("setting `{key}` takes true or false, not `{value}`")]
    NotBool { key: String, value: String },
    #[error("setting `{key}` takes one of {allowed}, not `{value}`")]
    NotOneOf {
        key: String,
        value: String,
        allowed: String,
    },
    #[error("setting `{key}` takes {what}, not `{value}`")]
    BadValue {
        key: String,
        value: String,
        what: &'static str,
    },
    #[error(
        "{path}:{line}:{col}: {message}; fix the TOML there (or delete the file to start from defaults)"
    )]
    Syntax {
        path: PathBuf,
        line: usize,
        col: usize,
        message: String,
    },
    #[error(transparent)]
    Home(#[from] HomeError),
}

/// One setting and where its value came from.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Setting {
    /// The setting's key.
    pub key: String,
    /// Its effective value.
    pub value: String,
    /// Whether the value is the default (not set in config.toml).
    pub is_default: bool,
    /// What it does.
    pub doc: String,
}

impl crate::hint::Hinted for ConfigError {
    fn kind(&self) -> crate::hint::ErrorKind {
        use crate::hint::ErrorKind as K;
        match self {
            ConfigError::UnknownKey { .. } => K::NotFound,
            ConfigError::NotBool { .. }
            | ConfigError::NotOneOf { .. }
            | ConfigError::BadValue { .. } => K::Usage,
            ConfigError::Syntax { .. } => K::Invalid,
            ConfigError::Home(e) => e.kind(),
        }
    }
    fn fixes(&self) -> Vec<crate::hint::Fix> {
        match self {
            ConfigError::Home(e) => e.fixes(),
            _ => Vec::new(),
        }
    }
}

/// `config.toml`, loaded.
#[derive(Debug, Clone)]
pub struct Config {
    path: PathBuf,
    doc: DocumentMut,
}

impl Config {
    /// Loads the home's config (defaults when the file does not exist).
    pub fn load(home: &Home) -> Result<Config, ConfigError> {
        Self::load_from(&home.config_path())
    }

    fn load_from(path: &Path) -> Result<Config, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(HomeError::io(path, e).into()),
        };
        let doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
            let (line, col) = crate::text::line_col(&text, e.span().map_or(0, |s| s.start));
            ConfigError::Syntax {
                path: path.to_path_buf(),
                line,
                col,
                message: e.message().trim().to_string(),
            }
        })?;
        Ok(Config {
            path: path.to_path_buf(),
            doc,
        })
    }

    fn spec(key: &str) -> Result<&'static KeySpec, ConfigError> {
        KEYS.iter().find(|k| k.key == key).ok_or_else(|| {
            let closest = KEYS
                .iter()
                .map(|k| (strsim::levenshtein(k.key, key), k.key))
                .min()
                .filter(|(d, _)| *d <= 3)
                .map(|(_, k)| format!(" (did you mean `{k}`?)"))
                .unwrap_or_default();
            ConfigError::UnknownKey {
                key: key.to_string(),
                known: KEYS.iter().map(|k| k.key).collect::<Vec<_>>().join(", "),
                hint: closest,
            }
        })
    }

    fn raw(&self, spec: &KeySpec) -> Option<String> {
        let settings = self.doc.get("settings")?.as_table_like()?;
        std::iter::once(spec.key)
            .chain(spec.aliases.iter().copied())
            .find_map(|k| settings.get(k))
            .and_then(|i| i.as_value())
            .map(|v| match v {
                toml_edit::Value::String(s) => s.value().clone(),
                other => other.to_string().trim().to_string(),
            })
    }

    /// The effective value of `key`.
    pub fn get(&self, key: &str) -> Result<Setting, ConfigError> {
        let spec = Self::spec(key)?;
        let raw = self.raw(spec);
        Ok(Setting {
            key: spec.key.into(),
            is_default: raw.is_none(),
            value: raw.unwrap_or_else(|| spec.default.into()),
            doc: spec.doc.into(),
        })
    }

    /// Every known setting.
    pub fn list(&self) -> Vec<Setting> {
        KEYS.iter()
            .map(|k| self.get(k.key).expect("known key"))
            .collect()
    }

    /// Sets `key` to `val` and writes the file atomically.
    pub fn set(&mut self, key: &str, val: &str) -> Result<Setting, ConfigError> {
        let spec = Self::spec(key)?;
        let bad = |what: &'static str| ConfigError::BadValue {
            key: key.into(),
            value: val.into(),
            what,
        };
        let item = match spec.ty {
            KeyType::Name => {
                crate::artifact::validate_name(val).map_err(|_| bad("a plain name"))?;
                value(val)
            }
            KeyType::Url => {
                let rest = val
                    .strip_prefix("https://")
                    .or_else(|| val.strip_prefix("http://"))
                    .unwrap_or("");
                if rest.is_empty() || rest.contains(char::is_whitespace) {
                    return Err(bad("an http:// or https:// URL"));
                }
                value(val)
            }
            KeyType::EnvVar => {
                let ok = val
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    && val.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if !ok {
                    return Err(bad(
                        "an environment variable name (letters, digits and `_`)",
                    ));
                }
                value(val)
            }
            KeyType::Bool => match val {
                "true" | "yes" | "on" | "1" => value(true),
                "false" | "no" | "off" | "0" => value(false),
                _ => {
                    return Err(ConfigError::NotBool {
                        key: key.into(),
                        value: val.into(),
                    });
                }
            },
            KeyType::OneOf(allowed) if allowed.contains(&val) => value(val),
            KeyType::OneOf(allowed) => {
                return Err(ConfigError::NotOneOf {
                    key: key.into(),
                    value: val.into(),
                    allowed: allowed.join(", "),
                });
            }
        };
        if !self.doc.contains_key("settings") {
            self.doc.insert("settings", Item::Table(Table::new()));
        }
        let settings = self.doc["settings"]
            .as_table_like_mut()
            .expect("settings is a table");
        settings.insert(spec.key, item);
        atomic_write(&self.path, self.doc.to_string().as_bytes())?;
        self.get(key)
    }

    /// The active collection's name.
    pub fn active_collection(&self) -> String {
        self.get("active-collection")
            .map(|s| s.value)
            .unwrap_or_else(|_| "default".into())
    }

    /// The GitHub API base URL (`SKILLMEAT_GITHUB_API_URL` wins over the setting).
    pub fn github_api_url(&self) -> String {
        std::env::var("SKILLMEAT_GITHUB_API_URL")
            .ok()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| {
                self.get("github-api-url")
                    .map(|s| s.value)
                    .unwrap_or_default()
            })
    }

    /// The GitHub token from the environment variable the settings name, if set.
    pub fn github_token(&self) -> Option<String> {
        let var = self
            .get("github-token-env")
            .map(|s| s.value)
            .unwrap_or_else(|_| "GITHUB_TOKEN".into());
        std::env::var(var).ok().filter(|t| !t.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_keeps_unknown_keys_and_reads_python_alias() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        std::fs::write(
            home.config_path(),
            "# mine\n[settings]\ndefault-collection = \"work\"\ncolor = \"blue\"\n",
        )
        .unwrap();
        let mut c = Config::load(&home).unwrap();
        assert_eq!(c.active_collection(), "work");
        c.set("analytics", "off").unwrap();
        let text = std::fs::read_to_string(home.config_path()).unwrap();
        assert!(text.contains("color = \"blue\"") && text.starts_with("# mine"));
        assert_eq!(c.get("analytics").unwrap().value, "false");
        assert!(matches!(
            c.set("analytic", "x"),
            Err(ConfigError::UnknownKey { .. })
        ));
    }
}
