//! End-to-end: `bundle export|inspect|verify|import`, `keys …` and `vault …` on temp homes.
//!
//! Every bad pack is made here by a small generator from a good one (never by hand): the
//! generator reads a pack's entries, changes them, and writes a ZIP byte by byte, so it can
//! also make archives no ZIP library would (duplicate names, symbolic links, `..` paths).

mod common;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use common::{Env, skill_md, snapshot, write};
use predicates::prelude::*;
use sha2::{Digest, Sha256};

fn examples() -> String {
    common::workspace_root()
        .join("examples/collection")
        .display()
        .to_string()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A home with the example collection and a signing key.
fn source_env(name: &str) -> Env {
    let env = Env::new();
    env.cmd().args(["add", &examples()]).assert().success();
    env.cmd()
        .args([
            "keys",
            "generate",
            "--name",
            name,
            "--email",
            &format!("{name}@example.com"),
        ])
        .assert()
        .success();
    env
}

/// Exports every artifact of `env`'s collection, signed, to `out`.
fn export_all(env: &Env, out: &Path, extra: &[&str]) {
    env.cmd()
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args([
            "bundle",
            "export",
            "--all",
            "--sign",
            "--version",
            "1.2.0",
            "-o",
        ])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

/// `(kind, name) -> content hash` of a home's collection, from `status`.
fn hashes(env: &Env) -> BTreeMap<(String, String), String> {
    common::status_field(env, "actual_hash")
}

// ---------------------------------------------------------------- the ZIP generator

#[derive(Clone, Debug)]
struct Entry {
    name: String,
    data: Vec<u8>,
    /// Unix mode including the file type bits (0o100644, 0o120777 for a link).
    mode: u32,
    deflate: bool,
}

impl Entry {
    fn file(name: &str, data: impl Into<Vec<u8>>) -> Entry {
        Entry {
            name: name.into(),
            data: data.into(),
            mode: 0o100644,
            deflate: true,
        }
    }
}

fn read_entries(pack: &Path) -> Vec<Entry> {
    let mut a = zip::ZipArchive::new(std::fs::File::open(pack).unwrap()).unwrap();
    (0..a.len())
        .map(|i| {
            let mut f = a.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            Entry {
                name: f.name().unwrap().to_string(),
                data,
                mode: f.unix_mode().unwrap_or(0o644) | 0o100000,
                deflate: true,
            }
        })
        .collect()
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Writes a ZIP archive exactly as told: any names, duplicates, modes.
fn zip_bytes(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let (method, body) = if e.deflate {
            let mut enc =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::new(6));
            enc.write_all(&e.data).unwrap();
            (8u16, enc.finish().unwrap())
        } else {
            (0u16, e.data.clone())
        };
        let crc = crc32(&e.data);
        let offset = out.len() as u32;
        let name = e.name.as_bytes();
        let header = |sig: u32, central: bool| {
            let mut h = Vec::new();
            h.extend(sig.to_le_bytes());
            if central {
                h.extend((0x0300u16 | 20).to_le_bytes()); // made by: Unix
            }
            h.extend(20u16.to_le_bytes());
            h.extend(0u16.to_le_bytes());
            h.extend(method.to_le_bytes());
            h.extend(0u16.to_le_bytes()); // time
            h.extend(0x21u16.to_le_bytes()); // date 1980-01-01
            h.extend(crc.to_le_bytes());
            h.extend((body.len() as u32).to_le_bytes());
            h.extend((e.data.len() as u32).to_le_bytes());
            h.extend((name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes());
            if central {
                h.extend(0u16.to_le_bytes()); // comment
                h.extend(0u16.to_le_bytes()); // disk
                h.extend(0u16.to_le_bytes()); // internal attrs
                h.extend((e.mode << 16).to_le_bytes());
                h.extend(offset.to_le_bytes());
            }
            h.extend(name);
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend(&body);
        central.extend(header(0x0201_4b50, true));
    }
    let cd_offset = out.len() as u32;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

fn manifest_of(entries: &[Entry]) -> serde_json::Value {
    let m = entries.iter().find(|e| e.name == "manifest.json").unwrap();
    serde_json::from_slice(&m.data).unwrap()
}

fn set_manifest(entries: &mut [Entry], v: &serde_json::Value) {
    let m = entries
        .iter_mut()
        .find(|e| e.name == "manifest.json")
        .unwrap();
    m.data = serde_json::to_vec_pretty(v).unwrap();
}

// ---------------------------------------------------------------- round trip

#[test]
fn round_trip_export_verify_import_into_a_fresh_home() {
    let src = source_env("ada");
    let pack = src.path("all.skillmeat-pack");
    export_all(
        &src,
        &pack,
        &[
            "--description",
            "Examples",
            "--license",
            "MIT",
            "--tags",
            "demo,examples",
        ],
    );
    let v = src.json(&["bundle", "verify", pack.to_str().unwrap()]);
    assert_eq!(v["signature"]["state"], "trusted", "{v}");
    assert_eq!(v["artifacts"], 8);

    let dst = Env::new();
    let r = dst.json(&["bundle", "import", pack.to_str().unwrap(), "--trust-signer"]);
    assert!(
        r["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["action"] == "added"),
        "{r}"
    );
    assert_eq!(hashes(&src), hashes(&dst));
    // Executable bits survive.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let p = dst
            .home()
            .join("collections/default/hooks/auto-format/format.sh");
        assert_eq!(
            std::fs::metadata(p).unwrap().permissions().mode() & 0o111,
            0o111
        );
    }
    // Provenance and the pinned signer are in the lock and manifest.
    let key = src.json(&["keys", "list"])["own"][0]["key_id"]
        .as_str()
        .unwrap()
        .to_string();
    let lock =
        std::fs::read_to_string(dst.home().join("collections/default/collection.lock")).unwrap();
    assert!(
        lock.contains(&format!("signer = \"ed25519:{key}\"")),
        "{lock}"
    );
    assert!(lock.contains("upstream = \"pack:default@1.2.0\""), "{lock}");
    let manifest =
        std::fs::read_to_string(dst.home().join("collections/default/collection.toml")).unwrap();
    assert!(manifest.contains("origin = \"pack\""), "{manifest}");
    // The signer is now trusted in the new home.
    let keys = dst.json(&["keys", "list"]);
    assert_eq!(keys["trusted"][0]["key_id"], key.as_str());

    // Importing the same pack again changes nothing at all.
    let before = snapshot(&dst.home());
    let r = dst.json(&["bundle", "import", pack.to_str().unwrap()]);
    assert!(
        r["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["action"] == "unchanged"),
        "{r}"
    );
    assert_eq!(before, snapshot(&dst.home()));
}

#[test]
fn exporting_the_same_selection_twice_is_byte_identical() {
    let env = source_env("ada");
    let (a, b) = (env.path("a.skillmeat-pack"), env.path("b.skillmeat-pack"));
    export_all(&env, &a, &[]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    export_all(&env, &b, &[]);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    // The layout is the documented one: manifest first, then sorted artifact files, fixed
    // timestamps and modes.
    let entries = read_entries(&a);
    assert_eq!(entries[0].name, "manifest.json");
    let names: Vec<&str> = entries[1..].iter().map(|e| e.name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert!(
        names.contains(&"artifacts/skill/code-review/SKILL.md"),
        "{names:?}"
    );
    let script = entries
        .iter()
        .find(|e| e.name.ends_with("format.sh"))
        .unwrap();
    assert_eq!(script.mode & 0o777, 0o755);
    assert!(
        entries
            .iter()
            .filter(|e| !e.name.ends_with(".sh"))
            .all(|e| e.mode & 0o777 == 0o644)
    );
    let m = manifest_of(&entries);
    assert_eq!(m["format"], "skillmeat-pack/2");
    assert_eq!(m["created_at"], "2023-11-14T22:13:20Z");
    assert_eq!(m["signature"]["signed_at"], "2023-11-14T22:13:20Z");
    let mut za = zip::ZipArchive::new(std::fs::File::open(&a).unwrap()).unwrap();
    for i in 0..za.len() {
        let f = za.by_index(i).unwrap();
        assert_eq!(f.last_modified().unwrap(), zip::DateTime::default());
        assert!(
            f.extra_data().is_none_or(|d| d.is_empty()),
            "{}",
            f.name().unwrap()
        );
    }
}

#[test]
fn selection_by_name_kind_and_tag() {
    let env = Env::new();
    env.cmd().args(["add", &examples()]).assert().success();
    write(
        &env.path("src"),
        "skills/tagged/SKILL.md",
        &skill_md("tagged", "Tagged."),
    );
    env.cmd()
        .args(["add", "--tag", "extra"])
        .arg(env.path("src"))
        .assert()
        .success();
    let out = env.path("p.skillmeat-pack");
    let o = out.to_str().unwrap();
    let r = env.json(&["bundle", "export", "code-review", "explain", "-o", o]);
    assert_eq!(r["artifacts"], 2);
    let r = env.json(&["bundle", "export", "--kind", "agent", "-o", o]);
    assert_eq!(r["artifacts"], 2);
    let r = env.json(&["bundle", "export", "--tag", "extra", "-o", o]);
    assert_eq!(r["artifacts"], 1);
    env.cmd()
        .args(["bundle", "export", "-o", o])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "nothing says which artifacts to export",
        ))
        .stderr(predicate::str::contains("pass --all"));
    env.cmd()
        .args(["bundle", "export", "--all", "--version", "one", "-o", o])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is not a semantic version"));
    env.cmd()
        .args([
            "bundle",
            "export",
            "--all",
            "--license",
            "my license",
            "-o",
            o,
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is not an SPDX expression"));
    let inspect = env.json(&["bundle", "inspect", o]);
    assert_eq!(inspect["signature"]["state"], "unsigned");
    assert_eq!(inspect["artifacts"][0]["name"], "tagged");
}

// ---------------------------------------------------------------- bad packs

/// How a bad pack is made from a good one.
enum Make {
    /// Change the entries.
    Edit(fn(&mut Vec<Entry>)),
    /// Replace the whole file.
    Bytes(fn(&[u8]) -> Vec<u8>),
}

struct Case {
    name: &'static str,
    make: Make,
    /// Extra arguments for verify and import (limits).
    args: &'static [&'static str],
    /// What the error must say.
    expect: &'static str,
}

fn edit_manifest(entries: &mut [Entry], f: impl FnOnce(&mut serde_json::Value)) {
    let mut m = manifest_of(entries);
    f(&mut m);
    set_manifest(entries, &m);
}

const CASES: &[Case] = &[
    Case {
        name: "a file's bytes changed",
        make: Make::Edit(|e| {
            let f = e
                .iter_mut()
                .find(|e| e.name == "artifacts/skill/code-review/SKILL.md")
                .unwrap();
            f.data.extend(b"\nrm -rf ~\n");
        }),
        args: &[],
        expect: "`artifacts/skill/code-review/SKILL.md` has SHA-256",
    },
    Case {
        name: "a file added",
        make: Make::Edit(|e| {
            e.push(Entry::file(
                "artifacts/skill/code-review/extra.sh",
                "echo hi",
            ))
        }),
        args: &[],
        expect: "`artifacts/skill/code-review/extra.sh` is in the archive but not listed in manifest.json",
    },
    Case {
        name: "a file removed",
        make: Make::Edit(|e| e.retain(|e| e.name != "artifacts/command/explain/explain.md")),
        args: &[],
        expect: "`artifacts/command/explain/explain.md` is listed in manifest.json but missing from the archive",
    },
    Case {
        name: "manifest tag edited",
        make: Make::Edit(|e| {
            edit_manifest(e, |m| {
                m["tags"] = serde_json::json!(["trusted-by-everyone"])
            })
        }),
        args: &[],
        expect: "but its bundle_hash says",
    },
    Case {
        name: "manifest version edited",
        make: Make::Edit(|e| edit_manifest(e, |m| m["version"] = "9.9.9".into())),
        args: &[],
        expect: "but its bundle_hash says",
    },
    Case {
        name: "an artifact hash edited",
        make: Make::Edit(|e| edit_manifest(e, |m| m["artifacts"][0]["hash"] = "sha256:00".into())),
        args: &[],
        expect: "has content hash",
    },
    Case {
        name: "entry with an absolute path",
        make: Make::Edit(|e| e.push(Entry::file("/etc/cron.d/evil", "x"))),
        args: &[],
        expect: "entry `/etc/cron.d/evil` has an absolute path",
    },
    Case {
        name: "entry with ..",
        make: Make::Edit(|e| e.push(Entry::file("artifacts/skill/../../../.bashrc", "x"))),
        args: &[],
        expect: "has a `..` component",
    },
    Case {
        name: "entry that is a symbolic link",
        make: Make::Edit(|e| {
            e.push(Entry {
                name: "artifacts/skill/code-review/link".into(),
                data: b"/etc/passwd".to_vec(),
                mode: 0o120777,
                deflate: false,
            })
        }),
        args: &[],
        expect: "entry `artifacts/skill/code-review/link` is a symbolic link",
    },
    Case {
        name: "duplicate entry names",
        make: Make::Edit(|e| {
            let dup = e
                .iter()
                .find(|e| e.name.ends_with("explain.md"))
                .unwrap()
                .clone();
            e.push(Entry {
                data: b"other".to_vec(),
                ..dup
            });
        }),
        args: &[],
        expect: "entry `artifacts/command/explain/explain.md` appears more than once",
    },
    Case {
        name: "more entries than the limit",
        make: Make::Edit(|_| {}),
        args: &["--max-entries", "5"],
        expect: "holds 11 entries, more than the limit of 5",
    },
    Case {
        name: "a file larger than the limit",
        make: Make::Edit(|_| {}),
        args: &["--max-file-size", "2000"],
        expect: "more than the per-file limit of 2000",
    },
    Case {
        name: "more bytes in total than the limit",
        make: Make::Edit(|_| {}),
        args: &["--max-total-size", "12000"],
        expect: "more than the total limit of 12000",
    },
    Case {
        name: "a higher compression ratio than the limit",
        make: Make::Edit(|e| {
            e.push(Entry::file(
                "artifacts/skill/code-review/zeros.txt",
                vec![b'0'; 100_000],
            ))
        }),
        args: &["--max-ratio", "50"],
        expect: "more than the compression-ratio limit of 50",
    },
    Case {
        name: "a truncated file",
        make: Make::Bytes(|b| b[..b.len() / 2].to_vec()),
        args: &[],
        expect: "is not a readable ZIP archive",
    },
    Case {
        name: "not a ZIP file",
        make: Make::Bytes(|_| b"# just some markdown\n".to_vec()),
        args: &[],
        expect: "is not a readable ZIP archive",
    },
    Case {
        name: "manifest not JSON",
        make: Make::Edit(|e| {
            e.iter_mut()
                .find(|e| e.name == "manifest.json")
                .unwrap()
                .data = b"{\"format\": ".to_vec()
        }),
        args: &[],
        expect: "manifest.json:1:11: is not valid JSON",
    },
    Case {
        name: "manifest missing a field",
        make: Make::Edit(|e| {
            edit_manifest(e, |m| {
                m.as_object_mut().unwrap().remove("artifacts");
            })
        }),
        args: &[],
        expect: "missing field `artifacts`",
    },
    Case {
        name: "manifest of an unknown format",
        make: Make::Edit(|e| edit_manifest(e, |m| m["format"] = "skillmeat-pack/9".into())),
        args: &[],
        expect: "which this version does not read",
    },
    Case {
        name: "no manifest",
        make: Make::Edit(|e| e.retain(|e| e.name != "manifest.json")),
        args: &[],
        expect: "there is no manifest.json in the archive",
    },
];

#[test]
fn every_bad_pack_is_refused_with_a_specific_message_and_nothing_written() {
    let src = source_env("ada");
    let good = src.path("good.skillmeat-pack");
    export_all(&src, &good, &[]);
    let good_bytes = std::fs::read(&good).unwrap();
    // The regenerated good pack passes: the generator itself is sound.
    let regenerated = src.path("regenerated.skillmeat-pack");
    std::fs::write(&regenerated, zip_bytes(&read_entries(&good))).unwrap();
    src.cmd()
        .args(["bundle", "verify"])
        .arg(&regenerated)
        .assert()
        .success();

    let dst = Env::new();
    dst.cmd().arg("init").assert().success();
    for case in CASES {
        let bad = src.path(&format!(
            "bad-{}.skillmeat-pack",
            case.name.replace(' ', "-")
        ));
        let bytes = match &case.make {
            Make::Edit(f) => {
                let mut entries = read_entries(&good);
                f(&mut entries);
                zip_bytes(&entries)
            }
            Make::Bytes(f) => f(&good_bytes),
        };
        std::fs::write(&bad, bytes).unwrap();
        let before = snapshot(&dst.home());
        for sub in ["verify", "import"] {
            let mut cmd = dst.cmd();
            cmd.args(["bundle", sub]).arg(&bad).args(case.args);
            if sub == "import" {
                cmd.arg("--trust-signer");
            }
            let out = cmd.output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(
                out.status.code(),
                Some(1),
                "{}: {sub} should fail: {stderr}",
                case.name
            );
            assert!(
                stderr.contains(case.expect),
                "{}: {sub}: expected `{}` in: {stderr}",
                case.name,
                case.expect
            );
            assert_eq!(
                stderr.trim().lines().count(),
                1,
                "{}: one line: {stderr}",
                case.name
            );
        }
        assert_eq!(
            before,
            snapshot(&dst.home()),
            "{}: the home changed",
            case.name
        );
    }
}

#[test]
fn signatures_trust_and_the_signer_change_guard() {
    let ada = source_env("ada");
    let eve = source_env("eve");
    let pack = ada.path("ada.skillmeat-pack");
    export_all(&ada, &pack, &[]);
    let eve_pack = eve.path("eve.skillmeat-pack");
    export_all(&eve, &eve_pack, &["--description", "other"]);

    let dst = Env::new();
    dst.cmd().arg("init").assert().success();
    let before = snapshot(&dst.home());

    // Unknown signer without --trust-signer.
    dst.cmd()
        .args(["bundle", "import"])
        .arg(&pack)
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("which is not trusted")
                .and(predicate::str::contains("--trust-signer")),
        );
    dst.cmd()
        .args(["bundle", "verify"])
        .arg(&pack)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("which is not trusted"));
    assert_eq!(before, snapshot(&dst.home()));

    // The signature swapped for another key's.
    let mut entries = read_entries(&pack);
    let eve_sig = manifest_of(&read_entries(&eve_pack))["signature"].clone();
    edit_manifest(&mut entries, |m| m["signature"] = eve_sig);
    let swapped = dst.path("swapped.skillmeat-pack");
    std::fs::write(&swapped, zip_bytes(&entries)).unwrap();
    dst.cmd()
        .args(["bundle", "import", "--trust-signer"])
        .arg(&swapped)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "the signature does not match the bundle hash",
        ));
    assert_eq!(before, snapshot(&dst.home()));

    // Trusting through a key file works like --trust-signer.
    let exported = ada.json(&["keys", "export"]);
    let keyfile = dst.path("ada.pub.toml");
    std::fs::write(&keyfile, exported["text"].as_str().unwrap()).unwrap();
    dst.cmd()
        .args(["keys", "trust"])
        .arg(&keyfile)
        .assert()
        .success();
    dst.cmd()
        .args(["bundle", "import"])
        .arg(&pack)
        .assert()
        .success();

    // Eve re-signs a changed code-review: the pinned signer (Ada) guards it.
    std::fs::write(
        eve.home()
            .join("collections/default/skills/code-review/SKILL.md"),
        skill_md("code-review", "Eve's version."),
    )
    .unwrap();
    let eve2 = eve.path("eve2.skillmeat-pack");
    export_all(&eve, &eve2, &[]);
    let before = snapshot(&dst.home());
    dst.cmd()
        .args(["bundle", "import", "--trust-signer"])
        .arg(&eve2)
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("pinned to signer ed25519:")
                .and(predicate::str::contains("signer-change guard")),
        );
    assert_eq!(before, snapshot(&dst.home()));
    // Fork is allowed: the pack's copy lands beside the pinned one.
    let r = dst.json(&[
        "bundle",
        "import",
        "--trust-signer",
        "--strategy",
        "fork",
        eve2.to_str().unwrap(),
    ]);
    let forked: Vec<_> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["action"] == "forked")
        .collect();
    assert_eq!(forked.len(), 1, "{r}");
    assert_eq!(forked[0]["as_name"], "code-review-2");
}

#[test]
fn import_strategies_and_dry_run() {
    let src = source_env("ada");
    let pack = src.path("p.skillmeat-pack");
    export_all(&src, &pack, &[]);
    let p = pack.to_str().unwrap();

    let dst = Env::new();
    dst.cmd().args(["add", &examples()]).assert().success();
    let skill = dst
        .home()
        .join("collections/default/skills/code-review/SKILL.md");
    std::fs::write(&skill, skill_md("code-review", "Mine.")).unwrap();
    let cmd = dst.home().join("collections/default/commands/explain.md");
    std::fs::write(&cmd, "---\ndescription: mine\n---\nmine\n").unwrap();

    let before = snapshot(&dst.home());
    let plan = dst.json(&["bundle", "import", p, "--trust-signer", "--dry-run"]);
    assert_eq!(plan["dry_run"], true);
    let action = |r: &serde_json::Value, name: &str| {
        r["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == name)
            .unwrap()["action"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(action(&plan, "code-review"), "replaced");
    assert_eq!(action(&plan, "changelog"), "unchanged");
    assert_eq!(before, snapshot(&dst.home()), "dry run wrote something");

    let r = dst.json(&[
        "bundle",
        "import",
        p,
        "--trust-signer",
        "--strategy",
        "skip",
    ]);
    assert_eq!(action(&r, "code-review"), "skipped");
    assert!(std::fs::read_to_string(&skill).unwrap().contains("Mine."));

    let r = dst.json(&["bundle", "import", p, "--strategy", "fork"]);
    assert_eq!(action(&r, "code-review"), "forked");
    assert_eq!(action(&r, "explain"), "forked");
    assert!(
        dst.home()
            .join("collections/default/skills/code-review-2/SKILL.md")
            .is_file()
    );
    assert!(
        dst.home()
            .join("collections/default/commands/explain-2.md")
            .is_file()
    );
    // Forking again finds the earlier forks: nothing changes.
    let before = snapshot(&dst.home());
    let r = dst.json(&["bundle", "import", p, "--strategy", "fork"]);
    assert_eq!(action(&r, "code-review"), "unchanged");
    assert_eq!(before, snapshot(&dst.home()));

    let r = dst.json(&["bundle", "import", p, "--strategy", "merge"]);
    assert_eq!(action(&r, "code-review"), "replaced");
    // A snapshot was taken before replacing, and it lists the replaced artifact's old copy.
    let id = r["snapshot"]
        .as_str()
        .expect("merge reports its snapshot")
        .to_string();
    let snaps = dst.json(&["snapshot", "list"]);
    assert!(snaps.to_string().contains(&id), "{snaps}");
    assert_eq!(
        hashes(&dst)[&("skill".into(), "code-review".into())],
        hashes(&src)[&("skill".into(), "code-review".into())]
    );
    let status = dst.json(&["status"]);
    assert_eq!(status["counts"].get("modified"), None, "{status}");
}

// ---------------------------------------------------------------- a failure midway through import

/// One way to make `bundle import` fail after it has begun renaming staged files into place.
/// The pack (every example artifact) is committed in its manifest's order — skills, commands,
/// agents, hooks — so an obstacle at a later kind fails the import after earlier ones were moved.
struct Midway {
    name: &'static str,
    /// Gives the receiving home its collection and plants the obstacle (the argument is the
    /// collection folder).
    setup: fn(&Env, &Path),
    /// The obstacle, relative to the collection folder: the error must name it, and removing it
    /// must let the same import succeed.
    obstacle: &'static str,
    /// What the error must say about the obstacle (besides its path and the fix).
    expect: &'static str,
    /// Whether the import replaces artifacts (and so takes a snapshot before it starts).
    replaces: bool,
}

/// `init` plus one skill of the pack (same content: unchanged) and one of the home's own.
#[test]
fn dependencies_are_declared_on_export_and_checked_on_import() {
    let src = source_env("dep");
    let export = |out: &Path, args: &[&str]| {
        let o = src
            .cmd()
            .args(["bundle", "export", "--sign", "-o"])
            .arg(out)
            .args(args)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    let base = src.path("base.skillmeat-pack");
    let base2 = src.path("base2.skillmeat-pack");
    let app = src.path("app.skillmeat-pack");
    let base_args = ["code-review", "--name", "team-base", "--version"];
    export(&base, &[&base_args[..], &["1.2.0"]].concat());
    export(&base2, &[&base_args[..], &["2.0.0"]].concat());
    // Given twice: written once.
    export(
        &app,
        &[
            "--kind",
            "agent",
            "--name",
            "team-app",
            "--version",
            "0.3.0",
            "--requires",
            "team-base@^1.2",
            "--requires",
            "team-base@^1.2",
        ],
    );
    let r = src.json(&["bundle", "inspect", app.to_str().unwrap()]);
    assert_eq!(
        r["dependencies"],
        serde_json::json!([{"name": "team-base", "version": "^1.2"}])
    );
    src.cmd()
        .args(["bundle", "inspect"])
        .arg(&app)
        .assert()
        .success()
        .stdout(predicate::str::contains("needs packs: team-base ^1.2"));

    // Requirements that cannot be read are refused before anything is written.
    for (given, says) in [
        (
            "team-base@banana",
            "the required pack `team-base@banana`: `banana` is not a semver requirement",
        ),
        (
            "team-app@1",
            "the required pack `team-app@1` is this pack itself",
        ),
        (
            "../x@1",
            "the required pack `../x@1`: `../x` is not a pack name",
        ),
    ] {
        let out = src.path("never.skillmeat-pack");
        src.cmd()
            .args([
                "bundle",
                "export",
                "--all",
                "--name",
                "team-app",
                "--requires",
                given,
                "-o",
            ])
            .arg(&out)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(says));
        assert!(!out.exists(), "{given}");
    }

    // A fresh home (no collection yet) refuses the pack and gets no collection: nothing but the
    // writer lock file the home is created with.
    let dst = Env::new();
    dst.cmd()
        .args(["bundle", "import", "--trust-signer"])
        .arg(&app)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "needs pack `team-base` ^1.2, but collection `default` has no artifact from it; import that pack first, or pass --ignore-dependencies",
        ));
    let left: Vec<String> = snapshot(&dst.home()).into_keys().collect();
    assert_eq!(left, [".lock"], "{left:?}");

    // The wrong version of the needed pack does not satisfy it.
    dst.cmd()
        .args(["bundle", "import", "--trust-signer"])
        .arg(&base2)
        .assert()
        .success();
    let before = snapshot(dst.dir.path());
    dst.cmd()
        .args(["bundle", "import"])
        .arg(&app)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "but collection `default` has it only at version 2.0.0",
        ));
    assert_eq!(before, snapshot(dst.dir.path()));

    // With a matching version imported, the pack goes in.
    let ok = Env::new();
    ok.cmd()
        .args(["bundle", "import", "--trust-signer"])
        .arg(&base)
        .assert()
        .success();
    let r = ok.json(&["bundle", "import", app.to_str().unwrap()]);
    assert!(r.get("unmet_dependencies").is_none(), "{r}");
    assert!(
        r["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["action"] == "added")
    );

    // --ignore-dependencies imports anyway and says what is missing.
    let other = Env::new();
    other
        .cmd()
        .args([
            "bundle",
            "import",
            "--trust-signer",
            "--ignore-dependencies",
        ])
        .arg(&app)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "warning: it needs pack `team-base` ^1.2, which the collection does not have",
        ));
    let r = other.json(&[
        "bundle",
        "import",
        "--ignore-dependencies",
        "--dry-run",
        app.to_str().unwrap(),
    ]);
    assert_eq!(r["unmet_dependencies"][0]["name"], "team-base", "{r}");
}

fn some_content(env: &Env) {
    env.cmd().arg("init").assert().success();
    env.cmd()
        .args(["add", &format!("{}/skills/code-review", examples())])
        .assert()
        .success();
    let own = env.path("own/notes");
    write(&own, "SKILL.md", &skill_md("notes", "My own notes."));
    env.cmd().arg("add").arg(&own).assert().success();
}

/// Puts a regular file where the kind folder `kind` must be.
fn file_for_folder(root: &Path, kind: &str) {
    std::fs::remove_dir(root.join(kind)).unwrap();
    std::fs::write(root.join(kind), "not a folder\n").unwrap();
}

const MIDWAY: &[Midway] = &[
    Midway {
        name: "the agents folder is a file",
        setup: |env, root| {
            some_content(env);
            file_for_folder(root, "agents");
        },
        obstacle: "agents",
        expect: "is not a folder",
        replaces: false,
    },
    Midway {
        name: "merge replaced skills and commands, then the agents folder is a file",
        setup: |env, root| {
            // The pack's skills and commands, without its agents and hook.
            let mine = env.path("mine");
            for rel in ["commands/explain.md", "commands/fix-issue.md"] {
                let text = std::fs::read_to_string(Path::new(&examples()).join(rel)).unwrap();
                write(&mine, rel, &text);
            }
            env.cmd().arg("init").assert().success();
            for from in [format!("{}/skills", examples()), mine.display().to_string()] {
                env.cmd().arg("add").arg(from).assert().success();
            }
            // Other content than the pack's, and a file the pack's copy does not have: the old
            // copies must come back whole, not be rebuilt from the pack.
            write(
                root,
                "skills/code-review/SKILL.md",
                &skill_md("code-review", "Mine."),
            );
            write(root, "skills/code-review/notes.md", "my notes\n");
            write(
                root,
                "commands/explain.md",
                "---\ndescription: mine\n---\nmine\n",
            );
            file_for_folder(root, "agents");
        },
        obstacle: "agents",
        expect: "is not a folder",
        replaces: true,
    },
    Midway {
        name: "the commands folder is missing and the agents folder is a file",
        setup: |env, root| {
            some_content(env);
            // The import makes the commands folder; putting everything back removes it again.
            std::fs::remove_dir(root.join("commands")).unwrap();
            file_for_folder(root, "agents");
        },
        obstacle: "agents",
        expect: "is not a folder",
        replaces: false,
    },
    Midway {
        name: "a file the collection does not list is where a new command goes",
        setup: |env, root| {
            some_content(env);
            // `explain` is moved before `fix-issue`; the user's file must not be overwritten.
            write(
                root,
                "commands/fix-issue.md",
                "my own, not in collection.toml\n",
            );
        },
        obstacle: "commands/fix-issue.md",
        expect: "already exists and would be overwritten",
        replaces: false,
    },
    Midway {
        name: "a folder the collection does not list is where a new hook goes",
        setup: |env, root| {
            some_content(env);
            write(root, "hooks/auto-format/hooks.json", "{\"mine\": true}\n");
        },
        obstacle: "hooks/auto-format",
        expect: "already exists and would be overwritten",
        replaces: false,
    },
];

#[test]
fn a_failure_midway_through_import_puts_the_collection_back_byte_for_byte() {
    let src = source_env("ada");
    let pack = src.path("p.skillmeat-pack");
    export_all(&src, &pack, &[]);
    // The premise: import commits in the pack's order, so every obstacle below is met after
    // the pack's skills (at least) were already renamed into place.
    let inspect = src.json(&["bundle", "inspect", pack.to_str().unwrap()]);
    let kinds: Vec<&str> = inspect["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "skill", "skill", "skill", "command", "command", "agent", "agent", "hook"
        ]
    );

    for case in MIDWAY {
        let dst = Env::new();
        let root = dst.home().join("collections/default");
        (case.setup)(&dst, &root);
        let before = snapshot(&dst.home());

        let out = dst
            .cmd()
            .args(["bundle", "import", "--trust-signer"])
            .arg(&pack)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{}: {stderr}", case.name);
        assert_eq!(stderr.trim().lines().count(), 1, "{}: {stderr}", case.name);
        let obstacle = root.join(case.obstacle).display().to_string();
        assert!(
            stderr.contains(&obstacle)
                && stderr.contains(case.expect)
                && stderr.contains("; move it aside and run the command again"),
            "{}: expected `{obstacle}`, `{}` and the fix in: {stderr}",
            case.name,
            case.expect
        );

        // The safety snapshot a merge takes first stays, with its file store (it is what
        // `snapshot restore` would bring back); everything else in the home is as it was,
        // obstacle included.
        let (snaps, after): (BTreeMap<_, _>, BTreeMap<_, _>) = snapshot(&dst.home())
            .into_iter()
            .partition(|(k, _)| k.starts_with("snapshots/") || k.starts_with("objects/"));
        assert_eq!(
            snaps.keys().any(|k| k.starts_with("snapshots/")),
            case.replaces,
            "{}: {snaps:?}",
            case.name
        );
        for file in ["collection.toml", "collection.lock"] {
            let key = format!("collections/default/{file}");
            assert_eq!(before.get(&key), after.get(&key), "{}: {file}", case.name);
        }
        let left: Vec<_> = after.keys().filter(|k| !before.contains_key(*k)).collect();
        assert!(left.is_empty(), "{}: left behind: {left:?}", case.name);
        let gone: Vec<_> = before.keys().filter(|k| !after.contains_key(*k)).collect();
        assert!(gone.is_empty(), "{}: gone: {gone:?}", case.name);
        assert_eq!(before, after, "{}: a file's bytes changed", case.name);

        // The fix the message names works: with the obstacle moved aside the import succeeds.
        let p = root.join(case.obstacle);
        if p.is_dir() {
            std::fs::remove_dir_all(&p).unwrap();
        } else {
            std::fs::remove_file(&p).unwrap();
        }
        // (The failed import trusted no one: trusting the signer waits for success.)
        let r = dst.json(&["bundle", "import", "--trust-signer", pack.to_str().unwrap()]);
        assert_eq!(
            r["items"].as_array().unwrap().len(),
            8,
            "{}: {r}",
            case.name
        );
        let status = dst.json(&["status"]);
        assert_eq!(
            status["counts"].get("modified"),
            None,
            "{}: {status}",
            case.name
        );
        assert_eq!(
            status["counts"].get("missing"),
            None,
            "{}: {status}",
            case.name
        );
    }
}

// ---------------------------------------------------------------- Python SkillMeat 0.3 packs

/// `(type, name, [(file path, text)])` of one artifact in a Python pack.
type PyArtifact<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);

/// Writes a pack the way the Python SkillMeat 0.3 does: `version: "1.0"`, no `format`, artifacts
/// under `artifacts/<type>/<name>/`, artifact hash = SHA-256 over each sorted file's path then
/// bytes, bundle hash = SHA-256 of the compact sorted-key manifest hash followed by the sorted
/// artifact hashes.
fn python_pack(artifacts: &[PyArtifact]) -> Vec<u8> {
    let sha = |b: &[u8]| format!("sha256:{}", hex(&Sha256::digest(b)));
    let mut entries = Vec::new();
    let mut arts = Vec::new();
    for (kind, name, files) in artifacts {
        let mut h = Sha256::new();
        let mut sorted = files.to_vec();
        sorted.sort();
        for (p, text) in &sorted {
            h.update(p.as_bytes());
            h.update(text.as_bytes());
            entries.push(Entry::file(&format!("artifacts/{kind}/{name}/{p}"), *text));
        }
        arts.push(serde_json::json!({
            "type": kind, "name": name, "version": "1.0.0", "scope": "user",
            "path": format!("artifacts/{kind}/{name}/"),
            "files": sorted.iter().map(|(p, _)| *p).collect::<Vec<_>>(),
            "hash": format!("sha256:{}", hex(&h.finalize())),
            "metadata": {"description": format!("{name} from Python")},
        }));
    }
    let mut manifest = serde_json::json!({
        "version": "1.0", "name": "py-bundle", "description": "Made by SkillMeat 0.3",
        "author": "Py", "created_at": "2025-10-01T12:00:00", "license": "MIT", "tags": ["legacy"],
        "artifacts": arts, "dependencies": [],
    });
    // json.dumps(sort_keys=True, separators=(",", ":")): serde_json without preserve_order
    // would sort, but this workspace preserves order, so sort by hand.
    fn sorted(v: &serde_json::Value) -> String {
        match v {
            serde_json::Value::Object(o) => {
                let mut keys: Vec<_> = o.keys().collect();
                keys.sort();
                let parts: Vec<String> = keys
                    .iter()
                    .map(|k| format!("{}:{}", serde_json::to_string(k).unwrap(), sorted(&o[*k])))
                    .collect();
                format!("{{{}}}", parts.join(","))
            }
            serde_json::Value::Array(a) => {
                format!("[{}]", a.iter().map(sorted).collect::<Vec<_>>().join(","))
            }
            other => serde_json::to_string(other).unwrap(),
        }
    }
    let manifest_hash = sha(sorted(&manifest).as_bytes());
    let mut hashes: Vec<String> = manifest["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["hash"].as_str().unwrap().to_string())
        .collect();
    hashes.sort();
    let mut h = Sha256::new();
    h.update(manifest_hash.as_bytes());
    for a in &hashes {
        h.update(a.as_bytes());
    }
    manifest["bundle_hash"] = format!("sha256:{}", hex(&h.finalize())).into();
    entries.insert(
        0,
        Entry::file(
            "manifest.json",
            serde_json::to_vec_pretty(&manifest).unwrap(),
        ),
    );
    zip_bytes(&entries)
}

#[test]
fn python_packs_import_and_are_verified_by_their_own_rules() {
    let env = Env::new();
    let pack = env.path("legacy.skillmeat-pack");
    std::fs::write(
        &pack,
        python_pack(&[
            (
                "skill",
                "py-skill",
                &[
                    (
                        "SKILL.md",
                        "---\nname: py-skill\ndescription: From Python.\n---\nBody\n",
                    ),
                    ("ref/notes.md", "notes\n"),
                ],
            ),
            (
                "command",
                "py-cmd",
                &[("py-cmd.md", "---\ndescription: A command.\n---\nDo it.\n")],
            ),
        ]),
    )
    .unwrap();
    let v = env.json(&["bundle", "verify", pack.to_str().unwrap()]);
    assert_eq!(v["format"], "python1", "{v}");
    assert_eq!(v["signature"]["state"], "unsigned");
    let r = env.json(&["bundle", "import", pack.to_str().unwrap()]);
    assert_eq!(r["items"].as_array().unwrap().len(), 2, "{r}");
    let root = env.home().join("collections/default");
    assert_eq!(
        std::fs::read_to_string(root.join("skills/py-skill/ref/notes.md")).unwrap(),
        "notes\n"
    );
    assert!(root.join("commands/py-cmd.md").is_file());
    let status = env.json(&["status"]);
    assert_eq!(status["counts"]["clean"], 2, "{status}");

    // The same pack with a changed file is refused by the Python rule.
    let mut entries = read_entries(&pack);
    entries
        .iter_mut()
        .find(|e| e.name.ends_with("notes.md"))
        .unwrap()
        .data = b"changed\n".to_vec();
    std::fs::write(&pack, zip_bytes(&entries)).unwrap();
    env.cmd()
        .args(["bundle", "verify"])
        .arg(&pack)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "skill `py-skill` has content hash",
        ));
}

// ---------------------------------------------------------------- keys

#[test]
fn keys_generate_list_export_import_remove() {
    let env = Env::new();
    let k = env.json(&[
        "keys",
        "generate",
        "--name",
        "Ada",
        "--email",
        "ada@example.com",
    ]);
    let id = k["key_id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 16);
    assert_eq!(k["storage"], "file");
    env.cmd()
        .args(["keys", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains(&id).and(predicate::str::contains("[file ")));
    let private = env.path("ada.key.toml");
    env.cmd()
        .args(["keys", "export", "--private", "-o"])
        .arg(&private)
        .assert()
        .success();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let f = env.home().join(format!("keys/{id}.toml"));
        assert_eq!(
            std::fs::metadata(f).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            std::fs::metadata(&private).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // The private key moves to another home and signs there with the same id.
    let other = Env::new();
    let imported = other.json(&["keys", "import", private.to_str().unwrap()]);
    assert_eq!(imported["key_id"], id.as_str());
    assert_eq!(imported["storage"], "file");
    other
        .cmd()
        .args(["keys", "untrust", &id])
        .assert()
        .success();
    other.cmd().args(["keys", "untrust", &id]).assert().code(1);
    other
        .cmd()
        .args(["keys", "remove", &id, "--yes"])
        .assert()
        .success();
    assert!(
        other.json(&["keys", "list"])["own"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    other
        .cmd()
        .args(["keys", "trust", "bm90IGEga2V5"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is not a valid key"));
}

// ---------------------------------------------------------------- vaults

fn vault_round_trip(env: &Env, vault: &str, pack: &Path) {
    let name = pack.file_name().unwrap().to_str().unwrap();
    let pushed = env.json(&["vault", "push", vault, pack.to_str().unwrap()]);
    assert_eq!(pushed["pack"], name);
    let listing = env.json(&["vault", "ls", vault]);
    assert_eq!(listing["packs"][0]["name"], name, "{listing}");
    assert_eq!(
        listing["packs"][0]["bytes"],
        std::fs::metadata(pack).unwrap().len()
    );
    let out = env.path(&format!("pulled-{vault}.skillmeat-pack"));
    env.json(&["vault", "pull", vault, name, "-o", out.to_str().unwrap()]);
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(pack).unwrap());
    env.cmd()
        .args(["vault", "pull", vault, "missing.skillmeat-pack", "-o"])
        .arg(env.path("m.skillmeat-pack"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "holds no pack named `missing.skillmeat-pack`",
        ));
    env.json(&["vault", "delete", vault, name]);
    let listing = env.json(&["vault", "ls", vault]);
    assert!(listing["packs"].as_array().unwrap().is_empty(), "{listing}");
}

fn packed_env() -> (Env, PathBuf) {
    let env = source_env("ada");
    let pack = env.path("team.skillmeat-pack");
    export_all(&env, &pack, &[]);
    (env, pack)
}

#[test]
fn local_and_git_vaults_push_list_pull_delete() {
    let (env, pack) = packed_env();
    env.cmd()
        .args(["vault", "add", "shelf", "--type", "local", "--path"])
        .arg(env.path("shelf"))
        .assert()
        .success();
    vault_round_trip(&env, "shelf", &pack);

    let bare = env.path("packs.git");
    let st = std::process::Command::new("git")
        .args(["init", "-q", "--bare"])
        .arg(&bare)
        .status()
        .unwrap();
    assert!(st.success());
    let url = format!("file://{}", bare.display());
    env.cmd()
        .args([
            "vault", "add", "repo", "--type", "git", "--prefix", "packs", "--url", &url,
        ])
        .assert()
        .success();
    let list = env.json(&["vault", "list"]);
    assert_eq!(list["vaults"].as_array().unwrap().len(), 2);
    vault_round_trip(&env, "repo", &pack);
    // The pack really went through git: the bare repository has the commits.
    let log = std::process::Command::new("git")
        .args(["--git-dir"])
        .arg(&bare)
        .args(["log", "--format=%s", "main"])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&log.stdout);
    assert!(
        log.contains("Add pack team.skillmeat-pack") && log.contains("Remove pack"),
        "{log}"
    );

    // A broken pack is never pushed.
    let bad = env.path("bad.skillmeat-pack");
    std::fs::write(&bad, "nope").unwrap();
    env.cmd()
        .args(["vault", "push", "shelf"])
        .arg(&bad)
        .assert()
        .code(1);
    env.cmd()
        .args(["vault", "remove", "shelf"])
        .assert()
        .success();
    env.cmd()
        .args(["vault", "ls", "shelf"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no vault named `shelf`"));
    let sharing = std::fs::read_to_string(env.home().join("sharing.toml")).unwrap();
    assert!(
        sharing.contains("[vault.repo]") && !sharing.contains("shelf"),
        "{sharing}"
    );
}

/// A moto S3 server on a free loopback port, stopped on drop.
struct Moto {
    child: std::process::Child,
    port: u16,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_moto() -> Moto {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new("python3")
        .args([
            "-m",
            "moto.server",
            "-H",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect(
            "python3 runs; run scripts/install-test-deps.sh to install the S3 test server (moto)",
        );
    let mut moto = Moto { child, port };
    for _ in 0..300 {
        if let Some(status) = moto.child.try_wait().unwrap() {
            panic!(
                "the moto S3 server exited ({status}); run scripts/install-test-deps.sh to install it"
            );
        }
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return moto;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    moto.child.kill().ok();
    panic!(
        "the moto S3 server did not listen on 127.0.0.1:{port} within 30 s; run scripts/install-test-deps.sh"
    );
}

/// Creates a bucket with a plain HTTP request (moto does not check signatures).
fn create_bucket(port: u16, bucket: &str) {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(s, "PUT /{bucket} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    assert!(
        resp.starts_with("HTTP/1.1 200") || resp.starts_with("HTTP/1.0 200"),
        "{resp}"
    );
}

#[test]
fn s3_vault_push_list_pull_delete_against_a_real_s3_server() {
    let moto = start_moto();
    create_bucket(moto.port, "packs");
    let (env, pack) = packed_env();
    let endpoint = format!("http://127.0.0.1:{}", moto.port);
    env.cmd()
        .args([
            "vault", "add", "bucket", "--type", "s3", "--bucket", "packs", "--prefix", "team",
            "--url", &endpoint,
        ])
        .assert()
        .success();
    let sharing = std::fs::read_to_string(env.home().join("sharing.toml")).unwrap();
    assert!(!sharing.to_lowercase().contains("secret"), "{sharing}");
    let s3 = |mut c: assert_cmd::Command| {
        c.env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing");
        c
    };
    let name = pack.file_name().unwrap().to_str().unwrap();
    s3(env.cmd())
        .args(["vault", "push", "bucket"])
        .arg(&pack)
        .assert()
        .success();
    let out = s3(env.cmd())
        .args(["vault", "ls", "bucket", "--json"])
        .output()
        .unwrap();
    let listing: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listing["packs"][0]["name"], name, "{listing}");
    let pulled = env.path("from-s3.skillmeat-pack");
    s3(env.cmd())
        .args(["vault", "pull", "bucket", name, "-o"])
        .arg(&pulled)
        .assert()
        .success();
    assert_eq!(
        std::fs::read(&pulled).unwrap(),
        std::fs::read(&pack).unwrap()
    );
    s3(env.cmd())
        .args(["vault", "delete", "bucket", name])
        .assert()
        .success();
    let out = s3(env.cmd())
        .args(["vault", "ls", "bucket", "--json"])
        .output()
        .unwrap();
    let listing: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(listing["packs"].as_array().unwrap().is_empty(), "{listing}");
}
