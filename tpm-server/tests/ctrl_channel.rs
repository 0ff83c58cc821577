//! The control channel of the real tpmd (mock backend) with raw requests: the documented
//! errors for malformed requests, and the stream staying in step.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_possible_truncation
)]

mod common;

use common::*;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

const BAD_PARAMETER: [u8; 4] = [0, 0, 0, 0x03];
const BAD_ORDINAL: [u8; 4] = [0, 0, 0, 0x0A];
const BAD_LOCALITY: [u8; 4] = [0, 0, 0, 0x3D];
const FAIL: [u8; 4] = [0, 0, 0, 0x09];
const OK: [u8; 4] = [0; 4];

#[test]
fn unknown_command_is_bad_ordinal() {
    let tpmd = Tpmd::socket(&[]);
    let mut c = tpmd.ctrl();
    assert_eq!(ctrl_request(&mut c, &[0, 0, 0, 0x99], 4), BAD_ORDINAL);
    assert_eq!(ctrl_request(&mut c, &[0, 0, 0, 0x0F], 8), [0; 8]);
}

#[test]
fn commands_needing_a_running_tpm_are_bad_ordinal_while_stopped() {
    let tpmd = Tpmd::socket(&[]);
    let mut c = tpmd.ctrl();
    for cmd in [0x04u8, 0x06, 0x08, 0x09, 0x0A] {
        assert_eq!(
            ctrl_request(&mut c, &[0, 0, 0, cmd], 4),
            BAD_ORDINAL,
            "cmd {cmd}"
        );
    }
    assert_eq!(ctrl_request(&mut c, &[0, 0, 0, 0x0B, 3], 4), BAD_ORDINAL);
    assert_eq!(
        ctrl_request(
            &mut c,
            &[0, 0, 0, 0x0C, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0],
            4
        ),
        BAD_ORDINAL
    );
}

#[test]
fn extra_bytes_on_a_write_only_command_are_bad_parameter() {
    let tpmd = Tpmd::socket(&[]);
    let mut c = tpmd.ctrl();
    assert_eq!(ctrl_request(&mut c, &[0, 0, 0, 0x0E, 1], 4), BAD_PARAMETER);
    assert_eq!(
        ctrl_request(&mut c, &[0, 0, 0, 0x02, 0, 0, 0, 0, 0], 4),
        BAD_PARAMETER
    );
}

#[test]
fn truncated_request_times_out_as_bad_parameter() {
    let tpmd = Tpmd::socket(&[]);
    let mut c = tpmd.ctrl();
    let start = Instant::now();
    assert_eq!(
        ctrl_request(&mut c, &[0, 0, 0, 0x02, 0, 0], 4),
        BAD_PARAMETER
    );
    assert!(start.elapsed() >= Duration::from_millis(400));
    assert_eq!(ctrl_request(&mut c, &[0, 0, 0, 0x02, 0, 0, 0, 0], 4), OK);
}

#[test]
fn set_locality_checks_range_and_accepts_qemu_padding() {
    let tpmd = Tpmd::socket(&["--locality", "reject-locality-4"]);
    let mut c = tpmd.ctrl();
    assert_eq!(ctrl_request(&mut c, &[0, 0, 0, 0x05, 5], 4), BAD_LOCALITY);
    assert_eq!(
        ctrl_request(&mut c, &[0, 0, 0, 0x05, 4, 0, 0, 0], 4),
        BAD_LOCALITY
    );
    assert_eq!(ctrl_request(&mut c, &[0, 0, 0, 0x05, 3, 0, 0, 0], 4), OK);
    assert_eq!(ctrl_request(&mut c, &[0, 0, 0, 0x0B, 7], 4), BAD_ORDINAL);
    assert_eq!(ctrl_request(&mut c, &[0, 0, 0, 0x02, 0, 0, 0, 0], 4), OK);
    assert_eq!(ctrl_request(&mut c, &[0, 0, 0, 0x0B, 7], 4), BAD_LOCALITY);
}

#[test]
fn set_stateblob_while_running_consumes_its_data_and_stays_in_step() {
    let tpmd = Tpmd::socket(&["--flags", "not-need-init"]);
    let mut c = tpmd.ctrl();
    let mut req = vec![0, 0, 0, 0x0D, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0x10, 0];
    c.write_all(&req).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    req = vec![0xEE; 0x1000];
    c.write_all(&req).unwrap();
    let mut rsp = [0u8; 4];
    c.read_exact(&mut rsp).unwrap();
    assert_eq!(rsp, BAD_ORDINAL);
    assert_eq!(
        ctrl_request(&mut c, &[0, 0, 0, 0x01], 8)[4..],
        [0, 1, 0x7F, 0xFF]
    );
}

#[test]
fn oversized_state_blob_is_refused() {
    let tpmd = Tpmd::socket(&[]);
    let mut c = tpmd.ctrl();
    let rsp = ctrl_request(
        &mut c,
        &[0, 0, 0, 0x0D, 0, 0, 0, 0, 0, 0, 0, 1, 0, 8, 0, 1],
        4,
    );
    assert_eq!(rsp, FAIL);
}

#[test]
fn garbage_state_blob_is_bad_parameter() {
    let tpmd = Tpmd::socket(&[]);
    let mut c = tpmd.ctrl();
    let mut req = vec![0, 0, 0, 0x0D, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 5];
    req.extend_from_slice(b"junk!");
    assert_eq!(ctrl_request(&mut c, &req, 4), BAD_PARAMETER);
    // an unknown blob type
    let req = [0, 0, 0, 0x0D, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0];
    assert_eq!(ctrl_request(&mut c, &req, 4), BAD_PARAMETER);
}

#[test]
fn get_stateblob_of_unknown_type_fails_with_full_header() {
    let tpmd = Tpmd::socket(&["--flags", "not-need-init"]);
    let mut c = tpmd.ctrl();
    let rsp = ctrl_request(
        &mut c,
        &[0, 0, 0, 0x0C, 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 0],
        16,
    );
    assert_eq!(rsp[..4], FAIL);
    assert_eq!(rsp[4..], [0; 12]);
}

#[test]
fn get_info_rejects_offset_beyond_text() {
    let tpmd = Tpmd::socket(&[]);
    let mut c = tpmd.ctrl();
    let mut req = vec![0, 0, 0, 0x12, 0, 0, 0, 0, 0, 0, 0, 1];
    req.extend_from_slice(&[0, 0, 0x10, 0, 0, 0, 0, 0]);
    assert_eq!(ctrl_request(&mut c, &req, 4), BAD_PARAMETER);
}

#[test]
fn hash_data_streams_beyond_one_message() {
    let tpmd = Tpmd::socket(&["--flags", "not-need-init"]);
    let mut c = tpmd.ctrl();
    assert_eq!(ctrl_request(&mut c, &[0, 0, 0, 0x06], 4), OK);
    let len: u32 = 10_000;
    let mut req = vec![0, 0, 0, 0x07];
    req.extend_from_slice(&len.to_be_bytes());
    c.write_all(&req).unwrap();
    for chunk in vec![0x5Au8; len as usize].chunks(3000) {
        c.write_all(chunk).unwrap();
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut rsp = [0u8; 4];
    c.read_exact(&mut rsp).unwrap();
    assert_eq!(rsp, OK);
    assert_eq!(ctrl_request(&mut c, &[0, 0, 0, 0x08], 4), OK);
    assert_eq!(
        ctrl_request(&mut c, &[0, 0, 0, 0x04], 8),
        [0, 0, 0, 0, 1, 0, 0, 0]
    );
}

#[test]
fn ctrl_terminate_exits_when_the_control_connection_closes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sock");
    let ctrl = format!("type=unixio,path={},terminate", path.display());
    let mut tpmd = Tpmd::socket(&["--ctrl", &ctrl]);
    let mut c = None;
    for _ in 0..200 {
        if let Ok(s) = std::os::unix::net::UnixStream::connect(&path) {
            c = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut c = c.unwrap();
    assert_eq!(ctrl_request(&mut c, &[0, 0, 0, 0x01], 8)[..4], OK);
    drop(c);
    assert!(tpmd.wait_exit().success());
}

#[test]
fn startup_flag_runs_once_at_start_not_again_after_cmd_init() {
    // As swtpm: `--flags not-need-init,startup-clear` starts the TPM when the process
    // starts; after a CMD_INIT the TPM waits for its TPM_Startup like after a reset.
    let tpmd = Tpmd::socket(&[
        "--backend",
        "engine",
        "--flags",
        "not-need-init,startup-clear",
    ]);
    let startup = command(0x99, &[0, 1]);
    let mut d = tpmd.data();
    assert_eq!(rc(&transact(&mut d, &startup)), 0x26, "already started");
    let mut c = tpmd.ctrl();
    assert_eq!(ctrl_request(&mut c, &[0, 0, 0, 0x02, 0, 0, 0, 0], 4), OK);
    assert_eq!(
        rc(&transact(&mut d, &startup)),
        0,
        "CMD_INIT left it for the caller"
    );
}
