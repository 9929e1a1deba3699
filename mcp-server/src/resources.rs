//! Resources: every file of every artifact in the collection as `<kind>://<name>/<path>`
//! (`skill://code-review/SKILL.md`, `command://review/review.md`), and the collection manifest
//! as `skillmeat://collection/collection.toml`.
//!
//! A read only ever serves a path that the artifact's own file listing contains, so a URI can
//! never reach outside the artifact (no `..`, no symbolic links).

use std::path::Path;

use base64::Engine;
use rmcp::ErrorData;
use rmcp::model::{ReadResourceResult, Resource, ResourceContents};
use skillmeat_core::artifact::list_files;
use skillmeat_core::collection::Collection;
use skillmeat_core::collection::ops::{find_entry, resolve_collection};
use skillmeat_core::{ArtifactKind, Home};

/// The URI of the collection manifest.
pub(crate) const MANIFEST_URI: &str = "skillmeat://collection/collection.toml";

/// Characters kept as they are in a URI path segment; everything else is percent-encoded.
fn keep(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

fn encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if keep(b) || (keep_slash && b == b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The URI of one file of an artifact.
pub(crate) fn artifact_uri(kind: ArtifactKind, name: &str, file: &str) -> String {
    format!(
        "{}://{}/{}",
        kind.as_str(),
        encode(name, false),
        encode(file, true)
    )
}

fn mime_for(file: &str) -> &'static str {
    let ext = Path::new(file)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "md" | "markdown" => "text/markdown",
        "json" => "application/json",
        "toml" => "application/toml",
        "yaml" | "yml" => "application/yaml",
        "sh" | "bash" => "text/x-shellscript",
        "py" => "text/x-python",
        "js" | "mjs" | "cjs" => "text/javascript",
        "ts" => "text/typescript",
        "html" | "htm" => "text/html",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "pdf" => "application/pdf",
        _ => "text/plain",
    }
}

/// Every resource of the collection. A collection that cannot be opened lists nothing (the
/// tools report why), so a fresh home does not break a client's resource browser.
pub(crate) fn list(home: &Home, collection: Option<&str>) -> Vec<Resource> {
    let coll = match resolve_collection(home, collection).and_then(|n| Collection::open(home, &n)) {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!("no resources: {e}");
            return Vec::new();
        }
    };
    let mut out = vec![
        Resource::new(MANIFEST_URI, "collection.toml")
            .with_title(format!("Collection `{}` manifest", coll.name))
            .with_description(
                "The collection manifest: every artifact with its source and version.",
            )
            .with_mime_type("application/toml"),
    ];
    let mut entries: Vec<_> = coll.manifest.file.artifacts.iter().collect();
    entries.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
    for e in entries {
        let Ok(path) = coll.artifact_path(e) else {
            continue;
        };
        let Ok(files) = list_files(&path) else {
            continue;
        };
        let main = e.kind.main_file(Path::new(""));
        for (rel, abs) in files {
            let mut r = Resource::new(
                artifact_uri(e.kind, &e.name, &rel),
                format!("{}/{rel}", e.name),
            )
            .with_title(format!("{} `{}`: {rel}", e.kind, e.name))
            .with_mime_type(mime_for(&rel));
            if let Ok(m) = std::fs::metadata(&abs) {
                r = r.with_size(m.len());
            }
            // The main file carries the artifact's description (for one-file artifacts the
            // only file is the main one).
            let is_main = !e.kind.is_dir() || Path::new(&rel) == main;
            if is_main && let Some(d) = &e.description {
                r = r.with_description(d.clone());
            }
            out.push(r);
        }
    }
    out
}

/// Resources per `resources/list` page when the server is not told otherwise: a collection of
/// 1,000 artifacts has a few thousand files, more than a client wants in one message.
pub const DEFAULT_PAGE_SIZE: usize = 500;

/// One page of `all`: the items after `cursor` (the previous page's `next_cursor`, absent for
/// the first page) and the cursor of the page after it. The cursor is the offset of the page's
/// first item, which clients treat as opaque; one that this server did not hand out is refused
/// with a sentence saying so.
pub(crate) fn page<T>(
    all: Vec<T>,
    cursor: Option<&str>,
    size: usize,
) -> Result<(Vec<T>, Option<String>), String> {
    let size = size.max(1);
    let start = match cursor {
        None => 0,
        Some(c) => c
            .strip_prefix("offset:")
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|&n| n <= all.len())
            .ok_or_else(|| {
                format!(
                    "cursor `{c}` is not one this server handed out; list again without a cursor"
                )
            })?,
    };
    let end = (start + size).min(all.len());
    let next = (end < all.len()).then(|| format!("offset:{end}"));
    Ok((
        all.into_iter().skip(start).take(end - start).collect(),
        next,
    ))
}

/// Reads one resource.
pub(crate) fn read(
    home: &Home,
    collection: Option<&str>,
    uri: &str,
) -> Result<ReadResourceResult, ErrorData> {
    let not_found = |why: String| {
        ErrorData::resource_not_found(
            format!("{uri}: {why}; list the resources (resources/list) for the URIs that exist"),
            None,
        )
    };
    // Core errors already say what to do; they only need the URI in front.
    let core =
        |e: &dyn std::fmt::Display| ErrorData::resource_not_found(format!("{uri}: {e}"), None);
    let (scheme, rest) = uri
        .split_once("://")
        .ok_or_else(|| not_found("not a URI of the form <kind>://<name>/<path>".into()))?;
    let coll = resolve_collection(home, collection)
        .and_then(|n| Collection::open(home, &n))
        .map_err(|e| core(&e))?;
    if scheme == "skillmeat" {
        if rest != "collection/collection.toml" {
            return Err(not_found(format!(
                "the only skillmeat:// resource is {MANIFEST_URI}"
            )));
        }
        let text = std::fs::read_to_string(coll.manifest.path())
            .map_err(|e| not_found(format!("{}: {e}", coll.manifest.path().display())))?;
        return Ok(ReadResourceResult::new(vec![
            ResourceContents::text(text, uri).with_mime_type("application/toml"),
        ]));
    }
    let kind: ArtifactKind = scheme.parse().map_err(|_| {
        not_found(format!(
            "`{scheme}` is not an artifact kind (skill, command, agent, hook) nor `skillmeat`"
        ))
    })?;
    let (name, file) = rest
        .split_once('/')
        .ok_or_else(|| not_found("the URI names no file after the artifact".into()))?;
    let (name, file) = match (decode(name), decode(file)) {
        (Some(n), Some(f)) => (n, f),
        _ => return Err(not_found("the URI's percent-encoding is invalid".into())),
    };
    let entry = find_entry(&coll, &name, Some(kind)).map_err(|e| core(&e))?;
    let path = coll.artifact_path(entry).map_err(|e| core(&e))?;
    let files = list_files(&path).map_err(|e| core(&e))?;
    let Some((_, abs)) = files.into_iter().find(|(rel, _)| *rel == file) else {
        return Err(not_found(format!(
            "{kind} `{}` has no file `{file}`",
            entry.name
        )));
    };
    let bytes = std::fs::read(&abs).map_err(|e| not_found(format!("{}: {e}", abs.display())))?;
    let mime = mime_for(&file);
    let contents = match String::from_utf8(bytes) {
        Ok(text) => ResourceContents::text(text, uri).with_mime_type(mime),
        Err(e) => ResourceContents::blob(
            base64::engine::general_purpose::STANDARD.encode(e.into_bytes()),
            uri,
        )
        .with_mime_type(if mime.starts_with("text/") {
            "application/octet-stream"
        } else {
            mime
        }),
    };
    Ok(ReadResourceResult::new(vec![contents]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_every_item_once_and_refuse_foreign_cursors() {
        let all: Vec<u32> = (0..7).collect();
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let (items, next) = page(all.clone(), cursor.as_deref(), 3).unwrap();
            assert!(items.len() <= 3);
            seen.extend(items);
            match next {
                Some(n) => cursor = Some(n),
                None => break,
            }
        }
        assert_eq!(seen, all);
        assert_eq!(page(all.clone(), None, 100).unwrap(), (all.clone(), None));
        assert_eq!(page(Vec::<u32>::new(), None, 3).unwrap(), (vec![], None));
        for bad in ["nonsense", "offset:-1", "offset:8", "offset:x"] {
            let e = page(all.clone(), Some(bad), 3).unwrap_err();
            assert!(e.contains("not one this server handed out"), "{bad}: {e}");
        }
    }

    #[test]
    fn uris_round_trip_through_percent_encoding() {
        let uri = artifact_uri(ArtifactKind::Command, "my cmd", "dir/a b.md");
        assert_eq!(uri, "command://my%20cmd/dir/a%20b.md");
        assert_eq!(decode("my%20cmd").unwrap(), "my cmd");
        assert!(decode("%zz").is_none());
        assert_eq!(
            artifact_uri(ArtifactKind::Skill, "code-review", "SKILL.md"),
            "skill://code-review/SKILL.md"
        );
    }
}
