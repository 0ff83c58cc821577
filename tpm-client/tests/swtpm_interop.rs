//! The client against Debian's swtpm (TPM 1.2), started by the test: proves the client
//! speaks the wire format of a reference TPM, not just of our engine. Commands that need
//! no owner: startup, self-test, capabilities, randomness, PCRs, the SHA-1 thread and
//! session open/flush.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{start_swtpm, step};
use tpm_client::session::sha1;
use tpm_client::Error;
use tpm_marshal::{
    CapProperty, CapabilityArea, Ordinal, PcrSelection, ResourceType, ReturnCode, StartupType,
};

#[test]
fn extend_and_pcr_read_against_swtpm() {
    let Some(sw) = start_swtpm() else { return };
    let mut c = sw.client();
    let before = step("PCRRead", c.pcr_read(16));
    let out = step("Extend", c.extend(16, &[0x42; 20]));
    let expected = sha1(&[&before, &[0x42; 20]]);
    assert_eq!(out, expected, "Extend returns the new PCR value");
    assert_eq!(step("PCRRead after Extend", c.pcr_read(16)), expected);
}

#[test]
fn bad_pcr_index_is_a_named_tpm_error() {
    let Some(sw) = start_swtpm() else { return };
    let mut c = sw.client();
    let err = c.pcr_read(99).unwrap_err();
    assert_eq!(err.code(), Some(ReturnCode::TPM_BADINDEX));
    assert!(err.to_string().contains("TPM_BADINDEX"), "{err}");
}

#[test]
fn control_channel_against_swtpm() {
    let Some(sw) = start_swtpm() else { return };
    let mut ctrl = sw.ctrl();
    let caps = ctrl.get_capability().unwrap();
    assert_eq!(caps & 0x1, 0x1, "INIT supported: {caps:#x}");
    assert_eq!(ctrl.set_buffer_size(0).unwrap().0, 4096);
    ctrl.set_locality(0).unwrap();
    assert!(!ctrl.get_tpm_established().unwrap());
    ctrl.stop().unwrap();
    ctrl.init(false).unwrap();
}

#[test]
fn startup_and_self_test_against_swtpm() {
    let Some(sw) = start_swtpm() else { return };
    let mut c = sw.client();
    let again = c.startup(StartupType::TPM_ST_CLEAR).unwrap_err();
    assert_eq!(
        again.code(),
        Some(ReturnCode::TPM_INVALID_POSTINIT),
        "a second TPM_Startup is refused"
    );
    step("ContinueSelfTest", c.continue_self_test());
    step("SelfTestFull", c.self_test_full());
    step("GetTestResult", c.get_test_result());
    step("SaveState", c.save_state());
    // After TPM_Init, TPM_Startup(ST_STATE) restores the saved state. swtpm serves one
    // data connection at a time: close this one first.
    drop(c);
    step("ctrl INIT", sw.ctrl().init(false));
    let mut c = sw.client();
    step("Startup(ST_STATE)", c.startup(StartupType::TPM_ST_STATE));
    assert_eq!(
        c.init().unwrap_err().code(),
        Some(ReturnCode::TPM_BAD_ORDINAL),
        "swtpm does not implement the TPM_Init pseudo-ordinal"
    );
}

#[test]
fn capabilities_against_swtpm() {
    let Some(sw) = start_swtpm() else { return };
    let mut c = sw.client();
    let v = step("GetCapability(VERSION_VAL)", c.get_capability_version_val());
    assert_eq!((v.version.major, v.version.minor), (1, 2), "{v:?}");
    assert_eq!(&v.tpm_vendor_id, b"IBM\0", "libtpms reports IBM: {v:?}");
    let pcrs = step(
        "GetCapability(PROP_PCR)",
        c.get_capability_property(CapProperty::TPM_CAP_PROP_PCR),
    );
    assert_eq!(pcrs, 24, "PC Client TPMs have 24 PCRs");
    step(
        "GetCapability(PROP_MANUFACTURER)",
        c.get_capability_property(CapProperty::TPM_CAP_PROP_MANUFACTURER),
    );
    let perm = step(
        "GetCapability(FLAG_PERMANENT)",
        c.get_capability_permanent_flags(),
    );
    assert!(
        perm.ownership && perm.read_pubek && !perm.physical_presence_cmd_enable,
        "a fresh TPM allows an owner, shows its PUBEK, has no software presence yet: {perm:?}"
    );
    let vol = step(
        "GetCapability(FLAG_VOLATILE)",
        c.get_capability_volatile_flags(),
    );
    assert!(
        !vol.physical_presence,
        "no physical presence at start: {vol:?}"
    );
    assert!(step(
        "GetCapability(ORD Quote2)",
        c.get_capability_ordinal(Ordinal::TPM_ORD_Quote2)
    ));
    assert!(!step(
        "GetCapability(ORD FieldUpgrade)",
        c.get_capability_ordinal(Ordinal::TPM_ORD_FieldUpgrade)
    ));
    let err = c.get_capability(CapabilityArea(0xdead), &[]).unwrap_err();
    assert_eq!(err.code(), Some(ReturnCode::TPM_BAD_MODE), "{err}");
}

#[test]
fn random_against_swtpm() {
    let Some(sw) = start_swtpm() else { return };
    let mut c = sw.client();
    let a = step("GetRandom", c.get_random(32));
    let b = step("GetRandom", c.get_random(32));
    assert_eq!((a.len(), b.len()), (32, 32));
    assert_ne!(a, b, "two draws differ");
    step("StirRandom", c.stir_random(b"entropy from the test"));
}

#[test]
fn pcr_reset_of_pcr_16_at_locality_0_against_swtpm() {
    let Some(sw) = start_swtpm() else { return };
    let mut c = sw.client();
    step("Extend", c.extend(16, &[1; 20]));
    assert_ne!(step("PCRRead", c.pcr_read(16)), [0; 20]);
    let sel = PcrSelection::new(3, &[16]).unwrap();
    step("PCR_Reset(16)", c.pcr_reset(&sel));
    assert_eq!(step("PCRRead after reset", c.pcr_read(16)), [0; 20]);
    let err = c
        .pcr_reset(&PcrSelection::new(3, &[0]).unwrap())
        .unwrap_err();
    assert_eq!(err.code(), Some(ReturnCode::TPM_NOTRESETABLE), "{err}");
}

#[test]
fn sha1_thread_against_swtpm() {
    let Some(sw) = start_swtpm() else { return };
    let mut c = sw.client();
    let max = step("SHA1Start", c.sha1_start());
    assert!(max >= 64, "maxNumBytes {max}");
    let abc = step("SHA1Complete(abc)", c.sha1_complete(b"abc"));
    assert_eq!(
        abc,
        [
            0xa9, 0x99, 0x3e, 0x36, 0x47, 0x06, 0x81, 0x6a, 0xba, 0x3e, 0x25, 0x71, 0x78, 0x50,
            0xc2, 0x6c, 0x9c, 0xd0, 0xd8, 0x9d
        ],
        "FIPS 180 'abc'"
    );
    // Any other command ends the SHA-1 thread, so read the PCR first.
    let before = step("PCRRead", c.pcr_read(16));
    let data = [0x5a; 64 + 10];
    step("SHA1Start", c.sha1_start());
    step("SHA1Update(64)", c.sha1_update(&data[..64]));
    let out = step(
        "SHA1CompleteExtend",
        c.sha1_complete_extend(16, &data[64..]),
    );
    assert_eq!(out.hash_value, sha1(&[&data]));
    assert_eq!(out.out_digest, sha1(&[&before, &out.hash_value]));
    assert_eq!(step("PCRRead", c.pcr_read(16)), out.out_digest);
    let err = c.sha1_update(&[0; 64]).unwrap_err();
    assert_eq!(err.code(), Some(ReturnCode::TPM_SHA_THREAD), "{err}");
}

/// The handles of the loaded auth sessions (TPM_CAP_HANDLE, a TPM_KEY_HANDLE_LIST).
fn auth_handles(c: &mut tpm_client::Client<common::Tamper>) -> Vec<u32> {
    let raw = step(
        "GetCapability(HANDLE, RT_AUTH)",
        c.get_capability(
            CapabilityArea::TPM_CAP_HANDLE,
            &ResourceType::TPM_RT_AUTH.0.to_be_bytes(),
        ),
    );
    raw.get(2..)
        .unwrap()
        .chunks(4)
        .map(|h| u32::from_be_bytes(h.try_into().unwrap()))
        .collect()
}

#[test]
fn oiap_open_and_flush_against_swtpm() {
    let Some(sw) = start_swtpm() else { return };
    let mut c = sw.client();
    let s = step("OIAP", c.oiap());
    let handle = s.handle();
    assert!(auth_handles(&mut c).contains(&handle), "session is listed");
    step("FlushSpecific(session)", c.flush_session(s));
    assert!(!auth_handles(&mut c).contains(&handle), "session is gone");
    let err = c
        .flush_specific(handle, ResourceType::TPM_RT_AUTH)
        .unwrap_err();
    assert!(matches!(err, Error::Tpm { .. }), "{err}");
    {
        let s = step("OIAP", c.oiap());
        let handle = s.handle();
        let _guard = tpm_client::SessionGuard::new(&mut c, s);
        drop(_guard);
        assert!(!auth_handles(&mut c).contains(&handle), "guard flushed it");
    }
}
