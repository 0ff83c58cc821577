//! The state folder (lock, key, corrupt files) and the process (signals, pid file,
//! capabilities, the newcomer default) of the real tpmd.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_possible_truncation
)]

mod common;

use common::*;
use std::process::{Command, Stdio};
use std::time::Duration;

fn run_to_end(args: &[&str]) -> (bool, String) {
    let out = Command::new(TPMD)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn print_capabilities_says_tpm_1_2() {
    let (ok, text) = run_to_end(&["socket", "--print-capabilities"]);
    assert!(ok);
    assert!(text.contains("\"features\": [ \"tpm-1.2\""), "{text}");
    assert!(text.contains("\"type\": \"swtpm\""));
}

#[test]
fn version_and_help_work() {
    let (ok, text) = run_to_end(&["--version"]);
    assert!(ok && text.starts_with("tpmd "), "{text}");
    let (ok, text) = run_to_end(&["socket", "--help"]);
    assert!(ok && text.contains("--tpmstate") && text.contains("--migration-key"));
}

#[test]
fn unsupported_options_fail_clearly() {
    let (ok, text) = run_to_end(&["socket", "--tpm2", "--tpmstate", "dir=/tmp/x"]);
    assert!(!ok && text.contains("TPM 1.2"), "{text}");
    let (ok, text) = run_to_end(&["socket", "--tpmstate", "dir=/tmp/x"]);
    assert!(!ok && text.contains("--ctrl"), "{text}");
    let (ok, text) = run_to_end(&["cuse"]);
    assert!(!ok && text.contains("not supported"), "{text}");
    let (ok, text) = run_to_end(&["socket", "--tpmstate", "dir=/tmp/x", "--server", "type=udp"]);
    assert!(!ok && text.contains("unknown type"), "{text}");
    let (ok, text) = run_to_end(&[
        "socket",
        "--tpmstate",
        "dir=/tmp/x",
        "--server",
        "port=0",
        "--flags",
        "bogus",
    ]);
    assert!(!ok && text.contains("unknown parameter 'bogus'"), "{text}");
}

#[test]
fn second_tpmd_on_the_same_state_folder_is_refused() {
    let first = Tpmd::socket(&[]);
    let state = format!("dir={}", first.state_dir().display());
    let (ok, text) = run_to_end(&[
        "socket",
        "--backend",
        "mock",
        "--tpmstate",
        &state,
        "--server",
        "type=tcp,port=0",
    ]);
    assert!(!ok && text.contains("locked"), "{text}");
}

#[test]
fn key_encrypts_state_and_wrong_key_stops_tpmd_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.key");
    let bad = dir.path().join("bad.key");
    std::fs::write(&good, [1u8; 32]).unwrap();
    std::fs::write(&bad, [2u8; 32]).unwrap();
    let key = |p: &std::path::Path| format!("file={},format=binary,mode=aes-256-cbc", p.display());
    let mut tpmd = Tpmd::socket(&["--flags", "not-need-init", "--key", &key(&good)]);
    let config = ctrl_request(&mut tpmd.ctrl(), &[0, 0, 0, 0x0F], 8);
    assert_eq!(config[4..], [0, 0, 0, 1], "GET_CONFIG: file key in use");
    let state = tpmd.state_dir();
    let mut data = tpmd.data();
    assert_eq!(rc(&transact(&mut data, &command(0x46, &[0, 0, 0, 1]))), 0);
    drop(data);
    terminate(&tpmd);
    assert!(tpmd.wait_exit().success());
    let file = state.join("tpm-permanent.state");
    let raw = std::fs::read(&file).unwrap();
    assert!(
        !raw.windows(8).any(|w| w == b"MOCKPERM"),
        "encrypted on disk"
    );
    let dirarg = format!("dir={}", state.display());
    let (ok, text) = run_to_end(&[
        "socket",
        "--backend",
        "mock",
        "--tpmstate",
        &dirarg,
        "--server",
        "type=tcp,port=0",
        "--key",
        &key(&bad),
    ]);
    assert!(!ok && text.contains("tpm-permanent.state"), "{text}");
}

#[test]
fn corrupt_state_file_stops_tpmd_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    std::fs::create_dir(&state).unwrap();
    std::fs::write(state.join("tpm-volatile.state"), b"garbage").unwrap();
    let dirarg = format!("dir={}", state.display());
    let (ok, text) = run_to_end(&[
        "socket",
        "--backend",
        "mock",
        "--tpmstate",
        &dirarg,
        "--server",
        "type=tcp,port=0",
    ]);
    assert!(!ok && text.contains("tpm-volatile.state"), "{text}");
}

#[test]
fn sigterm_saves_state_and_removes_the_pid_file() {
    let dir = tempfile::tempdir().unwrap();
    let pid = dir.path().join("tpmd.pid");
    let pidarg = format!("file={}", pid.display());
    let mut tpmd = Tpmd::socket_in(dir, &["--flags", "not-need-init", "--pid", &pidarg]);
    let text = std::fs::read_to_string(&pid).unwrap();
    assert_eq!(text.trim(), tpmd.child.id().to_string());
    let mut data = tpmd.data();
    for _ in 0..2 {
        assert_eq!(rc(&transact(&mut data, &command(0x46, &[0, 0, 0, 1]))), 0);
    }
    terminate(&tpmd);
    assert!(tpmd.wait_exit().success());
    assert!(!pid.exists());
    let blob = std::fs::read(tpmd.state_dir().join("tpm-permanent.state")).unwrap();
    let at = blob.windows(8).position(|w| w == b"MOCKPERM").unwrap();
    assert_eq!(blob[at + 8..at + 16], 2u64.to_be_bytes());
}

#[test]
fn default_mode_serves_an_initialised_tpm_and_logs_each_command() {
    let dir = tempfile::tempdir().unwrap();
    let (data_port, ctrl_port) = (free_port(), free_port());
    let log = dir.path().join("log");
    let child = Command::new(TPMD)
        .current_dir(dir.path())
        .args(["--backend", "mock", "--log"])
        .arg(format!("file={},level=2", log.display()))
        .args(["--server", &format!("port={data_port}")])
        .args(["--ctrl", &format!("type=tcp,port={ctrl_port}")])
        .spawn()
        .unwrap();
    let _guard = KillOnDrop(child);
    let mut data = None;
    for _ in 0..200 {
        if let Ok(s) = std::net::TcpStream::connect(("127.0.0.1", data_port)) {
            data = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut data = data.unwrap();
    data.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    // no INIT was sent: the server initialised and started the TPM itself
    assert_eq!(rc(&transact(&mut data, &command(0x46, &[0, 0, 0, 1]))), 0);
    std::thread::sleep(Duration::from_millis(100));
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("TPM_ORD_GetRandom -> TPM_SUCCESS"), "{text}");
    assert!(
        dir.path().join("tpm-state").is_dir(),
        "state in ./tpm-state"
    );
}

fn terminate(tpmd: &Tpmd) {
    let pid = nix::unistd::Pid::from_raw(i32::try_from(tpmd.child.id()).unwrap());
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
}

#[test]
fn daemon_mode_detaches_and_writes_the_daemon_pid() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("pid");
    let port = free_port();
    let status = Command::new(TPMD)
        .args([
            "socket",
            "--backend",
            "mock",
            "-d",
            "--flags",
            "not-need-init",
        ])
        .arg("--tpmstate")
        .arg(format!("dir={}", dir.path().join("state").display()))
        .args(["--server", &format!("port={port}")])
        .arg("--pid")
        .arg(format!("file={}", pid_file.display()))
        .status()
        .unwrap();
    assert!(status.success(), "the parent returns at once");
    let mut pid = None;
    for _ in 0..200 {
        if let Some(p) = std::fs::read_to_string(&pid_file)
            .ok()
            .and_then(|t| t.trim().parse::<i32>().ok())
        {
            pid = Some(p);
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = nix::unistd::Pid::from_raw(pid.unwrap());
    let mut data = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    data.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    assert_eq!(rc(&transact(&mut data, &command(0x46, &[0, 0, 0, 1]))), 0);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    for _ in 0..200 {
        if !pid_file.exists() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("the daemon did not exit on SIGTERM");
}

#[test]
fn proxy_relays_to_a_device_stand_in() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let device = dir.path().join("tpm0");
    let listener = std::os::unix::net::UnixListener::bind(&device).unwrap();
    let fake = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        for _ in 0..2 {
            let mut cmd = [0u8; 14];
            s.read_exact(&mut cmd).unwrap();
            let mut rsp = vec![0, 0xC4, 0, 0, 0, 14, 0, 0, 0, 0];
            rsp.extend_from_slice(&cmd[10..]);
            s.write_all(&rsp).unwrap();
        }
    });
    let port = free_port();
    let _proxy = KillOnDrop(
        Command::new(TPMD)
            .args(["proxy", "--device"])
            .arg(&device)
            .args(["--server", &format!("type=tcp,port={port}")])
            .spawn()
            .unwrap(),
    );
    let mut conn = None;
    for _ in 0..200 {
        if let Ok(s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            conn = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut c = conn.unwrap();
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    for n in [5u8, 9] {
        let rsp = transact(&mut c, &command(0x46, &[0, 0, 0, n]));
        assert_eq!(rsp, [0, 0xC4, 0, 0, 0, 14, 0, 0, 0, 0, 0, 0, 0, n]);
    }
    fake.join().unwrap();
}
