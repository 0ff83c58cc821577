//! Part 3, 5.1-5.2, 6, 7.3, 9.3, 14, 27.6-27.7: the endorsement key, taking and clearing
//! ownership, and the owner's own ordinals, through `execute()`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

mod common;
mod owner_common;
use commands::capability::{GetCapability, GetCapabilityIn, GetCapabilityOwner};
use commands::deprecated::{DisablePubekRead, OwnerReadPubek};
use commands::ek::*;
use commands::ownership::{DisableForceClear, DisableOwnerClear, ForceClear, OwnerClear};
use common::*;
use owner_common::*;
use tpm_marshal::{
    CapabilityArea, DaInfo, EncScheme, KeyFlags, KeyHandle, ReturnCode as Rc, SigScheme,
    SizedBuffer, Unmarshal,
};

#[test]
fn create_endorsement_key_pair_then_read_pubek_with_checksum() {
    let mut b = started();
    let parms = rsa_parms(
        EncScheme::TPM_ES_RSAESOAEP_SHA1_MGF1,
        SigScheme::TPM_SS_NONE,
        2048,
    );
    let input = CreateEndorsementKeyPairIn {
        anti_replay: [5; 20],
        key_info: parms.clone(),
    };
    let out = run::<CreateEndorsementKeyPair>(&mut b.tpm, &input).unwrap();
    let pub_bytes = tpm_marshal::Marshal::to_bytes(&out.pub_endorsement_key).unwrap();
    assert_eq!(out.checksum, sha1(&[&pub_bytes, &[5; 20]]));
    assert_eq!(modulus_len(&out.pub_endorsement_key), 256);
    // A second EK is refused.
    assert_eq!(
        run::<CreateEndorsementKeyPair>(&mut b.tpm, &input),
        Err(Rc::TPM_DISABLED_CMD)
    );
    let read = run::<ReadPubek>(
        &mut b.tpm,
        &ReadPubekIn {
            anti_replay: [6; 20],
        },
    )
    .unwrap();
    assert_eq!(read.pub_endorsement_key, out.pub_endorsement_key);
    assert_eq!(read.checksum, sha1(&[&pub_bytes, &[6; 20]]));
}

#[test]
fn read_pubek_without_an_ek_is_no_endorsement() {
    let mut b = started();
    assert_eq!(
        run::<ReadPubek>(
            &mut b.tpm,
            &ReadPubekIn {
                anti_replay: [0; 20]
            }
        ),
        Err(Rc::TPM_NO_ENDORSEMENT)
    );
}

#[test]
fn create_endorsement_key_pair_rejects_small_or_signing_parameters() {
    let mut b = started();
    for parms in [
        rsa_parms(
            EncScheme::TPM_ES_RSAESOAEP_SHA1_MGF1,
            SigScheme::TPM_SS_NONE,
            1024,
        ),
        rsa_parms(
            EncScheme::TPM_ES_NONE,
            SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1,
            2048,
        ),
    ] {
        let input = CreateEndorsementKeyPairIn {
            anti_replay: [0; 20],
            key_info: parms,
        };
        assert_eq!(
            run::<CreateEndorsementKeyPair>(&mut b.tpm, &input),
            Err(Rc::TPM_BAD_KEY_PROPERTY)
        );
    }
}

#[test]
fn take_ownership_installs_owner_and_srk_and_disables_read_pubek() {
    let mut b = with_ek(1);
    let ek_pub = read_pubek(&mut b.tpm);
    let srk_pub = take_ownership_to(&mut b.tpm, &ek_pub).unwrap();
    assert_eq!(srk_pub.enc_data().0.len(), 0);
    assert_eq!(srk_pub.pub_key().key.0.len(), 256);
    // A second owner is refused; ReadPubek is now TPM_DISABLED_CMD (tpm_getpubek then uses
    // OwnerReadInternalPub).
    assert_eq!(
        take_ownership_to(&mut b.tpm, &ek_pub),
        Err(Rc::TPM_OWNER_SET)
    );
    assert_eq!(
        run::<ReadPubek>(
            &mut b.tpm,
            &ReadPubekIn {
                anti_replay: [0; 20]
            }
        ),
        Err(Rc::TPM_DISABLED_CMD)
    );
    let mut s = oiap(&mut b.tpm, OWNER);
    let ek = run_auth1::<OwnerReadInternalPub>(
        &mut b.tpm,
        &mut s,
        &OwnerReadInternalPubIn {
            key_handle: KeyHandle::TPM_KH_EK.0,
        },
        true,
    )
    .unwrap();
    let srk = run_auth1::<OwnerReadInternalPub>(
        &mut b.tpm,
        &mut s,
        &OwnerReadInternalPubIn { key_handle: SRK },
        true,
    )
    .unwrap();
    assert_eq!(srk.public_portion.pub_key, *srk_pub.pub_key());
    let old = run_auth1::<OwnerReadPubek>(&mut b.tpm, &mut s, &(), false).unwrap();
    assert_eq!(old.pub_endorsement_key, ek.public_portion);
}

#[test]
fn take_ownership_without_ek_is_no_endorsement() {
    use commands::ownership::{TakeOwnership, TakeOwnershipIn};
    let mut b = started();
    let input = TakeOwnershipIn {
        protocol_id: tpm_marshal::ProtocolId::TPM_PID_OWNER,
        enc_owner_auth: SizedBuffer(vec![1; 256]),
        enc_srk_auth: SizedBuffer(vec![1; 256]),
        srk_params: storage_template(KeyFlags(0)),
    };
    let mut s = oiap(&mut b.tpm, OWNER);
    assert_eq!(
        run_auth1::<TakeOwnership>(&mut b.tpm, &mut s, &input, false),
        Err(Rc::TPM_NO_ENDORSEMENT)
    );
}

#[test]
fn take_ownership_after_set_owner_install_false_is_install_disabled() {
    use commands::opt_in::{SetOwnerInstall, SetOwnerInstallIn};
    let mut b = with_ek(1);
    let off = SetOwnerInstallIn { state: false };
    assert_eq!(
        run::<SetOwnerInstall>(&mut b.tpm, &off),
        Err(Rc::TPM_BAD_PRESENCE)
    );
    assert_presence(&mut b.tpm);
    run::<SetOwnerInstall>(&mut b.tpm, &off).unwrap();
    assert_eq!(take_ownership(&mut b.tpm), Err(Rc::TPM_INSTALL_DISABLED));
    run::<SetOwnerInstall>(&mut b.tpm, &SetOwnerInstallIn { state: true }).unwrap();
    take_ownership(&mut b.tpm).unwrap();
}

#[test]
fn take_ownership_with_wrong_hmac_is_authfail_and_counts() {
    use commands::ownership::{TakeOwnership, TakeOwnershipIn};
    let mut b = with_ek(1);
    let ek = rsa_public(&read_pubek(&mut b.tpm));
    let input = TakeOwnershipIn {
        protocol_id: tpm_marshal::ProtocolId::TPM_PID_OWNER,
        enc_owner_auth: SizedBuffer(oaep_tcpa(&ek, &OWNER)),
        enc_srk_auth: SizedBuffer(oaep_tcpa(&ek, &SRK_AUTH)),
        srk_params: storage_template(KeyFlags(0)),
    };
    let mut s = oiap(&mut b.tpm, [0xee; 20]);
    assert_eq!(
        run_auth1::<TakeOwnership>(&mut b.tpm, &mut s, &input, false),
        Err(Rc::TPM_AUTHFAIL)
    );
    assert_eq!(da_count(&mut b), 1);
}

/// TPM_DA_INFO.currentCount for the owner.
fn da_count(b: &mut Bench) -> u16 {
    let out = run::<GetCapability>(
        &mut b.tpm,
        &GetCapabilityIn {
            cap_area: CapabilityArea::TPM_CAP_DA_LOGIC,
            sub_cap: SizedBuffer(vec![0, 2]),
        },
    )
    .unwrap();
    DaInfo::from_bytes(&out.resp.0).unwrap().current_count
}

fn owner_clear(b: &mut Bench) -> Result<(), Rc> {
    let mut s = oiap(&mut b.tpm, OWNER);
    run_auth1::<OwnerClear>(&mut b.tpm, &mut s, &(), false)
}

#[test]
fn owner_clear_wipes_owner_srk_and_owner_evict_keys() {
    let mut b = owned(1);
    let blob = shared_signing_blob(&mut b.tpm);
    let h = load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob).unwrap();
    make_owner_evict(&mut b, h);
    owner_clear(&mut b).unwrap();
    // The owner is gone: owner commands fail, the SRK and every key handle are gone.
    assert_eq!(owner_clear(&mut b), Err(Rc::TPM_AUTHFAIL));
    // The TPM is disabled and deactivated again (permanent flags); it keeps running as
    // it was until the next Startup.
    let mut b = restart(b, 2);
    assert_eq!(
        run::<commands::crypto::GetRandom>(
            &mut b.tpm,
            &commands::crypto::GetRandomIn { bytes_requested: 1 }
        ),
        Err(Rc::TPM_DISABLED)
    );
}

#[test]
fn owner_clear_flushes_keys_and_reenables_read_pubek() {
    let mut b = owned(1);
    let blob = shared_signing_blob(&mut b.tpm);
    let h = load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob).unwrap();
    make_owner_evict(&mut b, h);
    owner_clear(&mut b).unwrap();
    // The clear disables the TPM at once (TPM_PERMANENT_FLAGS.disable).
    assert_eq!(get_pub_key(&mut b.tpm, h, KEY_AUTH), Err(Rc::TPM_DISABLED));
    enable(&mut b);
    assert_eq!(
        get_pub_key(&mut b.tpm, h, KEY_AUTH),
        Err(Rc::TPM_INVALID_KEYHANDLE)
    );
    assert_eq!(get_pub_key(&mut b.tpm, SRK, SRK_AUTH), Err(Rc::TPM_NOSRK));
    read_pubek(&mut b.tpm);
    // A new owner can be installed.
    take_ownership(&mut b.tpm).unwrap();
    // The old blob does not load under the new SRK (new SRK, new tpmProof).
    assert_eq!(
        load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob),
        Err(Rc::TPM_DECRYPT_ERROR)
    );
}

#[test]
fn disable_owner_clear_makes_owner_clear_clear_disabled() {
    let mut b = owned(1);
    let mut s = oiap(&mut b.tpm, OWNER);
    run_auth1::<DisableOwnerClear>(&mut b.tpm, &mut s, &(), false).unwrap();
    assert_eq!(owner_clear(&mut b), Err(Rc::TPM_CLEAR_DISABLED));
}

#[test]
fn force_clear_needs_presence_and_wipes_the_owner() {
    let mut b = owned(1);
    let blob = shared_signing_blob(&mut b.tpm);
    let h = load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob).unwrap();
    make_owner_evict(&mut b, h);
    assert_eq!(
        run::<ForceClear>(&mut b.tpm, &()),
        Err(Rc::TPM_BAD_PRESENCE)
    );
    assert_presence(&mut b.tpm);
    run::<ForceClear>(&mut b.tpm, &()).unwrap();
    enable(&mut b);
    assert_eq!(
        get_pub_key(&mut b.tpm, h, KEY_AUTH),
        Err(Rc::TPM_INVALID_KEYHANDLE)
    );
    assert_eq!(owner_clear(&mut b), Err(Rc::TPM_AUTHFAIL));
    // Owner-evict keys do not come back after a power cycle either.
    let mut b = restart(b, 3);
    enable(&mut b);
    activate(&mut b);
    assert_eq!(
        get_pub_key(&mut b.tpm, h, KEY_AUTH),
        Err(Rc::TPM_INVALID_KEYHANDLE)
    );
}

#[test]
fn disable_force_clear_lasts_until_startup_clear() {
    let mut b = owned(1);
    run::<DisableForceClear>(&mut b.tpm, &()).unwrap();
    assert_presence(&mut b.tpm);
    assert_eq!(
        run::<ForceClear>(&mut b.tpm, &()),
        Err(Rc::TPM_CLEAR_DISABLED)
    );
}

#[test]
fn get_capability_owner_reports_flags_as_bits() {
    let mut b = owned(1);
    let mut s = oiap(&mut b.tpm, OWNER);
    let out = run_auth1::<GetCapabilityOwner>(&mut b.tpm, &mut s, &(), false).unwrap();
    assert_eq!((out.version.major, out.version.minor), (1, 2));
    // ownership (bit 1) set, disable (bit 0) clear, readPubek (bit 3) cleared by
    // TakeOwnership.
    assert_eq!(out.non_volatile_flags & 0b1011, 0b0010);
}

#[test]
fn disable_pubek_read_is_owner_authorized() {
    let mut b = owned(1);
    let mut s = oiap(&mut b.tpm, OWNER);
    run_auth1::<DisablePubekRead>(&mut b.tpm, &mut s, &(), false).unwrap();
    assert_eq!(
        run::<ReadPubek>(
            &mut b.tpm,
            &ReadPubekIn {
                anti_replay: [0; 20]
            }
        ),
        Err(Rc::TPM_DISABLED_CMD)
    );
}

#[test]
fn revocable_ek_is_revoked_with_its_reset_value() {
    let mut b = started();
    let out = run::<CreateRevocableEk>(
        &mut b.tpm,
        &CreateRevocableEkIn {
            anti_replay: [0; 20],
            key_info: rsa_parms(
                EncScheme::TPM_ES_RSAESOAEP_SHA1_MGF1,
                SigScheme::TPM_SS_NONE,
                2048,
            ),
            generate_reset: false,
            input_ek_reset: [0x42; 20],
        },
    )
    .unwrap();
    assert_eq!(out.output_ek_reset, [0x42; 20]);
    assert_presence(&mut b.tpm);
    assert_eq!(
        run::<RevokeTrust>(
            &mut b.tpm,
            &RevokeTrustIn {
                ek_reset: [0x41; 20]
            }
        ),
        Err(Rc::TPM_AUTHFAIL)
    );
    run::<RevokeTrust>(
        &mut b.tpm,
        &RevokeTrustIn {
            ek_reset: [0x42; 20],
        },
    )
    .unwrap();
    assert_eq!(
        run::<ReadPubek>(
            &mut b.tpm,
            &ReadPubekIn {
                anti_replay: [0; 20]
            }
        ),
        Err(Rc::TPM_NO_ENDORSEMENT)
    );
}

#[test]
fn reset_lock_value_ends_a_lockout_count() {
    use commands::admin::ResetLockValue;
    let mut b = owned(1);
    for _ in 0..3 {
        let mut s = oiap(&mut b.tpm, [0; 20]);
        assert_eq!(
            run_auth1::<GetCapabilityOwner>(&mut b.tpm, &mut s, &(), false),
            Err(Rc::TPM_AUTHFAIL)
        );
    }
    assert_eq!(da_count(&mut b), 3);
    let mut s = oiap(&mut b.tpm, OWNER);
    run_auth1::<ResetLockValue>(&mut b.tpm, &mut s, &(), false).unwrap();
    assert_eq!(da_count(&mut b), 0);
}

/// Marks a loaded key owner-evict with TPM_KeyControlOwner.
fn make_owner_evict(b: &mut Bench, handle: u32) {
    use commands::context::{KeyControlOwner, KeyControlOwnerIn};
    let pub_key = get_pub_key(&mut b.tpm, handle, KEY_AUTH).unwrap();
    let mut s = oiap(&mut b.tpm, OWNER);
    run_auth1::<KeyControlOwner>(
        &mut b.tpm,
        &mut s,
        &KeyControlOwnerIn {
            key_handle: handle,
            pub_key,
            bit_name: tpm_marshal::KeyControl::TPM_KEY_CONTROL_OWNER_EVICT,
            bit_value: true,
        },
        false,
    )
    .unwrap();
}

/// TPM_PhysicalEnable with physical presence.
fn enable(b: &mut Bench) {
    assert_presence(&mut b.tpm);
    run::<commands::opt_in::PhysicalEnable>(&mut b.tpm, &()).unwrap();
}

/// TPM_PhysicalSetDeactivated(FALSE), then a power cycle's Startup(ST_CLEAR) takes it up.
fn activate(b: &mut Bench) {
    use commands::opt_in::{PhysicalSetDeactivated, PhysicalSetDeactivatedIn};
    assert_presence(&mut b.tpm);
    run::<PhysicalSetDeactivated>(&mut b.tpm, &PhysicalSetDeactivatedIn { state: false }).unwrap();
    b.tpm.init();
    startup(&mut b.tpm, tpm_marshal::StartupType::TPM_ST_CLEAR).unwrap();
}

#[test]
fn owner_set_disable_disables_and_reenables() {
    use commands::opt_in::{OwnerSetDisable, OwnerSetDisableIn};
    let mut b = owned(1);
    let mut s = oiap(&mut b.tpm, OWNER);
    run_auth1::<OwnerSetDisable>(
        &mut b.tpm,
        &mut s,
        &OwnerSetDisableIn {
            disable_state: true,
        },
        false,
    )
    .unwrap();
    let random = commands::crypto::GetRandomIn { bytes_requested: 1 };
    assert_eq!(
        run::<commands::crypto::GetRandom>(&mut b.tpm, &random).err(),
        Some(Rc::TPM_DISABLED)
    );
    let mut s = oiap(&mut b.tpm, OWNER);
    run_auth1::<OwnerSetDisable>(
        &mut b.tpm,
        &mut s,
        &OwnerSetDisableIn {
            disable_state: false,
        },
        false,
    )
    .unwrap();
    run::<commands::crypto::GetRandom>(&mut b.tpm, &random).unwrap();
}
