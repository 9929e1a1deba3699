//! Hook artifacts in Claude Code settings files (DESIGN.md §4.3): reading a hook's `hooks.json`
//! (the plugin shape `{"hooks": {Event: [{matcher, hooks: [...]}]}}`), rewriting
//! `${CLAUDE_PLUGIN_ROOT}` to the folder the scripts were deployed to, and adding or removing
//! exactly the entries SkillMeat owns in `settings.json` / `settings.local.json`.
//!
//! Settings files are parsed with `serde_json` keeping key order (`preserve_order`), edited as
//! values and written back in the file's own indentation. Entries are appended to the event
//! arrays, never replacing what is there. When removing SkillMeat's entries leaves the same JSON
//! as the file had before SkillMeat first wrote to it, the original bytes are written back, so a
//! hand-written file returns byte-identical.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Map, Value};

use super::DeployError;
use super::record::OwnedEntry;

/// The placeholder plugin hooks use for their own folder.
pub const PLUGIN_ROOT: &str = "${CLAUDE_PLUGIN_ROOT}";

/// A settings file, loaded for editing.
#[derive(Debug, Clone)]
pub struct SettingsDoc {
    /// Where it is.
    pub path: PathBuf,
    /// Its bytes on disk (`None` when it does not exist).
    pub original: Option<Vec<u8>>,
    /// Its JSON (an object).
    pub value: Map<String, Value>,
    indent: Vec<u8>,
    trailing_newline: bool,
}

fn malformed(path: &Path, e: &serde_json::Error) -> DeployError {
    let msg = e.to_string();
    let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
    DeployError::Settings {
        path: path.to_path_buf(),
        line: e.line(),
        col: e.column(),
        message: msg,
    }
}

impl SettingsDoc {
    /// Loads a settings file; a missing file is an empty object, a malformed one an error
    /// naming line and column (the file is then never written).
    pub fn load(path: &Path) -> Result<SettingsDoc, DeployError> {
        let bytes = match fs::read(path) {
            Ok(b) => Some(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(DeployError::io(path, e)),
        };
        let Some(b) = bytes else {
            return Ok(SettingsDoc {
                path: path.to_path_buf(),
                original: None,
                value: Map::new(),
                indent: b"  ".to_vec(),
                trailing_newline: true,
            });
        };
        let value = if b.iter().all(u8::is_ascii_whitespace) {
            Map::new()
        } else {
            match serde_json::from_slice::<Value>(&b) {
                Ok(Value::Object(m)) => m,
                Ok(_) => {
                    return Err(DeployError::Settings {
                        path: path.to_path_buf(),
                        line: 1,
                        col: 1,
                        message: "the file must hold one JSON object".into(),
                    });
                }
                Err(e) => return Err(malformed(path, &e)),
            }
        };
        Ok(SettingsDoc {
            path: path.to_path_buf(),
            indent: detect_indent(&b),
            trailing_newline: b.ends_with(b"\n") || b.is_empty(),
            original: Some(b),
            value,
        })
    }

    /// The bytes to write: pretty JSON in the file's own indentation.
    pub fn render(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let fmt = serde_json::ser::PrettyFormatter::with_indent(&self.indent);
        let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
        // Serialising a map of JSON values cannot fail.
        let _ = self.value.serialize(&mut ser);
        if self.trailing_newline {
            out.push(b'\n');
        }
        out
    }
}

/// The indentation unit of a JSON text: the leading whitespace of its first indented line.
fn detect_indent(b: &[u8]) -> Vec<u8> {
    for line in b.split(|&c| c == b'\n').skip(1) {
        let ws: Vec<u8> = line
            .iter()
            .take_while(|c| **c == b' ' || **c == b'\t')
            .copied()
            .collect();
        if !ws.is_empty() && ws.len() < line.len() {
            return ws;
        }
    }
    b"  ".to_vec()
}

/// One group to add: the event and the `{matcher, hooks}` object.
pub type Group = (String, Value);

/// Reads a hook artifact's `hooks.json` and returns its groups with `${CLAUDE_PLUGIN_ROOT}`
/// replaced by `root_expr` (the folder the scripts were deployed to).
pub fn read_groups(hooks_json: &Path, root_expr: &str) -> Result<Vec<Group>, DeployError> {
    let bytes = fs::read(hooks_json).map_err(|e| DeployError::io(hooks_json, e))?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|e| {
        let DeployError::Settings {
            path,
            line,
            col,
            message,
        } = malformed(hooks_json, &e)
        else {
            unreachable!()
        };
        DeployError::HookFile {
            path,
            line,
            col,
            message,
        }
    })?;
    let bad = |message: &str| DeployError::HookFile {
        path: hooks_json.to_path_buf(),
        line: 1,
        col: 1,
        message: message.into(),
    };
    let events = v.get("hooks").and_then(Value::as_object).ok_or_else(|| {
        bad("it needs a top-level \"hooks\" object of event → array of {matcher, hooks}")
    })?;
    let mut out = Vec::new();
    for (event, groups) in events {
        let arr = groups
            .as_array()
            .ok_or_else(|| bad(&format!("\"hooks\".\"{event}\" must be an array")))?;
        for g in arr {
            if !g.get("hooks").is_some_and(Value::is_array) {
                return Err(bad(&format!(
                    "each entry of \"{event}\" needs a \"hooks\" array"
                )));
            }
            let mut g = g.clone();
            rewrite_strings(&mut g, root_expr);
            out.push((event.clone(), g));
        }
    }
    Ok(out)
}

fn rewrite_strings(v: &mut Value, root_expr: &str) {
    match v {
        Value::String(s) if s.contains(PLUGIN_ROOT) => *s = s.replace(PLUGIN_ROOT, root_expr),
        Value::Array(a) => a.iter_mut().for_each(|x| rewrite_strings(x, root_expr)),
        Value::Object(m) => m.values_mut().for_each(|x| rewrite_strings(x, root_expr)),
        _ => {}
    }
}

/// Escapes a JSON-pointer token (RFC 6901).
fn esc(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

fn unesc(s: &str) -> String {
    s.replace("~1", "/").replace("~0", "~")
}

/// The identity of one hook inside a group: its command (or the whole hook for other types).
fn hook_ids(group: &Value) -> Vec<Value> {
    group
        .get("hooks")
        .and_then(Value::as_array)
        .map(|hs| {
            hs.iter()
                .map(|h| match h.get("command") {
                    Some(c) => c.clone(),
                    None => h.clone(),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn hook_id(h: &Value) -> Value {
    h.get("command").cloned().unwrap_or_else(|| h.clone())
}

/// Entries in `doc` with the same identity (event, matcher, command) as one of `groups` that
/// SkillMeat does not own (`owned` are the values of every entry it owns in this file).
/// Returns one description per clash.
pub fn clashes(doc: &SettingsDoc, groups: &[Group], owned: &[Value]) -> Vec<String> {
    let mut out = Vec::new();
    let Some(hooks) = doc.value.get("hooks").and_then(Value::as_object) else {
        return out;
    };
    for (event, g) in groups {
        let Some(arr) = hooks.get(event).and_then(Value::as_array) else {
            continue;
        };
        let ids = hook_ids(g);
        for existing in arr {
            if owned.contains(existing) || existing.get("matcher") != g.get("matcher") {
                continue;
            }
            for h in existing
                .get("hooks")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let id = hook_id(h);
                if ids.contains(&id) {
                    out.push(format!(
                        "{} already has a {event} hook `{}`{} that SkillMeat did not write",
                        doc.path.display(),
                        id.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| id.to_string()),
                        g.get("matcher")
                            .and_then(Value::as_str)
                            .map(|m| format!(" for matcher `{m}`"))
                            .unwrap_or_default()
                    ));
                }
            }
        }
    }
    out
}

/// Removes the clashing hooks SkillMeat does not own (for `--force`), dropping groups and
/// event arrays they leave empty.
pub fn remove_clashing(doc: &mut SettingsDoc, groups: &[Group], owned: &[Value]) {
    let Some(hooks) = doc.value.get_mut("hooks").and_then(Value::as_object_mut) else {
        return;
    };
    for (event, g) in groups {
        let Some(arr) = hooks.get_mut(event).and_then(Value::as_array_mut) else {
            continue;
        };
        let ids = hook_ids(g);
        for existing in arr.iter_mut() {
            if owned.contains(existing) || existing.get("matcher") != g.get("matcher") {
                continue;
            }
            if let Some(hs) = existing.get_mut("hooks").and_then(Value::as_array_mut) {
                hs.retain(|h| !ids.contains(&hook_id(h)));
            }
        }
        arr.retain(|e| {
            owned.contains(e)
                || !e
                    .get("hooks")
                    .and_then(Value::as_array)
                    .is_some_and(Vec::is_empty)
        });
    }
    prune(doc);
}

/// Appends `groups` to the event arrays, returning the entries now owned.
pub fn add(doc: &mut SettingsDoc, file: &str, groups: &[Group]) -> Vec<OwnedEntry> {
    let hooks = doc
        .value
        .entry("hooks")
        .or_insert_with(|| Value::Object(Map::new()));
    if !hooks.is_object() {
        *hooks = Value::Object(Map::new());
    }
    let hooks = hooks.as_object_mut().expect("an object");
    let mut owned = Vec::new();
    for (event, g) in groups {
        let arr = hooks
            .entry(event.clone())
            .or_insert_with(|| Value::Array(Vec::new()));
        if !arr.is_array() {
            *arr = Value::Array(Vec::new());
        }
        let arr = arr.as_array_mut().expect("an array");
        arr.push(g.clone());
        owned.push(OwnedEntry {
            file: file.to_string(),
            pointer: format!("/hooks/{}/{}", esc(event), arr.len() - 1),
            value: serde_json::to_string(g).unwrap_or_default(),
        });
    }
    owned
}

/// Where an owned entry is now: its event and index — at its pointer, or wherever the same
/// value moved to within that event's array. `None` when it is gone.
fn locate(doc: &SettingsDoc, e: &OwnedEntry) -> Option<(String, usize)> {
    let want: Value = serde_json::from_str(&e.value).unwrap_or(Value::Null);
    let mut parts = e.pointer.trim_start_matches('/').split('/');
    let (Some("hooks"), Some(event), Some(idx)) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    let event = unesc(event);
    let idx: usize = idx.parse().unwrap_or(usize::MAX);
    let arr = doc
        .value
        .get("hooks")
        .and_then(Value::as_object)
        .and_then(|h| h.get(&event))
        .and_then(Value::as_array)?;
    let at = if arr.get(idx) == Some(&want) {
        Some(idx)
    } else {
        arr.iter().position(|x| *x == want)
    };
    at.map(|i| (event, i))
}

/// The pointers of owned entries that are no longer in the file (deleted or edited by hand).
pub fn missing(doc: &SettingsDoc, entries: &[OwnedEntry]) -> Vec<String> {
    entries
        .iter()
        .filter(|e| locate(doc, e).is_none())
        .map(|e| e.pointer.clone())
        .collect()
}

/// Removes exactly the owned entries (found at their pointer, or wherever the same value moved
/// to); returns the pointers that were no longer there.
pub fn remove(doc: &mut SettingsDoc, entries: &[OwnedEntry]) -> Vec<String> {
    let mut gone = Vec::new();
    for e in entries {
        let Some((event, i)) = locate(doc, e) else {
            gone.push(e.pointer.clone());
            continue;
        };
        if let Some(arr) = doc
            .value
            .get_mut("hooks")
            .and_then(Value::as_object_mut)
            .and_then(|h| h.get_mut(&event))
            .and_then(Value::as_array_mut)
        {
            arr.remove(i);
        }
    }
    prune(doc);
    gone
}

/// Drops event arrays and a `hooks` object left empty.
fn prune(doc: &mut SettingsDoc) {
    if let Some(hooks) = doc.value.get_mut("hooks").and_then(Value::as_object_mut) {
        hooks.retain(|_, v| !v.as_array().is_some_and(Vec::is_empty));
        if hooks.is_empty() {
            doc.value.shift_remove("hooks");
        }
    }
}

/// The bytes a settings file should hold after an edit: the pristine bytes when the JSON is
/// back to what they hold (byte-identical undeploy), `None` (delete) when the file did not
/// exist before SkillMeat and is now empty, else the re-rendered JSON.
pub fn bytes_after(doc: &SettingsDoc, pristine: Option<&Option<Vec<u8>>>) -> Option<Vec<u8>> {
    let same = |b: &[u8]| {
        serde_json::from_slice::<Value>(b).ok() == Some(Value::Object(doc.value.clone()))
    };
    match pristine {
        Some(Some(p)) if same(p) => return Some(p.clone()),
        Some(None) if doc.value.is_empty() => return None,
        _ => {}
    }
    if doc.original.as_deref().is_some_and(same) {
        return doc.original.clone();
    }
    Some(doc.render())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HAND: &str = r#"{
    "permissions": {"allow": ["Bash(ls)"]},
    "hooks": {
        "PostToolUse": [
            {"matcher": "Edit", "hooks": [{"type": "command", "command": "mine.sh"}]}
        ]
    },
    "zeta": 1
}
"#;

    fn doc(text: &str) -> (tempfile::TempDir, SettingsDoc) {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("settings.json");
        fs::write(&p, text).unwrap();
        let doc = SettingsDoc::load(&p).unwrap();
        (d, doc)
    }

    fn group(cmd: &str) -> Group {
        (
            "PostToolUse".into(),
            serde_json::json!({"matcher": "Edit", "hooks": [{"type": "command", "command": cmd}]}),
        )
    }

    #[test]
    fn add_then_remove_is_byte_identical_and_keeps_order() {
        let (_d, mut doc) = doc(HAND);
        let owned = add(&mut doc, "settings.json", &[group("x.sh")]);
        assert_eq!(owned[0].pointer, "/hooks/PostToolUse/1");
        let written = doc.render();
        let text = String::from_utf8(written.clone()).unwrap();
        assert!(text.find("permissions").unwrap() < text.find("zeta").unwrap());
        assert!(text.contains("\n    \"permissions\""), "{text}");
        assert!(text.contains("mine.sh") && text.contains("x.sh"));
        let pristine = Some(doc.original.clone());
        let mut again = doc.clone();
        again.original = Some(written);
        assert!(remove(&mut again, &owned).is_empty());
        assert_eq!(
            bytes_after(&again, pristine.as_ref()).unwrap(),
            HAND.as_bytes()
        );
    }

    #[test]
    fn clashes_are_found_and_forced_away() {
        let (_d, mut doc) = doc(HAND);
        let g = [group("mine.sh")];
        let c = clashes(&doc, &g, &[]);
        assert_eq!(c.len(), 1, "{c:?}");
        assert!(c[0].contains("`mine.sh` for matcher `Edit`"), "{}", c[0]);
        remove_clashing(&mut doc, &g, &[]);
        assert!(doc.value.get("hooks").is_none());
        assert!(clashes(&doc, &[group("other.sh")], &[]).is_empty());
    }

    #[test]
    fn malformed_settings_name_line_and_column() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("settings.json");
        fs::write(&p, "{\n  \"a\": 1,\n  \"b\": \n}\n").unwrap();
        let err = SettingsDoc::load(&p).unwrap_err().to_string();
        assert!(err.contains("settings.json:4:1"), "{err}");
    }

    #[test]
    fn plugin_root_is_rewritten() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("hooks.json");
        fs::write(
            &p,
            r#"{"hooks": {"Stop": [{"hooks": [{"type": "command", "command": "${CLAUDE_PLUGIN_ROOT}/a.sh"}]}]}}"#,
        )
        .unwrap();
        let g = read_groups(&p, "${CLAUDE_PROJECT_DIR}/.claude/hooks/x").unwrap();
        assert_eq!(
            g[0].1["hooks"][0]["command"],
            "${CLAUDE_PROJECT_DIR}/.claude/hooks/x/a.sh"
        );
    }
}
