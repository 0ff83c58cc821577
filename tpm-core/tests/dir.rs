//! Part 3, 27.3 (TPM_DirWriteAuth, TPM_DirRead) and 18.4 (TPM_SetOwnerPointer) through
//! `execute()`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

mod common;
mod owned;
mod owner_common;
use commands::deprecated::{DirRead, DirReadIn, DirWriteAuth, DirWriteAuthIn};
use commands::nv::{NvReadValue, NvReadValueIn};
use commands::sessions::{SetOwnerPointer, SetOwnerPointerIn};
use common::*;
use owned::*;
use tpm_marshal::{EntityType, NvIndex, ReturnCode as Rc};

fn dir_write(b: &mut Bench, owner: [u8; 20], index: u32, value: [u8; 20]) -> Result<(), Rc> {
    let mut s = oiap(&mut b.tpm, owner);
    let input = DirWriteAuthIn {
        dir_index: index,
        new_contents: value,
    };
    run_auth1::<DirWriteAuth>(&mut b.tpm, &mut s, &input, false)
}

fn dir_read(b: &mut Bench, index: u32) -> Result<[u8; 20], Rc> {
    run::<DirRead>(&mut b.tpm, &DirReadIn { dir_index: index }).map(|o| o.dir_contents)
}

#[test]
fn the_owner_writes_dir_0_and_anyone_reads_it() {
    let mut b = owned_tpm();
    assert_eq!(dir_read(&mut b, 0).unwrap(), [0; 20]);
    dir_write(&mut b, OWNER, 0, [0xd1; 20]).unwrap();
    assert_eq!(dir_read(&mut b, 0).unwrap(), [0xd1; 20]);
    // The same register is TPM_NV_INDEX_DIR.
    let nv = run::<NvReadValue>(
        &mut b.tpm,
        &NvReadValueIn {
            nv_index: NvIndex::TPM_NV_INDEX_DIR,
            offset: 0,
            data_size: 20,
        },
    )
    .unwrap();
    assert_eq!(nv.data.0, [0xd1; 20]);
}

#[test]
fn dir_write_needs_the_owner_auth() {
    let mut b = owned_tpm();
    assert_eq!(
        dir_write(&mut b, [5; 20], 0, [1; 20]),
        Err(Rc::TPM_AUTHFAIL)
    );
    assert_eq!(dir_read(&mut b, 0).unwrap(), [0; 20]);
}

#[test]
fn only_dir_0_exists() {
    let mut b = owned_tpm();
    assert_eq!(dir_read(&mut b, 1), Err(Rc::TPM_BADINDEX));
    assert_eq!(dir_write(&mut b, OWNER, 1, [1; 20]), Err(Rc::TPM_BADINDEX));
}

#[test]
fn set_owner_pointer_accepts_the_owner_and_finds_no_delegate_row() {
    let mut b = started();
    let set = |b: &mut Bench, t: EntityType, v: u32| {
        run::<SetOwnerPointer>(
            &mut b.tpm,
            &SetOwnerPointerIn {
                entity_type: t,
                entity_value: v,
            },
        )
    };
    set(&mut b, EntityType::TPM_ET_OWNER, 0).unwrap();
    assert_eq!(
        set(&mut b, EntityType::TPM_ET_DEL_ROW, 0),
        Err(Rc::TPM_BADINDEX)
    );
    assert_eq!(
        set(&mut b, EntityType::TPM_ET_KEYHANDLE, 0),
        Err(Rc::TPM_BAD_PARAMETER)
    );
}
