//! The client against Debian's swtpm (TPM 1.2), started by the test: proves the client
//! speaks the wire format of a reference TPM, not just of our engine.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Child, Command};
use std::time::{Duration, Instant};
use tpm_client::{Client, SwtpmCtrl, TcpTransport};
use tpm_marshal::commands::integrity::{Extend, ExtendIn, PcrRead, PcrReadIn};

struct Swtpm {
    child: Child,
    data: String,
    ctrl: String,
    _dir: std::path::PathBuf,
}

impl Drop for Swtpm {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self._dir);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts swtpm, or returns None (loudly) when it is not installed outside CI.
fn start_swtpm() -> Option<Swtpm> {
    let installed = Command::new("swtpm").arg("--version").output().is_ok();
    if !installed {
        assert!(
            std::env::var("CI").is_err(),
            "swtpm is not installed, and CI must run this test"
        );
        eprintln!("SKIPPED: swtpm is not installed (scripts/test.sh installs it)");
        return None;
    }
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("tpm-client-swtpm-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (dp, cp) = (free_port(), free_port());
    let child = Command::new("swtpm")
        .arg("socket")
        .arg("--tpmstate")
        .arg(format!("dir={}", dir.display()))
        .args(["--server", &format!("type=tcp,port={dp}")])
        .args(["--ctrl", &format!("type=tcp,port={cp}")])
        .args(["--flags", "not-need-init,startup-clear"])
        .spawn()
        .unwrap();
    let s = Swtpm {
        child,
        data: format!("127.0.0.1:{dp}"),
        ctrl: format!("127.0.0.1:{cp}"),
        _dir: dir,
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

#[test]
fn extend_and_pcr_read_against_swtpm() {
    let Some(sw) = start_swtpm() else { return };
    let mut c = Client::new(TcpTransport::connect(&sw.data).unwrap());
    let before = c.call::<PcrRead>(&PcrReadIn { pcr_index: 16 }).unwrap();
    let out = c
        .call::<Extend>(&ExtendIn {
            pcr_num: 16,
            in_digest: [0x42; 20],
        })
        .unwrap();
    let expected = tpm_client::session::sha1(&[&before.out_digest, &[0x42; 20]]);
    assert_eq!(out.out_digest, expected);
    assert_eq!(
        c.call::<PcrRead>(&PcrReadIn { pcr_index: 16 })
            .unwrap()
            .out_digest,
        expected
    );
}

#[test]
fn bad_pcr_index_is_a_named_tpm_error() {
    let Some(sw) = start_swtpm() else { return };
    let mut c = Client::new(TcpTransport::connect(&sw.data).unwrap());
    let err = c.call::<PcrRead>(&PcrReadIn { pcr_index: 99 }).unwrap_err();
    assert_eq!(err.code(), Some(tpm_marshal::ReturnCode::TPM_BADINDEX));
    assert!(err.to_string().contains("TPM_BADINDEX"), "{err}");
}

#[test]
fn control_channel_against_swtpm() {
    let Some(sw) = start_swtpm() else { return };
    let mut ctrl = SwtpmCtrl::connect_tcp(&sw.ctrl).unwrap();
    let caps = ctrl.get_capability().unwrap();
    assert_eq!(caps & 0x1, 0x1, "INIT supported: {caps:#x}");
    assert_eq!(ctrl.set_buffer_size(0).unwrap().0, 4096);
    ctrl.set_locality(0).unwrap();
    assert!(!ctrl.get_tpm_established().unwrap());
    ctrl.stop().unwrap();
    ctrl.init(false).unwrap();
}
