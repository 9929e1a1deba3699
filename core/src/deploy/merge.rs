//! Three-way merge of a deployed artifact (DESIGN.md §4.2) and the unified diff `diff` shows.
//!
//! The base is the artifact as it was deployed (its blobs are in the store), "project" is the
//! deployed copy as edited, "collection" is the collection's copy now. Each file is merged on its
//! own with `diffy` (text, line-based); a file both sides changed in the same place keeps Git-style
//! conflict markers labelled `project` / `base` / `collection` and is reported.

use std::collections::{BTreeMap, BTreeSet};

/// A file's bytes and whether it is executable.
pub type Files = BTreeMap<String, (Vec<u8>, bool)>;

/// The result of merging one artifact.
#[derive(Debug, Clone, Default)]
pub struct Merged {
    /// The merged files.
    pub files: Files,
    /// Paths left with conflict markers (or, for binary files and delete/modify clashes, kept
    /// as the project had them), each with why.
    pub conflicts: Vec<String>,
}

fn is_text(b: &[u8]) -> bool {
    std::str::from_utf8(b).is_ok() && !b.contains(&0)
}

/// Relabels diffy's `ours`/`original`/`theirs` markers so they say which side is which.
fn relabel(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        match body {
            "<<<<<<< ours" => out.push_str("<<<<<<< project"),
            "||||||| original" => out.push_str("||||||| base"),
            ">>>>>>> theirs" => out.push_str(">>>>>>> collection"),
            _ => out.push_str(body),
        }
        out.push_str(nl);
    }
    out
}

/// Merges `project` and `collection` against `base`, file by file.
pub fn merge(base: &Files, project: &Files, collection: &Files) -> Merged {
    let mut out = Merged::default();
    let paths: BTreeSet<&String> = base
        .keys()
        .chain(project.keys())
        .chain(collection.keys())
        .collect();
    for path in paths {
        let b = base.get(path);
        let p = project.get(path);
        let c = collection.get(path);
        fn bytes(x: Option<&(Vec<u8>, bool)>) -> Option<&[u8]> {
            x.map(|(v, _)| v.as_slice())
        }
        let (bb, pb, cb) = (bytes(b), bytes(p), bytes(c));
        // One side unchanged: take the other (including deletions).
        let pick = if pb == cb || pb == bb {
            Some(c)
        } else if cb == bb {
            Some(p)
        } else {
            None
        };
        if let Some(x) = pick {
            if let Some(x) = x {
                out.files.insert(path.clone(), x.clone());
            }
            continue;
        }
        match (pb, cb) {
            (Some(pv), Some(cv)) if is_text(pv) && is_text(cv) && bb.is_none_or(is_text) => {
                let base_text = bb
                    .map(|v| String::from_utf8_lossy(v).into_owned())
                    .unwrap_or_default();
                let pt = String::from_utf8_lossy(pv);
                let ct = String::from_utf8_lossy(cv);
                let exec = p.map(|x| x.1).unwrap_or(false) || c.map(|x| x.1).unwrap_or(false);
                match diffy::merge(&base_text, &pt, &ct) {
                    Ok(m) => {
                        out.files.insert(path.clone(), (m.into_bytes(), exec));
                    }
                    Err(m) => {
                        out.files
                            .insert(path.clone(), (relabel(&m).into_bytes(), exec));
                        out.conflicts.push(format!(
                            "{path}: both sides changed the same lines; conflict markers were left in the file"
                        ));
                    }
                }
            }
            (Some(_), Some(_)) => {
                out.files
                    .insert(path.clone(), p.cloned().expect("project side"));
                out.conflicts.push(format!(
                    "{path}: a binary file changed on both sides; the project's copy was kept"
                ));
            }
            (Some(_), None) => {
                out.files
                    .insert(path.clone(), p.cloned().expect("project side"));
                out.conflicts.push(format!(
                    "{path}: deleted in the collection but edited in the project; the project's copy was kept"
                ));
            }
            (None, Some(_)) => {
                out.files
                    .insert(path.clone(), c.cloned().expect("collection side"));
                out.conflicts.push(format!(
                    "{path}: deleted in the project but changed in the collection; the collection's copy was restored"
                ));
            }
            (None, None) => {}
        }
    }
    out
}

/// A unified diff from `old` to `new` (labelled `a` and `b`), or a note for binary files.
pub fn unified(a: &str, old: Option<&[u8]>, b: &str, new: Option<&[u8]>) -> String {
    let old_b = old.unwrap_or_default();
    let new_b = new.unwrap_or_default();
    if !is_text(old_b) || !is_text(new_b) {
        return format!("Binary files {a} and {b} differ\n");
    }
    let a_label = if old.is_some() { a } else { "/dev/null" };
    let b_label = if new.is_some() { b } else { "/dev/null" };
    let ot = String::from_utf8_lossy(old_b);
    let nt = String::from_utf8_lossy(new_b);
    let mut opts = diffy::DiffOptions::new();
    opts.set_original_filename(a_label.to_string());
    opts.set_modified_filename(b_label.to_string());
    opts.create_patch(&ot, &nt).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(items: &[(&str, &str)]) -> Files {
        items
            .iter()
            .map(|(p, t)| (p.to_string(), (t.as_bytes().to_vec(), false)))
            .collect()
    }

    #[test]
    fn clean_merge_takes_both_sides() {
        let base = files(&[("SKILL.md", "a\nb\nc\n"), ("x", "1")]);
        let proj = files(&[("SKILL.md", "A\nb\nc\n"), ("x", "1")]);
        let coll = files(&[("SKILL.md", "a\nb\nC\n"), ("x", "1"), ("new", "n")]);
        let m = merge(&base, &proj, &coll);
        assert!(m.conflicts.is_empty());
        assert_eq!(m.files["SKILL.md"].0, b"A\nb\nC\n");
        assert_eq!(m.files["new"].0, b"n");
    }

    #[test]
    fn conflicts_keep_labelled_markers() {
        let base = files(&[("SKILL.md", "a\nb\n")]);
        let proj = files(&[("SKILL.md", "mine\nb\n")]);
        let coll = files(&[("SKILL.md", "theirs\nb\n")]);
        let m = merge(&base, &proj, &coll);
        assert_eq!(m.conflicts.len(), 1);
        let t = String::from_utf8(m.files["SKILL.md"].0.clone()).unwrap();
        assert!(t.contains("<<<<<<< project\nmine\n"), "{t}");
        assert!(t.contains(">>>>>>> collection\n"), "{t}");
    }

    #[test]
    fn diff_is_unified() {
        let d = unified(
            "collection/x",
            Some(b"a\nb\n"),
            "project/x",
            Some(b"a\nc\n"),
        );
        assert!(
            d.contains("--- collection/x") && d.contains("+++ project/x"),
            "{d}"
        );
        assert!(d.contains("-b\n+c\n"), "{d}");
    }
}
