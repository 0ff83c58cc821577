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

/// A provisioned TPM with an owner (OWNER) and SRK (SRK), and a loaded signing key (KEY).
fn owned_with_key(sw: &Swtpm) -> (Client<Tamper>, u32) {
    let mut c = provision(sw);
    step("TakeOwnership", c.take_ownership_with(&OWNER, &SRK));
    let template = flows::key_template(KeyUsage::TPM_KEY_SIGNING);
    let (key, _) = step(
        "CreateWrapKey + LoadKey2",
        c.create_and_load_key(SRK_HANDLE, &SRK, &template, &KEY),
    );
    (c, key)
}

fn oiap(c: &mut Client<Tamper>, secret: [u8; 20]) -> tpm_client::AuthSession {
    let mut s = step("OIAP", c.oiap());
    s.set_secret(secret);
    s
}

#[test]
fn nv_areas_with_their_own_secret_against_swtpm() {
    use tpm_marshal::{NvAttributes, NvIndex};
    let Some(sw) = start_swtpm() else { return };
    let mut c = provision(&sw);
    step("TakeOwnership", c.take_ownership_with(&OWNER, &SRK));
    // Until nvLocked is set the TPM checks no NV permission: set it first.
    let lock = flows::nv_public(NvIndex::TPM_NV_INDEX_LOCK, 0, NvAttributes(0));
    step(
        "NV_DefineSpace(INDEX_LOCK)",
        c.nv_define_space(&lock, &[0; 20], None),
    );
    assert!(step("flags", c.get_capability_permanent_flags()).nv_locked);

    let index = NvIndex(0x0001_1101);
    let secret = [0x55; 20];
    let attrs = NvAttributes::TPM_NV_PER_AUTHREAD | NvAttributes::TPM_NV_PER_AUTHWRITE;
    let public = flows::nv_public(index, 32, attrs);
    let mut owner = step("OSAP(owner)", c.osap(EntityType::TPM_ET_OWNER, 0, &OWNER));
    step(
        "NV_DefineSpace (ADIP secret)",
        c.nv_define_space(&public, &secret, Some(Auth::last(&mut owner))),
    );
    let mut s = oiap(&mut c, secret);
    step(
        "NV_WriteValueAuth",
        c.nv_write_value_auth(index, 4, b"written", Auth::keep(&mut s)),
    );
    let read = step(
        "NV_ReadValueAuth",
        c.nv_read_value_auth(index, 4, 7, Auth::keep(&mut s)),
    );
    assert_eq!(read, b"written");
    step("FlushSpecific", c.flush_session(s));
    let err = c.nv_read_value(index, 0, 4, None).unwrap_err();
    assert_eq!(
        err.code(),
        Some(ReturnCode::TPM_AUTH_CONFLICT),
        "an AUTHREAD area is not readable without its secret: {err}"
    );
    let mut wrong = oiap(&mut c, [0x56; 20]);
    let err = c
        .nv_read_value_auth(index, 0, 4, Auth::last(&mut wrong))
        .unwrap_err();
    assert_eq!(err.code(), Some(ReturnCode::TPM_AUTHFAIL), "{err}");

    // An owner-protected area, then delete it (data size 0).
    let owner_index = NvIndex(0x0001_1102);
    let attrs = NvAttributes::TPM_NV_PER_OWNERREAD | NvAttributes::TPM_NV_PER_OWNERWRITE;
    let mut owner = step("OSAP(owner)", c.osap(EntityType::TPM_ET_OWNER, 0, &OWNER));
    step(
        "NV_DefineSpace(owner area)",
        c.nv_define_space(
            &flows::nv_public(owner_index, 8, attrs),
            &[0; 20],
            Some(Auth::last(&mut owner)),
        ),
    );
    let mut o = oiap(&mut c, OWNER);
    step(
        "NV_WriteValue (owner)",
        c.nv_write_value(owner_index, 0, b"12345678", Some(Auth::keep(&mut o))),
    );
    assert_eq!(
        step(
            "NV_ReadValue (owner)",
            c.nv_read_value(owner_index, 0, 8, Some(Auth::keep(&mut o)))
        ),
        b"12345678"
    );
    step("FlushSpecific", c.flush_session(o));
    let mut owner = step("OSAP(owner)", c.osap(EntityType::TPM_ET_OWNER, 0, &OWNER));
    step(
        "NV_DefineSpace(size 0) deletes",
        c.nv_define_space(
            &flows::nv_public(owner_index, 0, attrs),
            &[0; 20],
            Some(Auth::last(&mut owner)),
        ),
    );
    let mut o = oiap(&mut c, OWNER);
    let err = c
        .nv_read_value(owner_index, 0, 8, Some(Auth::last(&mut o)))
        .unwrap_err();
    assert_eq!(err.code(), Some(ReturnCode::TPM_BADINDEX), "deleted: {err}");
}

#[test]
fn monotonic_counter_against_swtpm() {
    let Some(sw) = start_swtpm() else { return };
    let mut c = provision(&sw);
    step("TakeOwnership", c.take_ownership_with(&OWNER, &SRK));
    let secret = [0x66; 20];
    let mut owner = step("OSAP(owner)", c.osap(EntityType::TPM_ET_OWNER, 0, &OWNER));
    let created = step(
        "CreateCounter (ADIP secret)",
        c.create_counter(&secret, *b"test", Auth::last(&mut owner)),
    );
    assert_eq!(created.counter_value.label, *b"test");
    let id = created.count_id;
    let before = step("ReadCounter", c.read_counter(id)).counter;
    let mut s = oiap(&mut c, secret);
    let after = step(
        "IncrementCounter",
        c.increment_counter(id, Auth::keep(&mut s)),
    );
    assert_eq!(after.counter, before + 1, "incremented by one");
    assert_eq!(step("ReadCounter", c.read_counter(id)).counter, before + 1);
    step("ReleaseCounter", c.release_counter(id, Auth::last(&mut s)));
    assert_eq!(
        c.read_counter(id).unwrap_err().code(),
        Some(ReturnCode::TPM_BAD_COUNTER),
        "released"
    );
}

#[test]
fn attestation_commands_against_swtpm() {
    let Some(sw) = start_swtpm() else { return };
    let (mut c, key) = owned_with_key(&sw);
    let mut s = oiap(&mut c, KEY);
    let pubkey = step("GetPubKey", c.get_pub_key(key, Some(Auth::keep(&mut s))));

    // Quote2 with the version info, checked outside the TPM.
    step("Extend(16)", c.extend(16, &[3; 20]));
    let sel = tpm_marshal::PcrSelection::new(3, &[16]).unwrap();
    let nonce = [0x77; 20];
    let q2 = step(
        "Quote2",
        c.quote2(key, &nonce, &sel, true, Some(Auth::keep(&mut s))),
    );
    assert!(q2.version_info.0.is_some(), "version info asked for");
    step("verify Quote2", flows::verify_quote2(&pubkey, &q2, &nonce));
    let composite = tpm_marshal::PcrComposite {
        select: sel.clone(),
        pcr_values: vec![step("PCRRead", c.pcr_read(16))],
    };
    assert_eq!(
        q2.pcr_data.digest_at_release,
        step("composite hash", flows::composite_hash(&composite)),
        "Quote2's digest is the composite of the PCR values"
    );

    // CertifyKey: the key certifies itself; the signature covers SHA1(certifyInfo).
    let mut s2 = oiap(&mut c, KEY);
    let cert = step(
        "CertifyKey",
        c.certify_key(
            key,
            key,
            &nonce,
            Some(Auth::keep(&mut s)),
            Some(Auth::keep(&mut s2)),
        ),
    );
    let info = tpm_marshal::Marshal::to_bytes(&cert.certify_info).unwrap();
    step(
        "verify CertifyKey signature",
        flows::verify_signature(&pubkey, &sha1(&[&info]), &cert.out_data.0),
    );
    step("FlushSpecific", c.flush_session(s2));

    // TickStampBlob and GetTicks.
    let t1 = step("GetTicks", c.get_ticks());
    let stamp = step(
        "TickStampBlob",
        c.tick_stamp_blob(key, &nonce, &[9; 20], Some(Auth::keep(&mut s))),
    );
    assert_eq!(
        stamp.current_ticks.tick_nonce, t1.tick_nonce,
        "same tick session"
    );
    assert!(stamp.current_ticks.current_ticks >= t1.current_ticks);
    // Part 3, 23.2: the signature covers TPM_SIGN_INFO("TSTP", antiReplay,
    // digestToStamp || currentTicks).
    let mut data = vec![9; 20];
    data.extend(tpm_marshal::Marshal::to_bytes(&stamp.current_ticks).unwrap());
    let info = tpm_marshal::SignInfo {
        fixed: *b"TSTP",
        replay: nonce,
        data: data.into(),
    };
    step(
        "verify the TickStampBlob signature",
        flows::verify_signature(
            &pubkey,
            &sha1(&[&tpm_marshal::Marshal::to_bytes(&info).unwrap()]),
            &stamp.sig.0,
        ),
    );
    step("FlushSpecific", c.flush_session(s));

    // SaveContext / LoadContext of the key, and FlushSpecific in between.
    let blob = step(
        "SaveContext(key)",
        c.save_context(key, ResourceType::TPM_RT_KEY, *b"client test key!"),
    );
    step(
        "FlushSpecific(key)",
        c.flush_specific(key, ResourceType::TPM_RT_KEY),
    );
    let reloaded = step("LoadContext(key)", c.load_context(key, false, &blob));
    let mut s = oiap(&mut c, KEY);
    assert_eq!(
        step(
            "GetPubKey(reloaded)",
            c.get_pub_key(reloaded, Some(Auth::last(&mut s)))
        ),
        pubkey
    );
}

#[test]
fn changing_secrets_against_swtpm() {
    let Some(sw) = start_swtpm() else { return };
    let mut c = provision(&sw);
    step("TakeOwnership", c.take_ownership_with(&OWNER, &SRK));
    let new_srk = [0x88; 20];
    let mut owner = step("OSAP(owner)", c.osap(EntityType::TPM_ET_OWNER, 0, &OWNER));
    step(
        "ChangeAuthOwner(SRK)",
        c.change_auth_owner(&new_srk, EntityType::TPM_ET_SRK, Auth::last(&mut owner)),
    );
    let err = c.seal_with(SRK_HANDLE, &SRK, &DATA, b"x").unwrap_err();
    assert_eq!(
        err.code(),
        Some(ReturnCode::TPM_AUTHFAIL),
        "old SRK secret: {err}"
    );
    let sealed = step(
        "Seal with the new SRK secret",
        c.seal_with(SRK_HANDLE, &new_srk, &DATA, b"x"),
    );

    // TPM_ChangeAuth on the sealed blob: a new data secret.
    let new_data = [0x99; 20];
    let tpm_marshal::commands::storage::StoredDataBlob::StoredData(mut stored) = sealed.clone()
    else {
        panic!("TPM_Seal without PCR_INFO_LONG returns a TPM_STORED_DATA");
    };
    let mut parent = step(
        "OSAP(SRK)",
        c.osap(EntityType::TPM_ET_KEYHANDLE, SRK_HANDLE, &new_srk),
    );
    let mut entity = oiap(&mut c, DATA);
    let enc = step(
        "ChangeAuth(data)",
        c.change_auth(
            SRK_HANDLE,
            &new_data,
            EntityType::TPM_ET_DATA,
            &stored.enc_data.0,
            Auth::last(&mut parent),
            Auth::last(&mut entity),
        ),
    );
    stored.enc_data = enc.into();
    let blob = tpm_marshal::commands::storage::StoredDataBlob::StoredData(stored);
    assert_eq!(
        step(
            "Unseal with the new data secret",
            c.unseal_with(SRK_HANDLE, &new_srk, &new_data, &blob)
        ),
        b"x"
    );

    let new_owner = [0xaa; 20];
    let mut owner = step("OSAP(owner)", c.osap(EntityType::TPM_ET_OWNER, 0, &OWNER));
    step(
        "ChangeAuthOwner(owner)",
        c.change_auth_owner(&new_owner, EntityType::TPM_ET_OWNER, Auth::last(&mut owner)),
    );
    let mut o = oiap(&mut c, new_owner);
    step(
        "GetCapabilityOwner with the new owner secret",
        c.get_capability_owner(Auth::last(&mut o)),
    );
}

#[test]
fn audit_and_owner_clear_against_swtpm() {
    use tpm_marshal::Ordinal;
    let Some(sw) = start_swtpm() else { return };
    let mut c = provision(&sw);
    step("TakeOwnership", c.take_ownership_with(&OWNER, &SRK));
    let mut o = oiap(&mut c, OWNER);
    step(
        "SetOrdinalAuditStatus(GetRandom)",
        c.set_ordinal_audit_status(Ordinal::TPM_ORD_GetRandom, true, Auth::keep(&mut o)),
    );
    let before = step("GetAuditDigest", c.get_audit_digest(Ordinal(0)));
    assert!(
        before
            .ord_list
            .ordinals
            .contains(&Ordinal::TPM_ORD_GetRandom),
        "GetRandom is audited: {:?}",
        before.ord_list
    );
    step("GetRandom", c.get_random(8));
    let after = step("GetAuditDigest", c.get_audit_digest(Ordinal(0)));
    assert_ne!(
        after.audit_digest, before.audit_digest,
        "an audited command moves the digest"
    );

    // Part 3, 6.2: clearing leaves the TPM unowned, disabled and deactivated.
    step("OwnerClear", c.owner_clear(Auth::last(&mut o)));
    let perm = step("flags", c.get_capability_permanent_flags());
    assert!(perm.disable && perm.deactivated, "cleared: {perm:?}");
    assert_eq!(
        c.read_pubek().unwrap_err().code(),
        Some(ReturnCode::TPM_DISABLED),
        "a cleared TPM is disabled"
    );
}

#[test]
fn transport_session_wraps_commands_against_swtpm() {
    use tpm_marshal::commands::crypto::{GetRandom, GetRandomIn};
    use tpm_marshal::commands::crypto::{Sign, SignIn};
    use tpm_marshal::commands::integrity::{Extend, ExtendIn};
    use tpm_marshal::{AlgorithmId, EncScheme, KeyHandle, TransportAttributes, TransportPublic};
    let Some(sw) = start_swtpm() else { return };
    // libtpms opens transport sessions only on an owned TPM (TPM_NOSRK before).
    let (mut c, key) = owned_with_key(&sw);
    let public = TransportPublic {
        trans_attributes: TransportAttributes(0),
        alg_id: AlgorithmId::TPM_ALG_MGF1,
        enc_scheme: EncScheme::TPM_ES_NONE,
    };
    let secret = [0x42; 20];
    let (mut t, report) = step(
        "EstablishTransport(KH_TRANSPORT)",
        c.establish_transport(
            KeyHandle::TPM_KH_TRANSPORT.0,
            &public,
            &secret,
            &secret,
            None,
        ),
    );
    assert_eq!(report.locality, 0);
    let (random, r1) = step(
        "ExecuteTransport(GetRandom)",
        c.execute_transport::<GetRandom>(
            &GetRandomIn {
                bytes_requested: 16,
            },
            &mut [],
            Auth::keep(&mut t),
        ),
    );
    assert_eq!(random.random_bytes.0.len(), 16);
    let before = step("PCRRead", c.pcr_read(16));
    let (out, r2) = step(
        "ExecuteTransport(Extend)",
        c.execute_transport::<Extend>(
            &ExtendIn {
                pcr_num: 16,
                in_digest: [5; 20],
            },
            &mut [],
            Auth::keep(&mut t),
        ),
    );
    assert_eq!(out.out_digest, sha1(&[&before, &[5; 20]]));
    assert!(r2.current_ticks >= r1.current_ticks);
    // A wrapped command that fails: the transport HMAC still verifies (over
    // SHA1(returnCode || ordinal)) and the session goes on.
    let err = c
        .execute_transport::<tpm_marshal::commands::integrity::PcrRead>(
            &tpm_marshal::commands::integrity::PcrReadIn { pcr_index: 99 },
            &mut [],
            Auth::keep(&mut t),
        )
        .unwrap_err();
    assert_eq!(err.code(), Some(ReturnCode::TPM_BADINDEX), "{err}");
    assert!(
        t.is_open(),
        "the transport session survives a failed wrapped command"
    );
    // A wrapped command with its own session: both HMACs verify.
    let mut s = oiap(&mut c, KEY);
    let digest = sha1(&[b"wrapped"]);
    let (signed, _) = step(
        "ExecuteTransport(Sign with OIAP)",
        c.execute_transport::<Sign>(
            &SignIn {
                key_handle: key,
                area_to_sign: digest.to_vec().into(),
            },
            &mut [Auth::keep(&mut s)],
            Auth::keep(&mut t),
        ),
    );
    let pubkey = step("GetPubKey", c.get_pub_key(key, Some(Auth::keep(&mut s))));
    step(
        "verify the wrapped signature",
        flows::verify_signature(&pubkey, &digest, &signed.sig.0),
    );
    // A tampered transport response fails its HMAC.
    c.transport().flip_next = true;
    let err = c
        .execute_transport::<GetRandom>(
            &GetRandomIn { bytes_requested: 4 },
            &mut [],
            Auth::keep(&mut t),
        )
        .unwrap_err();
    assert!(matches!(err, Error::ResponseAuth(_)), "{err}");

    let (mut t, _) = step(
        "EstablishTransport(KH_TRANSPORT, LOG)",
        c.establish_transport(
            KeyHandle::TPM_KH_TRANSPORT.0,
            &TransportPublic {
                trans_attributes: TransportAttributes::TPM_TRANSPORT_LOG,
                ..public
            },
            &secret,
            &secret,
            None,
        ),
    );
    let released = step(
        "ReleaseTransportSigned",
        c.release_transport_signed(key, &[3; 20], Some(Auth::keep(&mut s)), Auth::last(&mut t)),
    );
    assert_eq!(released.signature.0.len(), 256);
}

#[test]
fn make_identity_with_two_sessions_against_swtpm() {
    use tpm_marshal::{IdentityContents, Marshal, Ordinal, StructVer};
    let Some(sw) = start_swtpm() else { return };
    let mut c = provision(&sw);
    step("TakeOwnership", c.take_ownership_with(&OWNER, &SRK));
    let label_digest = sha1(&[b"privacy CA label"]);
    let template = flows::key_template(KeyUsage::TPM_KEY_IDENTITY);
    let mut srk = oiap(&mut c, SRK);
    let mut owner = step("OSAP(owner)", c.osap(EntityType::TPM_ET_OWNER, 0, &OWNER));
    let made = step(
        "MakeIdentity (SRK OIAP + owner OSAP, ADIP)",
        c.make_identity(
            &KEY,
            &label_digest,
            &template,
            Some(Auth::last(&mut srk)),
            Auth::last(&mut owner),
        ),
    );
    assert_eq!(made.id_key.key_usage(), KeyUsage::TPM_KEY_IDENTITY);
    let aik = blob_pubkey(&made.id_key);
    let contents = IdentityContents {
        ver: StructVer::V1_1,
        ordinal: Ordinal::TPM_ORD_MakeIdentity,
        label_priv_ca_digest: label_digest,
        identity_pub_key: aik.clone(),
    };
    step(
        "verify identityBinding over TPM_IDENTITY_CONTENTS",
        flows::verify_signature(
            &aik,
            &sha1(&[&contents.to_bytes().unwrap()]),
            &made.identity_binding.0,
        ),
    );
    let mut srk = oiap(&mut c, SRK);
    let handle = step(
        "LoadKey2(AIK)",
        c.load_key2(SRK_HANDLE, &made.id_key, Some(Auth::last(&mut srk))),
    );
    let quote = step("Quote with the AIK", c.quote_and_verify(handle, &KEY, &[0]));
    assert_eq!(quote.pcr_data.pcr_values.len(), 1);

    // The privacy CA's answer: a session key and the AIK's digest, OAEP-encrypted to the
    // EK; TPM_ActivateIdentity gives the key back only for this AIK.
    use tpm_marshal::{AlgorithmId, AsymCaContents, EncScheme, SizedBuffer16, SymmetricKey};
    let mut o = oiap(&mut c, OWNER);
    let ek = step(
        "OwnerReadInternalPub(EK)",
        c.owner_read_internal_pub(KeyHandle::TPM_KH_EK.0, Auth::last(&mut o)),
    );
    let session_key = SymmetricKey {
        alg_id: AlgorithmId::TPM_ALG_AES,
        enc_scheme: EncScheme::TPM_ES_SYM_CBC_PKCS5PAD,
        data: SizedBuffer16(vec![0x6b; 16]),
    };
    let contents = AsymCaContents {
        session_key: session_key.clone(),
        id_digest: sha1(&[&aik.to_bytes().unwrap()]),
    };
    let blob = step(
        "encrypt TPM_ASYM_CA_CONTENTS to the EK",
        flows::oaep_encrypt(&ek, &contents.to_bytes().unwrap()),
    );
    let mut k = oiap(&mut c, KEY);
    let mut o = oiap(&mut c, OWNER);
    let got = step(
        "ActivateIdentity",
        c.activate_identity(handle, &blob, Some(Auth::last(&mut k)), Auth::last(&mut o)),
    );
    assert_eq!(got, session_key, "the CA's session key comes back");
}

#[test]
fn deprecated_commands_against_swtpm() {
    let Some(sw) = start_swtpm() else { return };
    let (mut c, key) = owned_with_key(&sw);
    let mut o = oiap(&mut c, OWNER);
    let pubek = step("OwnerReadPubek", c.owner_read_pubek(Auth::keep(&mut o)));
    let ek = step(
        "OwnerReadInternalPub(EK)",
        c.owner_read_internal_pub(KeyHandle::TPM_KH_EK.0, Auth::keep(&mut o)),
    );
    assert_eq!(pubek, ek, "both owner reads return the EK");
    step(
        "DirWriteAuth(0)",
        c.dir_write_auth(0, &[0x5c; 20], Auth::keep(&mut o)),
    );
    assert_eq!(step("DirRead(0)", c.dir_read(0)), [0x5c; 20]);
    step("Terminate_Handle", c.terminate_handle(o));

    // Part 3, 27.2.1: TPM_SaveKeyContext releases the key from the TPM.
    let saved = step("SaveKeyContext", c.save_key_context(key));
    assert_eq!(
        c.evict_key(key).unwrap_err().code(),
        Some(ReturnCode::TPM_INVALID_KEYHANDLE),
        "the saved key is no longer loaded"
    );
    let reloaded = step("LoadKeyContext", c.load_key_context(&saved));
    let mut s = oiap(&mut c, KEY);
    step(
        "GetPubKey(reloaded)",
        c.get_pub_key(reloaded, Some(Auth::keep(&mut s))),
    );
    step("EvictKey(reloaded)", c.evict_key(reloaded));
    let saved_session = step("SaveAuthContext", c.save_auth_context(s.handle()));
    let handle = step("LoadAuthContext", c.load_auth_context(&saved_session));
    assert_eq!(
        handle,
        s.handle(),
        "the session comes back under its handle"
    );

    // TPM_LoadKey (1.1): its handle is inside the response HMAC.
    let (_, blob) = step(
        "CreateWrapKey",
        c.create_and_load_key(
            SRK_HANDLE,
            &SRK,
            &flows::key_template(KeyUsage::TPM_KEY_BIND),
            &KEY,
        ),
    );
    let mut srk = oiap(&mut c, SRK);
    let bind = step(
        "LoadKey (1.1)",
        c.load_key(SRK_HANDLE, &blob, Some(Auth::last(&mut srk))),
    );
    assert!(bind != 0);
}

#[test]
fn rewrap_migration_against_swtpm() {
    use tpm_marshal::{KeyFlags, MigrateScheme};
    let Some(sw) = start_swtpm() else { return };
    let mut c = provision(&sw);
    step("TakeOwnership", c.take_ownership_with(&OWNER, &SRK));
    // A migratable signing key with its own migration secret.
    let migration_secret = [0x3c; 20];
    let mut template = flows::key_template(KeyUsage::TPM_KEY_SIGNING);
    if let tpm_marshal::KeyBlob::Key12(k) = &mut template {
        k.key_flags = KeyFlags::TPM_MIGRATABLE;
    }
    let mut osap = step(
        "OSAP(SRK)",
        c.osap(EntityType::TPM_ET_KEYHANDLE, SRK_HANDLE, &SRK),
    );
    let blob = step(
        "CreateWrapKey(migratable)",
        c.create_wrap_key(
            SRK_HANDLE,
            &KEY,
            &migration_secret,
            &template,
            Auth::last(&mut osap),
        ),
    );
    // The owner authorizes the SRK itself as the REWRAP destination.
    let mut o = oiap(&mut c, OWNER);
    let srk_pub = step(
        "OwnerReadInternalPub(SRK)",
        c.owner_read_internal_pub(SRK_HANDLE, Auth::keep(&mut o)),
    );
    let ticket = step(
        "AuthorizeMigrationKey(REWRAP)",
        c.authorize_migration_key(MigrateScheme::TPM_MS_REWRAP, &srk_pub, Auth::last(&mut o)),
    );
    let mut parent = oiap(&mut c, SRK);
    let mut entity = oiap(&mut c, migration_secret);
    let out = step(
        "CreateMigrationBlob(REWRAP)",
        c.create_migration_blob(
            SRK_HANDLE,
            MigrateScheme::TPM_MS_REWRAP,
            &ticket,
            &blob.enc_data().0,
            Some(Auth::last(&mut parent)),
            Auth::last(&mut entity),
        ),
    );
    assert!(out.random.0.is_empty(), "REWRAP has no OAEP random");
    let mut rewrapped = blob.clone();
    if let tpm_marshal::KeyBlob::Key12(k) = &mut rewrapped {
        k.enc_data = out.out_data.clone();
    }
    let mut srk = oiap(&mut c, SRK);
    let handle = step(
        "LoadKey2(rewrapped)",
        c.load_key2(SRK_HANDLE, &rewrapped, Some(Auth::last(&mut srk))),
    );
    let mut s = oiap(&mut c, KEY);
    let digest = sha1(&[b"migrated"]);
    let sig = step(
        "Sign with the rewrapped key",
        c.sign(handle, &digest, Some(Auth::last(&mut s))),
    );
    step(
        "verify",
        flows::verify_signature(&blob_pubkey(&blob), &digest, &sig),
    );
}

#[test]
fn owner_delegation_used_through_dsap_against_swtpm() {
    use tpm_marshal::{
        DelegateLabel, DelegatePublic, DelegateType, Delegations, FamilyOperation, Marshal,
        OwnerPermission,
    };
    let Some(sw) = start_swtpm() else { return };
    let mut c = provision(&sw);
    step("TakeOwnership", c.take_ownership_with(&OWNER, &SRK));
    let mut o = oiap(&mut c, OWNER);
    let id = step(
        "Delegate_Manage(CREATE)",
        c.delegate_manage(
            0,
            FamilyOperation::TPM_FAMILY_CREATE,
            &[0x17],
            Some(Auth::keep(&mut o)),
        ),
    );
    let id = u32::from_be_bytes(id.as_slice().try_into().expect("a family id"));
    step(
        "Delegate_Manage(ENABLE)",
        c.delegate_manage(
            id,
            FamilyOperation::TPM_FAMILY_ENABLE,
            &[1],
            Some(Auth::last(&mut o)),
        ),
    );
    let tables = step("Delegate_ReadTable", c.delegate_read_table());
    let family = tables
        .family_table
        .0
        .iter()
        .find(|f| f.family_id == id)
        .expect("the new family is listed");

    // Delegate TPM_OwnerReadInternalPub with a secret of its own.
    let delegate_secret = [0xde; 20];
    let public = DelegatePublic {
        row_label: DelegateLabel { label: 1 },
        pcr_info: flows::nv_public(tpm_marshal::NvIndex(0), 0, tpm_marshal::NvAttributes(0))
            .pcr_info_read,
        permissions: Delegations {
            delegate_type: DelegateType::TPM_DEL_OWNER_BITS,
            per1: OwnerPermission::TPM_DELEGATE_OwnerReadInternalPub.0,
            per2: 0,
        },
        family_id: id,
        verification_count: family.verification_count,
    };
    let mut owner = step("OSAP(owner)", c.osap(EntityType::TPM_ET_OWNER, 0, &OWNER));
    let blob = step(
        "Delegate_CreateOwnerDelegation (ADIP)",
        c.delegate_create_owner_delegation(
            false,
            &public,
            &delegate_secret,
            Auth::last(&mut owner),
        ),
    );
    let blob_bytes = blob.to_bytes().unwrap();
    step(
        "Delegate_VerifyDelegation",
        c.delegate_verify_delegation(&blob_bytes),
    );

    // Use the blob through DSAP: the delegate reads the SRK without the owner secret.
    let mut dsap = step(
        "DSAP(owner blob)",
        c.dsap(
            EntityType::TPM_ET_DEL_OWNER_BLOB,
            KeyHandle::TPM_KH_OWNER.0,
            &blob_bytes,
            &delegate_secret,
        ),
    );
    step(
        "OwnerReadInternalPub under DSAP",
        c.owner_read_internal_pub(SRK_HANDLE, Auth::last(&mut dsap)),
    );
    // Not delegated: the same session kind refuses another owner command.
    let mut dsap = step(
        "DSAP(owner blob)",
        c.dsap(
            EntityType::TPM_ET_DEL_OWNER_BLOB,
            KeyHandle::TPM_KH_OWNER.0,
            &blob_bytes,
            &delegate_secret,
        ),
    );
    let err = c.get_capability_owner(Auth::last(&mut dsap)).unwrap_err();
    assert!(matches!(err, Error::Tpm { .. }), "not delegated: {err}");

    // Load it into row 0 of the delegate table and use the row.
    let mut o = oiap(&mut c, OWNER);
    step(
        "Delegate_LoadOwnerDelegation(0)",
        c.delegate_load_owner_delegation(0, &blob, Some(Auth::last(&mut o))),
    );
    let mut dsap = step(
        "DSAP(row 0)",
        c.dsap(
            EntityType::TPM_ET_DEL_ROW,
            KeyHandle::TPM_KH_OWNER.0,
            &0u32.to_be_bytes(),
            &delegate_secret,
        ),
    );
    step(
        "OwnerReadInternalPub under DSAP(row)",
        c.owner_read_internal_pub(SRK_HANDLE, Auth::last(&mut dsap)),
    );
}

#[test]
fn administrative_odds_against_swtpm() {
    let Some(sw) = start_swtpm() else { return };
    let (mut c, key) = owned_with_key(&sw);
    let mut o = oiap(&mut c, OWNER);
    step("ResetLockValue", c.reset_lock_value(Auth::keep(&mut o)));
    step(
        "GetAuditDigest",
        c.get_audit_digest(tpm_marshal::Ordinal(0)),
    );
    let mut s = oiap(&mut c, KEY);
    let signed = step(
        "GetAuditDigestSigned",
        c.get_audit_digest_signed(key, false, &[4; 20], Some(Auth::keep(&mut s))),
    );
    assert_eq!(signed.sig.0.len(), 256);
    // swtpm leaves out the optional maintenance commands, FieldUpgrade and SetRedirection.
    for (what, err) in [
        (
            "CreateMaintenanceArchive",
            c.create_maintenance_archive(false, Auth::keep(&mut o))
                .unwrap_err(),
        ),
        (
            "KillMaintenanceFeature",
            c.kill_maintenance_feature(Auth::keep(&mut o)).unwrap_err(),
        ),
        ("FieldUpgrade", c.field_upgrade(&[], None).unwrap_err()),
        (
            "SetRedirection",
            c.set_redirection(key, 1, &[], None).unwrap_err(),
        ),
    ] {
        assert_eq!(
            err.code(),
            Some(ReturnCode::TPM_BAD_ORDINAL),
            "{what}: {err}"
        );
    }
    // TPM_Reset flushes every session.
    let mut o = oiap(&mut c, OWNER);
    step("Reset", c.reset());
    let err = c.get_capability_owner(Auth::last(&mut o)).unwrap_err();
    assert!(
        matches!(err, Error::Tpm { .. }),
        "the session is gone: {err}"
    );
}

#[test]
fn seal_to_pcrs_and_bind_against_swtpm() {
    let Some(sw) = start_swtpm() else { return };
    let mut c = provision(&sw);
    step("TakeOwnership", c.take_ownership_with(&OWNER, &SRK));
    let sealed = step(
        "Seal to PCR 16",
        c.seal_to_pcrs_with(SRK_HANDLE, &SRK, &DATA, &[16], b"bound to PCR 16"),
    );
    assert_eq!(
        step(
            "Unseal, PCR unchanged",
            c.unseal_with(SRK_HANDLE, &SRK, &DATA, &sealed)
        ),
        b"bound to PCR 16"
    );
    step("Extend(16)", c.extend(16, &[1; 20]));
    let err = c.unseal_with(SRK_HANDLE, &SRK, &DATA, &sealed).unwrap_err();
    assert_eq!(
        err.code(),
        Some(ReturnCode::TPM_WRONGPCRVAL),
        "unsealing after the PCR moved: {err}"
    );

    // Bind outside the TPM (OAEP to the bind key), unbind inside.
    let (key, blob) = step(
        "CreateWrapKey + LoadKey2 (bind)",
        c.create_and_load_key(
            SRK_HANDLE,
            &SRK,
            &flows::key_template(KeyUsage::TPM_KEY_BIND),
            &KEY,
        ),
    );
    let bound = step(
        "bind with rsa",
        flows::bind_data(&blob_pubkey(&blob), b"bound outside"),
    );
    let mut s = oiap(&mut c, KEY);
    assert_eq!(
        step("UnBind", c.unbind(key, &bound, Some(Auth::last(&mut s)))),
        b"bound outside"
    );
}

#[test]
fn physical_presence_and_clear_controls_against_swtpm() {
    use tpm_marshal::{CapProperty, CapabilityArea, PermanentFlag, SetCapabilityArea};
    let Some(sw) = start_swtpm() else { return };
    let mut c = provision(&sw);
    // Presence is volatile: assert it again after the restart in `provision`.
    step(
        "TSC_PhysicalPresence(PRESENT)",
        c.tsc_physical_presence(PhysicalPresence::TPM_PHYSICAL_PRESENCE_PRESENT),
    );
    assert!(step("flags", c.get_capability_volatile_flags()).physical_presence);
    let operator = [0x0b; 20];
    step("SetOperatorAuth", c.set_operator_auth(&operator));
    assert!(step("flags", c.get_capability_permanent_flags()).operator);
    let mut op = oiap(&mut c, operator);
    step(
        "SetTempDeactivated (operator)",
        c.set_temp_deactivated(Some(Auth::last(&mut op))),
    );
    assert!(step("flags", c.get_capability_volatile_flags()).deactivated);
    // Deactivation lasts until the next TPM_Startup(ST_CLEAR).
    drop(c);
    step("ctrl INIT", sw.ctrl().init(false));
    let mut c = sw.client();
    let _ = c.startup(tpm_marshal::StartupType::TPM_ST_CLEAR);
    assert!(!step("flags", c.get_capability_volatile_flags()).deactivated);
    step(
        "TSC_PhysicalPresence(PRESENT)",
        c.tsc_physical_presence(PhysicalPresence::TPM_PHYSICAL_PRESENCE_PRESENT),
    );

    step("SetOwnerInstall(false)", c.set_owner_install(false));
    assert_eq!(
        c.take_ownership_with(&OWNER, &SRK).unwrap_err().code(),
        Some(ReturnCode::TPM_INSTALL_DISABLED),
        "ownership refused while not allowed"
    );
    step("SetOwnerInstall(true)", c.set_owner_install(true));
    step("TakeOwnership", c.take_ownership_with(&OWNER, &SRK));
    let owned = step(
        "GetCapability(PROP_OWNER)",
        c.get_capability(
            CapabilityArea::TPM_CAP_PROPERTY,
            &CapProperty::TPM_CAP_PROP_OWNER.0.to_be_bytes(),
        ),
    );
    assert_eq!(owned, [1], "an owner is installed");

    // The owner makes the PUBEK readable again (TPM_SetCapability, owner-authorized).
    let mut o = oiap(&mut c, OWNER);
    step(
        "SetCapability(PERM_FLAGS, READPUBEK, TRUE)",
        c.set_capability(
            SetCapabilityArea::TPM_SET_PERM_FLAGS,
            &PermanentFlag::TPM_PF_READPUBEK.0.to_be_bytes(),
            &[1],
            Some(Auth::keep(&mut o)),
        ),
    );
    step("ReadPubek after SetCapability", c.read_pubek());

    step(
        "DisableOwnerClear",
        c.disable_owner_clear(Auth::keep(&mut o)),
    );
    let err = c.owner_clear(Auth::last(&mut o)).unwrap_err();
    assert_eq!(err.code(), Some(ReturnCode::TPM_CLEAR_DISABLED), "{err}");
    // Part 3, 6.3: like TPM_OwnerClear, ForceClear leaves the TPM unowned and disabled.
    step("ForceClear (presence)", c.force_clear());
    let perm = step("flags", c.get_capability_permanent_flags());
    assert!(perm.disable, "disabled after ForceClear: {perm:?}");
    step("PhysicalEnable", c.physical_enable());
    let owned = step(
        "GetCapability(PROP_OWNER)",
        c.get_capability(
            CapabilityArea::TPM_CAP_PROPERTY,
            &CapProperty::TPM_CAP_PROP_OWNER.0.to_be_bytes(),
        ),
    );
    assert_eq!(owned, [0], "ForceClear removed the owner");
    step("DisableForceClear", c.disable_force_clear());
    assert_eq!(
        c.force_clear().unwrap_err().code(),
        Some(ReturnCode::TPM_CLEAR_DISABLED),
        "ForceClear is off until the next startup"
    );
    step("PhysicalDisable", c.physical_disable());
    assert!(step("flags", c.get_capability_permanent_flags()).disable);
    step("PhysicalEnable", c.physical_enable());
    assert!(!step("flags", c.get_capability_permanent_flags()).disable);
    assert_eq!(
        c.tsc_reset_establishment_bit().unwrap_err().code(),
        Some(ReturnCode::TPM_BAD_LOCALITY),
        "locality 0 may not reset the establishment bit"
    );
}

#[test]
fn revocable_ek_against_swtpm() {
    let Some(sw) = start_swtpm() else { return };
    let mut c = sw.client();
    step(
        "TSC_PhysicalPresence(CMD_ENABLE)",
        c.tsc_physical_presence(PhysicalPresence::TPM_PHYSICAL_PRESENCE_CMD_ENABLE),
    );
    step(
        "TSC_PhysicalPresence(PRESENT)",
        c.tsc_physical_presence(PhysicalPresence::TPM_PHYSICAL_PRESENCE_PRESENT),
    );
    let (pubek, reset) = step(
        "CreateRevocableEK",
        c.create_revocable_ek(&flows::ek_parms(), None),
    );
    assert_eq!(step("ReadPubek", c.read_pubek()), pubek);
    assert_eq!(
        c.revoke_trust(&[0; 20]).unwrap_err().code(),
        Some(ReturnCode::TPM_AUTHFAIL),
        "a wrong EK reset value"
    );
    step("RevokeTrust", c.revoke_trust(&reset));
    // RevokeTrust also clears the owner, leaving the TPM disabled (as TPM_ForceClear).
    step("PhysicalEnable", c.physical_enable());
    assert_eq!(
        c.read_pubek().unwrap_err().code(),
        Some(ReturnCode::TPM_NO_ENDORSEMENT),
        "the EK is gone"
    );
}

#[test]
fn owner_evict_key_survives_a_restart_against_swtpm() {
    use tpm_marshal::{CapabilityArea, KeyControl};
    let Some(sw) = start_swtpm() else { return };
    let (mut c, key) = owned_with_key(&sw);
    let mut s = oiap(&mut c, KEY);
    let public = step("GetPubKey", c.get_pub_key(key, Some(Auth::last(&mut s))));
    let mut o = oiap(&mut c, OWNER);
    step(
        "KeyControlOwner(OWNER_EVICT)",
        c.key_control_owner(
            key,
            &public,
            KeyControl::TPM_KEY_CONTROL_OWNER_EVICT,
            true,
            Auth::last(&mut o),
        ),
    );
    drop(c);
    step("ctrl INIT", sw.ctrl().init(false));
    let mut c = sw.client();
    let _ = c.startup(tpm_marshal::StartupType::TPM_ST_CLEAR);
    let handles = step(
        "GetCapability(KEY_HANDLE)",
        c.get_capability(CapabilityArea::TPM_CAP_KEY_HANDLE, &[]),
    );
    assert!(
        handles
            .get(2..)
            .unwrap()
            .chunks(4)
            .any(|h| h == key.to_be_bytes()),
        "the owner-evict key {key:#x} is loaded after TPM_Init: {handles:02x?}"
    );
}
