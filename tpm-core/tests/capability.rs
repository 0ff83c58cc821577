//! Part 3, 7.1-7.2: TPM_GetCapability over every area and property, TPM_SetCapability
//! with physical presence, and TPM_GetTicks (Part 3, 23.2).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

mod common;
use commands::capability::{GetCapability, GetCapabilityIn, SetCapability, SetCapabilityIn};
use common::*;
use tpm_marshal::structures::flags::{PermanentFlags, StClearFlags};
use tpm_marshal::{
    AlgorithmId, CapFlag, CapProperty, CapVersionInfo, CapabilityArea as Area, CommandDurations,
    DaInfo, DaInfoLimited, DaState, KeyHandleList, Ordinal, PermanentFlag, ProtocolId,
    ResourceType, ReturnCode as Rc, SetCapabilityArea as SetArea, SizedBuffer, StClearFlag,
    StructVer, TisTimeouts, Unmarshal,
};

fn cap(b: &mut Bench, area: Area, sub: &[u8]) -> Result<Vec<u8>, Rc> {
    run::<GetCapability>(
        &mut b.tpm,
        &GetCapabilityIn {
            cap_area: area,
            sub_cap: SizedBuffer(sub.to_vec()),
        },
    )
    .map(|o| o.resp.0)
}

fn cap32(b: &mut Bench, area: Area, sub: u32) -> Result<Vec<u8>, Rc> {
    cap(b, area, &sub.to_be_bytes())
}

fn prop(b: &mut Bench, p: CapProperty) -> Vec<u8> {
    cap32(b, Area::TPM_CAP_PROPERTY, p.0).unwrap()
}

fn prop_u32(b: &mut Bench, p: CapProperty) -> u32 {
    u32::from_be_bytes(prop(b, p).try_into().unwrap())
}

#[test]
fn cap_ord_reports_the_ordinal_table() {
    let mut b = started();
    assert_eq!(
        cap32(&mut b, Area::TPM_CAP_ORD, Ordinal::TPM_ORD_Extend.0),
        Ok(vec![1])
    );
    assert_eq!(
        cap32(
            &mut b,
            Area::TPM_CAP_ORD,
            Ordinal::TPM_ORD_GetCapabilitySigned.0
        ),
        Ok(vec![0])
    );
    assert_eq!(
        cap(&mut b, Area::TPM_CAP_ORD, &[0, 0, 0x14]),
        Err(Rc::TPM_BAD_MODE)
    );
}

#[test]
fn cap_alg_pid_and_auth_encrypt() {
    let mut b = started();
    assert_eq!(
        cap32(&mut b, Area::TPM_CAP_ALG, AlgorithmId::TPM_ALG_RSA.0),
        Ok(vec![1])
    );
    assert_eq!(
        cap32(&mut b, Area::TPM_CAP_ALG, AlgorithmId::TPM_ALG_SHA.0),
        Ok(vec![1])
    );
    assert_eq!(
        cap32(&mut b, Area::TPM_CAP_ALG, AlgorithmId::TPM_ALG_DES.0),
        Ok(vec![0])
    );
    let pid = |b: &mut Bench, p: ProtocolId| cap(b, Area::TPM_CAP_PID, &p.0.to_be_bytes());
    assert_eq!(pid(&mut b, ProtocolId::TPM_PID_OIAP), Ok(vec![1]));
    assert_eq!(pid(&mut b, ProtocolId::TPM_PID_OSAP), Ok(vec![1]));
    assert_eq!(pid(&mut b, ProtocolId::TPM_PID_DSAP), Ok(vec![0]));
    assert_eq!(
        cap32(
            &mut b,
            Area::TPM_CAP_AUTH_ENCRYPT,
            AlgorithmId::TPM_ALG_XOR.0
        ),
        Ok(vec![1])
    );
}

#[test]
fn cap_flag_returns_the_tagged_flag_structures() {
    let mut b = started();
    let p = cap32(
        &mut b,
        Area::TPM_CAP_FLAG,
        CapFlag::TPM_CAP_FLAG_PERMANENT.0,
    )
    .unwrap();
    assert_eq!(&p[..2], &[0, 0x1f]);
    let p = PermanentFlags::from_bytes(&p).unwrap();
    assert!(!p.disable && !p.deactivated && p.ownership && p.read_pubek);
    let v = cap32(&mut b, Area::TPM_CAP_FLAG, CapFlag::TPM_CAP_FLAG_VOLATILE.0).unwrap();
    let v = StClearFlags::from_bytes(&v).unwrap();
    assert!(!v.deactivated && !v.physical_presence);
    assert_eq!(
        cap32(&mut b, Area::TPM_CAP_FLAG, 0x10a),
        Err(Rc::TPM_BAD_MODE)
    );
}

#[test]
fn every_property_of_rev_116_answers() {
    let mut b = started();
    for (name, p) in CapProperty::NAMED {
        let r = prop(&mut b, *p);
        let len = match *p {
            CapProperty::TPM_CAP_PROP_OWNER | CapProperty::TPM_CAP_PROP_DAA_INTERRUPT => 1,
            CapProperty::TPM_CAP_PROP_TIS_TIMEOUT => 16,
            CapProperty::TPM_CAP_PROP_DURATION => 12,
            _ => 4,
        };
        assert_eq!(r.len(), len, "{name}");
    }
    assert_eq!(
        cap32(&mut b, Area::TPM_CAP_PROPERTY, 0x105),
        Err(Rc::TPM_BAD_MODE)
    );
}

#[test]
fn property_values() {
    let mut b = started();
    assert_eq!(prop_u32(&mut b, CapProperty::TPM_CAP_PROP_PCR), 24);
    assert_eq!(
        prop_u32(&mut b, CapProperty::TPM_CAP_PROP_INPUT_BUFFER),
        4096
    );
    assert_eq!(prop_u32(&mut b, CapProperty::TPM_CAP_PROP_MAX_AUTHSESS), 16);
    assert_eq!(prop_u32(&mut b, CapProperty::TPM_CAP_PROP_AUTHSESS), 16);
    oiap(&mut b.tpm, [0; 20]);
    assert_eq!(prop_u32(&mut b, CapProperty::TPM_CAP_PROP_AUTHSESS), 15);
    assert_eq!(prop(&mut b, CapProperty::TPM_CAP_PROP_OWNER), [0]);
    assert_eq!(
        prop_u32(&mut b, CapProperty::TPM_CAP_PROP_MANUFACTURER),
        u32::from_be_bytes(*b"RS12")
    );
    assert_eq!(
        prop_u32(&mut b, CapProperty::TPM_CAP_PROP_ACTIVE_COUNTER),
        u32::MAX
    );
    let t = TisTimeouts::from_bytes(&prop(&mut b, CapProperty::TPM_CAP_PROP_TIS_TIMEOUT)).unwrap();
    assert!(t.timeout_b >= t.timeout_a);
    let d =
        CommandDurations::from_bytes(&prop(&mut b, CapProperty::TPM_CAP_PROP_DURATION)).unwrap();
    assert!(d.short < d.medium && d.medium < d.long);
}

#[test]
fn version_and_version_val() {
    let mut b = started();
    let v = cap(&mut b, Area::TPM_CAP_VERSION, &[]).unwrap();
    assert_eq!(StructVer::from_bytes(&v).unwrap(), StructVer::V1_1);
    let v =
        CapVersionInfo::from_bytes(&cap(&mut b, Area::TPM_CAP_VERSION_VAL, &[]).unwrap()).unwrap();
    assert_eq!((v.version.major, v.version.minor), (1, 2));
    assert_eq!((v.spec_level, v.errata_rev), (2, 3));
    assert_eq!(&v.tpm_vendor_id, b"RS12");
}

#[test]
fn handle_lists() {
    let mut b = started();
    let s = oiap(&mut b.tpm, [0; 20]);
    let auth = cap32(&mut b, Area::TPM_CAP_HANDLE, ResourceType::TPM_RT_AUTH.0).unwrap();
    assert_eq!(
        KeyHandleList::from_bytes(&auth).unwrap().handles,
        [s.handle]
    );
    let keys = cap32(&mut b, Area::TPM_CAP_HANDLE, ResourceType::TPM_RT_KEY.0).unwrap();
    assert!(KeyHandleList::from_bytes(&keys).unwrap().handles.is_empty());
    assert_eq!(cap(&mut b, Area::TPM_CAP_KEY_HANDLE, &[]), Ok(vec![0, 0]));
    assert_eq!(
        cap32(&mut b, Area::TPM_CAP_HANDLE, 0x99),
        Err(Rc::TPM_BAD_MODE)
    );
}

#[test]
fn key_nv_and_transport_areas_without_keys_or_nv() {
    let mut b = started();
    assert_eq!(
        cap32(&mut b, Area::TPM_CAP_KEY_STATUS, 0x0100_0000),
        Err(Rc::TPM_INVALID_KEYHANDLE)
    );
    assert_eq!(cap(&mut b, Area::TPM_CAP_NV_LIST, &[]), Ok(vec![]));
    assert_eq!(
        cap32(&mut b, Area::TPM_CAP_NV_INDEX, 0x1000_f000),
        Err(Rc::TPM_BADINDEX)
    );
    assert_eq!(
        cap32(&mut b, Area::TPM_CAP_TRANS_ALG, AlgorithmId::TPM_ALG_MGF1.0),
        Ok(vec![0])
    );
    assert_eq!(cap(&mut b, Area::TPM_CAP_TRANS_ES, &[0, 3]), Ok(vec![0]));
    assert_eq!(cap32(&mut b, Area::TPM_CAP_SYM_MODE, 1), Ok(vec![0]));
}

#[test]
fn check_loaded_accepts_rsa_2048() {
    let mut b = started();
    // TPM_KEY_PARMS: RSA, RSAESOAEP, none, parmSize 12, keyLength 2048, 2 primes, no exponent.
    let mut parms = vec![0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 12];
    parms.extend_from_slice(&[0, 0, 8, 0, 0, 0, 0, 2, 0, 0, 0, 0]);
    assert_eq!(cap(&mut b, Area::TPM_CAP_CHECK_LOADED, &parms), Ok(vec![1]));
    parms[14] = 0x10; // 4096 bits
    assert_eq!(cap(&mut b, Area::TPM_CAP_CHECK_LOADED, &parms), Ok(vec![0]));
    assert_eq!(
        cap(&mut b, Area::TPM_CAP_CHECK_LOADED, &parms[..5]),
        Err(Rc::TPM_BAD_PARAM_SIZE)
    );
}

#[test]
fn select_size() {
    let mut b = started();
    assert_eq!(
        cap(&mut b, Area::TPM_CAP_SELECT_SIZE, &[1, 2, 0, 3]),
        Ok(vec![1])
    );
    assert_eq!(
        cap(&mut b, Area::TPM_CAP_SELECT_SIZE, &[1, 1, 0, 3]),
        Ok(vec![0])
    );
    assert_eq!(
        cap(&mut b, Area::TPM_CAP_SELECT_SIZE, &[1, 1]),
        Err(Rc::TPM_BAD_MODE)
    );
}

#[test]
fn da_logic_reports_full_or_limited_info() {
    let mut b = started();
    let r = cap(&mut b, Area::TPM_CAP_DA_LOGIC, &[0, 2]).unwrap();
    let info = DaInfo::from_bytes(&r).unwrap();
    assert_eq!(info.state, DaState::TPM_DA_STATE_INACTIVE);
    assert_eq!(info.threshold_count, 5);
    assert_eq!(info.current_count, 0);
    assert_eq!(
        cap(&mut b, Area::TPM_CAP_DA_LOGIC, &[0]),
        Err(Rc::TPM_BAD_MODE)
    );
}

#[test]
fn unknown_area_and_mfr_are_bad_mode() {
    let mut b = started();
    assert_eq!(cap(&mut b, Area(0x99), &[]), Err(Rc::TPM_BAD_MODE));
    assert_eq!(cap32(&mut b, Area::TPM_CAP_MFR, 1), Err(Rc::TPM_BAD_MODE));
}

#[test]
fn get_capability_runs_before_the_full_self_test_and_in_failure_mode() {
    let mut b = fresh(ACTIVE);
    assert_eq!(
        startup(&mut b.tpm, tpm_marshal::StartupType::TPM_ST_STATE),
        Err(Rc::TPM_FAILEDSELFTEST)
    );
    assert!(cap(&mut b, Area::TPM_CAP_VERSION_VAL, &[]).is_ok());
    assert!(cap32(
        &mut b,
        Area::TPM_CAP_PROPERTY,
        CapProperty::TPM_CAP_PROP_DURATION.0
    )
    .is_ok());
    assert_eq!(
        cap32(
            &mut b,
            Area::TPM_CAP_PROPERTY,
            CapProperty::TPM_CAP_PROP_PCR.0
        ),
        Err(Rc::TPM_FAILEDSELFTEST)
    );
}

// ---- SetCapability ----

fn set(b: &mut Bench, area: SetArea, sub: u32, value: &[u8]) -> Result<(), Rc> {
    run::<SetCapability>(
        &mut b.tpm,
        &SetCapabilityIn {
            cap_area: area,
            sub_cap: SizedBuffer(sub.to_be_bytes().to_vec()),
            set_value: SizedBuffer(value.to_vec()),
        },
    )
}

fn permanent_flags(b: &mut Bench) -> PermanentFlags {
    let p = cap32(b, Area::TPM_CAP_FLAG, CapFlag::TPM_CAP_FLAG_PERMANENT.0).unwrap();
    PermanentFlags::from_bytes(&p).unwrap()
}

#[test]
fn set_capability_with_presence_sets_disable_and_deactivated() {
    let mut b = started();
    assert_eq!(
        set(
            &mut b,
            SetArea::TPM_SET_PERM_FLAGS,
            PermanentFlag::TPM_PF_DEACTIVATED.0,
            &[1]
        ),
        Err(Rc::TPM_AUTHFAIL)
    );
    assert_presence(&mut b.tpm);
    set(
        &mut b,
        SetArea::TPM_SET_PERM_FLAGS,
        PermanentFlag::TPM_PF_DEACTIVATED.0,
        &[1],
    )
    .unwrap();
    assert!(permanent_flags(&mut b).deactivated);
    set(
        &mut b,
        SetArea::TPM_SET_PERM_FLAGS,
        PermanentFlag::TPM_PF_OWNERSHIP.0,
        &[0],
    )
    .unwrap();
    assert!(!permanent_flags(&mut b).ownership);
    set(
        &mut b,
        SetArea::TPM_SET_PERM_FLAGS,
        PermanentFlag::TPM_PF_DISABLE.0,
        &[1],
    )
    .unwrap();
    assert!(permanent_flags(&mut b).disable);
}

#[test]
fn set_capability_errors() {
    let mut b = started();
    assert_presence(&mut b.tpm);
    let pf = SetArea::TPM_SET_PERM_FLAGS;
    // Owner-only values without an owner.
    assert_eq!(
        set(&mut b, pf, PermanentFlag::TPM_PF_READPUBEK.0, &[0]),
        Err(Rc::TPM_AUTHFAIL)
    );
    // Values that are not settable.
    assert_eq!(
        set(&mut b, pf, PermanentFlag::TPM_PF_FIPS.0, &[1]),
        Err(Rc::TPM_BAD_PARAMETER)
    );
    // A TPM_BOOL of 2 or of two bytes.
    assert_eq!(
        set(&mut b, pf, PermanentFlag::TPM_PF_DISABLE.0, &[2]),
        Err(Rc::TPM_BAD_PARAMETER)
    );
    assert_eq!(
        set(&mut b, pf, PermanentFlag::TPM_PF_DISABLE.0, &[0, 0]),
        Err(Rc::TPM_BAD_PARAMETER)
    );
    // tpmEstablished: only to FALSE, only from locality 3 or 4.
    assert_eq!(
        set(&mut b, pf, PermanentFlag::TPM_PF_TPMESTABLISHED.0, &[0]),
        Err(Rc::TPM_BAD_LOCALITY)
    );
    // disableForceClear only to TRUE.
    assert_eq!(
        set(
            &mut b,
            SetArea::TPM_SET_STCLEAR_FLAGS,
            StClearFlag::TPM_SF_DISABLEFORCECLEAR.0,
            &[0]
        ),
        Err(Rc::TPM_BAD_PARAMETER)
    );
    set(
        &mut b,
        SetArea::TPM_SET_STCLEAR_FLAGS,
        StClearFlag::TPM_SF_DISABLEFORCECLEAR.0,
        &[1],
    )
    .unwrap();
    assert_eq!(
        set(&mut b, SetArea::TPM_SET_STANY_DATA, 1, &[]),
        Err(Rc::TPM_BAD_PARAMETER)
    );
    assert_eq!(set(&mut b, SetArea(0x55), 1, &[1]), Err(Rc::TPM_BAD_MODE));
}

#[test]
fn deferred_physical_presence_bits_need_presence_to_set() {
    let mut b = started();
    let sd = SetArea::TPM_SET_STCLEAR_DATA;
    let dpp = tpm_marshal::StClearData::TPM_SD_DEFERREDPHYSICALPRESENCE.0;
    assert_eq!(
        set(&mut b, sd, dpp, &[0, 0, 0, 1]),
        Err(Rc::TPM_BAD_PRESENCE)
    );
    assert_presence(&mut b.tpm);
    set(&mut b, sd, dpp, &[0, 0, 0, 1]).unwrap();
    // Clearing needs nothing.
    run::<commands::ownership::TscPhysicalPresence>(
        &mut b.tpm,
        &commands::ownership::TscPhysicalPresenceIn {
            physical_presence: tpm_marshal::PhysicalPresence::TPM_PHYSICAL_PRESENCE_NOTPRESENT,
        },
    )
    .unwrap();
    set(&mut b, sd, dpp, &[0, 0, 0, 0]).unwrap();
}

#[test]
fn tos_present_can_be_cleared_from_locality_3() {
    let mut b = started();
    let input = SetCapabilityIn {
        cap_area: SetArea::TPM_SET_STANY_FLAGS,
        sub_cap: SizedBuffer(
            tpm_marshal::StAnyFlag::TPM_AF_TOSPRESENT
                .0
                .to_be_bytes()
                .to_vec(),
        ),
        set_value: SizedBuffer(vec![0]),
    };
    assert_eq!(
        run_at::<SetCapability>(&mut b.tpm, 0, &input),
        Err(Rc::TPM_BAD_LOCALITY)
    );
    run_at::<SetCapability>(&mut b.tpm, 3, &input).unwrap();
}

#[test]
fn full_da_logic_info_can_be_limited_only_by_the_owner() {
    let mut b = started();
    assert_presence(&mut b.tpm);
    assert_eq!(
        set(
            &mut b,
            SetArea::TPM_SET_PERM_FLAGS,
            PermanentFlag::TPM_PF_DISABLEFULLDALOGICINFO.0,
            &[1]
        ),
        Err(Rc::TPM_AUTHFAIL)
    );
    let r = cap(&mut b, Area::TPM_CAP_DA_LOGIC, &[0, 2]).unwrap();
    assert!(DaInfoLimited::from_bytes(&r).is_err());
}

// ---- GetTicks ----

#[test]
fn get_ticks_counts_platform_microseconds_in_one_tick_session() {
    use commands::timing::GetTicks;
    let mut b = started();
    let t1 = run::<GetTicks>(&mut b.tpm, &()).unwrap().current_time;
    b.controls.advance_us(1500);
    let t2 = run::<GetTicks>(&mut b.tpm, &()).unwrap().current_time;
    assert_eq!(t2.current_ticks - t1.current_ticks, 1500);
    assert_eq!(t1.tick_rate, 1);
    assert_eq!(t1.tick_nonce, t2.tick_nonce);
    b.tpm.init();
    startup(&mut b.tpm, tpm_marshal::StartupType::TPM_ST_CLEAR).unwrap();
    let t3 = run::<GetTicks>(&mut b.tpm, &()).unwrap().current_time;
    assert_ne!(t3.tick_nonce, t1.tick_nonce);
    assert_eq!(t3.current_ticks, 0);
}

#[test]
fn get_ticks_needs_an_active_tpm() {
    use commands::timing::GetTicks;
    let mut b = fresh(Config {
        activated: false,
        ..ACTIVE
    });
    startup(&mut b.tpm, tpm_marshal::StartupType::TPM_ST_CLEAR).unwrap();
    assert_eq!(run::<GetTicks>(&mut b.tpm, &()), Err(Rc::TPM_DEACTIVATED));
}
