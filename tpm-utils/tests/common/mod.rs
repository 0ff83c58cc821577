//! Runs the real `tpm` binary against a TPM URI, starts Debian's swtpm, and holds the
//! flows both test files drive: the same command lines against our engine in a state
//! folder and against swtpm.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};
use tpm_client::session::sha1;

/// The `tpm` binary bound to one TPM URI, with a scratch folder for files.
pub struct Tpm {
    pub uri: String,
    pub files: tempfile::TempDir,
}

impl Tpm {
    pub fn new(uri: String) -> Self {
        Self {
            uri,
            files: tempfile::tempdir().unwrap(),
        }
    }

    /// A path in the scratch folder.
    pub fn path(&self, name: &str) -> String {
        self.files.path().join(name).display().to_string()
    }

    /// Runs `tpm --tpm URI ARGS`.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_tpm"))
            .arg("--tpm")
            .arg(&self.uri)
            .args(args)
            .env_remove("TPM_URI")
            .output()
            .unwrap()
    }

    /// Runs and demands success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "tpm {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs with --json and demands success; returns the object.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.ok(&all)).unwrap()
    }

    /// One string field of a --json answer.
    pub fn field(&self, args: &[&str], key: &str) -> String {
        let v = self.json(args);
        v[key]
            .as_str()
            .unwrap_or_else(|| panic!("{key} in {v}"))
            .to_string()
    }

    /// Runs and demands exit code 1; returns stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(out.status.code(), Some(1), "tpm {args:?} should fail");
        String::from_utf8(out.stderr).unwrap()
    }

    /// Writes a scratch file; returns its path.
    pub fn write(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.path(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// True if `tool` runs; otherwise skips loudly, or fails under CI=true.
pub fn have(tool: &str, arg: &str) -> bool {
    if Command::new(tool).arg(arg).output().is_ok() {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{tool} is not installed, and CI must run this test"
    );
    eprintln!("SKIPPED: {tool} is not installed");
    false
}

/// A running swtpm; killed on drop.
pub struct Swtpm {
    child: Child,
    pub data: String,
    pub ctrl: String,
    _state: tempfile::TempDir,
}

impl Drop for Swtpm {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts swtpm (TPM 1.2, already started with ST_CLEAR), or None (loudly) without it.
pub fn start_swtpm() -> Option<Swtpm> {
    if !have("swtpm", "--version") {
        return None;
    }
    let state = tempfile::tempdir().unwrap();
    let (dp, cp) = (free_port(), free_port());
    let child = Command::new("swtpm")
        .arg("socket")
        .arg("--tpmstate")
        .arg(format!("dir={}", state.path().display()))
        .args(["--server", &format!("type=tcp,port={dp}")])
        .args(["--ctrl", &format!("type=tcp,port={cp}")])
        .args(["--flags", "not-need-init,startup-clear"])
        .spawn()
        .unwrap();
    let s = Swtpm {
        child,
        data: format!("127.0.0.1:{dp}"),
        ctrl: format!("127.0.0.1:{cp}"),
        _state: state,
    };
    let start = Instant::now();
    while std::net::TcpStream::connect(&s.data).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "swtpm did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(s)
}

/// A `dir:` TPM in a fresh state folder (kept inside the scratch folder).
pub fn dir_tpm() -> Tpm {
    let files = tempfile::tempdir().unwrap();
    let state: PathBuf = files.path().join("state");
    Tpm {
        uri: format!("dir://{}", state.display()),
        files,
    }
}

/// Physical presence, enable, activate and an EK, as a BIOS would (`tpmbios`).
pub fn provision(t: &Tpm) {
    let bios = t.json(&["tpmbios", "--create-ek"]);
    assert_eq!(bios["physical_enable"], "ok", "{bios}");
    assert_eq!(bios["physical_set_deactivated"], "ok", "{bios}");
    let vol = t.json(&["get-capability", "flag", "TPM_CAP_FLAG_VOLATILE"]);
    assert!(
        vol["value"]
            .as_str()
            .unwrap()
            .contains("deactivated: false"),
        "{vol}"
    );
}

/// PCRs: extend (by digest and by file), read, reset; the values are recomputed here.
pub fn pcr_flow(t: &Tpm) {
    let zero = [0u8; 20];
    t.ok(&["pcr-reset", "16"]);
    let d = [0x11u8; 20];
    let v1 = sha1(&[&zero, &d]);
    let out = t.field(&["extend", "16", "--digest", &hex(&d)], "pcr_value");
    assert_eq!(out, hex(&v1));
    let file = t.write("measured.txt", b"measure me");
    let v2 = sha1(&[&v1, &sha1(&[b"measure me"])]);
    t.ok(&["extend", "16", "--in", &file]);
    assert_eq!(
        t.field(&["pcr-read", "16"], "pcr16"),
        hex(&v2),
        "the value persists"
    );
    t.ok(&["pcr-reset", "16"]);
    assert_eq!(t.field(&["pcr-read", "16"], "pcr16"), hex(&zero));
    assert!(t
        .fails(&["pcr-read", "99"])
        .starts_with("tpm: TPM_BADINDEX: "));
}

/// The SHA-1 thread across three invocations, and SHA1CompleteExtend.
pub fn sha1_flow(t: &Tpm) {
    let max = t.json(&["sha1-start"])["max_num_bytes"].as_u64().unwrap();
    assert!(max >= 64);
    let block = t.write("block", &[0x61; 64]);
    let tail = t.write("tail", b"tail");
    t.ok(&["sha1-update", "--in", &block]);
    let digest = t.field(&["sha1-complete", "--in", &tail], "digest");
    assert_eq!(digest, hex(&sha1(&[&[0x61; 64], b"tail"])));
    t.ok(&["pcr-reset", "16"]);
    t.ok(&["sha1-start"]);
    let out = t.json(&["sha1-complete-extend", "--pcr", "16", "--in", &tail]);
    let expected = sha1(&[&[0; 20], &sha1(&[b"tail"])]);
    assert_eq!(out["pcr_value"], hex(&expected));
}

/// Every capability area answers (those that need an existing key or index may say so
/// by name).
pub fn capability_flow(t: &Tpm) {
    let must_answer = [
        "ord",
        "alg",
        "pid",
        "flag",
        "property",
        "version",
        "key-handle",
        "check-loaded",
        "sym-mode",
        "nv-list",
        "trans-alg",
        "handle",
        "trans-es",
        "auth-encrypt",
        "select-size",
        "da-logic",
        "version-val",
    ];
    for area in must_answer {
        let out = t.json(&["get-capability", area]);
        assert!(
            out["area"].as_str().unwrap().starts_with("TPM_CAP_"),
            "{out}"
        );
    }
    for area in ["key-status", "mfr", "nv-index"] {
        let out = t.run(&["get-capability", area]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() || err.starts_with("tpm: TPM_"),
            "{area}: {err}"
        );
    }
    let pcrs = t.json(&["get-capability", "property", "TPM_CAP_PROP_PCR"]);
    assert!(pcrs["value"].as_u64().unwrap() >= 24, "{pcrs}");
    let ord = t.json(&["get-capability", "ord", "TPM_ORD_PcrRead"]);
    assert_eq!(ord["value"], true);
    let version = t.json(&["get-capability", "version-val"]);
    assert!(version["value"]
        .as_str()
        .unwrap()
        .contains("major: 1, minor: 2"));
}

/// Self-test, random, ticks and physical presence.
pub fn admin_flow(t: &Tpm) {
    t.ok(&["self-test-full"]);
    t.ok(&["continue-self-test"]);
    t.ok(&["get-test-result"]);
    assert_eq!(t.field(&["get-random", "16"], "random").len(), 32);
    let random = t.path("random.bin");
    t.ok(&["get-random", "8", "--out", &random]);
    assert_eq!(std::fs::read(&random).unwrap().len(), 8);
    t.ok(&["stir-random", "00112233"]);
    t.ok(&["physical-presence", "cmd-enable"]);
    t.ok(&["physical-presence", "present"]);
    let vol = t.json(&["get-capability", "flag", "TPM_CAP_FLAG_VOLATILE"]);
    assert!(vol["value"]
        .as_str()
        .unwrap()
        .contains("physical_presence: true"));
    t.ok(&["physical-presence", "not-present"]);
}

const OWNER: &str = "owner password";
const KEY: &str = "key password";
const DATA: &str = "data password";

/// Take ownership, keys, sign + openssl, seal/unseal, PCR-bound seal, quote and
/// checkquote, NV, counters, owner capabilities: all through the `tpm` binary.
pub fn owner_flow(t: &Tpm) {
    let srk_pem = t.path("srk.pem");
    t.ok(&["take-ownership", "--pwdo", OWNER, "-z", "--pem", &srk_pem]);
    assert!(std::fs::read_to_string(&srk_pem)
        .unwrap()
        .contains("BEGIN PUBLIC KEY"));
    assert!(t
        .fails(&["owner-read-internal-pub", "--key", "srk", "--pwdo", "wrong"])
        .starts_with("tpm: TPM_AUTHFAIL: "));
    t.ok(&["owner-read-internal-pub", "--key", "srk", "--pwdo", OWNER]);
    t.ok(&["get-capability-owner", "--pwdo", OWNER]);
    let owner_hex = hex(&sha1(&[OWNER.as_bytes()]));
    t.ok(&["get-capability-owner", "--hex", "--pwdo", &owner_hex]);

    // A signing key: create, load, sign, verify with openssl.
    let (blob, pem) = (t.path("key.blob"), t.path("key.pem"));
    t.ok(&[
        "create-wrap-key",
        "-z",
        "--pwdk",
        KEY,
        "--usage",
        "signing",
        "--out",
        &blob,
        "--pem",
        &pem,
    ]);
    let handle = t.field(&["load-key2", "-z", "--in", &blob], "handle");
    let file = t.write("document.txt", b"a document to sign\n");
    let sig = t.path("document.sig");
    t.ok(&[
        "sign", "--key", &handle, "--pwdk", KEY, "--in", &file, "--out", &sig,
    ]);
    openssl_verifies(&pem, &sig, &file);
    let (sig2, pem2) = (t.path("signfile.sig"), t.path("signfile.pem"));
    t.ok(&[
        "signfile",
        "-z",
        "--pwdk",
        KEY,
        "--key-blob",
        &blob,
        "--in",
        &file,
        "--out",
        &sig2,
        "--pem",
        &pem2,
    ]);
    openssl_verifies(&pem2, &sig2, &file);
    assert!(t
        .fails(&["sign", "--key", &handle, "--pwdk", "wrong", "--in", &file])
        .starts_with("tpm: TPM_AUTHFAIL: "));

    // Seal and unseal; a wrong data secret is refused.
    let (secret, sealed, plain) = (
        t.write("secret.txt", b"the secret"),
        t.path("sealed"),
        t.path("plain"),
    );
    t.ok(&[
        "seal", "-z", "--pwdd", DATA, "--in", &secret, "--out", &sealed,
    ]);
    t.ok(&[
        "unseal", "-z", "--pwdd", DATA, "--in", &sealed, "--out", &plain,
    ]);
    assert_eq!(std::fs::read(&plain).unwrap(), b"the secret");
    assert!(t
        .fails(&["unseal", "-z", "--pwdd", "wrong", "--in", &sealed])
        .contains("AUTH"));

    // Sealed to PCR 16: unseals until PCR 16 changes.
    t.ok(&["pcr-reset", "16"]);
    t.ok(&["extend", "16", "--digest", &hex(&[7; 20])]);
    let bound = t.path("bound");
    t.ok(&[
        "sealfile", "-z", "--pwdd", DATA, "--pcrs", "16", "--in", &secret, "--out", &bound,
    ]);
    assert_eq!(
        t.field(&["unseal", "-z", "--pwdd", DATA, "--in", &bound], "data"),
        hex(b"the secret")
    );
    t.ok(&["extend", "16", "--digest", &hex(&[8; 20])]);
    assert!(t
        .fails(&["unseal", "-z", "--pwdd", DATA, "--in", &bound])
        .starts_with("tpm: TPM_WRONGPCRVAL: "));

    // Quote and Quote2, checked offline against the key's TPM_PUBKEY.
    let nonce = hex(&[0x42; 20]);
    let (quote, pubkey) = (t.path("quote"), t.path("key.pub"));
    t.ok(&[
        "get-pub-key",
        "--key",
        &handle,
        "--pwdk",
        KEY,
        "--out",
        &pubkey,
    ]);
    t.ok(&[
        "quote", "--key", &handle, "--pwdk", KEY, "--pcrs", "0,16", "--nonce", &nonce, "--out",
        &quote,
    ]);
    let checked = t.json(&[
        "checkquote",
        "--pubkey",
        &pubkey,
        "--quote",
        &quote,
        "--nonce",
        &nonce,
    ]);
    assert_eq!(checked["verified"], true);
    assert_eq!(checked["pcrs"]["16"], t.field(&["pcr-read", "16"], "pcr16"));
    let err = t.fails(&[
        "checkquote",
        "--key-blob",
        &blob,
        "--quote",
        &quote,
        "--nonce",
        &hex(&[1; 20]),
    ]);
    assert!(err.contains("verif"), "{err}");
    let quote2 = t.path("quote2");
    t.ok(&[
        "quote2",
        "--key",
        &handle,
        "--pwdk",
        KEY,
        "--pcrs",
        "16",
        "--nonce",
        &nonce,
        "--add-version",
        "--out",
        &quote2,
    ]);
    t.ok(&[
        "checkquote",
        "--v2",
        "--pubkey",
        &pubkey,
        "--quote",
        &quote2,
        "--nonce",
        &nonce,
    ]);
    let status = t.json(&["get-capability", "key-status", &handle]);
    assert_eq!(status["area"], "TPM_CAP_KEY_STATUS");
    t.ok(&["flush-specific", &handle]);

    // NV: an owner area and an area with its own secret.
    t.ok(&[
        "nv-define-space",
        "--index",
        "0x11101",
        "--size",
        "32",
        "--permissions",
        "ownerwrite,ownerread",
        "--pwdo",
        OWNER,
    ]);
    t.ok(&[
        "nv-write-value",
        "--index",
        "0x11101",
        "--data",
        "hello nv",
        "--pwdo",
        OWNER,
    ]);
    let read = t.field(
        &[
            "nv-read-value",
            "--index",
            "0x11101",
            "--size",
            "8",
            "--pwdo",
            OWNER,
        ],
        "data",
    );
    assert_eq!(read, hex(b"hello nv"));
    t.ok(&[
        "nv-define-space",
        "--index",
        "0x11102",
        "--size",
        "4",
        "--permissions",
        "authwrite,authread",
        "--pwdo",
        OWNER,
        "--pwda",
        "area",
    ]);
    t.ok(&[
        "nv-write-value-auth",
        "--index",
        "0x11102",
        "--data-hex",
        "01020304",
        "--pwda",
        "area",
    ]);
    let read = t.field(
        &[
            "nv-read-value-auth",
            "--index",
            "0x11102",
            "--size",
            "4",
            "--pwda",
            "area",
        ],
        "data",
    );
    assert_eq!(read, "01020304");
    assert!(t
        .fails(&[
            "nv-read-value-auth",
            "--index",
            "0x11102",
            "--size",
            "4",
            "--pwda",
            "bad"
        ])
        .contains("AUTH"));
    let nv = t.json(&["get-capability", "nv-index", "0x11101"]);
    assert_eq!(nv["area"], "TPM_CAP_NV_INDEX");

    // A monotonic counter.
    let created = t.json(&[
        "create-counter",
        "--pwdo",
        OWNER,
        "--pwdc",
        "ctr",
        "--label",
        "test",
    ]);
    let id = created["id"].as_u64().unwrap().to_string();
    let start = created["value"].as_u64().unwrap();
    let next = t.json(&["increment-counter", "--id", &id, "--pwdc", "ctr"]);
    assert_eq!(next["value"].as_u64().unwrap(), start + 1);
    assert_eq!(
        t.json(&["read-counter", "--id", &id])["value"]
            .as_u64()
            .unwrap(),
        start + 1
    );
    t.ok(&["release-counter-owner", "--id", &id, "--pwdo", OWNER]);
    assert!(t
        .fails(&["read-counter", "--id", &id])
        .starts_with("tpm: TPM_BAD_COUNTER: "));
}

/// `openssl dgst -sha1 -verify PEM -signature SIG FILE` says "Verified OK".
fn openssl_verifies(pem: &str, sig: &str, file: &str) {
    if !have("openssl", "version") {
        return;
    }
    let out = Command::new("openssl")
        .args(["dgst", "-sha1", "-verify", pem, "-signature", sig, file])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && said.contains("Verified OK"),
        "openssl: {said}"
    );
}

/// The handle `load-key2` prints for a new key blob made with `create-wrap-key`.
fn new_loaded_key(t: &Tpm, name: &str, usage: &str, secret: &str) -> (String, String) {
    let blob = t.path(name);
    t.ok(&[
        "create-wrap-key",
        "-z",
        "--pwdk",
        secret,
        "--usage",
        usage,
        "--out",
        &blob,
    ]);
    (t.field(&["load-key2", "-z", "--in", &blob], "handle"), blob)
}

/// Certify, contexts, ticks, identity, audit, sessions, transport sessions, changing
/// secrets, clearing the owner: the rest of the owner's subcommands.
/// `with_transport`: also run a transport session across invocations (Part 3, 24; our
/// engine does not implement transport sessions yet, so only swtpm runs that part).
pub fn owner_extras_flow(t: &Tpm, with_transport: bool) {
    t.ok(&["take-ownership", "--pwdo", OWNER, "-z"]);
    let (signer, signer_blob) = new_loaded_key(t, "signer.blob", "signing", KEY);
    let (bind, _) = new_loaded_key(t, "bind.blob", "bind", "bind");
    let cert = [
        "--cert-key",
        &signer,
        "--pwdcert",
        KEY,
        "--key",
        &bind,
        "--pwdk",
        "bind",
    ];
    t.ok(&[&["certify-key"][..], &cert].concat());
    t.ok(&[&["certify-key2"][..], &cert].concat());

    let evict = [
        "key-control-owner",
        "--key",
        &signer,
        "--key-blob",
        &signer_blob,
        "--pwdo",
        OWNER,
    ];
    t.ok(&[&evict[..], &["true"]].concat());
    t.ok(&[&evict[..], &["false"]].concat());
    let ctx = t.path("bind.ctx");
    t.ok(&["save-context", "--handle", &bind, "--out", &ctx]);
    t.ok(&["flush-specific", &bind]);
    let reloaded = t.field(&["load-context", "--in", &ctx], "handle");
    t.ok(&["flush-specific", &reloaded]);

    let ticks = t.json(&["get-ticks"]);
    assert!(ticks["current_ticks"].as_u64().is_some(), "{ticks}");
    t.ok(&[
        "tick-stamp-blob",
        "--key",
        &signer,
        "--pwdk",
        KEY,
        "--digest",
        &hex(&[3; 20]),
    ]);
    let aik = t.path("aik.blob");
    t.ok(&[
        "make-identity",
        "--pwdo",
        OWNER,
        "-z",
        "--pwdk",
        "aik",
        "--out",
        &aik,
    ]);

    t.ok(&[
        "set-ordinal-audit-status",
        "TPM_ORD_GetRandom",
        "true",
        "--pwdo",
        OWNER,
    ]);
    t.ok(&["get-random", "2"]);
    let audit = t.json(&["get-audit-digest"]);
    assert!(
        audit["ordinals"].to_string().contains("TPM_ORD_GetRandom"),
        "{audit}"
    );
    t.ok(&["get-audit-digest-signed", "--key", &signer, "--pwdk", KEY]);

    let oiap = t.field(&["oiap"], "handle");
    t.ok(&["flush-specific", &oiap, "--resource", "auth"]);
    let osap = t.field(&["osap", "--entity-type", "2", "--pwdk", OWNER], "handle");
    t.ok(&["terminate-handle", &osap]);

    if with_transport {
        // A transport session across invocations, closed with a signature.
        let tr = t.path("transport.json");
        t.ok(&["establish-transport", "--pwdt", "tr", "--state", &tr]);
        t.ok(&[
            "execute-transport",
            "--pwdt",
            "tr",
            "--state",
            &tr,
            "get-random",
            "8",
        ]);
        let extended = t.field(
            &[
                "execute-transport",
                "--pwdt",
                "tr",
                "--state",
                &tr,
                "extend",
                "16",
                &hex(&[9; 20]),
            ],
            "pcr_value",
        );
        assert_eq!(
            t.field(
                &[
                    "execute-transport",
                    "--pwdt",
                    "tr",
                    "--state",
                    &tr,
                    "pcr-read",
                    "16"
                ],
                "pcr16"
            ),
            extended
        );
        let release = [
            "release-transport-signed",
            "--pwdt",
            "tr",
            "--state",
            &tr,
            "--key",
            &signer,
            "--pwdk",
            KEY,
        ];
        assert!(!t.field(&release, "signature").is_empty());
    }

    let renewed = t.path("signer2.blob");
    t.ok(&[
        "change-auth",
        "-z",
        "--pwdk",
        KEY,
        "--pwdn",
        "new key",
        "--in",
        &signer_blob,
        "--out",
        &renewed,
    ]);
    let renewed_handle = t.field(&["load-key2", "-z", "--in", &renewed], "handle");
    t.ok(&[
        "sign",
        "--key",
        &renewed_handle,
        "--pwdk",
        "new key",
        "--digest",
        &hex(&[5; 20]),
    ]);

    t.ok(&["change-auth-owner", "--pwdo", OWNER, "--pwdn", "new owner"]);
    assert!(t
        .fails(&["get-capability-owner", "--pwdo", OWNER])
        .starts_with("tpm: TPM_AUTHFAIL"));
    t.ok(&["get-capability-owner", "--pwdo", "new owner"]);
    t.ok(&["owner-read-pubek", "--pwdo", "new owner"]);
    t.ok(&["reset-lock-value", "--pwdo", "new owner"]);
    t.ok(&["owner-clear", "--pwdo", "new owner"]);
    let perm = t.json(&["get-capability", "flag", "TPM_CAP_FLAG_PERMANENT"]);
    assert!(
        perm["value"].as_str().unwrap().contains("disable: true"),
        "OwnerClear disables: {perm}"
    );
}
