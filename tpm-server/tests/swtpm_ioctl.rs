//! Debian's swtpm_ioctl against tpmd (mock backend): every option of the acceptance list.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_possible_truncation
)]

mod common;

use common::*;
use std::process::Command;

#[test]
fn swtpm_ioctl_drives_every_control_command() {
    if !have_tool(SWTPM_IOCTL) {
        return;
    }
    let tpmd = Tpmd::socket(&[]);
    assert!(tpmd.ioctl_ok(&["-c"]).contains("ptm capability is 0x17fff"));
    // not running yet: established needs a running TPM
    assert!(!tpmd.ioctl(&["-e"]).0);
    tpmd.ioctl_ok(&["-i"]);
    assert!(tpmd.ioctl_ok(&["-e"]).contains("tpmEstablished is 0"));
    tpmd.ioctl_ok(&["-h", "measured kernel"]);
    assert!(tpmd.ioctl_ok(&["-e"]).contains("tpmEstablished is 1"));
    let (ok, text) = tpmd.ioctl(&["-r", "0"]);
    assert!(!ok && text.contains("0x3d"), "{text}");
    tpmd.ioctl_ok(&["-r", "3"]);
    assert!(tpmd.ioctl_ok(&["-e"]).contains("tpmEstablished is 0"));
    tpmd.ioctl_ok(&["-l", "4"]);
    tpmd.ioctl_ok(&["-v"]);
    tpmd.ioctl_ok(&["-C"]);
    assert!(tpmd
        .ioctl_ok(&["-g"])
        .contains("ptm configuration flags: 0x0"));
    assert!(tpmd.ioctl_ok(&["-b", "0"]).contains("TPM buffersize: 4096"));
    // setting the buffer size needs a stopped TPM
    assert!(!tpmd.ioctl(&["-b", "3072"]).0);
    tpmd.ioctl_ok(&["--stop"]);
    assert!(tpmd
        .ioctl_ok(&["-b", "3072"])
        .contains("TPM buffersize: 3072"));
    tpmd.ioctl_ok(&["-i"]);
    assert!(tpmd
        .ioctl_ok(&["--info", "1"])
        .contains("\"family\":\"1.2\""));
}

#[test]
fn swtpm_ioctl_over_tcp_control_channel() {
    if !have_tool(SWTPM_IOCTL) {
        return;
    }
    let port = free_port();
    let tpmd = Tpmd::socket(&["--ctrl", &format!("type=tcp,port={port}")]);
    let _ = &tpmd;
    let mut ok = false;
    for _ in 0..100 {
        let out = Command::new(SWTPM_IOCTL)
            .args(["--tcp", &format!("127.0.0.1:{port}"), "-c"])
            .output()
            .unwrap();
        if out.status.success() {
            assert!(String::from_utf8_lossy(&out.stdout).contains("0x17fff"));
            ok = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(ok, "swtpm_ioctl --tcp never succeeded");
}

#[test]
fn swtpm_ioctl_shutdown_ends_tpmd_with_status_zero() {
    if !have_tool(SWTPM_IOCTL) {
        return;
    }
    let mut tpmd = Tpmd::socket(&["--flags", "not-need-init"]);
    let mut data = tpmd.data();
    assert_eq!(rc(&transact(&mut data, &command(0x46, &[0, 0, 0, 4]))), 0);
    tpmd.ioctl_ok(&["-s"]);
    assert!(tpmd.wait_exit().success());
    assert!(tpmd.state_dir().join("tpm-permanent.state").exists());
    assert!(
        !tpmd.ctrl_path.exists(),
        "the control socket is removed at exit"
    );
}

/// Saves all three blobs from one tpmd and loads them into another, both with the same
/// migration key; the second one's permanent state then equals the first one's.
#[test]
fn state_blobs_migrate_between_two_tpmd_with_migration_key() {
    if !have_tool(SWTPM_IOCTL) {
        return;
    }
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("mig.key");
    std::fs::write(&key, "0x00112233445566778899aabbccddeeff\n").unwrap();
    let mig = format!("file={}", key.display());
    let src = Tpmd::socket(&["--flags", "not-need-init", "--migration-key", &mig]);
    assert!(src.ioctl_ok(&["-g"]).contains("0x2"));
    let mut data = src.data();
    for _ in 0..3 {
        assert_eq!(rc(&transact(&mut data, &command(0x46, &[0, 0, 0, 1]))), 0);
    }
    src.ioctl_ok(&["-v"]);
    let out = tempfile::tempdir().unwrap();
    let file = |t: &str| out.path().join(t).display().to_string();
    for t in ["permanent", "volatile", "savestate"] {
        src.ioctl_ok(&["--save", t, &file(t)]);
    }
    let permanent = std::fs::read(file("permanent")).unwrap();
    assert_eq!(&permanent[..4], [2, 1, 0, 10], "swtpm-style blob header");
    assert!(!permanent.windows(8).any(|w| w == b"MOCKPERM"), "encrypted");

    let dst = Tpmd::socket(&["--migration-key", &mig]);
    dst.ioctl_ok(&["-i"]);
    dst.ioctl_ok(&["--stop"]);
    for t in ["permanent", "volatile", "savestate"] {
        dst.ioctl_ok(&["--load", t, &file(t)]);
    }
    dst.ioctl_ok(&["-i"]);
    dst.ioctl_ok(&["--save", "permanent", &file("again")]);
    let key = tpm_server::keys::KeyMaterial::new(
        tpm_core::Cipher::Aes128Cbc,
        &[
            0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd,
            0xee, 0xff,
        ],
    );
    let open = |p: &str| {
        tpm_server::blob::open(&std::fs::read(file(p)).unwrap(), None, Some(&key)).unwrap()
    };
    assert_eq!(*open("again"), *open("permanent"));
    assert_eq!(&open("permanent")[8..16], 3u64.to_be_bytes());
}

/// The same with the engine and no migration key: its permanent state (tpmEstablished set
/// by a DRTM hash sequence) arrives intact.
#[test]
fn engine_state_blobs_migrate_between_two_tpmd() {
    if !have_tool(SWTPM_IOCTL) {
        return;
    }
    let flags = [
        "--backend",
        "engine",
        "--flags",
        "not-need-init,startup-clear",
    ];
    let src = Tpmd::socket(&flags);
    src.ioctl_ok(&["-h", "drtm"]);
    src.ioctl_ok(&["-v"]);
    let out = tempfile::tempdir().unwrap();
    let file = |t: &str| out.path().join(t).display().to_string();
    for t in ["permanent", "volatile", "savestate"] {
        src.ioctl_ok(&["--save", t, &file(t)]);
    }
    let dst = Tpmd::socket(&["--backend", "engine"]);
    assert!(!dst.ioctl(&["-e"]).0, "not running yet");
    for t in ["permanent", "volatile", "savestate"] {
        dst.ioctl_ok(&["--load", t, &file(t)]);
    }
    dst.ioctl_ok(&["-i"]);
    assert!(dst.ioctl_ok(&["-e"]).contains("tpmEstablished is 1"));
    dst.ioctl_ok(&["--save", "permanent", &file("again")]);
    assert_eq!(
        std::fs::read(file("again")).unwrap(),
        std::fs::read(file("permanent")).unwrap()
    );
}

#[test]
fn load_refuses_blob_under_another_migration_key_and_while_running() {
    if !have_tool(SWTPM_IOCTL) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let k1 = dir.path().join("k1");
    let k2 = dir.path().join("k2");
    std::fs::write(&k1, "pass one").unwrap();
    std::fs::write(&k2, "pass two").unwrap();
    let src = Tpmd::socket(&[
        "--flags",
        "not-need-init",
        "--migration-key",
        &format!("pwdfile={}", k1.display()),
    ]);
    let blob = dir.path().join("p.blob");
    src.ioctl_ok(&["--save", "permanent", &blob.display().to_string()]);
    let dst = Tpmd::socket(&[
        "--flags",
        "not-need-init",
        "--migration-key",
        &format!("pwdfile={},kdf=sha512", k2.display()),
    ]);
    let (ok, text) = dst.ioctl(&["--load", "permanent", &blob.display().to_string()]);
    assert!(
        !ok && text.contains("0xa"),
        "running TPM must refuse: {text}"
    );
    dst.ioctl_ok(&["--stop"]);
    let (ok, text) = dst.ioctl(&["--load", "permanent", &blob.display().to_string()]);
    assert!(
        !ok && text.contains("0x21"),
        "wrong key must refuse: {text}"
    );
}

/// swtpm_bios (plain, `-u`, `-cs`) against tpmd with the engine, each on a fresh TPM.
#[test]
fn swtpm_bios_brings_up_the_tpm() {
    if !have_tool(SWTPM_BIOS) {
        return;
    }
    for extra in [&[][..], &["-u"], &["-cs"]] {
        let port = free_port();
        let ctrl = free_port();
        let dir = tempfile::tempdir().unwrap();
        let _tpmd = KillOnDrop(
            Command::new(TPMD)
                .args([
                    "socket",
                    "--tpmstate",
                    &format!("dir={}", dir.path().display()),
                    "--server",
                    &format!("type=tcp,port={port}"),
                    "--ctrl",
                    &format!("type=tcp,port={ctrl}"),
                    "--flags",
                    "not-need-init",
                ])
                .spawn()
                .unwrap(),
        );
        std::thread::sleep(std::time::Duration::from_millis(500));
        let status = Command::new(SWTPM_BIOS)
            .args(["--tcp", &format!("127.0.0.1:{port}")])
            .args(extra)
            .status()
            .unwrap();
        assert!(status.success(), "swtpm_bios {extra:?}: {status}");
    }
}
