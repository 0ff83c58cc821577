//! The `tpm` binary against a running tpmd (our daemon, with its default newcomer set-up:
//! an EK, enabled, activated and started), over TCP: the same flows as against swtpm and
//! against a state folder.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Tpm;
use tpm_server::cli::{configure, SocketArgs};
use tpm_server::server::{Running, Server};

/// A tpmd on free ports with its state in a temporary folder.
struct Tpmd {
    running: Option<Running>,
    tpm: Tpm,
}

impl Drop for Tpmd {
    fn drop(&mut self) {
        if let Some(r) = self.running.take() {
            let _ = r.shutdown();
        }
    }
}

fn tpmd() -> Tpmd {
    let files = tempfile::tempdir().unwrap();
    let args = SocketArgs {
        tpmstate: Some(format!("dir={}", files.path().join("state").display())),
        server: Some("type=tcp,port=0".into()),
        ctrl: Some("type=tcp,port=0".into()),
        ..SocketArgs::default()
    };
    let launch = configure(args, true).unwrap();
    let server = Server::bind(launch.config).unwrap();
    let port = server.data_port().unwrap();
    Tpmd {
        running: Some(server.serve()),
        tpm: Tpm {
            uri: format!("tcp://127.0.0.1:{port}"),
            files,
        },
    }
}

#[test]
fn pcrs_sha1_and_capabilities_against_tpmd() {
    let d = tpmd();
    common::pcr_flow(&d.tpm);
    common::sha1_flow(&d.tpm);
    common::capability_flow(&d.tpm);
}

#[test]
fn owner_keys_seal_quote_nv_and_counters_against_tpmd() {
    let d = tpmd();
    common::owner_flow(&d.tpm);
}

#[test]
fn certify_contexts_identity_audit_and_owner_changes_against_tpmd() {
    // Transport sessions (Part 3, 24) are not in the engine yet: that part runs on swtpm.
    let d = tpmd();
    common::owner_extras_flow(&d.tpm, false);
}
