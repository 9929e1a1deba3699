//! [`OpError`]: how every operation fails, whatever module the failure came from — a kind, one
//! face-neutral sentence (naming the file and line where there is one; never a flag, a
//! parameter spelling or a command line) and the next steps as [`Fix`]es, which each face
//! renders in its own words.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::hint::{ErrorKind, Fix, Hinted};

/// An operation's failure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OpError {
    /// What kind of failure it is.
    pub kind: ErrorKind,
    /// One sentence saying what went wrong (and, in words, what to do when no fix says it).
    pub message: String,
    /// The next steps, best first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<Fix>,
}

impl OpError {
    /// An error of `kind` saying `message`, with no fix yet.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> OpError {
        OpError {
            kind,
            message: message.into(),
            fixes: Vec::new(),
        }
    }

    /// Adds a fix.
    pub fn fix(mut self, fix: Fix) -> OpError {
        self.fixes.push(fix);
        self
    }

    /// A request that does not fit its operation's schema (an unknown or missing parameter, a
    /// value of the wrong type), from serde's own sentence, which names the parameter and, for
    /// an unknown one, the parameters there are.
    pub fn bad_request(op: &str, e: &serde_json::Error) -> OpError {
        OpError::new(
            ErrorKind::Usage,
            format!("the request to `{op}` does not fit: {e}"),
        )
    }

    /// A bug: something that cannot happen did.
    pub fn internal(what: impl std::fmt::Display) -> OpError {
        OpError::new(
            ErrorKind::Internal,
            format!("{what}; this is a bug in SkillMeat, please report it"),
        )
    }
}

impl std::fmt::Display for OpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for OpError {}

impl Hinted for OpError {
    fn kind(&self) -> ErrorKind {
        self.kind
    }
    fn fixes(&self) -> Vec<Fix> {
        self.fixes.clone()
    }
}

/// `From<E> for OpError` for each module's error type: its sentence, kind and fixes.
macro_rules! from_hinted {
    ($($t:ty),* $(,)?) => {$(
        impl From<$t> for OpError {
            fn from(e: $t) -> OpError {
                OpError {
                    kind: e.kind(),
                    message: e.to_string(),
                    fixes: e.fixes(),
                }
            }
        }
    )*};
}

from_hinted!(
    crate::artifact::NameError,
    crate::artifact::HashError,
    crate::home::HomeError,
    crate::config::ConfigError,
    crate::source::SourceError,
    crate::store::StoreError,
    crate::tokens::TokenError,
    crate::signing::SigningError,
    crate::vault::VaultError,
    crate::check_context::CheckFilesError,
    crate::hint::Refusal,
);

/// Collection errors may carry a snapshot error boxed as a plain error (the models tier cannot
/// name it); its kind and fixes are recovered here.
impl From<crate::collection::CollectionError> for OpError {
    fn from(e: crate::collection::CollectionError) -> OpError {
        if let crate::collection::CollectionError::Snapshot(inner) = &e
            && let Some(s) = inner.downcast_ref::<crate::snapshot::SnapshotError>()
        {
            return OpError {
                kind: s.kind(),
                message: e.to_string(),
                fixes: s.fixes(),
            };
        }
        OpError {
            kind: e.kind(),
            message: e.to_string(),
            fixes: e.fixes(),
        }
    }
}

/// Snapshot errors that wrap a collection error take that error's kind and fixes.
impl From<crate::snapshot::SnapshotError> for OpError {
    fn from(e: crate::snapshot::SnapshotError) -> OpError {
        match e {
            crate::snapshot::SnapshotError::Collection(c) => c.into(),
            e => OpError {
                kind: e.kind(),
                message: e.to_string(),
                fixes: e.fixes(),
            },
        }
    }
}

impl From<crate::deploy::DeployError> for OpError {
    fn from(e: crate::deploy::DeployError) -> OpError {
        match e {
            crate::deploy::DeployError::Collection(c) => c.into(),
            crate::deploy::DeployError::Snapshot(s) => s.into(),
            e => OpError {
                kind: e.kind(),
                message: e.to_string(),
                fixes: e.fixes(),
            },
        }
    }
}

impl From<crate::pack::PackError> for OpError {
    fn from(e: crate::pack::PackError) -> OpError {
        match e {
            crate::pack::PackError::Collection(c) => c.into(),
            crate::pack::PackError::Snapshot(s) => (*s).into(),
            e => OpError {
                kind: e.kind(),
                message: e.to_string(),
                fixes: e.fixes(),
            },
        }
    }
}
