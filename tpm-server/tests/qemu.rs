//! Debian's QEMU (`-tpmdev emulator`, SeaBIOS) against the real tpmd with the engine:
//! the firmware's TPM initialisation, a system reset, and a migration through a file.
//!
//! The VMs have no disk: SeaBIOS initialises and measures with the TPM, then stops at "No
//! bootable device." Without KVM QEMU runs under TCG, so every wait is generous. Without
//! `qemu-system-x86_64` the tests say SKIPPED, except under CI=true where they fail.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_possible_truncation
)]

mod common;

use common::*;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

const QEMU: &str = "/usr/bin/qemu-system-x86_64";
/// How long a VM may take to reach a point (TCG on a loaded two-core machine).
const VM_WAIT: Duration = Duration::from_secs(180);
/// How long a process may take to exit once asked.
const EXIT_WAIT: Duration = Duration::from_secs(60);
/// What SeaBIOS prints when it has tried every boot device.
const BOOT_END: &str = "No bootable device";
const TPM_ORD_PCR_READ: u32 = 0x15;
const TPM_ORD_PHYSICAL_ENABLE: u32 = 0x6F;
const TPM_ORD_PHYSICAL_SET_DEACTIVATED: u32 = 0x72;
const TSC_ORD_PHYSICAL_PRESENCE: u32 = 0x4000_000A;

/// True if QEMU is installed; otherwise says so loudly (and fails under CI).
fn have_qemu() -> bool {
    if Path::new(QEMU).exists() {
        return true;
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{QEMU} is missing (install Debian's qemu-system-x86)");
    }
    eprintln!("SKIPPED: {QEMU} is missing (install Debian's qemu-system-x86)");
    false
}

/// Polls `ready` every 100 ms until it holds; panics naming `what` after `limit`.
fn wait_until(what: &str, limit: Duration, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !ready() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Waits for a child to exit by itself.
fn wait_exit(child: &mut KillOnDrop, what: &str) -> ExitStatus {
    let mut status = None;
    wait_until(what, EXIT_WAIT, || {
        status = child.0.try_wait().unwrap();
        status.is_some()
    });
    status.unwrap()
}

/// A tpmd as libvirt starts swtpm for QEMU: state folder, unix control socket, a log of
/// every command (level 2). `side_door` adds a TCP data port, so the test can read PCRs
/// while QEMU holds the data channel it handed over with SET_DATAFD.
struct Vtpm {
    child: KillOnDrop,
    ctrl: PathBuf,
    log: PathBuf,
    data_port: Option<u16>,
}

impl Vtpm {
    fn start(dir: &Path, name: &str, side_door: bool) -> Self {
        let ctrl = dir.join(format!("{name}.ctrl"));
        let log = dir.join(format!("{name}.log"));
        let state = dir.join(format!("{name}-state"));
        let data_port = side_door.then(free_port);
        let mut cmd = Command::new(TPMD);
        cmd.arg("socket")
            .arg("--tpmstate")
            .arg(format!("dir={}", state.display()))
            .arg("--ctrl")
            .arg(format!("type=unixio,path={}", ctrl.display()))
            .arg("--log")
            .arg(format!("file={},level=2", log.display()))
            .env_remove("TPM_PORT")
            .stdin(Stdio::null());
        if let Some(port) = data_port {
            cmd.arg("--server").arg(format!("type=tcp,port={port}"));
        }
        let mut child = KillOnDrop(cmd.spawn().unwrap());
        wait_until("tpmd's control socket", VM_WAIT, || {
            assert!(child.0.try_wait().unwrap().is_none(), "tpmd exited early");
            ctrl.exists()
        });
        Self {
            child,
            ctrl,
            log,
            data_port,
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// PCRs 0-23 through the side door (TPM_PCRRead, Part 3, 16.2).
    fn pcrs(&self) -> Vec<[u8; 20]> {
        let port = self.data_port.expect("started with a side door");
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        (0u32..24)
            .map(|i| {
                let rsp = transact(&mut s, &command(TPM_ORD_PCR_READ, &i.to_be_bytes()));
                assert_eq!(rc(&rsp), 0, "TPM_PCRRead({i})");
                rsp[10..30].try_into().unwrap()
            })
            .collect()
    }
}

/// Enables and activates a fresh TPM in `state` as swtpm_bios does before a VM first
/// uses it (a fresh `tpmd socket` TPM is disabled and deactivated, and then refuses
/// TPM_PCRRead): physical presence by command, TPM_PhysicalEnable,
/// TPM_PhysicalSetDeactivated(FALSE).
fn manufacture(state: &Path) {
    let port = free_port();
    let mut tpmd = KillOnDrop(
        Command::new(TPMD)
            .arg("socket")
            .arg("--tpmstate")
            .arg(format!("dir={}", state.display()))
            .args(["--server", &format!("type=tcp,port={port}")])
            .args(["--flags", "not-need-init,startup-clear"])
            .stdin(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut s = None;
    wait_until("tpmd's data port", VM_WAIT, || {
        s = TcpStream::connect(("127.0.0.1", port)).ok();
        s.is_some()
    });
    let mut s = s.unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let pp = |bits: u16| command(TSC_ORD_PHYSICAL_PRESENCE, &bits.to_be_bytes());
    for (what, cmd) in [
        ("TSC_PhysicalPresence(CMD_ENABLE)", pp(0x20)),
        ("TSC_PhysicalPresence(PRESENT)", pp(0x08)),
        ("TPM_PhysicalEnable", command(TPM_ORD_PHYSICAL_ENABLE, &[])),
        (
            "TPM_PhysicalSetDeactivated(FALSE)",
            command(TPM_ORD_PHYSICAL_SET_DEACTIVATED, &[0]),
        ),
    ] {
        assert_eq!(rc(&transact(&mut s, &cmd)), 0, "{what}");
    }
    drop(s);
    let pid = nix::unistd::Pid::from_raw(tpmd.0.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    let status = wait_exit(&mut tpmd, "tpmd to exit on SIGTERM");
    assert!(status.success(), "tpmd: {status}");
}

/// A diskless SeaBIOS VM with a tpm-tis device on a tpmd's control socket, its serial
/// console in a file and QMP on a unix socket.
struct Vm {
    child: KillOnDrop,
    serial: PathBuf,
    qmp: BufReader<UnixStream>,
}

impl Vm {
    fn start(dir: &Path, name: &str, vtpm: &Vtpm, extra: &[&str]) -> Self {
        let serial = dir.join(format!("{name}.serial"));
        let qmp_path = dir.join(format!("{name}.qmp"));
        let child = Command::new(QEMU)
            .args(["-machine", "pc,accel=tcg", "-nodefaults", "-nographic"])
            .arg("-chardev")
            .arg(format!("socket,id=c,path={}", vtpm.ctrl.display()))
            .args(["-tpmdev", "emulator,id=t,chardev=c"])
            .args(["-device", "tpm-tis,tpmdev=t"])
            .arg("-serial")
            .arg(format!("file:{}", serial.display()))
            .arg("-qmp")
            .arg(format!("unix:{},server=on,wait=off", qmp_path.display()))
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mut child = KillOnDrop(child);
        let mut stream = None;
        wait_until("QEMU's QMP socket", VM_WAIT, || {
            assert!(child.0.try_wait().unwrap().is_none(), "QEMU exited early");
            stream = UnixStream::connect(&qmp_path).ok();
            stream.is_some()
        });
        let stream = stream.unwrap();
        stream.set_read_timeout(Some(VM_WAIT)).unwrap();
        let mut vm = Self {
            child,
            serial,
            qmp: BufReader::new(stream),
        };
        let greeting = vm.qmp_line();
        assert!(greeting.contains("\"QMP\""), "QMP greeting: {greeting}");
        vm.qmp("qmp_capabilities", "");
        vm
    }

    fn qmp_line(&mut self) -> String {
        let mut line = String::new();
        self.qmp.read_line(&mut line).unwrap();
        assert!(!line.is_empty(), "QMP connection closed");
        line
    }

    /// Runs a QMP command (`arguments` is a JSON object or empty) and returns its
    /// "return" line; events in between are skipped.
    fn qmp(&mut self, execute: &str, arguments: &str) -> String {
        let request = if arguments.is_empty() {
            format!("{{\"execute\": \"{execute}\"}}\n")
        } else {
            format!("{{\"execute\": \"{execute}\", \"arguments\": {arguments}}}\n")
        };
        self.qmp.get_mut().write_all(request.as_bytes()).unwrap();
        loop {
            let line = self.qmp_line();
            assert!(!line.contains("\"error\""), "QMP {execute}: {line}");
            if line.contains("\"return\"") {
                return line;
            }
        }
    }

    fn serial_text(&self) -> String {
        std::fs::read_to_string(&self.serial).unwrap_or_default()
    }

    /// Waits until SeaBIOS has given up booting `times` times since the VM started.
    fn wait_boot_end(&self, times: usize) {
        wait_until(&format!("SeaBIOS boot end #{times}"), VM_WAIT, || {
            self.serial_text().matches(BOOT_END).count() >= times
        });
    }

    /// Waits until the VM runs (e.g. an incoming migration completed).
    fn wait_running(&mut self) {
        let deadline = Instant::now() + VM_WAIT;
        while !self.qmp("query-status", "").contains("\"running\": true") {
            assert!(Instant::now() < deadline, "the VM never ran");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Migrates the VM into `file` (QMP migrate to "exec:cat > file") and waits for it.
    fn migrate_to(&mut self, file: &Path) {
        self.qmp(
            "migrate",
            &format!("{{\"uri\": \"exec:cat > {}\"}}", file.display()),
        );
        let deadline = Instant::now() + VM_WAIT;
        loop {
            let status = self.qmp("query-migrate", "");
            if status.contains("\"completed\"") {
                return;
            }
            assert!(!status.contains("\"failed\""), "migration failed: {status}");
            assert!(Instant::now() < deadline, "migration never completed");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// QMP quit, then waits for QEMU to exit.
    fn quit(mut self) {
        self.qmp
            .get_mut()
            .write_all(b"{\"execute\": \"quit\"}\n")
            .unwrap();
        wait_exit(&mut self.child, "QEMU to quit");
    }
}

/// The data-channel lines of a log (the control channel's start with "ctrl:").
fn tpm_command_lines(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| l.contains(" -> ") && !l.starts_with("ctrl:"))
        .collect()
}

/// Asserts that every TPM command SeaBIOS sent from the first INIT on succeeded, except
/// the TSC_PhysicalPresence(PRESENT) a fresh TPM answers TPM_BAD_PARAMETER (SeaBIOS then
/// enables the command and sends it again), and that its initialisation is all there.
fn assert_firmware_initialised(log: &str) {
    let from_init = &log[log.find("ctrl: INIT -> TPM_SUCCESS").expect("INIT")..];
    let lines = tpm_command_lines(from_init);
    for line in &lines {
        assert!(
            line.ends_with("-> TPM_SUCCESS")
                || *line == "TSC_ORD_PhysicalPresence -> TPM_BAD_PARAMETER",
            "a firmware command failed: {line}\n{log}"
        );
    }
    for wanted in [
        "TPM_ORD_Startup -> TPM_SUCCESS",
        "TPM_ORD_SelfTestFull -> TPM_SUCCESS",
        "TSC_ORD_ResetEstablishmentBit -> TPM_SUCCESS",
    ] {
        assert!(lines.contains(&wanted), "no `{wanted}` in\n{log}");
    }
    let extends = lines
        .iter()
        .filter(|l| **l == "TPM_ORD_Extend -> TPM_SUCCESS")
        .count();
    assert!(extends >= 8, "only {extends} PCR extends in\n{log}");
}

#[test]
fn seabios_initialises_the_tpm_and_system_reset_reinitialises_it() {
    if !have_qemu() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut vtpm = Vtpm::start(dir.path(), "tpm", false);
    let mut vm = Vm::start(dir.path(), "vm", &vtpm, &[]);
    vm.wait_boot_end(1);
    let boot = vtpm.log_text();
    for wanted in [
        "ctrl: SET_DATAFD -> TPM_SUCCESS",
        "ctrl: GET_CAPABILITY -> TPM_SUCCESS",
        "ctrl: SET_BUFFERSIZE -> TPM_SUCCESS",
    ] {
        assert!(boot.contains(wanted), "no `{wanted}` in\n{boot}");
    }
    assert_firmware_initialised(&boot);

    vm.qmp("system_reset", "");
    vm.wait_boot_end(2);
    let log = vtpm.log_text();
    let reset = &log[boot.len()..];
    let stop = reset
        .find("ctrl: STOP -> TPM_SUCCESS")
        .unwrap_or_else(|| panic!("no STOP after system_reset:\n{reset}"));
    assert!(
        reset[stop..].contains("ctrl: INIT -> TPM_SUCCESS"),
        "no INIT after STOP:\n{reset}"
    );
    assert_firmware_initialised(&reset[stop..]);

    vm.quit();
    let status = wait_exit(&mut vtpm.child, "tpmd to exit after QEMU's SHUTDOWN");
    assert!(status.success(), "tpmd: {status}");
    assert!(vtpm.log_text().contains("ctrl: SHUTDOWN -> TPM_SUCCESS"));
}

#[test]
fn migration_through_a_file_carries_the_pcrs() {
    if !have_qemu() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let migration = dir.path().join("vm.migration");

    manufacture(&dir.path().join("source-state"));
    let mut source_tpm = Vtpm::start(dir.path(), "source", true);
    let mut source = Vm::start(dir.path(), "source", &source_tpm, &[]);
    source.wait_boot_end(1);
    assert_firmware_initialised(&source_tpm.log_text());
    let before = source_tpm.pcrs();
    for (i, pcr) in before.iter().enumerate().take(8) {
        assert_ne!(*pcr, [0; 20], "SeaBIOS measured nothing into PCR {i}");
    }
    source.migrate_to(&migration);
    source.quit();
    let status = wait_exit(&mut source_tpm.child, "the source tpmd to exit");
    assert!(status.success(), "source tpmd: {status}");
    let source_log = source_tpm.log_text();
    assert_eq!(
        source_log
            .matches("ctrl: GET_STATEBLOB -> TPM_SUCCESS")
            .count(),
        3,
        "permanent, volatile and savestate blobs:\n{source_log}"
    );

    let dest_tpm = Vtpm::start(dir.path(), "dest", true);
    let incoming = format!("exec:cat {}", migration.display());
    let mut dest = Vm::start(dir.path(), "dest", &dest_tpm, &["-incoming", &incoming]);
    dest.wait_running();
    let dest_log = dest_tpm.log_text();
    let set = dest_log
        .find("ctrl: SET_STATEBLOB -> TPM_SUCCESS")
        .unwrap_or_else(|| panic!("no SET_STATEBLOB:\n{dest_log}"));
    assert!(
        dest_log[set..].contains("ctrl: INIT -> TPM_SUCCESS"),
        "no INIT after the state blobs:\n{dest_log}"
    );
    assert!(
        !dest_log.contains("TPM_ORD_Startup"),
        "the migrated guest does not start the TPM again:\n{dest_log}"
    );
    assert_eq!(dest_tpm.pcrs(), before, "PCRs after the migration");
    dest.quit();
}
