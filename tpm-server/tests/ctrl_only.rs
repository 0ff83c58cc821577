//! `tpmd socket` with a control channel and no `--server`, as libvirt starts swtpm for
//! QEMU: the data channel comes only through CMD_SET_DATAFD.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_possible_truncation
)]

mod common;

use common::*;
use std::io::Read;
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn starts_with_only_a_control_channel_and_serves_data_by_set_datafd() {
    let dir = tempfile::tempdir().unwrap();
    let ctrl_path = dir.path().join("ctrl.sock");
    let child = Command::new(TPMD)
        .args(["socket", "--backend", "mock", "--tpmstate"])
        .arg(format!("dir={}", dir.path().join("state").display()))
        .arg("--ctrl")
        .arg(format!("type=unixio,path={}", ctrl_path.display()))
        .env_remove("TPM_PORT")
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let mut tpmd = KillOnDrop(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut ctrl = loop {
        if let Ok(s) = UnixStream::connect(&ctrl_path) {
            break s;
        }
        assert!(
            tpmd.0.try_wait().unwrap().is_none(),
            "tpmd exited instead of serving the control channel"
        );
        assert!(Instant::now() < deadline, "tpmd did not start");
        std::thread::sleep(Duration::from_millis(20));
    };
    ctrl.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let (mut ours, theirs) = UnixStream::pair().unwrap();
    tpm_server::fdpass::send_with_fd(&ctrl, &[0, 0, 0, 0x10], theirs.as_raw_fd()).unwrap();
    drop(theirs);
    let mut rsp = [0u8; 4];
    ctrl.read_exact(&mut rsp).unwrap();
    assert_eq!(rsp, [0; 4], "SET_DATAFD");
    assert_eq!(
        ctrl_request(&mut ctrl, &[0, 0, 0, 2, 0, 0, 0, 0], 4),
        [0; 4],
        "INIT"
    );
    ours.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let rsp = transact(&mut ours, &command(0x46, &[0, 0, 0, 4]));
    assert_eq!(rc(&rsp), 0);
    assert_eq!(
        ctrl_request(&mut ctrl, &[0, 0, 0, 3], 4),
        [0; 4],
        "SHUTDOWN"
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = tpmd.0.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "tpmd did not exit");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success());
}
