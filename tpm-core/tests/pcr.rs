//! Part 3, 16 (Extend, PCRRead, PCR_Reset) and the locality-4 hash interface, with SHA-1
//! chains computed here independently.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

mod common;
use commands::integrity::{Extend, ExtendIn, PcrRead, PcrReadIn, PcrReset, PcrResetIn};
use common::*;
use tpm_marshal::{PcrSelection, ReturnCode as Rc};

fn extend_at(b: &mut Bench, loc: u8, i: u32, d: [u8; 20]) -> Result<[u8; 20], Rc> {
    run_at::<Extend>(
        &mut b.tpm,
        loc,
        &ExtendIn {
            pcr_num: i,
            in_digest: d,
        },
    )
    .map(|o| o.out_digest)
}

fn read(b: &mut Bench, i: u32) -> Result<[u8; 20], Rc> {
    run::<PcrRead>(&mut b.tpm, &PcrReadIn { pcr_index: i }).map(|o| o.out_digest)
}

fn reset_at(b: &mut Bench, loc: u8, pcrs: &[u32]) -> Result<(), Rc> {
    run_at::<PcrReset>(
        &mut b.tpm,
        loc,
        &PcrResetIn {
            pcr_selection: PcrSelection::new(3, pcrs).unwrap(),
        },
    )
}

#[test]
fn extend_chains_sha1_of_old_value_and_digest() {
    let mut b = started();
    let d1 = sha1(&[b"event one"]);
    let d2 = sha1(&[b"event two"]);
    let v1 = sha1(&[&[0; 20], &d1]);
    let v2 = sha1(&[&v1, &d2]);
    assert_eq!(extend_at(&mut b, 0, 10, d1), Ok(v1));
    assert_eq!(extend_at(&mut b, 0, 10, d2), Ok(v2));
    assert_eq!(read(&mut b, 10), Ok(v2));
    assert_eq!(read(&mut b, 11), Ok([0; 20]));
}

#[test]
fn extend_known_answer() {
    // SHA1(0^20 || 0^20) = b80de5d1...d1db, the value every TPM log shows for a zero event.
    let mut b = started();
    let v = extend_at(&mut b, 0, 0, [0; 20]).unwrap();
    assert_eq!(
        v,
        [
            0xb8, 0x0d, 0xe5, 0xd1, 0x38, 0x75, 0x85, 0x41, 0xc5, 0xf0, 0x52, 0x65, 0xad, 0x14,
            0x4a, 0xb9, 0xfa, 0x86, 0xd1, 0xdb
        ]
    );
    assert_eq!(v, sha1(&[&[0; 40]]));
}

#[test]
fn extend_and_read_reject_pcr_24_and_beyond() {
    let mut b = started();
    assert_eq!(extend_at(&mut b, 0, 24, [0; 20]), Err(Rc::TPM_BADINDEX));
    assert_eq!(
        extend_at(&mut b, 0, u32::MAX, [0; 20]),
        Err(Rc::TPM_BADINDEX)
    );
    assert_eq!(read(&mut b, 24), Err(Rc::TPM_BADINDEX));
}

#[test]
fn extend_follows_the_pc_client_locality_table() {
    let mut b = started();
    // PCRs 17-22 hold all ones after Startup(ST_CLEAR), so 17 is not at its DRTM value.
    assert_eq!(extend_at(&mut b, 0, 17, [1; 20]), Err(Rc::TPM_BAD_LOCALITY));
    assert!(extend_at(&mut b, 2, 17, [1; 20]).is_ok());
    assert_eq!(extend_at(&mut b, 4, 19, [1; 20]), Err(Rc::TPM_BAD_LOCALITY));
    assert!(extend_at(&mut b, 3, 19, [1; 20]).is_ok());
    assert_eq!(extend_at(&mut b, 0, 20, [1; 20]), Err(Rc::TPM_BAD_LOCALITY));
    assert!(extend_at(&mut b, 1, 20, [1; 20]).is_ok());
    assert_eq!(extend_at(&mut b, 3, 21, [1; 20]), Err(Rc::TPM_BAD_LOCALITY));
    assert!(extend_at(&mut b, 2, 22, [1; 20]).is_ok());
    for loc in 0..=4 {
        assert!(extend_at(&mut b, loc, 23, [1; 20]).is_ok());
        assert!(extend_at(&mut b, loc, 5, [1; 20]).is_ok());
    }
}

#[test]
fn extend_reports_zeros_when_deactivated() {
    let mut b = fresh(Config {
        activated: false,
        ..ACTIVE
    });
    startup(&mut b.tpm, tpm_marshal::StartupType::TPM_ST_CLEAR).unwrap();
    assert_eq!(extend_at(&mut b, 0, 1, [9; 20]), Ok([0; 20]));
}

#[test]
fn pcr_reset_resets_16_and_23_to_zero_from_any_locality() {
    let mut b = started();
    extend_at(&mut b, 0, 16, [1; 20]).unwrap();
    extend_at(&mut b, 0, 23, [1; 20]).unwrap();
    reset_at(&mut b, 0, &[16, 23]).unwrap();
    assert_eq!(read(&mut b, 16), Ok([0; 20]));
    assert_eq!(read(&mut b, 23), Ok([0; 20]));
}

#[test]
fn pcr_reset_of_a_static_pcr_is_not_resettable() {
    let mut b = started();
    extend_at(&mut b, 0, 16, [1; 20]).unwrap();
    assert_eq!(reset_at(&mut b, 0, &[16, 0]), Err(Rc::TPM_NOTRESETABLE));
    // Nothing was reset: the command checks every PCR first.
    assert_ne!(read(&mut b, 16), Ok([0; 20]));
}

#[test]
fn pcr_reset_checks_the_reset_locality() {
    let mut b = started();
    assert_eq!(reset_at(&mut b, 0, &[17]), Err(Rc::TPM_NOTLOCAL));
    assert_eq!(reset_at(&mut b, 3, &[20]), Err(Rc::TPM_NOTLOCAL));
    reset_at(&mut b, 2, &[20, 21, 22]).unwrap();
    // Without a DRTM since Startup, 17-22 reset to all ones.
    assert_eq!(read(&mut b, 20), Ok([0xff; 20]));
    reset_at(&mut b, 4, &[17]).unwrap();
}

#[test]
fn pcr_reset_rejects_empty_or_oversized_selections() {
    let mut b = started();
    let empty = PcrResetIn {
        pcr_selection: PcrSelection::new(3, &[]).unwrap(),
    };
    assert_eq!(
        run::<PcrReset>(&mut b.tpm, &empty),
        Err(Rc::TPM_INVALID_PCR_INFO)
    );
    let big = PcrResetIn {
        pcr_selection: PcrSelection::new(4, &[16]).unwrap(),
    };
    assert_eq!(
        run::<PcrReset>(&mut b.tpm, &big),
        Err(Rc::TPM_INVALID_PCR_INFO)
    );
}

#[test]
fn hash_sequence_resets_17_to_22_and_extends_17() {
    let mut b = started();
    assert!(!b.tpm.tpm_established());
    b.tpm.hash_start().unwrap();
    b.tpm.hash_data(b"abc").unwrap();
    b.tpm.hash_data(b"def").unwrap();
    b.tpm.hash_end().unwrap();
    assert!(b.tpm.tpm_established());
    let want = sha1(&[&[0; 20], &sha1(&[b"abcdef"])]);
    assert_eq!(read(&mut b, 17), Ok(want));
    for i in 18..=22 {
        assert_eq!(read(&mut b, i), Ok([0; 20]));
    }
    // After a DRTM, PCR_Reset of 20 from locality 2 gives zeros.
    extend_at(&mut b, 2, 20, [1; 20]).unwrap();
    reset_at(&mut b, 2, &[20]).unwrap();
    assert_eq!(read(&mut b, 20), Ok([0; 20]));
}

#[test]
fn pcr_17_at_its_drtm_value_extends_only_from_locality_4() {
    let mut b = started();
    b.tpm.hash_start().unwrap();
    assert_eq!(extend_at(&mut b, 2, 17, [1; 20]), Err(Rc::TPM_BAD_LOCALITY));
    assert!(extend_at(&mut b, 4, 17, [1; 20]).is_ok());
    assert!(extend_at(&mut b, 2, 17, [1; 20]).is_ok());
}

#[test]
fn hash_interface_needs_startup_and_a_started_sequence() {
    let mut b = fresh(ACTIVE);
    assert_eq!(b.tpm.hash_start(), Err(Rc::TPM_INVALID_POSTINIT));
    assert_eq!(b.tpm.hash_data(b"x"), Err(Rc::TPM_SHA_THREAD));
    assert_eq!(b.tpm.hash_end(), Err(Rc::TPM_SHA_THREAD));
}

#[test]
fn reset_established_needs_locality_3_or_4() {
    let mut b = started();
    b.tpm.hash_start().unwrap();
    b.tpm.hash_end().unwrap();
    assert_eq!(b.tpm.reset_established(0), Err(Rc::TPM_BAD_LOCALITY));
    b.tpm.reset_established(4).unwrap();
    assert!(!b.tpm.tpm_established());
}

#[test]
fn pcrs_survive_neither_init_nor_startup_clear() {
    let mut b = started();
    extend_at(&mut b, 0, 0, [1; 20]).unwrap();
    b.tpm.init();
    startup(&mut b.tpm, tpm_marshal::StartupType::TPM_ST_CLEAR).unwrap();
    assert_eq!(read(&mut b, 0), Ok([0; 20]));
}
