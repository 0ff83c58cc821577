//! Part 3, 14.1 and 6.1: the manufacturing steps as Debian's swtpm_setup sends them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

mod common;
mod owner_common;
use commands::ek::{CreateEndorsementKeyPair, CreateEndorsementKeyPairIn};
use common::*;
use owner_common::*;
use tpm_marshal::{EncScheme, SigScheme, StartupType};

/// swtpm_setup's request carries sigScheme TPM_SS_RSASSAPKCS1v15_SHA1; action 2c says the
/// other parameters of keyInfo are ignored, and the EK comes out with TPM_SS_NONE.
#[test]
fn create_endorsement_key_pair_ignores_the_signature_scheme() {
    let mut b = started();
    let input = CreateEndorsementKeyPairIn {
        anti_replay: [1; 20],
        key_info: rsa_parms(
            EncScheme::TPM_ES_RSAESOAEP_SHA1_MGF1,
            SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1,
            2048,
        ),
    };
    let out = run::<CreateEndorsementKeyPair>(&mut b.tpm, &input).unwrap();
    assert_eq!(modulus_len(&out.pub_endorsement_key), 256);
    assert_eq!(
        out.pub_endorsement_key.algorithm_parms.sig_scheme,
        SigScheme::TPM_SS_NONE
    );
}

/// swtpm_setup enables and activates with PhysicalSetDeactivated(FALSE), which takes
/// effect only at the next TPM_Startup, then takes ownership at once: TPM_TakeOwnership
/// runs while deactivated (as in libtpms; "an inactive TPM still allows tpm_takeownership").
#[test]
fn take_ownership_runs_while_deactivated() {
    let mut b = fresh(Config {
        create_ek: true,
        enabled: true,
        activated: false,
    });
    startup(&mut b.tpm, StartupType::TPM_ST_CLEAR).unwrap();
    let ek = read_pubek(&mut b.tpm);
    assert!(take_ownership_to(&mut b.tpm, &ek).is_ok());
}
