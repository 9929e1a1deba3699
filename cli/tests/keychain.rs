//! Private signing keys in the OS keychain, against a real Secret Service: each test starts its
//! own D-Bus session bus and `gnome-keyring-daemon` (installed by scripts/install-test-deps.sh)
//! in a temp folder, so the developer's own keychain is never touched. Covers: auto storage
//! choosing the keychain, signing from it, `keys list` saying where each key is, export of the
//! private half, `keys move` both ways, removal, the fallback to a 0600 file when no keychain is
//! reachable, and the refusals when the keychain is required but missing.
#![cfg(target_os = "linux")]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::Env;

/// A session bus plus an unlocked gnome-keyring on it, killed on drop.
struct SecretService {
    bus: Child,
    keyring: Child,
    address: String,
    _dir: tempfile::TempDir,
}

impl SecretService {
    fn start() -> SecretService {
        let dir = tempfile::tempdir().unwrap();
        let run = dir.path().join("run");
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(&run).unwrap();
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon runs (scripts/install-test-deps.sh installs it)");
        let mut address = String::new();
        BufReader::new(bus.stdout.take().unwrap())
            .read_line(&mut address)
            .unwrap();
        let address = address.trim().to_string();
        assert!(address.starts_with("unix:"), "bus address: {address:?}");
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--unlock", "--foreground", "--components=secrets"])
            .env("HOME", &home)
            .env("XDG_RUNTIME_DIR", &run)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon runs (scripts/install-test-deps.sh installs it)");
        // The password of the login keyring it creates and unlocks; stdin closes after it.
        keyring
            .stdin
            .take()
            .unwrap()
            .write_all(b"test-password")
            .unwrap();
        let s = SecretService {
            bus,
            keyring,
            address,
            _dir: dir,
        };
        // Wait (with a generous limit, not a timing assertion) until the service owns its name.
        for _ in 0..300 {
            if s.dbus_send(&[
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.freedesktop.secrets",
            ])
            .contains("boolean true")
            {
                return s;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("gnome-keyring-daemon never appeared on the bus");
    }

    fn dbus_send(&self, args: &[&str]) -> String {
        let out = Command::new("dbus-send")
            .args(["--session", "--print-reply"])
            .args(args)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .output()
            .expect("dbus-send runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// How many items the service holds for this SkillMeat keychain account (read from the
    /// service itself, not through SkillMeat).
    fn items_for(&self, account: &str) -> usize {
        self.dbus_send(&[
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.SearchItems",
            &format!("dict:string:string:service,skillmeat,username,{account}"),
        ])
        .matches("object path \"/org/freedesktop/secrets/collection/")
        .count()
    }

    /// `skillmeat` in `env`, on this bus, with auto key storage.
    fn cmd(&self, env: &Env) -> assert_cmd::Command {
        let mut c = env.cmd();
        c.env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .env("SKILLMEAT_KEY_STORAGE", "auto");
        c
    }
}

impl Drop for SecretService {
    fn drop(&mut self) {
        let _ = self.keyring.kill();
        let _ = self.keyring.wait();
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

fn stdout_json(out: &std::process::Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

#[test]
fn keychain_holds_the_private_key_and_signs() {
    let ss = SecretService::start();
    let env = Env::new();
    let out = ss
        .cmd(&env)
        .args([
            "keys",
            "generate",
            "--name",
            "Ada",
            "--email",
            "ada@example.com",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("[keychain: Secret Service (D-Bus), service skillmeat, account "),
        "{text}"
    );

    let list = stdout_json(
        &ss.cmd(&env)
            .args(["keys", "list", "--json"])
            .output()
            .unwrap(),
    );
    let own = &list["own"][0];
    assert_eq!(own["storage"], "keychain");
    let id = own["key_id"].as_str().unwrap().to_string();
    let account = own["keychain"]["account"].as_str().unwrap().to_string();
    assert!(account.starts_with(&format!("{id}@")), "{account}");
    assert_eq!(own["keychain"]["service"], "skillmeat");
    // The key file holds the public half and where the private half is — not the private half.
    let key_file = env.home().join("keys").join(format!("{id}.toml"));
    let kt = read(&key_file);
    assert!(!kt.contains("secret_key"), "{kt}");
    assert!(kt.contains(&account), "{kt}");
    assert_eq!(ss.items_for(&account), 1, "the secret is in the service");

    // Sign from the keychain; the pack verifies and names this key.
    env.cmd()
        .args(["add"])
        .arg(common::workspace_root().join("examples/collection"))
        .assert()
        .success();
    let pack = env.path("signed.skillmeat-pack");
    let out = ss
        .cmd(&env)
        .args(["bundle", "export", "--all", "--sign", "-o"])
        .arg(&pack)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = stdout_json(
        &env.cmd()
            .args(["bundle", "verify", "--json"])
            .arg(&pack)
            .output()
            .unwrap(),
    );
    assert_eq!(v["signature"]["state"], "trusted", "{v}");
    assert_eq!(
        v["signature"]["signer"],
        format!("ed25519:{id}").as_str(),
        "{v}"
    );

    // Without the bus the keychain is out of reach: signing fails in one sentence that says
    // where the key is and what to do, and writes nothing.
    let before = common::snapshot(env.dir.path());
    let out = env
        .cmd()
        .env("SKILLMEAT_KEY_STORAGE", "auto")
        .args(["bundle", "export", "--all", "--sign", "-o"])
        .arg(env.path("unsigned.skillmeat-pack"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("the private key {id} is kept in the OS keychain"))
            && err.contains(&account)
            && err.contains(&format!("`skillmeat keys export {id} --private`")),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert_eq!(before, common::snapshot(env.dir.path()));

    // An export carries the private key itself; another home imports it into a file and signs
    // with the same id.
    let exported = env.path("ada-private.toml");
    ss.cmd(&env)
        .args(["keys", "export", "--private", "-o"])
        .arg(&exported)
        .assert()
        .success();
    let et = read(&exported);
    assert!(
        et.contains("secret_key") && !et.contains("[keychain]"),
        "{et}"
    );
    let other = Env::new();
    let k = stdout_json(
        &other
            .cmd()
            .args(["keys", "import", "--json"])
            .arg(&exported)
            .output()
            .unwrap(),
    );
    assert_eq!(k["key_id"], id.as_str());
    assert_eq!(k["storage"], "file");

    // keys move: to the file (the service entry is gone), and back (it is there again).
    let m = stdout_json(
        &ss.cmd(&env)
            .args(["keys", "move", &id, "--to", "file", "--json"])
            .output()
            .unwrap(),
    );
    assert_eq!(m["storage"], "file");
    assert!(read(&key_file).contains("secret_key"));
    assert_eq!(ss.items_for(&account), 0);
    let m = stdout_json(
        &ss.cmd(&env)
            .args(["keys", "move", &id, "--to", "keychain", "--json"])
            .output()
            .unwrap(),
    );
    assert_eq!(m["storage"], "keychain");
    assert!(!read(&key_file).contains("secret_key"));
    assert_eq!(ss.items_for(&account), 1);

    // Removing the key removes its keychain entry too.
    ss.cmd(&env)
        .args(["keys", "remove", &id, "--yes"])
        .assert()
        .success();
    assert!(!key_file.exists());
    assert_eq!(ss.items_for(&account), 0);

    // A locked keychain: a key kept there cannot sign (one sentence, nothing written), and a new
    // key goes to a file with a note — no prompt, no hang.
    let k = stdout_json(
        &ss.cmd(&env)
            .args([
                "keys", "generate", "--name", "Al", "--email", "al@x", "--json",
            ])
            .output()
            .unwrap(),
    );
    assert_eq!(k["storage"], "keychain");
    let locked_id = k["key_id"].as_str().unwrap().to_string();
    ss.dbus_send(&[
        "--dest=org.freedesktop.secrets",
        "/org/freedesktop/secrets",
        "org.freedesktop.Secret.Service.Lock",
        "array:objpath:/org/freedesktop/secrets/collection/login",
    ]);
    let before = common::snapshot(env.dir.path());
    let out = ss
        .cmd(&env)
        .args([
            "bundle", "export", "--all", "--sign", "--key", &locked_id, "-o",
        ])
        .arg(env.path("locked.skillmeat-pack"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "the private key {locked_id} is kept in the OS keychain"
        )),
        "{err}"
    );
    assert_eq!(before, common::snapshot(env.dir.path()));
    let out = ss
        .cmd(&env)
        .args(["keys", "generate", "--name", "Lo", "--email", "lo@x"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("[file ") && text.contains("locked"), "{text}");
}

#[test]
fn without_a_keychain_auto_uses_a_file_and_keychain_is_refused() {
    let env = Env::new();
    // No session bus at all: auto storage falls back to the file and says why.
    let out = env
        .cmd()
        .env("SKILLMEAT_KEY_STORAGE", "auto")
        .args([
            "keys",
            "generate",
            "--name",
            "Bo",
            "--email",
            "bo@example.com",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("[file "), "{text}");
    assert!(
        text.contains("note: the OS keychain (Secret Service (D-Bus)) could not be used"),
        "{text}"
    );
    let list = env.json(&["keys", "list"]);
    assert_eq!(list["own"][0]["storage"], "file");
    let id = list["own"][0]["key_id"].as_str().unwrap().to_string();

    // Asking for the keychain outright fails and writes nothing.
    let before = common::snapshot(env.dir.path());
    for args in [
        vec![
            "keys",
            "generate",
            "--name",
            "C",
            "--email",
            "c@x",
            "--storage",
            "keychain",
        ],
        vec!["keys", "move", id.as_str(), "--to", "keychain"],
    ] {
        let out = env.cmd().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("the OS keychain (Secret Service (D-Bus)) cannot store the key")
                && err.contains("--storage file"),
            "{args:?}: {err}"
        );
        assert_eq!(before, common::snapshot(env.dir.path()), "{args:?}");
    }
}

#[test]
fn the_key_storage_setting_chooses_the_file_even_with_a_keychain() {
    let ss = SecretService::start();
    let env = Env::new();
    env.cmd()
        .args(["config", "set", "key-storage", "file"])
        .assert()
        .success();
    // SKILLMEAT_KEY_STORAGE unset: the setting decides.
    let out = ss
        .cmd(&env)
        .env_remove("SKILLMEAT_KEY_STORAGE")
        .args([
            "keys", "generate", "--name", "D", "--email", "d@x", "--json",
        ])
        .output()
        .unwrap();
    let k = stdout_json(&out);
    assert_eq!(k["storage"], "file");
    let account = format!("{}@{}", k["key_id"].as_str().unwrap(), env.home().display());
    assert_eq!(ss.items_for(&account), 0);
    // A word the setting does not know is refused by `config set` with the words it knows.
    let out = env
        .cmd()
        .args(["config", "set", "key-storage", "vault"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("setting `key-storage` takes one of auto, keychain, file, not `vault`"),
        "{err}"
    );
}
