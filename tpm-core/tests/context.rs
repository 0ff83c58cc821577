//! Part 3, 21.2-21.3 and 27.3: saving and loading key and session contexts through
//! `execute()`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

mod common;
mod owner_common;
use commands::context::*;
use commands::deprecated::*;
use commands::eviction::{FlushSpecific, FlushSpecificIn};
use common::*;
use owner_common::*;
use tpm_core::Tpm;
use tpm_marshal::{ContextBlob, ResourceType, ReturnCode as Rc, Sized32};

fn save(tpm: &mut Tpm, handle: u32, rt: ResourceType) -> Result<ContextBlob, Rc> {
    run::<SaveContext>(
        tpm,
        &SaveContextIn {
            handle,
            resource_type: rt,
            label: *b"0123456789abcdef",
        },
    )
    .map(|o| o.context_blob.0.unwrap())
}

fn load(tpm: &mut Tpm, blob: &ContextBlob, keep: bool) -> Result<u32, Rc> {
    run::<LoadContext>(
        tpm,
        &LoadContextIn {
            entity_handle: blob.handle,
            keep_handle: keep,
            context_blob: Sized32(Some(blob.clone())),
        },
    )
    .map(|o| o.handle)
}

#[test]
fn key_context_saves_flushes_and_loads_back_at_its_handle() {
    let mut b = owned(1);
    let blob = shared_signing_blob(&mut b.tpm);
    let h = load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob).unwrap();
    let pub_key = get_pub_key(&mut b.tpm, h, KEY_AUTH).unwrap();
    let ctx = save(&mut b.tpm, h, ResourceType::TPM_RT_KEY).unwrap();
    assert_eq!(ctx.label, *b"0123456789abcdef");
    // The key material is not in the clear.
    let modulus = &pub_key.pub_key.key.0[..32];
    assert!(!ctx.sensitive_data.0.windows(32).any(|w| w == modulus));
    // While the key is loaded its handle cannot be reused.
    assert_eq!(load(&mut b.tpm, &ctx, true), Err(Rc::TPM_BAD_HANDLE));
    run::<FlushSpecific>(
        &mut b.tpm,
        &FlushSpecificIn {
            handle: h,
            resource_type: ResourceType::TPM_RT_KEY,
        },
    )
    .unwrap();
    assert_eq!(load(&mut b.tpm, &ctx, true).unwrap(), h);
    assert_eq!(get_pub_key(&mut b.tpm, h, KEY_AUTH).unwrap(), pub_key);
    // A key context may load again, at a new handle.
    let h2 = load(&mut b.tpm, &ctx, false).unwrap();
    assert_ne!(h2, h);
}

#[test]
fn tampered_or_foreign_context_is_badcontext() {
    let mut b = owned(1);
    let blob = shared_signing_blob(&mut b.tpm);
    let h = load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob).unwrap();
    let ctx = save(&mut b.tpm, h, ResourceType::TPM_RT_KEY).unwrap();
    let mut bad = ctx.clone();
    bad.sensitive_data.0[3] ^= 1;
    assert_eq!(load(&mut b.tpm, &bad, false), Err(Rc::TPM_BADCONTEXT));
    let mut other = owned(2);
    assert_eq!(load(&mut other.tpm, &ctx, false), Err(Rc::TPM_BADCONTEXT));
}

#[test]
fn session_context_loads_once_and_keeps_working() {
    use commands::capability::GetCapabilityOwner;
    let mut b = owned(1);
    let mut s = oiap(&mut b.tpm, OWNER);
    run_auth1::<GetCapabilityOwner>(&mut b.tpm, &mut s, &(), true).unwrap();
    let ctx = save(&mut b.tpm, s.handle, ResourceType::TPM_RT_AUTH).unwrap();
    assert_eq!(ctx.context_count, 1);
    // Saved: the session left the table.
    assert_eq!(
        run_auth1::<GetCapabilityOwner>(&mut b.tpm, &mut s.clone(), &(), true).err(),
        Some(Rc::TPM_INVALID_AUTHHANDLE)
    );
    s.handle = load(&mut b.tpm, &ctx, true).unwrap();
    run_auth1::<GetCapabilityOwner>(&mut b.tpm, &mut s, &(), true).unwrap();
    // Replaying the same context is refused.
    assert_eq!(load(&mut b.tpm, &ctx, false), Err(Rc::TPM_BADCONTEXT));
}

#[test]
fn session_contexts_do_not_survive_startup() {
    let mut b = owned(1);
    let s = oiap(&mut b.tpm, OWNER);
    let ctx = save(&mut b.tpm, s.handle, ResourceType::TPM_RT_AUTH).unwrap();
    b.tpm.init();
    startup(&mut b.tpm, tpm_marshal::StartupType::TPM_ST_CLEAR).unwrap();
    assert_eq!(load(&mut b.tpm, &ctx, false), Err(Rc::TPM_BADCONTEXT));
}

#[test]
fn deprecated_key_and_auth_context_ordinals_round_trip() {
    let mut b = owned(1);
    let blob = shared_signing_blob(&mut b.tpm);
    let h = load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob).unwrap();
    let saved = run::<SaveKeyContext>(&mut b.tpm, &SaveKeyContextIn { key_handle: h }).unwrap();
    let h2 = run::<LoadKeyContext>(
        &mut b.tpm,
        &LoadKeyContextIn {
            key_context_blob: saved.key_context_blob.clone(),
        },
    )
    .unwrap()
    .key_handle;
    get_pub_key(&mut b.tpm, h2, KEY_AUTH).unwrap();
    // A key blob is not an auth blob.
    assert_eq!(
        run::<LoadAuthContext>(
            &mut b.tpm,
            &LoadAuthContextIn {
                auth_context_blob: saved.key_context_blob,
            },
        ),
        Err(Rc::TPM_BADCONTEXT)
    );
    let mut s = oiap(&mut b.tpm, KEY_AUTH);
    let saved = run::<SaveAuthContext>(
        &mut b.tpm,
        &SaveAuthContextIn {
            auth_handle: s.handle,
        },
    )
    .unwrap();
    s.handle = run::<LoadAuthContext>(
        &mut b.tpm,
        &LoadAuthContextIn {
            auth_context_blob: saved.auth_context_blob,
        },
    )
    .unwrap()
    .auth_handle;
    use commands::storage::{GetPubKey, GetPubKeyIn};
    run_auth1::<GetPubKey>(&mut b.tpm, &mut s, &GetPubKeyIn { key_handle: h2 }, false).unwrap();
}
