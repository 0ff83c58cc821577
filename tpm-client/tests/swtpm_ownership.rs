//! The whole owner flow against Debian's swtpm (TPM 1.2), started by the test, from a
//! factory-fresh state (no EK, disabled, deactivated): physical presence, enable,
//! activate, create the EK, take ownership with OAEP-encrypted secrets, create and load a
//! signing key, sign and verify outside the TPM, seal and unseal, quote and verify.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{start_swtpm, step, Swtpm, Tamper};
use tpm_client::flows::{self, blob_pubkey};
use tpm_client::session::sha1;
use tpm_client::{Auth, Client, Error};
use tpm_marshal::{EntityType, KeyHandle, KeyUsage, PhysicalPresence, ResourceType, ReturnCode};

const OWNER: [u8; 20] = [0x11; 20];
const SRK: [u8; 20] = [0; 20]; // the well-known secret
const KEY: [u8; 20] = [0x22; 20];
const DATA: [u8; 20] = [0x33; 20];
const SRK_HANDLE: u32 = KeyHandle::TPM_KH_SRK.0;

/// Physical presence, enable, activate (which needs a restart), create the EK; returns a
/// client on the restarted TPM.
fn provision(sw: &Swtpm) -> Client<Tamper> {
    let mut c = sw.client();
    step(
        "TSC_PhysicalPresence(CMD_ENABLE)",
        c.tsc_physical_presence(PhysicalPresence::TPM_PHYSICAL_PRESENCE_CMD_ENABLE),
    );
    step(
        "TSC_PhysicalPresence(PRESENT)",
        c.tsc_physical_presence(PhysicalPresence::TPM_PHYSICAL_PRESENCE_PRESENT),
    );
    step("PhysicalEnable", c.physical_enable());
    step(
        "PhysicalSetDeactivated(false)",
        c.physical_set_deactivated(false),
    );
    // The permanent deactivated flag reaches the volatile one at the next startup.
    drop(c);
    step("ctrl INIT", sw.ctrl().init(false));
    let mut c = sw.client();
    match c.startup(tpm_marshal::StartupType::TPM_ST_CLEAR) {
        Ok(()) => {}
        Err(e) if e.code() == Some(ReturnCode::TPM_INVALID_POSTINIT) => {}
        Err(e) => panic!("step `Startup(ST_CLEAR)` failed against swtpm: {e}"),
    }
    let perm = step(
        "GetCapability(FLAG_PERMANENT)",
        c.get_capability_permanent_flags(),
    );
    assert!(
        !perm.disable && !perm.deactivated,
        "enabled and active: {perm:?}"
    );
    let vol = step(
        "GetCapability(FLAG_VOLATILE)",
        c.get_capability_volatile_flags(),
    );
    assert!(!vol.deactivated, "active after restart: {vol:?}");
    assert_eq!(
        c.read_pubek().unwrap_err().code(),
        Some(ReturnCode::TPM_NO_ENDORSEMENT),
        "swtpm starts without an EK"
    );
    let pubek = step(
        "CreateEndorsementKeyPair",
        c.create_endorsement_key_pair(&flows::ek_parms()),
    );
    assert_eq!(
        step("ReadPubek", c.read_pubek()),
        pubek,
        "ReadPubek is the new EK"
    );
    c
}

#[test]
fn full_owner_flow_against_swtpm() {
    let Some(sw) = start_swtpm() else { return };
    let mut c = provision(&sw);

    // Take ownership: the secrets go OAEP-encrypted to the PUBEK.
    let pem = step(
        "PUBEK as PEM",
        c.read_pubek().and_then(|k| flows::pubkey_to_pem(&k)),
    );
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"), "{pem}");
    let srk = step("TakeOwnership", c.take_ownership_with(&OWNER, &SRK));
    assert_eq!(srk.key_usage(), KeyUsage::TPM_KEY_STORAGE);
    assert_eq!(srk.pub_key().key.0.len(), 256, "a 2048-bit SRK");
    assert!(
        step(
            "GetCapability(FLAG_PERMANENT)",
            c.get_capability_permanent_flags()
        )
        .ownership
    );
    assert_eq!(
        c.read_pubek().unwrap_err().code(),
        Some(ReturnCode::TPM_DISABLED_CMD),
        "the PUBEK is no longer readable without the owner"
    );

    // The owner reads the SRK and EK public parts (OIAP, owner secret).
    let mut owner = step("OIAP", c.oiap());
    owner.set_secret(OWNER);
    let srk_pub = step(
        "OwnerReadInternalPub(SRK)",
        c.owner_read_internal_pub(SRK_HANDLE, Auth::keep(&mut owner)),
    );
    assert_eq!(
        srk_pub.pub_key,
        *srk.pub_key(),
        "the SRK TakeOwnership returned"
    );
    step(
        "GetCapabilityOwner",
        c.get_capability_owner(Auth::keep(&mut owner)),
    );
    // A response whose HMAC does not verify is an error, not a result.
    c.transport().flip_next = true;
    let err = c.get_capability_owner(Auth::keep(&mut owner)).unwrap_err();
    assert!(
        matches!(err, Error::ResponseAuth(_)),
        "tampered response: {err}"
    );
    assert!(
        !owner.is_open(),
        "a session whose response failed is closed"
    );
    let _ = c.flush_specific(owner.handle(), ResourceType::TPM_RT_AUTH);

    // A wrong owner secret is TPM_AUTHFAIL, and the TPM closes the session.
    let mut wrong = step("OIAP", c.oiap());
    wrong.set_secret([0x99; 20]);
    let err = c.get_capability_owner(Auth::keep(&mut wrong)).unwrap_err();
    assert_eq!(err.code(), Some(ReturnCode::TPM_AUTHFAIL), "{err}");
    assert!(!wrong.is_open());

    // OSAP with the owner: the shared secret authorizes an owner command.
    let mut osap = step("OSAP(owner)", c.osap(EntityType::TPM_ET_OWNER, 0, &OWNER));
    step(
        "GetCapabilityOwner under OSAP",
        c.get_capability_owner(Auth::keep(&mut osap)),
    );
    step(
        "GetCapabilityOwner under OSAP, continued",
        c.get_capability_owner(Auth::keep(&mut osap)),
    );
    step("FlushSpecific(OSAP)", c.flush_session(osap));

    // A signing key: CreateWrapKey (OSAP, ADIP) + LoadKey2; Sign; verify with rsa.
    let template = flows::key_template(KeyUsage::TPM_KEY_SIGNING);
    let (key, blob) = step(
        "CreateWrapKey + LoadKey2",
        c.create_and_load_key(SRK_HANDLE, &SRK, &template, &KEY),
    );
    let mut s = step("OIAP", c.oiap());
    s.set_secret(KEY);
    let pubkey = step("GetPubKey", c.get_pub_key(key, Some(Auth::keep(&mut s))));
    assert_eq!(pubkey, blob_pubkey(&blob), "GetPubKey is the created key");
    let digest = sha1(&[b"signed by swtpm"]);
    let sig = step("Sign", c.sign(key, &digest, Some(Auth::keep(&mut s))));
    step(
        "verify the TPM_Sign signature with rsa",
        flows::verify_signature(&pubkey, &digest, &sig),
    );
    assert!(
        flows::verify_signature(&pubkey, &sha1(&[b"other"]), &sig).is_err(),
        "a signature over other data does not verify"
    );
    step("FlushSpecific(OIAP)", c.flush_session(s));

    // Quote PCRs 0 and 16 and check the signature and the composite.
    step("Extend(16)", c.extend(16, &[7; 20]));
    let quote = step("Quote + verify", c.quote_and_verify(key, &KEY, &[0, 16]));
    let pcr16 = step("PCRRead(16)", c.pcr_read(16));
    assert_eq!(
        quote.pcr_data.pcr_values,
        vec![step("PCRRead(0)", c.pcr_read(0)), pcr16],
        "the quoted values are the PCRs"
    );

    // Seal and unseal (OSAP + ADIP for the data secret; two OIAP sessions to unseal).
    let sealed = step(
        "Seal",
        c.seal_with(SRK_HANDLE, &SRK, &DATA, b"sealed by the client"),
    );
    let plain = step("Unseal", c.unseal_with(SRK_HANDLE, &SRK, &DATA, &sealed));
    assert_eq!(plain, b"sealed by the client");
    let err = c
        .unseal_with(SRK_HANDLE, &SRK, &[0x44; 20], &sealed)
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some(ReturnCode::TPM_AUTH2FAIL),
        "a wrong data secret fails the second session: {err}"
    );

    step(
        "FlushSpecific(key)",
        c.flush_specific(key, ResourceType::TPM_RT_KEY),
    );
}
