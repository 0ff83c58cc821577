//! Part 3, 20 (NV storage) through `execute()`: the unowned swtpm_setup path, the EK
//! certificate layout, TPM_NV_INDEX_LOCK and TPM_NV_INDEX0, every TPM_NV_ATTRIBUTES bit
//! (the permitted and the refused access), PCR and locality restrictions, the ST_CLEAR
//! locks, space accounting and persistence.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

mod common;
mod owned;
mod owner_common;
use commands::capability::{GetCapability, GetCapabilityIn};
use commands::integrity::{Extend, ExtendIn};
use commands::nv::{
    NvDefineSpace, NvDefineSpaceIn, NvReadValue, NvReadValueAuth, NvReadValueAuthIn, NvReadValueIn,
    NvWriteValue, NvWriteValueAuth, NvWriteValueAuthIn, NvWriteValueIn,
};
use commands::ownership::{TscPhysicalPresence, TscPhysicalPresenceIn};
use commands::startup::SaveState;
use common::*;
use owned::*;
use tpm_core::{TestPlatform, Tpm};
use tpm_marshal::{
    CapFlag, CapProperty, CapabilityArea, LocalitySelection, NvAttributes as A, NvDataPublic,
    NvIndex, NvPermission, PcrInfoShort, PcrSelection, PhysicalPresence, ReturnCode as Rc,
    SizedBuffer, StartupType, Unmarshal,
};

const AREA: u32 = 0x0001_1000;
const AREA_AUTH: [u8; 20] = [0xa7; 20];

fn any_pcrs() -> PcrInfoShort {
    PcrInfoShort {
        pcr_selection: PcrSelection::new(3, &[]).unwrap(),
        locality_at_release: LocalitySelection(0x1f),
        digest_at_release: [0; 20],
    }
}

fn public(index: u32, attributes: A, size: u32) -> NvDataPublic {
    NvDataPublic {
        nv_index: NvIndex(index),
        pcr_info_read: any_pcrs(),
        pcr_info_write: any_pcrs(),
        permission: NvPermission { attributes },
        b_read_st_clear: false,
        b_write_st_clear: false,
        b_write_define: false,
        data_size: size,
    }
}

fn define(b: &mut Bench, p: NvDataPublic) -> Result<(), Rc> {
    run::<NvDefineSpace>(
        &mut b.tpm,
        &NvDefineSpaceIn {
            pub_info: p,
            enc_auth: AREA_AUTH,
        },
    )
}

fn write_at(b: &mut Bench, loc: u8, index: u32, offset: u32, data: &[u8]) -> Result<(), Rc> {
    run_at::<NvWriteValue>(
        &mut b.tpm,
        loc,
        &NvWriteValueIn {
            nv_index: NvIndex(index),
            offset,
            data: SizedBuffer(data.to_vec()),
        },
    )
}

fn write(b: &mut Bench, index: u32, offset: u32, data: &[u8]) -> Result<(), Rc> {
    write_at(b, 0, index, offset, data)
}

fn read_at(b: &mut Bench, loc: u8, index: u32, offset: u32, size: u32) -> Result<Vec<u8>, Rc> {
    run_at::<NvReadValue>(
        &mut b.tpm,
        loc,
        &NvReadValueIn {
            nv_index: NvIndex(index),
            offset,
            data_size: size,
        },
    )
    .map(|o| o.data.0)
}

fn read(b: &mut Bench, index: u32, offset: u32, size: u32) -> Result<Vec<u8>, Rc> {
    read_at(b, 0, index, offset, size)
}

fn write_auth(b: &mut Bench, auth: [u8; 20], offset: u32, data: &[u8]) -> Result<(), Rc> {
    let mut s = oiap(&mut b.tpm, auth);
    let input = NvWriteValueAuthIn {
        nv_index: NvIndex(AREA),
        offset,
        data: SizedBuffer(data.to_vec()),
    };
    run_auth1::<NvWriteValueAuth>(&mut b.tpm, &mut s, &input, false)
}

fn read_auth(b: &mut Bench, auth: [u8; 20], size: u32) -> Result<Vec<u8>, Rc> {
    let mut s = oiap(&mut b.tpm, auth);
    let input = NvReadValueAuthIn {
        nv_index: NvIndex(AREA),
        offset: 0,
        data_size: size,
    };
    run_auth1::<NvReadValueAuth>(&mut b.tpm, &mut s, &input, false).map(|o| o.data.0)
}

fn presence(b: &mut Bench, on: bool) {
    let v = if on {
        PhysicalPresence::TPM_PHYSICAL_PRESENCE_PRESENT
    } else {
        PhysicalPresence::TPM_PHYSICAL_PRESENCE_NOTPRESENT
    };
    run::<TscPhysicalPresence>(
        &mut b.tpm,
        &TscPhysicalPresenceIn {
            physical_presence: v,
        },
    )
    .unwrap();
}

/// Sets nvLocked by defining TPM_NV_INDEX_LOCK.
fn lock_nv(b: &mut Bench) {
    define(b, public(NvIndex::TPM_NV_INDEX_LOCK.0, A(0), 0)).unwrap();
}

/// A started TPM with NV locked, physical presence asserted (needed to define areas
/// without an owner), and one area at [`AREA`] with `attributes` and 8 bytes.
fn locked_with(attributes: A) -> Bench {
    let mut b = started();
    assert_presence(&mut b.tpm);
    lock_nv(&mut b);
    define(&mut b, public(AREA, attributes, 8)).unwrap();
    b
}

fn get_cap(b: &mut Bench, area: CapabilityArea, sub: &[u8]) -> Result<Vec<u8>, Rc> {
    run::<GetCapability>(
        &mut b.tpm,
        &GetCapabilityIn {
            cap_area: area,
            sub_cap: SizedBuffer(sub.to_vec()),
        },
    )
    .map(|o| o.resp.0)
}

fn nv_locked_flag(b: &mut Bench) -> bool {
    let flags = get_cap(
        b,
        CapabilityArea::TPM_CAP_FLAG,
        &CapFlag::TPM_CAP_FLAG_PERMANENT.0.to_be_bytes(),
    )
    .unwrap();
    // TPM_PERMANENT_FLAGS: a 2-byte tag, then nvLocked is the 16th flag.
    flags[2 + 15] == 1
}

/// The same store, a new TPM value (a power cycle), started with `t`.
fn restart(b: Bench, t: StartupType) -> Bench {
    let platform = TestPlatform::new(8);
    let controls = platform.controls();
    let store = b.store.clone();
    drop(b);
    let mut tpm = Tpm::new(ACTIVE, Box::new(platform), Box::new(store.clone())).unwrap();
    startup(&mut tpm, t).unwrap();
    Bench {
        tpm,
        controls,
        store,
    }
}

// ---- the unowned path (swtpm_setup) and the special indices ----

/// TCG PC Client: a stored full certificate behind the 7-byte header.
fn pc_client_cert(der: &[u8]) -> Vec<u8> {
    let mut v = vec![0x10, 0x01, 0x00];
    v.extend_from_slice(&((der.len() + 2) as u16).to_be_bytes());
    v.extend_from_slice(&[0x10, 0x02]);
    v.extend_from_slice(der);
    v
}

#[test]
fn ek_certificate_layout_at_0x1000f000_is_stored_and_read_back_in_chunks() {
    let mut b = started();
    let der: Vec<u8> = (0..900u32).map(|i| (i * 7 % 251) as u8).collect();
    let blob = pc_client_cert(&der);
    let attrs = A::TPM_NV_PER_OWNERREAD | A::TPM_NV_PER_OWNERWRITE;
    // As swtpm_setup does: unauthorized define and writes while nvLocked is FALSE.
    define(&mut b, public(0x1000_f000, attrs, blob.len() as u32)).unwrap();
    for (i, chunk) in blob.chunks(256).enumerate() {
        write(&mut b, 0x1000_f000, (i * 256) as u32, chunk).unwrap();
    }
    let mut back = Vec::new();
    while back.len() < blob.len() {
        let n = (blob.len() - back.len()).min(200) as u32;
        back.extend(read(&mut b, 0x1000_f000, back.len() as u32, n).unwrap());
    }
    assert_eq!(back, blob);
    assert_eq!(&back[..7], &[0x10, 0x01, 0x00, 0x03, 0x86, 0x10, 0x02]);
    // The index is listed, with its public part.
    let list = get_cap(&mut b, CapabilityArea::TPM_CAP_NV_LIST, &[]).unwrap();
    assert_eq!(list, 0x1000_f000u32.to_be_bytes());
    let p = get_cap(
        &mut b,
        CapabilityArea::TPM_CAP_NV_INDEX,
        &0x1000_f000u32.to_be_bytes(),
    )
    .unwrap();
    assert_eq!(
        NvDataPublic::from_bytes(&p).unwrap(),
        public(0x1000_f000, attrs, blob.len() as u32)
    );
}

#[test]
fn nv_data_survives_a_restart() {
    let mut b = started();
    define(&mut b, public(AREA, A::TPM_NV_PER_PPWRITE, 4)).unwrap();
    write(&mut b, AREA, 0, b"keep").unwrap();
    let mut b = restart(b, StartupType::TPM_ST_CLEAR);
    assert_eq!(read(&mut b, AREA, 0, 4).unwrap(), b"keep");
}

#[test]
fn a_new_area_reads_as_ff_bytes() {
    let mut b = started();
    define(&mut b, public(AREA, A::TPM_NV_PER_PPWRITE, 3)).unwrap();
    assert_eq!(read(&mut b, AREA, 0, 3).unwrap(), [0xff; 3]);
}

#[test]
fn nv_index_lock_sets_nv_locked_and_access_control_starts() {
    let mut b = started();
    let attrs = A::TPM_NV_PER_OWNERREAD | A::TPM_NV_PER_OWNERWRITE;
    define(&mut b, public(AREA, attrs, 4)).unwrap();
    assert!(!nv_locked_flag(&mut b));
    // Before the lock an owner area is open to anyone.
    write(&mut b, AREA, 0, b"open").unwrap();
    lock_nv(&mut b);
    assert!(nv_locked_flag(&mut b));
    assert_eq!(read(&mut b, AREA, 0, 4), Err(Rc::TPM_AUTH_CONFLICT));
    assert_eq!(write(&mut b, AREA, 0, b"shut"), Err(Rc::TPM_AUTH_CONFLICT));
    // Defining now needs physical presence, and the D bit is refused.
    let p = public(0x0001_2000, A::TPM_NV_PER_PPWRITE, 4);
    assert_eq!(define(&mut b, p.clone()), Err(Rc::TPM_BAD_PRESENCE));
    assert_presence(&mut b.tpm);
    define(&mut b, p).unwrap();
    let d = public(0x1001_2000, A::TPM_NV_PER_PPWRITE, 4);
    assert_eq!(define(&mut b, d), Err(Rc::TPM_BADINDEX));
    // nvLocked is permanent.
    let mut b = restart(b, StartupType::TPM_ST_CLEAR);
    assert!(nv_locked_flag(&mut b));
}

#[test]
fn nv_index_lock_with_a_size_is_badindex() {
    let mut b = started();
    let p = public(NvIndex::TPM_NV_INDEX_LOCK.0, A(0), 1);
    assert_eq!(define(&mut b, p), Err(Rc::TPM_BADINDEX));
    assert!(!nv_locked_flag(&mut b));
}

#[test]
fn unowned_writes_stop_at_max_nv_writes() {
    let mut b = started();
    define(&mut b, public(AREA, A::TPM_NV_PER_PPWRITE, 1)).unwrap();
    // The define counted once; 63 writes reach TPM_MAX_NV_WRITE_NOOWNER (64).
    for i in 0..63u8 {
        write(&mut b, AREA, 0, &[i]).unwrap();
    }
    assert_eq!(write(&mut b, AREA, 0, &[0]), Err(Rc::TPM_MAXNVWRITES));
    let p = public(0x0001_2000, A::TPM_NV_PER_PPWRITE, 1);
    assert_eq!(define(&mut b, p), Err(Rc::TPM_MAXNVWRITES));
    // The count is permanent.
    let mut b = restart(b, StartupType::TPM_ST_CLEAR);
    assert_eq!(write(&mut b, AREA, 0, &[0]), Err(Rc::TPM_MAXNVWRITES));
    // Reads do not count.
    assert_eq!(read(&mut b, AREA, 0, 1).unwrap(), [62]);
}

#[test]
fn defining_size_zero_deletes_an_area_before_nv_is_locked() {
    let mut b = started();
    define(&mut b, public(AREA, A::TPM_NV_PER_PPWRITE, 4)).unwrap();
    define(&mut b, public(AREA, A::TPM_NV_PER_PPWRITE, 0)).unwrap();
    assert_eq!(read(&mut b, AREA, 0, 1), Err(Rc::TPM_BADINDEX));
    // Deleting what does not exist is a zero-size definition.
    let p = public(AREA, A::TPM_NV_PER_PPWRITE, 0);
    assert_eq!(define(&mut b, p), Err(Rc::TPM_BAD_PARAM_SIZE));
}

#[test]
fn deleting_without_the_owner_after_nv_locked_is_bad_datasize() {
    let mut b = locked_with(A::TPM_NV_PER_PPWRITE);
    let p = public(AREA, A::TPM_NV_PER_PPWRITE, 0);
    assert_eq!(define(&mut b, p), Err(Rc::TPM_BAD_DATASIZE));
    assert_eq!(read(&mut b, AREA, 0, 1).unwrap(), [0xff]);
}

#[test]
fn d_bit_areas_cannot_be_deleted_once_nv_is_locked() {
    let mut b = started();
    define(&mut b, public(0x1000_f000, A::TPM_NV_PER_PPWRITE, 4)).unwrap();
    assert_presence(&mut b.tpm);
    lock_nv(&mut b);
    let p = public(0x1000_f000, A::TPM_NV_PER_PPWRITE, 0);
    assert_eq!(define(&mut b, p), Err(Rc::TPM_BADINDEX));
}

#[test]
fn nv_index0_sets_the_global_lock_until_startup_clear() {
    let mut b = locked_with(A::TPM_NV_PER_PPWRITE | A::TPM_NV_PER_GLOBALLOCK);
    define(&mut b, public(0x0001_2000, A::TPM_NV_PER_PPWRITE, 8)).unwrap();
    write(&mut b, AREA, 0, b"a").unwrap();
    assert_eq!(
        write(&mut b, NvIndex::TPM_NV_INDEX0.0, 0, b"x"),
        Err(Rc::TPM_BADINDEX)
    );
    write(&mut b, NvIndex::TPM_NV_INDEX0.0, 0, &[]).unwrap();
    assert_eq!(write(&mut b, AREA, 0, b"b"), Err(Rc::TPM_AREA_LOCKED));
    // Areas without TPM_NV_PER_GLOBALLOCK are not affected; a global-locked area cannot be
    // redefined either.
    write(&mut b, 0x0001_2000, 0, b"c").unwrap();
    let p = public(AREA, A::TPM_NV_PER_PPWRITE, 4);
    assert_eq!(define(&mut b, p), Err(Rc::TPM_AREA_LOCKED));
    let mut b = restart(b, StartupType::TPM_ST_CLEAR);
    assert_presence(&mut b.tpm);
    write(&mut b, AREA, 0, b"d").unwrap();
}

// ---- define-time consistency ----

#[test]
fn define_refuses_owner_and_auth_control_together() {
    let mut b = started();
    let both_write = A::TPM_NV_PER_OWNERWRITE | A::TPM_NV_PER_AUTHWRITE;
    assert_eq!(
        define(&mut b, public(AREA, both_write, 4)),
        Err(Rc::TPM_AUTH_CONFLICT)
    );
    let both_read = A::TPM_NV_PER_OWNERREAD | A::TPM_NV_PER_AUTHREAD | A::TPM_NV_PER_PPWRITE;
    assert_eq!(
        define(&mut b, public(AREA, both_read, 4)),
        Err(Rc::TPM_AUTH_CONFLICT)
    );
}

#[test]
fn define_refuses_an_area_nobody_can_write() {
    let mut b = started();
    assert_eq!(
        define(&mut b, public(AREA, A::TPM_NV_PER_PPREAD, 4)),
        Err(Rc::TPM_PER_NOWRITE)
    );
    // A write-locality restriction is a way to write.
    let mut p = public(AREA, A::TPM_NV_PER_PPREAD, 4);
    p.pcr_info_write.locality_at_release = LocalitySelection::TPM_LOC_THREE;
    define(&mut b, p).unwrap();
}

#[test]
fn define_refuses_special_reserved_and_gpio_indices() {
    let mut b = started();
    for index in [0, 0x1000_0001, 0x0200_1000, 0x0001_1600] {
        let p = public(index, A::TPM_NV_PER_PPWRITE, 4);
        assert_eq!(define(&mut b, p), Err(Rc::TPM_BADINDEX), "{index:#x}");
    }
}

#[test]
fn define_refuses_malformed_pcr_info() {
    let mut b = started();
    let mut p = public(AREA, A::TPM_NV_PER_PPWRITE, 4);
    p.pcr_info_read.locality_at_release = LocalitySelection(0x20);
    assert_eq!(define(&mut b, p), Err(Rc::TPM_INVALID_STRUCTURE));
    let mut p = public(AREA, A::TPM_NV_PER_PPWRITE, 4);
    p.pcr_info_write.pcr_selection = PcrSelection::new(4, &[]).unwrap();
    assert_eq!(define(&mut b, p), Err(Rc::TPM_INVALID_STRUCTURE));
}

#[test]
fn nv_space_holds_2048_plus_26_kib_then_nospace() {
    let mut b = started();
    for i in 0..28u32 {
        define(&mut b, public(0x0001_2000 + i, A::TPM_NV_PER_PPWRITE, 1024)).unwrap();
    }
    let avail = get_cap(
        &mut b,
        CapabilityArea::TPM_CAP_PROPERTY,
        &CapProperty::TPM_CAP_PROP_MAX_NV_AVAILABLE.0.to_be_bytes(),
    )
    .unwrap();
    assert_eq!(avail, [0, 0, 0, 0]);
    let p = public(AREA, A::TPM_NV_PER_PPWRITE, 1);
    assert_eq!(define(&mut b, p), Err(Rc::TPM_NOSPACE));
    // TPM_NV_INDEX_TRIAL asks without defining.
    let trial = NvIndex::TPM_NV_INDEX_TRIAL.0;
    assert_eq!(
        define(&mut b, public(trial, A::TPM_NV_PER_PPWRITE, 1)),
        Err(Rc::TPM_NOSPACE)
    );
    // Deleting one frees its space; the trial then succeeds and defines nothing.
    define(&mut b, public(0x0001_2000, A::TPM_NV_PER_PPWRITE, 0)).unwrap();
    define(&mut b, public(trial, A::TPM_NV_PER_PPWRITE, 1024)).unwrap();
    assert_eq!(read(&mut b, trial, 0, 1), Err(Rc::TPM_BADINDEX));
}

#[test]
fn access_beyond_the_area_is_nospace() {
    let mut b = started();
    define(&mut b, public(AREA, A::TPM_NV_PER_PPWRITE, 8)).unwrap();
    assert_eq!(write(&mut b, AREA, 6, b"abc"), Err(Rc::TPM_NOSPACE));
    assert_eq!(read(&mut b, AREA, 8, 1), Err(Rc::TPM_NOSPACE));
    assert_eq!(read(&mut b, AREA, u32::MAX, 2), Err(Rc::TPM_NOSPACE));
    assert_eq!(read(&mut b, 0x0001_3000, 0, 1), Err(Rc::TPM_BADINDEX));
}

// ---- one test per attribute bit: the permitted and the refused access ----

#[test]
fn ppwrite_needs_physical_presence_to_write() {
    let mut b = locked_with(A::TPM_NV_PER_PPWRITE);
    write(&mut b, AREA, 0, b"pp").unwrap();
    presence(&mut b, false);
    assert_eq!(write(&mut b, AREA, 0, b"no"), Err(Rc::TPM_BAD_PRESENCE));
}

#[test]
fn ppread_needs_physical_presence_to_read() {
    let mut b = locked_with(A::TPM_NV_PER_PPWRITE | A::TPM_NV_PER_PPREAD);
    assert_eq!(read(&mut b, AREA, 0, 2).unwrap(), [0xff; 2]);
    presence(&mut b, false);
    assert_eq!(read(&mut b, AREA, 0, 2), Err(Rc::TPM_BAD_PRESENCE));
}

#[test]
fn ownerwrite_refuses_an_unauthorized_write_once_nv_is_locked() {
    let mut b = locked_with(A::TPM_NV_PER_OWNERWRITE);
    assert_eq!(write(&mut b, AREA, 0, b"x"), Err(Rc::TPM_AUTH_CONFLICT));
}

#[test]
fn ownerread_refuses_an_unauthorized_read_once_nv_is_locked() {
    let mut b = locked_with(A::TPM_NV_PER_PPWRITE | A::TPM_NV_PER_OWNERREAD);
    assert_eq!(read(&mut b, AREA, 0, 1), Err(Rc::TPM_AUTH_CONFLICT));
}

#[test]
fn authwrite_writes_with_the_area_auth_only() {
    let mut b = locked_with(A::TPM_NV_PER_AUTHWRITE);
    write_auth(&mut b, AREA_AUTH, 0, b"auth").unwrap();
    assert_eq!(read(&mut b, AREA, 0, 4).unwrap(), b"auth");
    assert_eq!(
        write_auth(&mut b, [0; 20], 0, b"bad"),
        Err(Rc::TPM_AUTHFAIL)
    );
    assert_eq!(write(&mut b, AREA, 0, b"x"), Err(Rc::TPM_AUTH_CONFLICT));
}

#[test]
fn authwrite_is_checked_even_before_nv_is_locked() {
    let mut b = started();
    define(&mut b, public(AREA, A::TPM_NV_PER_AUTHWRITE, 4)).unwrap();
    assert_eq!(write(&mut b, AREA, 0, b"x"), Err(Rc::TPM_AUTH_CONFLICT));
    write_auth(&mut b, AREA_AUTH, 0, b"ok").unwrap();
}

#[test]
fn write_value_auth_needs_authwrite() {
    let mut b = locked_with(A::TPM_NV_PER_PPWRITE);
    assert_eq!(
        write_auth(&mut b, AREA_AUTH, 0, b"x"),
        Err(Rc::TPM_AUTH_CONFLICT)
    );
}

#[test]
fn authread_reads_with_the_area_auth_only() {
    let mut b = locked_with(A::TPM_NV_PER_PPWRITE | A::TPM_NV_PER_AUTHREAD);
    write(&mut b, AREA, 0, b"secret").unwrap();
    assert_eq!(read_auth(&mut b, AREA_AUTH, 6).unwrap(), b"secret");
    assert_eq!(read_auth(&mut b, [1; 20], 6), Err(Rc::TPM_AUTHFAIL));
    assert_eq!(read(&mut b, AREA, 0, 6), Err(Rc::TPM_AUTH_CONFLICT));
}

#[test]
fn read_value_auth_needs_authread() {
    let mut b = locked_with(A::TPM_NV_PER_PPWRITE);
    assert_eq!(read_auth(&mut b, AREA_AUTH, 1), Err(Rc::TPM_AUTH_CONFLICT));
}

#[test]
fn writeall_refuses_a_partial_write() {
    let mut b = locked_with(A::TPM_NV_PER_PPWRITE | A::TPM_NV_PER_WRITEALL);
    assert_eq!(write(&mut b, AREA, 0, b"half"), Err(Rc::TPM_NOT_FULLWRITE));
    write(&mut b, AREA, 0, b"complete").unwrap();
    assert_eq!(read(&mut b, AREA, 0, 8).unwrap(), b"complete");
}

#[test]
fn writedefine_makes_an_area_write_once() {
    let mut b = locked_with(A::TPM_NV_PER_PPWRITE | A::TPM_NV_PER_WRITEDEFINE);
    write(&mut b, AREA, 0, b"first").unwrap();
    write(&mut b, AREA, 0, b"second").unwrap();
    // A write of no data sets bWriteDefine: the area is locked for good.
    write(&mut b, AREA, 0, &[]).unwrap();
    assert_eq!(write(&mut b, AREA, 0, b"third"), Err(Rc::TPM_AREA_LOCKED));
    let mut b = restart(b, StartupType::TPM_ST_CLEAR);
    assert_presence(&mut b.tpm);
    assert_eq!(write(&mut b, AREA, 0, b"fourth"), Err(Rc::TPM_AREA_LOCKED));
    assert_eq!(read(&mut b, AREA, 0, 6).unwrap(), b"second");
    let p = get_cap(
        &mut b,
        CapabilityArea::TPM_CAP_NV_INDEX,
        &AREA.to_be_bytes(),
    )
    .unwrap();
    assert!(NvDataPublic::from_bytes(&p).unwrap().b_write_define);
}

#[test]
fn write_stclear_lock_resets_on_startup_clear_not_on_startup_state() {
    let mut b = locked_with(A::TPM_NV_PER_PPWRITE | A::TPM_NV_PER_WRITE_STCLEAR);
    write(&mut b, AREA, 0, b"a").unwrap();
    write(&mut b, AREA, 0, &[]).unwrap();
    assert_eq!(write(&mut b, AREA, 0, b"b"), Err(Rc::TPM_AREA_LOCKED));
    let p = public(AREA, A::TPM_NV_PER_PPWRITE, 4);
    assert_eq!(define(&mut b, p), Err(Rc::TPM_AREA_LOCKED));
    // TPM_SaveState then TPM_Startup(ST_STATE): still locked.
    run::<SaveState>(&mut b.tpm, &()).unwrap();
    let mut b = restart(b, StartupType::TPM_ST_STATE);
    assert_presence(&mut b.tpm);
    assert_eq!(write(&mut b, AREA, 0, b"c"), Err(Rc::TPM_AREA_LOCKED));
    // TPM_Startup(ST_CLEAR): unlocked.
    let mut b = restart(b, StartupType::TPM_ST_CLEAR);
    assert_presence(&mut b.tpm);
    write(&mut b, AREA, 0, b"d").unwrap();
}

#[test]
fn read_stclear_lock_resets_on_startup_clear_not_on_startup_state() {
    let mut b = locked_with(A::TPM_NV_PER_PPWRITE | A::TPM_NV_PER_READ_STCLEAR);
    assert_eq!(read(&mut b, AREA, 0, 1).unwrap(), [0xff]);
    // A read of size 0 sets bReadSTClear.
    assert_eq!(read(&mut b, AREA, 0, 0).unwrap(), Vec::<u8>::new());
    assert_eq!(read(&mut b, AREA, 0, 1), Err(Rc::TPM_DISABLED_CMD));
    let p = get_cap(
        &mut b,
        CapabilityArea::TPM_CAP_NV_INDEX,
        &AREA.to_be_bytes(),
    )
    .unwrap();
    assert!(NvDataPublic::from_bytes(&p).unwrap().b_read_st_clear);
    run::<SaveState>(&mut b.tpm, &()).unwrap();
    let mut b = restart(b, StartupType::TPM_ST_STATE);
    assert_eq!(read(&mut b, AREA, 0, 1), Err(Rc::TPM_DISABLED_CMD));
    let mut b = restart(b, StartupType::TPM_ST_CLEAR);
    assert_eq!(read(&mut b, AREA, 0, 1).unwrap(), [0xff]);
    // A successful write also clears the read lock.
    read(&mut b, AREA, 0, 0).unwrap();
    assert_presence(&mut b.tpm);
    write(&mut b, AREA, 0, b"w").unwrap();
    assert_eq!(read(&mut b, AREA, 0, 1).unwrap(), b"w");
}

#[test]
fn globallock_follows_bglobal_lock() {
    let mut b = locked_with(A::TPM_NV_PER_PPWRITE | A::TPM_NV_PER_GLOBALLOCK);
    write(&mut b, AREA, 0, b"x").unwrap();
    write(&mut b, NvIndex::TPM_NV_INDEX0.0, 0, &[]).unwrap();
    assert_eq!(write(&mut b, AREA, 0, b"y"), Err(Rc::TPM_AREA_LOCKED));
}

#[test]
fn pcr_info_write_binds_writes_to_pcr_values() {
    let mut b = started();
    assert_presence(&mut b.tpm);
    lock_nv(&mut b);
    let mut p = public(AREA, A::TPM_NV_PER_PPWRITE, 4);
    // PCR 16 is zero after Startup; the composite of {16} with that value.
    let mut composite = vec![0, 3, 0, 0, 1, 0, 0, 0, 20];
    composite.extend_from_slice(&[0; 20]);
    p.pcr_info_write.pcr_selection = PcrSelection::new(3, &[16]).unwrap();
    p.pcr_info_write.digest_at_release = sha1(&[&composite]);
    define(&mut b, p).unwrap();
    write(&mut b, AREA, 0, b"pcr!").unwrap();
    let extend = ExtendIn {
        pcr_num: 16,
        in_digest: [1; 20],
    };
    run::<Extend>(&mut b.tpm, &extend).unwrap();
    assert_eq!(write(&mut b, AREA, 0, b"late"), Err(Rc::TPM_WRONGPCRVAL));
    // Reading is not bound.
    assert_eq!(read(&mut b, AREA, 0, 4).unwrap(), b"pcr!");
}

#[test]
fn pcr_info_read_binds_reads_to_pcr_values() {
    let mut b = started();
    assert_presence(&mut b.tpm);
    lock_nv(&mut b);
    let mut p = public(AREA, A::TPM_NV_PER_PPWRITE, 4);
    p.pcr_info_read.pcr_selection = PcrSelection::new(3, &[16]).unwrap();
    p.pcr_info_read.digest_at_release = [0x42; 20];
    define(&mut b, p).unwrap();
    assert_eq!(read(&mut b, AREA, 0, 4), Err(Rc::TPM_WRONGPCRVAL));
    write(&mut b, AREA, 0, b"w").unwrap();
}

#[test]
fn locality_at_release_restricts_reads_and_writes() {
    let mut b = started();
    assert_presence(&mut b.tpm);
    lock_nv(&mut b);
    let mut p = public(AREA, A::TPM_NV_PER_PPWRITE, 4);
    p.pcr_info_write.locality_at_release = LocalitySelection::TPM_LOC_THREE;
    p.pcr_info_read.locality_at_release = LocalitySelection(0x0c); // 2 and 3
    define(&mut b, p).unwrap();
    assert_eq!(
        write_at(&mut b, 0, AREA, 0, b"0"),
        Err(Rc::TPM_BAD_LOCALITY)
    );
    write_at(&mut b, 3, AREA, 0, b"3").unwrap();
    assert_eq!(read_at(&mut b, 0, AREA, 0, 1), Err(Rc::TPM_BAD_LOCALITY));
    assert_eq!(read_at(&mut b, 2, AREA, 0, 1).unwrap(), b"3");
}

#[test]
fn before_nv_locked_pcr_locality_and_presence_are_ignored() {
    let mut b = started();
    let mut p = public(AREA, A::TPM_NV_PER_PPWRITE | A::TPM_NV_PER_PPREAD, 4);
    p.pcr_info_write.locality_at_release = LocalitySelection::TPM_LOC_FOUR;
    p.pcr_info_read.pcr_selection = PcrSelection::new(3, &[16]).unwrap();
    p.pcr_info_read.digest_at_release = [0x42; 20];
    define(&mut b, p).unwrap();
    write(&mut b, AREA, 0, b"free").unwrap();
    assert_eq!(read(&mut b, AREA, 0, 4).unwrap(), b"free");
}

#[test]
fn nv_index_dir_is_the_data_integrity_register() {
    let mut b = started();
    let dir = NvIndex::TPM_NV_INDEX_DIR.0;
    assert_eq!(read(&mut b, dir, 0, 20).unwrap(), [0; 20]);
    assert_eq!(write(&mut b, dir, 0, &[1; 19]), Err(Rc::TPM_NOT_FULLWRITE));
    write(&mut b, dir, 0, &[7; 20]).unwrap();
    assert_eq!(read(&mut b, dir, 10, 10).unwrap(), [7; 10]);
    assert_eq!(read(&mut b, dir, 10, 11), Err(Rc::TPM_NOSPACE));
    // Once NV is locked it is the owner's to write.
    lock_nv(&mut b);
    assert_eq!(write(&mut b, dir, 0, &[8; 20]), Err(Rc::TPM_AUTH_CONFLICT));
}

#[test]
fn nv_define_space_runs_disabled_only_before_nv_is_locked() {
    let mut b = fresh(Config {
        create_ek: false,
        enabled: false,
        activated: true,
    });
    startup(&mut b.tpm, StartupType::TPM_ST_CLEAR).unwrap();
    define(&mut b, public(AREA, A::TPM_NV_PER_PPWRITE, 4)).unwrap();
    lock_nv(&mut b);
    let p = public(0x0001_2000, A::TPM_NV_PER_PPWRITE, 4);
    assert_eq!(define(&mut b, p), Err(Rc::TPM_DISABLED));
}

// ---- the owner's areas ----

/// A started TPM with an owner, NV locked, and `attributes` at [`AREA`] defined by the
/// owner with the area auth [`AREA_AUTH`] sent under ADIP.
fn owned_with(attributes: A) -> Bench {
    let mut b = owned_tpm();
    lock_nv(&mut b);
    owner_define(&mut b, public(AREA, attributes, 8)).unwrap();
    b
}

fn owner_define(b: &mut Bench, p: NvDataPublic) -> Result<(), Rc> {
    let mut s = owner_osap(&mut b.tpm);
    let input = NvDefineSpaceIn {
        pub_info: p,
        enc_auth: adip(&s, AREA_AUTH),
    };
    // Part 3, 20.1 step 13: the session ends whatever the caller asked.
    run_auth1::<NvDefineSpace>(&mut b.tpm, &mut s, &input, false)
}

fn owner_write(b: &mut Bench, owner: [u8; 20], data: &[u8]) -> Result<(), Rc> {
    let mut s = oiap(&mut b.tpm, owner);
    let input = NvWriteValueIn {
        nv_index: NvIndex(AREA),
        offset: 0,
        data: SizedBuffer(data.to_vec()),
    };
    run_auth1::<NvWriteValue>(&mut b.tpm, &mut s, &input, false)
}

fn owner_read(b: &mut Bench, owner: [u8; 20], size: u32) -> Result<Vec<u8>, Rc> {
    let mut s = oiap(&mut b.tpm, owner);
    let input = NvReadValueIn {
        nv_index: NvIndex(AREA),
        offset: 0,
        data_size: size,
    };
    run_auth1::<NvReadValue>(&mut b.tpm, &mut s, &input, false).map(|o| o.data.0)
}

#[test]
fn ownerwrite_and_ownerread_areas_are_the_owners_once_nv_is_locked() {
    let mut b = owned_with(A::TPM_NV_PER_OWNERWRITE | A::TPM_NV_PER_OWNERREAD);
    owner_write(&mut b, OWNER, b"owner").unwrap();
    assert_eq!(owner_read(&mut b, OWNER, 5).unwrap(), b"owner");
    assert_eq!(owner_write(&mut b, [0; 20], b"x"), Err(Rc::TPM_AUTHFAIL));
    assert_eq!(owner_read(&mut b, [0; 20], 1), Err(Rc::TPM_AUTHFAIL));
    assert_eq!(write(&mut b, AREA, 0, b"x"), Err(Rc::TPM_AUTH_CONFLICT));
    assert_eq!(read(&mut b, AREA, 0, 1), Err(Rc::TPM_AUTH_CONFLICT));
}

#[test]
fn owner_authorization_needs_the_owner_bit() {
    let mut b = owned_with(A::TPM_NV_PER_PPWRITE);
    assert_eq!(owner_write(&mut b, OWNER, b"x"), Err(Rc::TPM_AUTH_CONFLICT));
    assert_eq!(owner_read(&mut b, OWNER, 1), Err(Rc::TPM_AUTH_CONFLICT));
}

#[test]
fn owner_areas_are_out_of_reach_while_disabled() {
    let mut b = owned_with(A::TPM_NV_PER_OWNERWRITE | A::TPM_NV_PER_OWNERREAD);
    assert_presence(&mut b.tpm);
    run::<commands::opt_in::PhysicalDisable>(&mut b.tpm, &()).unwrap();
    assert_eq!(owner_write(&mut b, OWNER, b"x"), Err(Rc::TPM_DISABLED));
    assert_eq!(owner_read(&mut b, OWNER, 1), Err(Rc::TPM_DISABLED));
}

#[test]
fn owner_define_sends_the_area_auth_under_adip() {
    let mut b = owned_with(A::TPM_NV_PER_AUTHWRITE | A::TPM_NV_PER_AUTHREAD);
    write_auth(&mut b, AREA_AUTH, 0, b"adip").unwrap();
    assert_eq!(read_auth(&mut b, AREA_AUTH, 4).unwrap(), b"adip");
}

#[test]
fn owner_define_needs_an_osap_session() {
    let mut b = owned_tpm();
    let mut s = oiap(&mut b.tpm, OWNER);
    let input = NvDefineSpaceIn {
        pub_info: public(AREA, A::TPM_NV_PER_PPWRITE, 4),
        enc_auth: AREA_AUTH,
    };
    assert_eq!(
        run_auth1::<NvDefineSpace>(&mut b.tpm, &mut s, &input, false),
        Err(Rc::TPM_BAD_MODE)
    );
}

#[test]
fn the_owner_deletes_areas_and_unauthorized_define_is_owner_set() {
    let mut b = owned_with(A::TPM_NV_PER_OWNERWRITE);
    assert_presence(&mut b.tpm);
    let p = public(0x0001_2000, A::TPM_NV_PER_PPWRITE, 4);
    assert_eq!(define(&mut b, p), Err(Rc::TPM_OWNER_SET));
    owner_define(&mut b, public(AREA, A::TPM_NV_PER_OWNERWRITE, 0)).unwrap();
    let list = get_cap(&mut b, CapabilityArea::TPM_CAP_NV_LIST, &[]).unwrap();
    assert!(list.is_empty());
}

#[test]
fn an_osap_session_for_an_area_closes_when_the_area_is_deleted() {
    let mut b = owned_with(A::TPM_NV_PER_AUTHWRITE);
    let s = osap(
        &mut b.tpm,
        tpm_marshal::EntityType::TPM_ET_NV,
        AREA,
        AREA_AUTH,
    );
    let mut area_session = s.clone();
    let input = NvWriteValueAuthIn {
        nv_index: NvIndex(AREA),
        offset: 0,
        data: SizedBuffer(b"osap".to_vec()),
    };
    run_auth1::<NvWriteValueAuth>(&mut b.tpm, &mut area_session, &input, true).unwrap();
    owner_define(&mut b, public(AREA, A::TPM_NV_PER_AUTHWRITE, 0)).unwrap();
    owner_define(&mut b, public(AREA, A::TPM_NV_PER_AUTHWRITE, 8)).unwrap();
    assert_eq!(
        run_auth1::<NvWriteValueAuth>(&mut b.tpm, &mut area_session, &input, true),
        Err(Rc::TPM_INVALID_AUTHHANDLE)
    );
}

#[test]
fn owner_clear_deletes_the_owners_areas_but_not_d_bit_or_other_areas() {
    use commands::ownership::OwnerClear;
    let mut b = owned_tpm();
    let owner_bits = A::TPM_NV_PER_OWNERWRITE | A::TPM_NV_PER_OWNERREAD;
    // Before nvLocked, unauthorized definitions (the D bit is allowed).
    define(&mut b, public(0x1000_f000, owner_bits, 4)).unwrap();
    define(&mut b, public(0x0000_f002, owner_bits, 4)).unwrap();
    define(&mut b, public(AREA, A::TPM_NV_PER_PPWRITE, 4)).unwrap();
    let mut s = oiap(&mut b.tpm, OWNER);
    run_auth1::<OwnerClear>(&mut b.tpm, &mut s, &(), false).unwrap();
    let list = get_cap(&mut b, CapabilityArea::TPM_CAP_NV_LIST, &[]).unwrap();
    let mut want = AREA.to_be_bytes().to_vec();
    want.extend_from_slice(&0x1000_f000u32.to_be_bytes());
    assert_eq!(list, want);
}

#[test]
fn swtpm_setup_flow_certificate_after_take_ownership_then_lock() {
    // swtpm_setup: TakeOwnership, then unauthorized NV_DefineSpace / NV_WriteValue while
    // nvLocked is FALSE, then --lock-nvram.
    let mut b = owned_tpm();
    let cert = pc_client_cert(&[0x30; 600]);
    let attrs = A::TPM_NV_PER_OWNERREAD | A::TPM_NV_PER_OWNERWRITE;
    define(&mut b, public(0x1000_f000, attrs, cert.len() as u32)).unwrap();
    for (i, chunk) in cert.chunks(300).enumerate() {
        write(&mut b, 0x1000_f000, (i * 300) as u32, chunk).unwrap();
    }
    lock_nv(&mut b);
    assert_eq!(read(&mut b, 0x1000_f000, 0, 7), Err(Rc::TPM_AUTH_CONFLICT));
    let mut s = oiap(&mut b.tpm, OWNER);
    let input = NvReadValueIn {
        nv_index: NvIndex(0x1000_f000),
        offset: 0,
        data_size: cert.len() as u32,
    };
    let back = run_auth1::<NvReadValue>(&mut b.tpm, &mut s, &input, false).unwrap();
    assert_eq!(back.data.0, cert);
}
