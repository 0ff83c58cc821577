//! The data channel of the real tpmd (mock backend) over raw sockets.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_possible_truncation
)]

mod common;

use common::*;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::time::Duration;

const GET_RANDOM: u32 = 0x46;

#[test]
fn commands_before_init_get_tpm_fail() {
    let tpmd = Tpmd::socket(&[]);
    let mut data = tpmd.data();
    let rsp = transact(&mut data, &command(GET_RANDOM, &[0, 0, 0, 8]));
    assert_eq!(rsp, [0, 0xC4, 0, 0, 0, 10, 0, 0, 0, 9]);
    // after INIT on the control channel the same connection works
    let mut ctrl = tpmd.ctrl();
    assert_eq!(
        ctrl_request(&mut ctrl, &[0, 0, 0, 2, 0, 0, 0, 0], 4),
        [0; 4]
    );
    let rsp = transact(&mut data, &command(GET_RANDOM, &[0, 0, 0, 8]));
    assert_eq!(rc(&rsp), 0);
    assert_eq!(&rsp[10..], [0, 0, 0, 8]);
}

#[test]
fn answers_tpm2_probe_with_tpm12_tagged_error() {
    let tpmd = Tpmd::socket(&["--flags", "not-need-init"]);
    let mut data = tpmd.data();
    let read_clock = [0x80, 0x01, 0, 0, 0, 10, 0, 0, 0x01, 0x81];
    let rsp = transact(&mut data, &read_clock);
    assert_eq!(&rsp[..2], [0, 0xC4]);
    assert_ne!(rc(&rsp), 0);
}

#[test]
fn assembles_a_command_split_across_writes() {
    let tpmd = Tpmd::socket(&["--flags", "not-need-init"]);
    let mut data = tpmd.data();
    let cmd = command(GET_RANDOM, &[0, 0, 0, 20]);
    for byte in &cmd {
        data.write_all(&[*byte]).unwrap();
        std::thread::sleep(Duration::from_millis(2));
    }
    let rsp = read_response(&mut data);
    assert_eq!(rc(&rsp), 0);
    assert_eq!(&rsp[10..], [0, 0, 0, 20]);
}

#[test]
fn bad_param_size_gets_error_and_connection_stays_usable() {
    let tpmd = Tpmd::socket(&["--flags", "not-need-init"]);
    let mut data = tpmd.data();
    let rsp = transact(&mut data, &[0, 0xC1, 0, 0, 0, 6, 0, 0, 0, 0x46]);
    assert_eq!(rsp, [0, 0xC4, 0, 0, 0, 10, 0, 0, 0, 0x19]);
    let rsp = transact(&mut data, &[0, 0xC1, 0, 0, 0x20, 0, 0, 0, 0, 0x46]);
    assert_eq!(rsp, [0, 0xC4, 0, 0, 0, 10, 0, 0, 0, 0x17]);
    std::thread::sleep(Duration::from_millis(100));
    let rsp = transact(&mut data, &command(GET_RANDOM, &[0, 0, 0, 1]));
    assert_eq!(rc(&rsp), 0);
}

#[test]
fn stalled_client_does_not_block_others() {
    let tpmd = Tpmd::socket(&["--flags", "not-need-init"]);
    let mut stalled = tpmd.data();
    let cmd = command(GET_RANDOM, &[0, 0, 0, 1]);
    stalled.write_all(&cmd[..7]).unwrap();
    let mut other = tpmd.data();
    for _ in 0..20 {
        assert_eq!(rc(&transact(&mut other, &cmd)), 0);
    }
    stalled.write_all(&cmd[7..]).unwrap();
    assert_eq!(rc(&read_response(&mut stalled)), 0);
}

/// tcsd opens a new connection per command, reads the response with one read(), and
/// leaves the old connection open.
#[test]
fn serves_tcsd_pattern_of_one_connection_per_command() {
    let tpmd = Tpmd::socket(&["--flags", "not-need-init"]);
    let mut kept = Vec::new();
    for i in 0..10u8 {
        let mut c = tpmd.data();
        c.write_all(&command(GET_RANDOM, &[0, 0, 0, i])).unwrap();
        let mut buf = [0u8; 2048];
        let n = c.read(&mut buf).unwrap();
        assert_eq!(n, 14, "the whole response in one read");
        assert_eq!(buf[13], i);
        kept.push(c);
    }
}

#[test]
fn port_option_closes_after_each_response() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let _child = KillOnDrop(
        std::process::Command::new(TPMD)
            .args([
                "socket",
                "--backend",
                "mock",
                "--flags",
                "not-need-init",
                "-p",
            ])
            .arg(port.to_string())
            .arg("--tpmstate")
            .arg(format!("dir={}", dir.path().display()))
            .spawn()
            .unwrap(),
    );
    let mut conn = None;
    for _ in 0..200 {
        if let Ok(c) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            conn = Some(c);
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut c = conn.unwrap();
    c.write_all(&command(GET_RANDOM, &[0, 0, 0, 2])).unwrap();
    let mut all = Vec::new();
    c.read_to_end(&mut all).unwrap();
    assert_eq!(all.len(), 14);
}

#[test]
fn unix_socket_data_channel() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.sock");
    let server = format!("type=unixio,path={},mode=0600", path.display());
    let _child = KillOnDrop(
        std::process::Command::new(TPMD)
            .args([
                "socket",
                "--backend",
                "mock",
                "--flags",
                "not-need-init",
                "--server",
                &server,
            ])
            .arg("--tpmstate")
            .arg(format!("dir={}", dir.path().join("st").display()))
            .spawn()
            .unwrap(),
    );
    let mut c = None;
    for _ in 0..200 {
        if let Ok(s) = UnixStream::connect(&path) {
            c = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut c = c.unwrap();
    assert_eq!(
        rc(&transact(&mut c, &command(GET_RANDOM, &[0, 0, 0, 3]))),
        0
    );
}

/// QEMU's start: SET_DATAFD with one end of a socketpair, then the TPM 1.2 probe on it.
#[test]
fn set_datafd_serves_a_socketpair_and_refuses_a_second() {
    let tpmd = Tpmd::socket(&[]);
    let mut ctrl = tpmd.ctrl();
    let (mut ours, theirs) = UnixStream::pair().unwrap();
    tpm_server::fdpass::send_with_fd(&ctrl, &[0, 0, 0, 0x10], theirs.as_raw_fd()).unwrap();
    drop(theirs);
    let mut rsp = [0u8; 4];
    ctrl.read_exact(&mut rsp).unwrap();
    assert_eq!(rsp, [0; 4]);
    let (_a, b) = UnixStream::pair().unwrap();
    tpm_server::fdpass::send_with_fd(&ctrl, &[0, 0, 0, 0x10], b.as_raw_fd()).unwrap();
    ctrl.read_exact(&mut rsp).unwrap();
    assert_eq!(
        u32::from_be_bytes(rsp),
        0x1F,
        "TPM_IOERROR: a data fd exists"
    );
    // QEMU's sequence on the control channel
    assert_eq!(
        ctrl_request(&mut ctrl, &[0, 0, 0, 1], 8),
        [0, 0, 0, 0, 0, 1, 0x7F, 0xFF]
    );
    assert_eq!(ctrl_request(&mut ctrl, &[0, 0, 0, 0x0E], 4), [0; 4]);
    let sizes = ctrl_request(&mut ctrl, &[0, 0, 0, 0x11, 0, 0, 0, 0], 16);
    assert_eq!(u32_at(&sizes, 4), 4096);
    assert_eq!(
        ctrl_request(&mut ctrl, &[0, 0, 0, 2, 0, 0, 0, 0], 4),
        [0; 4]
    );
    let est = ctrl_request(&mut ctrl, &[0, 0, 0, 4], 8);
    assert_eq!(est, [0; 8]);
    assert_eq!(
        ctrl_request(&mut ctrl, &[0, 0, 0, 5, 3, 0, 0, 0], 4),
        [0; 4]
    );
    ours.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let rsp = transact(&mut ours, &command(0xF1, &[]));
    assert_eq!(&rsp[..2], [0, 0xC4]);
    assert_eq!(rc(&rsp), 0);
}

#[test]
fn terminate_flag_exits_when_the_data_connection_closes() {
    let mut tpmd = Tpmd::socket(&["--flags", "not-need-init", "-t"]);
    let mut data = tpmd.data();
    assert_eq!(
        rc(&transact(&mut data, &command(GET_RANDOM, &[0, 0, 0, 1]))),
        0
    );
    drop(data);
    assert!(tpmd.wait_exit().success());
}

/// libvirt and QEMU run swtpm with a control socket only: the data channel is the
/// socketpair end that SET_DATAFD hands over.
#[test]
fn control_socket_alone_serves_data_through_set_datafd() {
    let dir = tempfile::tempdir().unwrap();
    let ctrl_path = dir.path().join("ctrl.sock");
    let _tpmd = KillOnDrop(
        std::process::Command::new(TPMD)
            .args(["socket", "--backend", "mock", "--tpmstate"])
            .arg(format!("dir={}", dir.path().join("state").display()))
            .arg("--ctrl")
            .arg(format!("type=unixio,path={}", ctrl_path.display()))
            .spawn()
            .unwrap(),
    );
    let mut ctrl = None;
    for _ in 0..200 {
        if let Ok(s) = UnixStream::connect(&ctrl_path) {
            ctrl = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut ctrl = ctrl.unwrap();
    ctrl.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let (mut ours, theirs) = UnixStream::pair().unwrap();
    tpm_server::fdpass::send_with_fd(&ctrl, &[0, 0, 0, 0x10], theirs.as_raw_fd()).unwrap();
    drop(theirs);
    let mut rsp = [0u8; 4];
    ctrl.read_exact(&mut rsp).unwrap();
    assert_eq!(rsp, [0; 4]);
    assert_eq!(
        ctrl_request(&mut ctrl, &[0, 0, 0, 2, 0, 0, 0, 0], 4),
        [0; 4]
    );
    ours.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    assert_eq!(
        rc(&transact(&mut ours, &command(GET_RANDOM, &[0, 0, 0, 2]))),
        0
    );
}
