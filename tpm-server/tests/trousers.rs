//! Debian's TrouSerS stack against tpmd (real engine): `tcsd` reaches tpmd over TCP
//! (TCSD_USE_TCP_DEVICE=1 and `-e`), and the tpm-tools talk to that tcsd on its own port
//! (TSS_TCSD_HOSTNAME / TSS_TCSD_PORT). Each test is one step of the usual tpm-tools flow on
//! its own tpmd + tcsd, preceded by the steps it needs; every assertion names its step.
//!
//! tpmd runs in its default mode, which starts the TPM enabled and activated with an EK (what
//! firmware with physical presence would have done); tcsd refuses physical-presence commands.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_possible_truncation
)]

mod interop_common;

use interop_common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use tpm_marshal::commands::capability::{GetCapability, GetCapabilityIn};
use tpm_marshal::{CapProperty, CapabilityArea, SizedBuffer};

const TCSD: &str = "/usr/sbin/tcsd";
const EXPECT: &str = "/usr/bin/expect";
const TPM_TOOLS: &[&str] = &[
    "/usr/sbin/tpm_version",
    "/usr/sbin/tpm_selftest",
    "/usr/sbin/tpm_getpubek",
    "/usr/sbin/tpm_takeownership",
    "/usr/bin/tpm_sealdata",
    "/usr/bin/tpm_unsealdata",
    "/usr/sbin/tpm_nvdefine",
    "/usr/sbin/tpm_nvwrite",
    "/usr/sbin/tpm_nvread",
    "/usr/sbin/tpm_nvinfo",
    "/usr/sbin/tpm_nvrelease",
    "/usr/sbin/tpm_changeownerauth",
    "/usr/sbin/tpm_clear",
];

/// The installed path of a tpm-tools program (some live in /usr/bin, most in /usr/sbin).
fn tool_path(name: &str) -> &'static str {
    TPM_TOOLS
        .iter()
        .find(|p| p.rsplit('/').next() == Some(name))
        .unwrap_or_else(|| panic!("{name} is not in TPM_TOOLS"))
}

/// True if trousers, tpm-tools and expect are installed and the test may start tcsd.
fn have_trousers() -> bool {
    let mut peers = vec![(TCSD, "trousers"), (EXPECT, "expect")];
    peers.extend(TPM_TOOLS.iter().map(|t| (*t, "tpm-tools")));
    have_peers(&peers) && running_as_root("tcsd starts as root and drops to user tss")
}

/// The uid and gid of a name in /etc/passwd or /etc/group.
fn id_of(file: &str, name: &str) -> u32 {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.first() == Some(&name))
        .and_then(|f| f.get(2)?.parse().ok())
        .unwrap_or_else(|| panic!("no '{name}' in {file} (the trousers package creates it)"))
}

/// tpmd and tcsd for one test, killed on drop (fields drop in order: tcsd first, so it
/// never sees its TPM vanish).
struct Stack {
    _tcsd: KillOnDrop,
    _tpmd: KillOnDrop,
    tcsd_port: u16,
    tpmd_port: u16,
    dir: tempfile::TempDir,
}

impl Stack {
    /// Starts tpmd (default mode: started, enabled, activated, with an EK) and tcsd on it.
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        // tcsd, once user tss, must reach its system PS file below this folder
        set_mode(dir.path(), 0o755);
        let tpmd_port = free_port();
        let tpmd_log = std::fs::File::create(dir.path().join("tpmd.log")).unwrap();
        let child = Command::new(TPMD)
            .arg("--tpmstate")
            .arg(format!("dir={}", dir.path().join("state").display()))
            .arg("--server")
            .arg(format!("type=tcp,port={tpmd_port}"))
            .arg("--ctrl")
            .arg(format!(
                "type=unixio,path={}",
                dir.path().join("ctrl.sock").display()
            ))
            .stdin(Stdio::null())
            .stdout(tpmd_log.try_clone().unwrap())
            .stderr(tpmd_log)
            .spawn()
            .unwrap();
        let mut tpmd = KillOnDrop(child);
        assert!(
            wait_for_port(tpmd_port, &mut tpmd.0),
            "setup: tpmd did not start:\n{}",
            tail(&dir.path().join("tpmd.log"), 20)
        );
        let tcsd_port = free_port();
        let config = write_tcsd_config(dir.path(), tcsd_port);
        let tcsd_log = std::fs::File::create(dir.path().join("tcsd.log")).unwrap();
        let child = Command::new(TCSD)
            .args(["-e", "-f", "-c"])
            .arg(&config)
            .env("TCSD_USE_TCP_DEVICE", "1")
            .env("TCSD_TCP_DEVICE_HOSTNAME", "127.0.0.1")
            .env("TCSD_TCP_DEVICE_PORT", tpmd_port.to_string())
            .stdin(Stdio::null())
            .stdout(tcsd_log.try_clone().unwrap())
            .stderr(tcsd_log)
            .spawn()
            .unwrap();
        let mut tcsd = KillOnDrop(child);
        let up = wait_for_port(tcsd_port, &mut tcsd.0);
        let stack = Self {
            _tcsd: tcsd,
            _tpmd: tpmd,
            tcsd_port,
            tpmd_port,
            dir,
        };
        assert!(up, "setup: tcsd did not start{}", stack.logs());
        stack
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The ends of both logs, for failure messages.
    fn logs(&self) -> String {
        format!(
            "\n--- tcsd log\n{}\n--- tpmd log\n{}",
            tail(&self.path("tcsd.log"), 20),
            tail(&self.path("tpmd.log"), 30)
        )
    }

    /// A command that talks to this stack's tcsd, run in the test's folder.
    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(self.dir.path())
            .env("TSS_TCSD_HOSTNAME", "127.0.0.1")
            .env("TSS_TCSD_PORT", self.tcsd_port.to_string())
            .env("TSS_USER_PS_FILE", self.path("user.data"))
            .env("HOME", self.dir.path());
        cmd
    }

    /// Runs a tpm-tools program; `step` names it in failure messages.
    fn tool(&self, step: &str, program: &str, args: &[&str]) -> Output {
        let out = run_with_timeout(self.command(tool_path(program)).args(args), TOOL_TIMEOUT);
        tracing(step, &out);
        out
    }

    /// Runs a tpm-tools program that must succeed; returns its stdout.
    fn tool_ok(&self, step: &str, program: &str, args: &[&str]) -> String {
        let out = self.tool(step, program, args);
        assert!(
            out.status.success(),
            "step '{step}' failed: {}{}",
            text(&out),
            self.logs()
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs an expect script (Tcl) that spawns a tool and answers its password prompts.
    fn expect_ok(&self, step: &str, script: &str) {
        let file = self.path("step.exp");
        // `spawn {tpm_x}` runs the installed program
        let script = TPM_TOOLS.iter().fold(script.to_string(), |s, path| {
            let name = path.rsplit('/').next().unwrap();
            s.replace(&format!("spawn {{{name}}}"), &format!("spawn {path}"))
        });
        let script = format!(
            "set timeout {}\n{script}\nexpect eof\ncatch wait result\nexit [lindex $result 3]\n",
            TOOL_TIMEOUT.as_secs()
        );
        std::fs::write(&file, script).unwrap();
        let mut cmd = self.command(EXPECT);
        cmd.arg(&file);
        let out = run_with_timeout(&mut cmd, TOOL_TIMEOUT);
        tracing(step, &out);
        assert!(
            out.status.success(),
            "step '{step}' failed: {}{}",
            text(&out),
            self.logs()
        );
    }

    /// The prerequisite every owner step needs: tpm_takeownership with well-known secrets.
    fn take_ownership(&self) {
        self.tool_ok(
            "tpm_takeownership -y -z",
            "tpm_takeownership",
            &["-y", "-z"],
        );
    }

    /// TPM_CAP_PROP_OWNER, asked directly over tpmd's data channel.
    fn has_owner(&self) -> bool {
        let mut tpm = DataClient::connect(self.tpmd_port);
        let input = GetCapabilityIn {
            cap_area: CapabilityArea::TPM_CAP_PROPERTY,
            sub_cap: SizedBuffer(CapProperty::TPM_CAP_PROP_OWNER.0.to_be_bytes().to_vec()),
        };
        tpm.run::<GetCapability>(&input).unwrap().resp.0 == [1]
    }
}

/// Prints each step's output (shown by cargo test only when the test fails).
fn tracing(step: &str, out: &Output) {
    println!("== {step}\n{}", text(out));
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// tcsd's configuration: its port and a system PS file owned by tss; the file itself must be
/// root:tss, mode 0640, or tcsd refuses it.
fn write_tcsd_config(dir: &Path, port: u16) -> PathBuf {
    let tss_uid = id_of("/etc/passwd", "tss");
    let tss_gid = id_of("/etc/group", "tss");
    let ps_dir = dir.join("tcsd");
    std::fs::create_dir(&ps_dir).unwrap();
    std::os::unix::fs::chown(&ps_dir, Some(tss_uid), Some(tss_gid)).unwrap();
    let config = dir.join("tcsd.conf");
    std::fs::write(
        &config,
        format!(
            "port = {port}\nsystem_ps_file = {}\n",
            ps_dir.join("system.data").display()
        ),
    )
    .unwrap();
    std::os::unix::fs::chown(&config, Some(0), Some(tss_gid)).unwrap();
    set_mode(&config, 0o640);
    config
}

#[test]
fn tpm_version_reports_a_tpm_1_2() {
    if !have_trousers() {
        return;
    }
    let stack = Stack::start();
    let out = stack.tool_ok("tpm_version", "tpm_version", &[]);
    assert!(
        out.contains("TPM 1.2 Version Info") && out.contains("Chip Version:        1.2"),
        "step 'tpm_version': unexpected output:\n{out}"
    );
}

#[test]
fn tpm_selftest_passes() {
    if !have_trousers() {
        return;
    }
    let stack = Stack::start();
    let out = stack.tool_ok("tpm_selftest", "tpm_selftest", &[]);
    assert!(
        out.contains("TPM Test Results"),
        "step 'tpm_selftest': unexpected output:\n{out}"
    );
}

#[test]
fn tpm_getpubek_reads_the_ek_before_and_after_ownership() {
    if !have_trousers() {
        return;
    }
    let stack = Stack::start();
    let before = stack.tool_ok("tpm_getpubek (no owner)", "tpm_getpubek", &["-z"]);
    for line in ["Key Size:          2048 bits", "RSAESOAEP_SHA1_MGF1"] {
        assert!(
            before.contains(line),
            "step 'tpm_getpubek (no owner)': no '{line}' in:\n{before}"
        );
    }
    // once owned, TPM_ReadPubek is TPM_DISABLED_CMD and tpm_getpubek asks the owner
    stack.take_ownership();
    let after = stack.tool_ok("tpm_getpubek -z (owned)", "tpm_getpubek", &["-z"]);
    let key = |s: &str| s[s.find("Public Key:").unwrap()..].to_string();
    assert_eq!(
        key(&before),
        key(&after),
        "step 'tpm_getpubek -z (owned)': another EK"
    );
}

#[test]
fn tpm_takeownership_installs_an_owner() {
    if !have_trousers() {
        return;
    }
    let stack = Stack::start();
    assert!(!stack.has_owner(), "setup: a fresh tpmd has no owner");
    stack.take_ownership();
    assert!(
        stack.has_owner(),
        "step 'tpm_takeownership -y -z': TPM_CAP_PROP_OWNER is still FALSE"
    );
    let again = stack.tool(
        "tpm_takeownership again",
        "tpm_takeownership",
        &["-y", "-z"],
    );
    assert!(
        !again.status.success(),
        "step 'tpm_takeownership again': a second owner was accepted"
    );
}

#[test]
fn tpm_sealdata_round_trips_through_tpm_unsealdata() {
    if !have_trousers() {
        return;
    }
    let stack = Stack::start();
    stack.take_ownership();
    let secret = "a secret sealed by tpm_sealdata\n";
    std::fs::write(stack.path("plain.txt"), secret).unwrap();
    for (step, pcrs) in [
        ("tpm_sealdata -z", &[][..]),
        ("tpm_sealdata -z -p 0 -p 10", &["-p", "0", "-p", "10"][..]),
    ] {
        let mut args = vec!["-z", "-i", "plain.txt", "-o", "sealed.blob"];
        args.extend_from_slice(pcrs);
        stack.tool_ok(step, "tpm_sealdata", &args);
        let blob = std::fs::read_to_string(stack.path("sealed.blob")).unwrap();
        assert!(
            blob.contains("-----BEGIN TSS-----"),
            "step '{step}': not a sealed file:\n{blob}"
        );
        let _ = std::fs::remove_file(stack.path("unsealed.txt"));
        stack.tool_ok(
            &format!("tpm_unsealdata after {step}"),
            "tpm_unsealdata",
            &["-z", "-i", "sealed.blob", "-o", "unsealed.txt"],
        );
        assert_eq!(
            std::fs::read_to_string(stack.path("unsealed.txt")).unwrap(),
            secret,
            "step 'tpm_unsealdata after {step}': other data came back"
        );
    }
}

#[test]
fn nv_define_write_read_and_release_with_tpm_tools() {
    if !have_trousers() {
        return;
    }
    let stack = Stack::start();
    stack.take_ownership();
    let index = "0x00011101";
    stack.tool_ok(
        "tpm_nvdefine",
        "tpm_nvdefine",
        &["-y", "-i", index, "-s", "32", "-p", "OWNERREAD|OWNERWRITE"],
    );
    let info = stack.tool_ok("tpm_nvinfo after define", "tpm_nvinfo", &["-i", index]);
    for line in ["0x00011101", "OWNERREAD|OWNERWRITE", "Size          : 32"] {
        assert!(
            info.contains(line),
            "step 'tpm_nvinfo after define': no '{line}' in:\n{info}"
        );
    }
    stack.tool_ok(
        "tpm_nvwrite",
        "tpm_nvwrite",
        &["-z", "-i", index, "-d", "hello nv area"],
    );
    let read = stack.tool_ok("tpm_nvread", "tpm_nvread", &["-z", "-i", index, "-s", "13"]);
    assert!(
        read.contains("68 65 6c 6c 6f 20 6e 76 20 61 72 65 61") && read.contains("hello nv area"),
        "step 'tpm_nvread': other data:\n{read}"
    );
    stack.tool_ok("tpm_nvrelease", "tpm_nvrelease", &["-y", "-i", index]);
    let info = stack.tool_ok("tpm_nvinfo after release", "tpm_nvinfo", &[]);
    assert!(
        !info.contains("0x00011101"),
        "step 'tpm_nvrelease': the area is still listed:\n{info}"
    );
}

#[test]
fn tpm_changeownerauth_replaces_the_owner_secret() {
    if !have_trousers() {
        return;
    }
    let stack = Stack::start();
    stack.take_ownership();
    stack.expect_ok(
        "tpm_changeownerauth -o -z (well-known to 'new owner')",
        r#"spawn {tpm_changeownerauth} -o -z
expect "new owner password:" { send "new owner\r" } timeout { exit 2 }
expect "onfirm password:" { send "new owner\r" } timeout { exit 3 }"#,
    );
    // the well-known secret no longer authorizes the owner (one failure, far from lockout)
    let refused = stack.tool(
        "tpm_nvdefine -y after the change",
        "tpm_nvdefine",
        &["-y", "-i", "0x00011102", "-s", "8", "-p", "OWNERWRITE"],
    );
    assert!(
        !refused.status.success(),
        "step 'tpm_changeownerauth': the old (well-known) owner secret still works"
    );
    // the new one does: change it back to well-known with it, then use -y again
    stack.expect_ok(
        "tpm_changeownerauth -o -r (with the new password)",
        r#"spawn {tpm_changeownerauth} -o -r
expect "owner password:" { send "new owner\r" } timeout { exit 2 }"#,
    );
    stack.tool_ok(
        "tpm_nvdefine -y after changing back",
        "tpm_nvdefine",
        &["-y", "-i", "0x00011102", "-s", "8", "-p", "OWNERWRITE"],
    );
}

#[test]
fn tpm_clear_removes_the_owner() {
    if !have_trousers() {
        return;
    }
    let stack = Stack::start();
    stack.take_ownership();
    let out = stack.tool_ok("tpm_clear -z", "tpm_clear", &["-z"]);
    assert!(
        out.contains("TPM Successfuly Cleared"),
        "step 'tpm_clear -z': unexpected output:\n{out}"
    );
    assert!(
        !stack.has_owner(),
        "step 'tpm_clear -z': TPM_CAP_PROP_OWNER is still TRUE"
    );
}

#[test]
fn tpm_clear_with_a_typed_owner_password() {
    if !have_trousers() {
        return;
    }
    let stack = Stack::start();
    stack.take_ownership();
    stack.expect_ok(
        "tpm_changeownerauth -o -z",
        r#"spawn {tpm_changeownerauth} -o -z
expect "new owner password:" { send "typed\r" } timeout { exit 2 }
expect "onfirm password:" { send "typed\r" } timeout { exit 3 }"#,
    );
    stack.expect_ok(
        "tpm_clear (password typed)",
        r#"spawn {tpm_clear}
expect "owner password:" { send "typed\r" } timeout { exit 2 }
expect "Successfuly Cleared" {} timeout { exit 4 }"#,
    );
    assert!(
        !stack.has_owner(),
        "step 'tpm_clear (password typed)': TPM_CAP_PROP_OWNER is still TRUE"
    );
}
