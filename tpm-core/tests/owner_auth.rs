//! Wrong authorization on each owner- or key-authorized ordinal of issue 3 answers
//! TPM_AUTHFAIL and counts toward the dictionary-attack lockout (Part 1, 19.5).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

mod common;
mod owner_common;
use commands::admin::ResetLockValue;
use commands::capability::{GetCapability, GetCapabilityIn, GetCapabilityOwner};
use commands::context::{KeyControlOwner, KeyControlOwnerIn};
use commands::crypto::{Sign, SignIn};
use commands::deprecated::{DisablePubekRead, OwnerReadPubek};
use commands::ek::{OwnerReadInternalPub, OwnerReadInternalPubIn};
use commands::integrity::{Quote, Quote2, Quote2In, QuoteIn};
use commands::opt_in::{OwnerSetDisable, OwnerSetDisableIn};
use commands::ownership::{DisableOwnerClear, OwnerClear};
use commands::storage::*;
use common::*;
use owner_common::*;
use tpm_core::Tpm;
use tpm_marshal::{
    CapabilityArea, Command, DaInfo, KeyControl, PcrSelection, ReturnCode as Rc, Sized32,
    SizedBuffer, Unmarshal,
};

fn da_count(tpm: &mut Tpm) -> u16 {
    let out = run::<GetCapability>(
        tpm,
        &GetCapabilityIn {
            cap_area: CapabilityArea::TPM_CAP_DA_LOGIC,
            sub_cap: SizedBuffer(vec![0, 2]),
        },
    )
    .unwrap();
    DaInfo::from_bytes(&out.resp.0).unwrap().current_count
}

/// Sends `C` with one OIAP session keyed with a wrong secret: TPM_AUTHFAIL, one more
/// failure counted; then the owner resets the count.
fn refused<C: Command>(tpm: &mut Tpm, input: &C::In) {
    let mut s = oiap(tpm, [0xee; 20]);
    assert_eq!(
        run_auth1::<C>(tpm, &mut s, input, false).err(),
        Some(Rc::TPM_AUTHFAIL),
        "{:?}",
        C::ORDINAL
    );
    assert_eq!(da_count(tpm), 1, "{:?} counts", C::ORDINAL);
    let mut s = oiap(tpm, OWNER);
    run_auth1::<ResetLockValue>(tpm, &mut s, &(), false).unwrap();
    assert_eq!(da_count(tpm), 0);
}

#[test]
fn wrong_auth_on_each_authorized_ordinal_is_authfail_and_counts() {
    let mut b = owned(1);
    let tpm = &mut b.tpm;
    let blob = shared_signing_blob(tpm);
    let h = load_key2(tpm, SRK, SRK_AUTH, &blob).unwrap();
    let pub_key = get_pub_key(tpm, h, KEY_AUTH).unwrap();
    let select = PcrSelection::new(3, &[0]).unwrap();

    refused::<OwnerClear>(tpm, &());
    refused::<DisableOwnerClear>(tpm, &());
    refused::<GetCapabilityOwner>(tpm, &());
    refused::<OwnerSetDisable>(
        tpm,
        &OwnerSetDisableIn {
            disable_state: true,
        },
    );
    refused::<OwnerReadInternalPub>(tpm, &OwnerReadInternalPubIn { key_handle: SRK });
    refused::<OwnerReadPubek>(tpm, &());
    refused::<DisablePubekRead>(tpm, &());
    refused::<KeyControlOwner>(
        tpm,
        &KeyControlOwnerIn {
            key_handle: h,
            pub_key,
            bit_name: KeyControl::TPM_KEY_CONTROL_OWNER_EVICT,
            bit_value: true,
        },
    );
    refused::<LoadKey2>(
        tpm,
        &LoadKey2In {
            parent_handle: SRK,
            in_key: blob.clone(),
        },
    );
    refused::<GetPubKey>(tpm, &GetPubKeyIn { key_handle: h });
    refused::<CreateWrapKey>(
        tpm,
        &CreateWrapKeyIn {
            parent_handle: SRK,
            data_usage_auth: [0; 20],
            data_migration_auth: [0; 20],
            key_info: blob.clone(),
        },
    );
    refused::<Seal>(
        tpm,
        &SealIn {
            key_handle: SRK,
            enc_auth: [0; 20],
            pcr_info: Sized32(None),
            in_data: SizedBuffer(vec![1]),
        },
    );
    refused::<UnBind>(
        tpm,
        &UnBindIn {
            key_handle: h,
            in_data: SizedBuffer(vec![1; 256]),
        },
    );
    refused::<Sign>(
        tpm,
        &SignIn {
            key_handle: h,
            area_to_sign: SizedBuffer(vec![1; 20]),
        },
    );
    refused::<Quote>(
        tpm,
        &QuoteIn {
            key_handle: h,
            external_data: [0; 20],
            target_pcr: select.clone(),
        },
    );
    refused::<Quote2>(
        tpm,
        &Quote2In {
            key_handle: h,
            external_data: [0; 20],
            target_pcr: select,
            add_version: false,
        },
    );
}

#[test]
fn repeated_wrong_owner_auth_locks_out_even_the_right_secret() {
    let mut b = owned(1);
    for _ in 0..=tpm_core::DA_THRESHOLD {
        let mut s = oiap(&mut b.tpm, [0xee; 20]);
        assert_eq!(
            run_auth1::<GetCapabilityOwner>(&mut b.tpm, &mut s, &(), false).err(),
            Some(Rc::TPM_AUTHFAIL)
        );
    }
    let mut s = oiap(&mut b.tpm, OWNER);
    assert_eq!(
        run_auth1::<GetCapabilityOwner>(&mut b.tpm, &mut s, &(), false).err(),
        Some(Rc::TPM_DEFEND_LOCK_RUNNING)
    );
}
