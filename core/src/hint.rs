//! Hints as data (base tier): what kind of failure an error is, and the next steps it suggests —
//! a request parameter to pass ([`Hint::Param`]) or another operation to run ([`Hint::Op`]).
//!
//! Errors keep a face-neutral sentence (no flag, no parameter spelling, no command line) and
//! offer [`Fix`]es; each face renders a fix in its own words and joins the fixes to the sentence
//! with `; ` — or with `, or ` when the sentence already ends with a step of its own in words
//! (`…; import that pack first`), which is why lists inside sentences are joined with `, `: the CLI as `--skip-existing` or
//! `skillmeat sync --pull`, the MCP server as `on_conflict: "skip"` or "call `sync` with
//! `pull: true`", the web view as a link. Every module's error type implements [`Hinted`].

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What kind of failure an error is (stable, for programs: exit codes, HTTP statuses, analytics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The request itself is wrong: an unknown or missing parameter, parameters that contradict
    /// each other, a relative path with no folder to resolve it from.
    Usage,
    /// Something the request names does not exist (a collection, an artifact, a key, a vault).
    NotFound,
    /// Something with the same identity is already there (a name taken, a clash in a source).
    Conflict,
    /// A file's content is wrong: a syntax error, a broken or altered pack, a damaged record.
    Invalid,
    /// Refused for safety until the caller decides (an untrusted signer, edited copies, entries
    /// SkillMeat does not own).
    Refused,
    /// Reading or writing a file failed.
    Io,
    /// A network source or a remote vault failed.
    Network,
    /// The caller cancelled the operation before it changed anything.
    Cancelled,
    /// A bug: the operation stopped unexpectedly.
    Internal,
}

impl ErrorKind {
    /// The snake_case name, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Usage => "usage",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Invalid => "invalid",
            ErrorKind::Refused => "refused",
            ErrorKind::Io => "io",
            ErrorKind::Network => "network",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::Internal => "internal",
        }
    }
}

/// A next step, as data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Hint {
    /// Pass this request parameter (with this value, when there is one to suggest).
    Param {
        /// The parameter, as the request type spells it (`on_conflict`, `kind`).
        name: String,
        /// The value to pass (`"skip"`, `true`), or none when the caller must choose one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<Value>,
    },
    /// Run another operation (by its registry name) with these arguments.
    Op {
        /// The operation's name (`sync`, `collection_create`).
        name: String,
        /// Its arguments, as its request type spells them.
        #[serde(default, skip_serializing_if = "Map::is_empty")]
        args: Map<String, Value>,
    },
}

/// One way out of an error: a hint and why to take it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Fix {
    /// What to do.
    pub hint: Hint,
    /// What it achieves, as the end of a sentence ("to leave them", "to see the edits").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

impl Fix {
    /// Pass parameter `name` (the caller picks the value).
    pub fn param(name: &str) -> Fix {
        Fix {
            hint: Hint::Param {
                name: name.into(),
                value: None,
            },
            why: None,
        }
    }

    /// Pass parameter `name` with `value`.
    pub fn param_value(name: &str, value: impl Into<Value>) -> Fix {
        Fix {
            hint: Hint::Param {
                name: name.into(),
                value: Some(value.into()),
            },
            why: None,
        }
    }

    /// Run operation `name` with no arguments.
    pub fn op(name: &str) -> Fix {
        Fix {
            hint: Hint::Op {
                name: name.into(),
                args: Map::new(),
            },
            why: None,
        }
    }

    /// Run operation `name` with `args` (a JSON object; anything else counts as no arguments).
    pub fn op_with(name: &str, args: Value) -> Fix {
        Fix {
            hint: Hint::Op {
                name: name.into(),
                args: match args {
                    Value::Object(m) => m,
                    _ => Map::new(),
                },
            },
            why: None,
        }
    }

    /// Says what the fix achieves.
    pub fn why(mut self, why: impl Into<String>) -> Fix {
        self.why = Some(why.into());
        self
    }
}

/// An error type whose sentence is face-neutral and whose next steps are data.
pub trait Hinted: std::fmt::Display {
    /// What kind of failure it is.
    fn kind(&self) -> ErrorKind;
    /// The next steps it suggests (none when the sentence says all there is to do).
    fn fixes(&self) -> Vec<Fix> {
        Vec::new()
    }
}

/// A refusal built where it happens: a kind, a face-neutral sentence and its fixes. Error enums
/// carry it for failures whose sentence is composed at run time (a list of clashes, of edited
/// copies).
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// What kind of failure it is.
    pub kind: ErrorKind,
    /// The sentence (no flag or parameter spelling).
    pub message: String,
    /// The next steps.
    pub fixes: Vec<Fix>,
}

impl Refusal {
    /// A refusal of `kind` saying `message`, with no fix yet.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Refusal {
        Refusal {
            kind,
            message: message.into(),
            fixes: Vec::new(),
        }
    }

    /// The refusal another module's error amounts to (its kind, sentence and fixes), for an
    /// error enum that carries it as a [`Refusal`] rather than as a variant of its own.
    pub fn of(e: &(impl Hinted + ?Sized)) -> Refusal {
        Refusal {
            kind: e.kind(),
            message: e.to_string(),
            fixes: e.fixes(),
        }
    }

    /// Adds a fix.
    pub fn fix(mut self, fix: Fix) -> Refusal {
        self.fixes.push(fix);
        self
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Refusal {}

impl Hinted for Refusal {
    fn kind(&self) -> ErrorKind {
        self.kind
    }
    fn fixes(&self) -> Vec<Fix> {
        self.fixes.clone()
    }
}

/// The kind of an I/O failure: a missing file is `not_found`, anything else `io`.
pub fn io_kind(e: &std::io::Error) -> ErrorKind {
    match e.kind() {
        std::io::ErrorKind::NotFound => ErrorKind::NotFound,
        _ => ErrorKind::Io,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_serialize_as_tagged_data() {
        let f = Fix::param_value("on_conflict", "skip").why("to leave them");
        assert_eq!(
            serde_json::to_value(&f).unwrap(),
            serde_json::json!({"hint": {"type": "param", "name": "on_conflict", "value": "skip"}, "why": "to leave them"})
        );
        let f = Fix::op_with("sync", serde_json::json!({"pull": true}));
        assert_eq!(
            serde_json::to_value(&f).unwrap(),
            serde_json::json!({"hint": {"type": "op", "name": "sync", "args": {"pull": true}}})
        );
        let r = Refusal::new(ErrorKind::Conflict, "taken").fix(Fix::param("name"));
        assert_eq!(r.to_string(), "taken");
        assert_eq!(r.fixes().len(), 1);
    }
}
