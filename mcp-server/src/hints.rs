//! How an operation's error reads over MCP: its sentence, then each fix in the words of a tool
//! call — a parameter as `on_conflict: "skip"`, another operation as "call `sync` with
//! `pull: true`". Never a CLI flag or command line: a model calls tools, it does not type
//! `--skip-existing`.

use serde_json::{Map, Value};
use skillmeat_core::op::{Fix, Hint, OpError};

/// The text of a failed tool call. `offered` says whether a tool of that name can be called on
/// this server (an operation it does not offer is something to ask the user for).
pub(crate) fn render(e: &OpError, offered: impl Fn(&str) -> bool) -> String {
    let mut s = e.message.clone();
    if !e.fixes.is_empty() {
        // After `, or ` when the sentence already ends with a step of its own.
        s.push_str(if s.contains("; ") { ", or " } else { "; " });
        s.push_str(
            &e.fixes
                .iter()
                .map(|f| fix(f, &offered))
                .collect::<Vec<_>>()
                .join(", or "),
        );
    }
    s
}

fn fix(f: &Fix, offered: &impl Fn(&str) -> bool) -> String {
    let step = match &f.hint {
        Hint::Param { name, value: None } => format!("pass `{name}`"),
        Hint::Param {
            name,
            value: Some(v),
        } => format!("pass `{name}: {v}`"),
        Hint::Op { name, args } if offered(name) => {
            if args.is_empty() {
                format!("call `{name}`")
            } else {
                format!("call `{name}` with `{}`", arguments(args))
            }
        }
        Hint::Op { name, args } => {
            let with = if args.is_empty() {
                String::new()
            } else {
                format!(" with `{}`", arguments(args))
            };
            format!(
                "ask the user to run SkillMeat's `{name}` operation{with} (this server does not offer it)"
            )
        }
    };
    match &f.why {
        Some(why) => format!("{step} {why}"),
        None => step,
    }
}

/// `pull: true, names: ["alpha"]`.
fn arguments(args: &Map<String, Value>) -> String {
    args.iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use skillmeat_core::op::ErrorKind;

    #[test]
    fn fixes_read_as_tool_calls() {
        let e = OpError::new(ErrorKind::Conflict, "2 artifacts are already there")
            .fix(Fix::param_value("on_conflict", "skip").why("to leave them"))
            .fix(Fix::op_with("sync", json!({"pull": true})).why("to keep the edits"))
            .fix(Fix::op("keys_list"));
        assert_eq!(
            render(&e, |n| n == "sync"),
            "2 artifacts are already there; pass `on_conflict: \"skip\"` to leave them, or call `sync` with `pull: true` to keep the edits, or ask the user to run SkillMeat's `keys_list` operation (this server does not offer it)"
        );
    }
}
