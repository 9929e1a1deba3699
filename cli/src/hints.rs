//! How an operation's error (and a report item's next step) reads on the command line: the
//! sentence, then each fix as a flag to pass (`--skip-existing`) or a command to run
//! (`skillmeat sync --pull`). Core names parameters and operations as data; the tables here
//! know how this face spells them.

use serde_json::{Map, Value};
use skillmeat_core::op::{Fix, Hint, OpError};

/// Flags whose spelling is not `--kebab-case VALUE`: (parameter, value or `None` for any, what
/// to print).
const FLAGS: &[(&str, Option<&str>, &str)] = &[
    ("on_conflict", Some("skip"), "--skip-existing"),
    ("on_conflict", Some("rename"), "--rename"),
    ("collection", None, "-c NAME"),
    ("name", None, "--name NEW"),
    ("names", None, "NAMES"),
    ("paths", None, "PATHS"),
    ("key", None, "--key ID"),
    ("home", None, "--home DIR"),
    ("project", None, "--project DIR"),
    ("output", None, "-o FILE"),
    ("version", None, "--version SEMVER"),
];

/// Operations whose command is not their name with `_` read as a space, and the parameters
/// each takes as positional arguments (in order).
const COMMANDS: &[(&str, &str, &[&str])] = &[
    ("list_artifacts", "list", &[]),
    ("show_artifact", "show", &["name"]),
    ("search_artifacts", "search", &["query"]),
    ("collection_status", "status", &[]),
    ("add_artifact", "add", &["source"]),
    ("remove_artifact", "remove", &["name"]),
    ("update_artifacts", "update", &["names"]),
    ("init", "init", &["collection"]),
    ("collection_create", "collection create", &["name"]),
    ("collection_use", "collection use", &["name"]),
    ("collection_delete", "collection delete", &["name"]),
    ("deploy", "deploy", &["names"]),
    ("undeploy", "undeploy", &["names"]),
    ("deployment_status", "drift", &[]),
    ("sync", "sync", &["names"]),
    ("diff", "diff", &["name"]),
    ("snapshot_restore", "snapshot restore", &["id"]),
    ("pack_export", "bundle export", &["names"]),
    ("pack_inspect", "bundle inspect", &["path"]),
    ("pack_verify", "bundle verify", &["path"]),
    ("pack_import", "bundle import", &["path"]),
    ("check_files", "check", &["paths"]),
    ("keys_export", "keys export", &["key"]),
    ("keys_trust", "keys trust", &["key"]),
    ("keys_untrust", "keys untrust", &["key_id"]),
    ("keys_remove", "keys remove", &["key_id"]),
    ("keys_move", "keys move", &["key_id"]),
    ("vault_add", "vault add", &["name"]),
    ("vault_remove", "vault remove", &["vault"]),
    ("vault_ls", "vault ls", &["vault"]),
    ("vault_push", "vault push", &["vault", "file"]),
    ("vault_pull", "vault pull", &["vault", "pack"]),
    ("vault_delete", "vault delete", &["vault", "pack"]),
    ("config_get", "config get", &["key"]),
    ("config_set", "config set", &["key", "value"]),
    ("token_revoke", "token revoke", &["name"]),
];

/// What a command line adds after an operation's arguments (flags a person must fill in).
const TAILS: &[(&str, &str)] = &[("vault_add", "--type local|git|s3 …")];

/// The error as the CLI prints it: its sentence, then its fixes.
pub fn render(e: &OpError) -> String {
    with_fixes(&e.message, &e.fixes)
}

/// A report item's note followed by its next steps, if there is either.
pub fn note(message: Option<&str>, fixes: &[Fix]) -> Option<String> {
    match (message, fixes.is_empty()) {
        (None, true) => None,
        (Some(m), true) => Some(m.to_string()),
        (m, false) => Some(with_fixes(m.unwrap_or_default(), fixes)),
    }
}

/// The sentence and its fixes: after `; `, or after `, or ` when the sentence already ends with
/// a step of its own (`…; import that pack first`).
fn with_fixes(message: &str, fixes: &[Fix]) -> String {
    let steps = fixes.iter().map(fix).collect::<Vec<_>>().join(", or ");
    match (message.is_empty(), steps.is_empty()) {
        (_, true) => message.to_string(),
        (true, false) => steps,
        (false, false) if message.contains("; ") => format!("{message}, or {steps}"),
        (false, false) => format!("{message}; {steps}"),
    }
}

fn fix(f: &Fix) -> String {
    let step = match &f.hint {
        Hint::Param { name, value } => format!("pass {}", flag(name, value.as_ref())),
        Hint::Op { name, args } => format!("run `{}`", command(name, args)),
    };
    match &f.why {
        Some(why) => format!("{step} {why}"),
        None => step,
    }
}

/// A value as typed on a command line.
fn word(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(word).collect::<Vec<_>>().join(" "),
        other => other.to_string(),
    }
}

/// The flag that passes parameter `name` (with `value`).
fn flag(name: &str, value: Option<&Value>) -> String {
    let v = value.and_then(Value::as_str);
    if let Some((_, _, f)) = FLAGS
        .iter()
        .find(|(p, want, _)| *p == name && (want.is_none() || *want == v))
    {
        return match (value, f.split_once(' ')) {
            // A table entry with a placeholder takes the value when there is one.
            (Some(v), Some((flag, _))) => format!("{flag} {}", word(v)),
            (Some(v), None) if !f.starts_with('-') => word(v),
            _ => f.to_string(),
        };
    }
    let flag = format!("--{}", name.replace('_', "-"));
    match value {
        None => format!("{flag} {}", name.to_uppercase()),
        Some(Value::Bool(true)) => flag,
        Some(v) => format!("{flag} {}", word(v)),
    }
}

/// The command line that runs operation `op` with `args`.
fn command(op: &str, args: &Map<String, Value>) -> String {
    let (cmd, positional): (String, &[&str]) = match COMMANDS.iter().find(|(o, _, _)| *o == op) {
        Some((_, c, p)) => (c.to_string(), p),
        None => (op.replace('_', " "), &[]),
    };
    let mut line = format!("skillmeat {cmd}");
    for p in positional {
        if let Some(v) = args.get(*p) {
            line.push(' ');
            line.push_str(&word(v));
        }
    }
    for (k, v) in args {
        if positional.contains(&k.as_str()) || matches!(v, Value::Bool(false) | Value::Null) {
            continue;
        }
        line.push(' ');
        line.push_str(&flag(k, Some(v)));
    }
    if let Some((_, tail)) = TAILS.iter().find(|(o, _)| *o == op) {
        line.push(' ');
        line.push_str(tail);
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use skillmeat_core::op::ErrorKind;

    #[test]
    fn fixes_read_as_flags_and_commands() {
        let e = OpError::new(ErrorKind::Conflict, "2 artifacts are already there")
            .fix(Fix::param_value("on_conflict", "skip").why("to leave them"))
            .fix(Fix::param_value("on_conflict", "rename").why("to add them as <name>-2"));
        assert_eq!(
            render(&e),
            "2 artifacts are already there; pass --skip-existing to leave them, or pass --rename to add them as <name>-2"
        );
        let e = OpError::new(ErrorKind::Refused, "nothing was removed: x was edited")
            .fix(Fix::param_value("force", true))
            .fix(
                Fix::op_with("sync", json!({"pull": true, "names": ["x"]}))
                    .why("to keep the edits"),
            );
        assert_eq!(
            render(&e),
            "nothing was removed: x was edited; pass --force, or run `skillmeat sync x --pull` to keep the edits"
        );
        let e = OpError::new(
            ErrorKind::Refused,
            "it needs pack `base`; import that pack first",
        )
        .fix(Fix::param_value("ignore_dependencies", true).why("to import it anyway"));
        assert_eq!(
            render(&e),
            "it needs pack `base`; import that pack first, or pass --ignore-dependencies to import it anyway"
        );
        assert_eq!(
            command(
                "collection_create",
                json!({"name": "work"}).as_object().unwrap()
            ),
            "skillmeat collection create work"
        );
        assert_eq!(
            command(
                "keys_generate",
                json!({"name": "NAME", "email": "EMAIL"})
                    .as_object()
                    .unwrap()
            ),
            "skillmeat keys generate --name NAME --email EMAIL"
        );
        assert_eq!(
            command(
                "keys_export",
                json!({"key": "ab12", "private": true}).as_object().unwrap()
            ),
            "skillmeat keys export ab12 --private"
        );
        assert_eq!(
            command("vault_add", json!({"name": "team"}).as_object().unwrap()),
            "skillmeat vault add team --type local|git|s3 …"
        );
        assert_eq!(flag("name", Some(&json!("bad-skill"))), "--name bad-skill");
        assert_eq!(flag("name", None), "--name NEW");
        assert_eq!(flag("kind", None), "--kind KIND");
        assert_eq!(flag("storage", Some(&json!("file"))), "--storage file");
        assert_eq!(flag("trust_signer", Some(&json!(true))), "--trust-signer");
        assert_eq!(flag("collection", Some(&json!("work"))), "-c work");
        assert_eq!(flag("names", None), "NAMES");
    }
}
