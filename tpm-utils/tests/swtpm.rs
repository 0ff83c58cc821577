//! The `tpm` binary against Debian's swtpm (TPM 1.2), started by each test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{start_swtpm, Tpm};

fn swtpm_tpm(sw: &common::Swtpm) -> Tpm {
    Tpm::new(sw.data.clone())
}

#[test]
fn owner_keys_seal_quote_nv_and_counters_against_swtpm() {
    let Some(sw) = start_swtpm() else { return };
    let t = swtpm_tpm(&sw);
    common::provision(&t);
    common::owner_flow(&t);
}

#[test]
fn pcrs_sha1_capabilities_and_admin_against_swtpm() {
    let Some(sw) = start_swtpm() else { return };
    let t = swtpm_tpm(&sw);
    common::provision(&t);
    common::pcr_flow(&t);
    common::sha1_flow(&t);
    common::capability_flow(&t);
    common::admin_flow(&t);
}

#[test]
fn certify_contexts_identity_audit_and_owner_changes_against_swtpm() {
    let Some(sw) = start_swtpm() else { return };
    let t = swtpm_tpm(&sw);
    common::provision(&t);
    common::owner_extras_flow(&t, true);
}
