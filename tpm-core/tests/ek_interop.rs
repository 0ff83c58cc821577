//! Part 3, 14.1: TPM_CreateEndorsementKeyPair as real manufacturing tools send it.
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
use tpm_marshal::{EncScheme, SigScheme};

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
