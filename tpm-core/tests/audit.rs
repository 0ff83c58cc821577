//! Part 3, 8 (auditing) through `execute()`: the audit digest of a sequence of audited
//! commands, recomputed here from TPM_AUDIT_EVENT_IN/OUT with the `sha1` crate; the audit
//! counter; which ordinals may be audited.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

mod common;
mod owned;
mod owner_common;
use commands::audit::{
    GetAuditDigest, GetAuditDigestIn, GetAuditDigestOut, SetOrdinalAuditStatus,
    SetOrdinalAuditStatusIn,
};
use commands::crypto::{GetRandom, GetRandomIn};
use commands::integrity::{PcrRead, PcrReadIn};
use commands::nv::{NvReadValue, NvReadValueIn};
use common::*;
use owned::*;
use tpm_core::{TestPlatform, Tpm};
use tpm_marshal::{Marshal, NvIndex, Ordinal, ReturnCode as Rc, StartupType};

/// The audit digest as a verifier recomputes it.
#[derive(Debug, Default)]
struct Verifier {
    digest: [u8; 20],
    counter: u32,
}

impl Verifier {
    /// A verifier that starts where the TPM's audit counter stands, with a clear digest.
    fn after(b: &mut Bench) -> Self {
        let now = digest(b);
        assert_eq!(now.audit_digest, [0; 20]);
        Self {
            digest: [0; 20],
            counter: now.counter_value.counter,
        }
    }

    /// Part 3, 8.1: a successful audited command.
    fn command(&mut self, ordinal: Ordinal, params: &[u8], out_params: &[u8]) {
        let count = self.input(ordinal, params);
        let ord = ordinal.0.to_be_bytes();
        let out_digest = sha1(&[&0u32.to_be_bytes(), &ord, out_params]);
        self.digest = sha1(&[&self.digest, &[0x00, 0x13], &out_digest, &count]);
    }

    /// The TPM_AUDIT_EVENT_IN half; returns the TPM_COUNTER_VALUE bytes it used.
    fn input(&mut self, ordinal: Ordinal, params: &[u8]) -> Vec<u8> {
        if self.digest == [0; 20] {
            self.counter += 1;
        }
        let in_digest = sha1(&[&ordinal.0.to_be_bytes(), params]);
        // TPM_COUNTER_VALUE: tag 0x000E, a zero label, the count.
        let mut count = vec![0x00, 0x0e, 0, 0, 0, 0];
        count.extend_from_slice(&self.counter.to_be_bytes());
        self.digest = sha1(&[&self.digest, &[0x00, 0x12], &in_digest, &count]);
        count
    }
}

/// A power cycle: the same store, a new TPM value, TPM_Startup(ST_CLEAR).
fn restart(b: Bench) -> Bench {
    let platform = TestPlatform::new(3);
    let controls = platform.controls();
    let store = b.store.clone();
    drop(b);
    let mut tpm = Tpm::new(ACTIVE, Box::new(platform), Box::new(store.clone())).unwrap();
    startup(&mut tpm, StartupType::TPM_ST_CLEAR).unwrap();
    Bench {
        tpm,
        controls,
        store,
    }
}

/// An owned TPM after a power cycle, so its audit digest is clear (TPM_TakeOwnership is
/// audited by default).
fn owned() -> Bench {
    restart(owned_tpm())
}

fn set_audit(b: &mut Bench, ordinal: Ordinal, on: bool) -> Result<(), Rc> {
    let mut s = oiap(&mut b.tpm, OWNER);
    let input = SetOrdinalAuditStatusIn {
        ordinal_to_audit: ordinal,
        audit_state: on,
    };
    run_auth1::<SetOrdinalAuditStatus>(&mut b.tpm, &mut s, &input, false)
}

fn set_audit_params(ordinal: Ordinal, on: bool) -> Vec<u8> {
    SetOrdinalAuditStatusIn {
        ordinal_to_audit: ordinal,
        audit_state: on,
    }
    .to_bytes()
    .unwrap()
}

fn digest(b: &mut Bench) -> GetAuditDigestOut {
    run::<GetAuditDigest>(
        &mut b.tpm,
        &GetAuditDigestIn {
            start_ordinal: Ordinal(0),
        },
    )
    .unwrap()
}

fn random(b: &mut Bench, n: u32) -> Vec<u8> {
    run::<GetRandom>(&mut b.tpm, &GetRandomIn { bytes_requested: n })
        .unwrap()
        .random_bytes
        .0
}

#[test]
fn audit_digest_of_audited_commands_equals_an_independent_computation() {
    let mut b = owned();
    let mut v = Verifier::after(&mut b);
    let first_session = v.counter + 1;
    // TPM_SetOrdinalAuditStatus is audited by default.
    set_audit(&mut b, Ordinal::TPM_ORD_GetRandom, true).unwrap();
    v.command(
        Ordinal::TPM_ORD_SetOrdinalAuditStatus,
        &set_audit_params(Ordinal::TPM_ORD_GetRandom, true),
        &[],
    );
    for n in [8u32, 20] {
        let bytes = random(&mut b, n);
        let mut out = (bytes.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(&bytes);
        v.command(Ordinal::TPM_ORD_GetRandom, &n.to_be_bytes(), &out);
    }
    // An ordinal that is not audited leaves the digest alone.
    run::<PcrRead>(&mut b.tpm, &PcrReadIn { pcr_index: 0 }).unwrap();
    let got = digest(&mut b);
    assert_eq!(got.audit_digest, v.digest);
    assert_eq!(got.counter_value.counter, v.counter);
    assert_eq!(got.counter_value.counter, first_session);
    assert!(got.ord_list.ordinals.contains(&Ordinal::TPM_ORD_GetRandom));
    assert!(!got.more);
}

#[test]
fn failed_commands_are_not_audited() {
    let mut b = owned();
    set_audit(&mut b, Ordinal::TPM_ORD_NV_ReadValue, true).unwrap();
    let before = digest(&mut b).audit_digest;
    let input = NvReadValueIn {
        nv_index: NvIndex(0x0001_1000),
        offset: 0,
        data_size: 1,
    };
    assert_eq!(
        run::<NvReadValue>(&mut b.tpm, &input),
        Err(Rc::TPM_BADINDEX)
    );
    assert_eq!(digest(&mut b).audit_digest, before);
}

#[test]
fn set_ordinal_audit_status_is_audited_by_its_status_before_it_runs() {
    let mut b = owned();
    let mut v = Verifier::after(&mut b);
    let this = Ordinal::TPM_ORD_SetOrdinalAuditStatus;
    // Turning its own audit off is still audited; turning it back on is not.
    set_audit(&mut b, this, false).unwrap();
    v.command(this, &set_audit_params(this, false), &[]);
    set_audit(&mut b, this, true).unwrap();
    assert_eq!(digest(&mut b).audit_digest, v.digest);
}

#[test]
fn only_implemented_auditable_ordinals_can_be_audited() {
    let mut b = owned();
    assert_eq!(
        set_audit(&mut b, Ordinal::TPM_ORD_GetCapabilitySigned, true),
        Err(Rc::TPM_BADINDEX)
    );
    assert_eq!(
        set_audit(&mut b, Ordinal::TPM_ORD_GetAuditDigest, true),
        Err(Rc::TPM_BAD_PARAMETER)
    );
    assert_eq!(
        set_audit(&mut b, Ordinal(0x1234), false),
        Err(Rc::TPM_BADINDEX)
    );
    let mut s = oiap(&mut b.tpm, [1; 20]);
    let input = SetOrdinalAuditStatusIn {
        ordinal_to_audit: Ordinal::TPM_ORD_GetRandom,
        audit_state: true,
    };
    assert_eq!(
        run_auth1::<SetOrdinalAuditStatus>(&mut b.tpm, &mut s, &input, false),
        Err(Rc::TPM_AUTHFAIL)
    );
}

#[test]
fn audit_digest_clears_on_startup_and_a_new_audit_session_counts_up() {
    let mut b = owned();
    set_audit(&mut b, Ordinal::TPM_ORD_GetRandom, true).unwrap();
    let session = digest(&mut b).counter_value.counter;
    let mut b = restart(b);
    let got = digest(&mut b);
    assert_eq!(
        (got.audit_digest, got.counter_value.counter),
        ([0; 20], session)
    );
    // The audit status is permanent: GetRandom is still audited, in a new audit session.
    let mut v = Verifier::after(&mut b);
    let bytes = random(&mut b, 4);
    let mut out = 4u32.to_be_bytes().to_vec();
    out.extend_from_slice(&bytes);
    v.command(Ordinal::TPM_ORD_GetRandom, &4u32.to_be_bytes(), &out);
    let got = digest(&mut b);
    assert_eq!(
        (got.audit_digest, got.counter_value.counter),
        (v.digest, session + 1)
    );
}

#[test]
fn get_audit_digest_lists_audited_ordinals_from_the_start_ordinal() {
    let mut b = owned();
    set_audit(&mut b, Ordinal::TPM_ORD_GetRandom, true).unwrap();
    let all = digest(&mut b).ord_list.ordinals;
    assert!(all.windows(2).all(|w| w[0].0 < w[1].0));
    assert!(all.contains(&Ordinal::TPM_ORD_PhysicalEnable));
    let from = run::<GetAuditDigest>(
        &mut b.tpm,
        &GetAuditDigestIn {
            start_ordinal: Ordinal::TPM_ORD_SetOrdinalAuditStatus,
        },
    )
    .unwrap();
    assert_eq!(
        from.ord_list.ordinals,
        [Ordinal::TPM_ORD_SetOrdinalAuditStatus]
    );
}

#[test]
fn save_state_audits_only_its_input() {
    use commands::startup::SaveState;
    let mut b = owned();
    set_audit(&mut b, Ordinal::TPM_ORD_SaveState, true).unwrap();
    let mut b = restart(b);
    let mut v = Verifier::after(&mut b);
    run::<SaveState>(&mut b.tpm, &()).unwrap();
    v.input(Ordinal::TPM_ORD_SaveState, &[]);
    assert_eq!(digest(&mut b).audit_digest, v.digest);
}
