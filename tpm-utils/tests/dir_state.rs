//! The `tpm` binary against our engine in a state folder (`dir:`): every invocation
//! loads the TPM, runs one command and saves it, with no server running.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::dir_tpm;
use std::process::Command;

#[test]
fn pcrs_persist_between_invocations_and_reset() {
    common::pcr_flow(&dir_tpm());
}

#[test]
fn the_sha1_thread_spans_invocations() {
    common::sha1_flow(&dir_tpm());
}

#[test]
fn get_capability_answers_every_area() {
    common::capability_flow(&dir_tpm());
}

#[test]
fn self_test_random_and_physical_presence_run() {
    common::admin_flow(&dir_tpm());
}

#[test]
fn owner_keys_seal_quote_nv_and_counters_on_a_state_folder() {
    let t = dir_tpm();
    common::owner_flow(&t);
}

#[test]
fn certify_contexts_identity_audit_and_owner_changes_on_a_state_folder() {
    // Transport sessions (Part 3, 24) are not in the engine yet: that part runs on swtpm.
    common::owner_extras_flow(&dir_tpm(), false);
}

#[test]
fn a_tpm_error_exits_1_with_its_spec_name() {
    let t = dir_tpm();
    let err = t.fails(&["pcr-read", "99"]);
    assert!(err.starts_with("tpm: TPM_BADINDEX: "), "{err}");
    let usage = t.fails(&["owner-clear"]);
    assert!(usage.contains("--pwdo"), "{usage}");
}

#[test]
fn tpmbios_runs_on_a_state_folder() {
    let t = dir_tpm();
    let bios = t.json(&["tpmbios"]);
    assert_eq!(
        bios["startup"], "TPM_INVALID_POSTINIT",
        "a dir: TPM is started: {bios}"
    );
    assert_eq!(bios["physical_enable"], "ok", "{bios}");
}

#[test]
fn a_mem_tpm_is_fresh_each_time() {
    let t = common::Tpm::new("mem:".into());
    t.ok(&["extend", "16", "--digest", &common::hex(&[1; 20])]);
    assert_eq!(t.field(&["pcr-read", "16"], "pcr16"), common::hex(&[0; 20]));
}

#[test]
fn an_unreachable_tpm_exits_1_naming_it() {
    let t = common::Tpm::new("127.0.0.1:1".into());
    let err = t.fails(&["get-random"]);
    assert!(err.starts_with("tpm: cannot open the TPM at "), "{err}");
}

#[test]
fn json_output_is_one_object() {
    let t = dir_tpm();
    let v = t.json(&["get-random", "4"]);
    assert_eq!(v["random"].as_str().unwrap().len(), 8);
}

#[test]
fn argv0_tpm_name_runs_that_subcommand() {
    let t = dir_tpm();
    let alias = t.files.path().join("tpm_pcr_read");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_tpm"), &alias).unwrap();
    let out = Command::new(&alias)
        .args(["--tpm", &t.uri, "0"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.starts_with("pcr0: "), "{stdout}");
}

#[test]
fn list_prints_every_subcommand_with_its_ordinal_and_section() {
    let out = Command::new(env!("CARGO_BIN_EXE_tpm"))
        .arg("list")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().count() >= 80, "{text}");
    let line = text.lines().find(|l| l.starts_with("pcr-read ")).unwrap();
    assert!(
        line.contains("TPM_ORD_PcrRead") && line.contains("Part 3, 16.2"),
        "{line}"
    );
    let helper = text.lines().find(|l| l.starts_with("signfile ")).unwrap();
    assert!(
        helper.contains("LoadKey2") && helper.contains("Sign"),
        "{helper}"
    );
}
