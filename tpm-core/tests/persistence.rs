//! Persistence through `DirStore`: kill-and-restart, volatile state, migration blobs, and
//! clear errors for corrupt, truncated and wrongly-keyed state files.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

mod common;
use commands::integrity::{Extend, ExtendIn, PcrRead, PcrReadIn};
use commands::opt_in::{SetOperatorAuth, SetOperatorAuthIn, SetTempDeactivated};
use common::*;
use std::path::Path;
use tpm_core::{BlobName, Cipher, DirStore, Error, StateKey, TestPlatform, Tpm};
use tpm_marshal::{ReturnCode as Rc, StartupType};

fn key(byte: u8) -> StateKey {
    StateKey::new(Cipher::Aes256Ctr, &[byte; 32]).unwrap()
}

fn open(dir: &Path, k: Option<StateKey>, seed: u64) -> Result<Tpm, Error> {
    let store = DirStore::open(dir, k).map_err(Error::Store)?;
    Tpm::new(ACTIVE, Box::new(TestPlatform::new(seed)), Box::new(store))
}

fn start(tpm: &mut Tpm) {
    startup(tpm, StartupType::TPM_ST_CLEAR).unwrap();
}

fn pcr(tpm: &mut Tpm, i: u32) -> [u8; 20] {
    run::<PcrRead>(tpm, &PcrReadIn { pcr_index: i })
        .unwrap()
        .out_digest
}

#[test]
fn permanent_state_survives_a_kill_and_restart() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut tpm = open(dir.path(), Some(key(1)), 1).unwrap();
        start(&mut tpm);
        assert_presence(&mut tpm);
        run::<SetOperatorAuth>(
            &mut tpm,
            &SetOperatorAuthIn {
                operator_auth: [9; 20],
            },
        )
        .unwrap();
        // Killed here: dropped without any shutdown.
    }
    let mut tpm = open(dir.path(), Some(key(1)), 2).unwrap();
    start(&mut tpm);
    // The operator auth came back: an OIAP session keyed by it authorizes.
    let mut s = oiap(&mut tpm, [9; 20]);
    run_auth1::<SetTempDeactivated>(&mut tpm, &mut s, &(), false).unwrap();
}

#[test]
fn a_restart_without_saved_volatile_state_starts_from_postinit() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut tpm = open(dir.path(), None, 1).unwrap();
        start(&mut tpm);
        run::<Extend>(
            &mut tpm,
            &ExtendIn {
                pcr_num: 1,
                in_digest: [1; 20],
            },
        )
        .unwrap();
    }
    let mut tpm = open(dir.path(), None, 1).unwrap();
    assert_eq!(
        run::<PcrRead>(&mut tpm, &PcrReadIn { pcr_index: 1 }),
        Err(Rc::TPM_INVALID_POSTINIT)
    );
    start(&mut tpm);
    assert_eq!(pcr(&mut tpm, 1), [0; 20]);
}

#[test]
fn volatile_state_saved_before_a_kill_resumes_pcrs_and_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let (value, handle) = {
        let mut tpm = open(dir.path(), Some(key(3)), 1).unwrap();
        start(&mut tpm);
        run::<Extend>(
            &mut tpm,
            &ExtendIn {
                pcr_num: 4,
                in_digest: [4; 20],
            },
        )
        .unwrap();
        let s = oiap(&mut tpm, [0; 20]);
        tpm.save_volatile().unwrap();
        (pcr(&mut tpm, 4), s.handle)
    };
    let mut tpm = open(dir.path(), Some(key(3)), 2).unwrap();
    assert!(tpm.restore_volatile().unwrap());
    assert_eq!(pcr(&mut tpm, 4), value);
    run::<commands::deprecated::TerminateHandle>(
        &mut tpm,
        &commands::deprecated::TerminateHandleIn { handle },
    )
    .unwrap();
    // Restoring consumed the saved state.
    assert!(!tpm.restore_volatile().unwrap());
}

#[test]
fn save_state_survives_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let value = {
        let mut tpm = open(dir.path(), None, 1).unwrap();
        start(&mut tpm);
        run::<Extend>(
            &mut tpm,
            &ExtendIn {
                pcr_num: 7,
                in_digest: [7; 20],
            },
        )
        .unwrap();
        let value = pcr(&mut tpm, 7);
        // SaveState must be the last command: any other one invalidates the image.
        run::<commands::startup::SaveState>(&mut tpm, &()).unwrap();
        value
    };
    let mut tpm = open(dir.path(), None, 2).unwrap();
    startup(&mut tpm, StartupType::TPM_ST_STATE).unwrap();
    assert_eq!(pcr(&mut tpm, 7), value);
}

#[test]
fn a_corrupt_byte_is_a_clear_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path(), Some(key(1)), 1).unwrap());
    let file = dir.path().join(BlobName::Permanent.file_name());
    let mut bytes = std::fs::read(&file).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    std::fs::write(&file, bytes).unwrap();
    let e = open(dir.path(), Some(key(1)), 1).unwrap_err().to_string();
    assert!(e.contains("tpm-permanent.state"), "{e}");
}

#[test]
fn a_corrupt_byte_in_a_plain_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path(), None, 1).unwrap());
    let file = dir.path().join(BlobName::Permanent.file_name());
    let mut bytes = std::fs::read(&file).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x80;
    std::fs::write(&file, bytes).unwrap();
    let e = open(dir.path(), None, 1).unwrap_err().to_string();
    assert!(e.contains("tpm-permanent.state"), "{e}");
}

#[test]
fn a_truncated_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path(), Some(key(1)), 1).unwrap());
    let file = dir.path().join(BlobName::Permanent.file_name());
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() - 7]).unwrap();
    let e = open(dir.path(), Some(key(1)), 1).unwrap_err().to_string();
    assert!(e.contains("tpm-permanent.state"), "{e}");
}

#[test]
fn a_wrong_key_is_a_clear_error_not_a_fresh_tpm() {
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path(), Some(key(1)), 1).unwrap());
    let e = open(dir.path(), Some(key(2)), 1).unwrap_err().to_string();
    assert!(e.contains("tpm-permanent.state"), "{e}");
    // Nor does a missing key read an encrypted file as plain.
    let e = open(dir.path(), None, 1).unwrap_err().to_string();
    assert!(e.contains("tpm-permanent.state"), "{e}");
}

#[test]
fn migration_blobs_move_a_tpm_between_stores() {
    let mut a = started();
    run::<Extend>(
        &mut a.tpm,
        &ExtendIn {
            pcr_num: 2,
            in_digest: [2; 20],
        },
    )
    .unwrap();
    let value = pcr(&mut a.tpm, 2);
    let permanent = a.tpm.permanent_blob();
    let volatile = a.tpm.volatile_blob();
    let mut b = fresh(Config::default());
    b.tpm.set_permanent_blob(&permanent).unwrap();
    b.tpm.set_volatile_blob(&volatile).unwrap();
    assert_eq!(pcr(&mut b.tpm, 2), value);
    assert_eq!(b.tpm.permanent_blob(), permanent);
    assert_eq!(b.tpm.volatile_blob(), volatile);
}

#[test]
fn a_blob_of_the_wrong_kind_is_refused() {
    let mut a = started();
    let volatile = a.tpm.volatile_blob();
    let e = a.tpm.set_permanent_blob(&volatile).unwrap_err().to_string();
    assert!(
        e.contains("tpm-permanent.state") && e.contains("kind"),
        "{e}"
    );
    assert!(a.tpm.set_savestate_blob(b"junk").is_err());
}

#[test]
fn blobs_start_with_magic_version_kind_and_length() {
    let b = started();
    let p = b.tpm.permanent_blob();
    assert_eq!(&p[..4], b"TPMS");
    assert_eq!(&p[4..8], &[0, 3, 0, 1]); // version 3: NV, counters, DIR (2: SRK, owner-evict keys)
    let len = u32::from_be_bytes(p[8..12].try_into().unwrap()) as usize;
    assert_eq!(len, p.len() - tpm_core::STATE_HEADER_LEN);
    let v = b.tpm.volatile_blob();
    assert_eq!(&v[4..8], &[0, 3, 0, 2]); // version 3: NV locks (2: loaded keys)
}

#[test]
fn an_endorsement_key_is_created_only_when_asked_and_persists() {
    let dir = tempfile::tempdir().unwrap();
    let store = DirStore::open(dir.path(), None).unwrap();
    let config = Config {
        create_ek: true,
        ..ACTIVE
    };
    let tpm = Tpm::new(config, Box::new(TestPlatform::new(5)), Box::new(store)).unwrap();
    let with_ek = tpm.permanent_blob();
    drop(tpm);
    let tpm = open(dir.path(), None, 6).unwrap();
    assert_eq!(tpm.permanent_blob(), with_ek);
    let without = fresh(ACTIVE).tpm.permanent_blob();
    assert!(with_ek.len() > without.len() + 200);
}
