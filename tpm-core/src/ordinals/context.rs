//! Part 3, 21.2-21.3 (TPM_SaveContext, TPM_LoadContext) for keys and auth sessions, and
//! 27.3-27.4 (the deprecated TPM_SaveKeyContext, TPM_LoadKeyContext, TPM_SaveAuthContext,
//! TPM_LoadAuthContext) on the same blobs.
//!
//! A context blob is TPM_CONTEXT_BLOB: its sensitiveData (TPM_CONTEXT_SENSITIVE) is
//! encrypted with AES-128-CTR under a key derived from tpmProof, with a fresh IV carried
//! in additionalData, and integrityDigest is HMAC-SHA1 keyed with tpmProof over the blob
//! with a zero digest. The contextNonce binds a key blob to the ST_CLEAR cycle and a
//! session blob to the Startup cycle; each saved session loads once (contextList).

use crate::dispatch::{Ctx, Handler};
use crate::keys;
use crate::persist;
use crate::sessions::hmac_sha1;
use crate::Tpm;
use aes::Aes128;
use ctr::cipher::{KeyIvInit, StreamCipher};
use hmac::Mac;
use tpm_marshal::commands::context::{
    LoadContext, LoadContextIn, LoadContextOut, SaveContext, SaveContextIn, SaveContextOut,
};
use tpm_marshal::commands::deprecated::{
    LoadAuthContext, LoadAuthContextIn, LoadAuthContextOut, LoadKeyContext, LoadKeyContextIn,
    LoadKeyContextOut, SaveAuthContext, SaveAuthContextIn, SaveAuthContextOut, SaveKeyContext,
    SaveKeyContextIn, SaveKeyContextOut,
};
use tpm_marshal::{
    ContextBlob, ContextSensitive, Marshal, Nonce, Reader, ResourceType, ReturnCode, Sized32,
    SizedBuffer, Unmarshal, Writer,
};
use zeroize::Zeroizing;

/// How many saved session contexts may be outstanding (ordinals.md: 128).
const MAX_SAVED_SESSIONS: usize = 128;

impl Tpm {
    /// The context encryption key: HMAC-SHA1(tpmProof, "context key"), first 16 bytes.
    fn context_key(&self) -> Zeroizing<[u8; 16]> {
        let mut m = hmac_sha1(self.state.permanent.tpm_proof.bytes());
        m.update(b"context key");
        let full: Zeroizing<[u8; 20]> = Zeroizing::new(m.finalize().into_bytes().into());
        let mut k = Zeroizing::new([0u8; 16]);
        k.copy_from_slice(full.get(..16).unwrap_or(&[0; 16]));
        k
    }

    /// XORs the AES-128-CTR keystream for `iv` into `data`.
    fn context_crypt(&self, iv: &[u8; 16], data: &mut [u8]) {
        let key = self.context_key();
        ctr::Ctr128BE::<Aes128>::new((&*key).into(), iv.into()).apply_keystream(data);
    }

    /// HMAC-SHA1(tpmProof, blob with integrityDigest zero).
    fn context_digest(&self, blob: &ContextBlob) -> Result<[u8; 20], ReturnCode> {
        let mut zeroed = blob.clone();
        zeroed.integrity_digest = [0; 20];
        let bytes = zeroed.to_bytes().map_err(|_| ReturnCode::TPM_FAIL)?;
        let mut m = hmac_sha1(self.state.permanent.tpm_proof.bytes());
        m.update(&bytes);
        Ok(m.finalize().into_bytes().into())
    }

    /// The contextNonce of a resource type: contextNonceKey (new at Startup(ST_CLEAR)) for
    /// keys, contextNonceSession (new at every Startup) for sessions.
    fn context_nonce(&mut self, rt: ResourceType) -> Nonce {
        let fresh = self.random_nonce();
        let n = if rt == ResourceType::TPM_RT_KEY {
            &mut self.state.stclear.context_nonce_key
        } else {
            &mut self.state.stany.context_nonce_session
        };
        if *n == [0; 20] {
            *n = fresh;
        }
        *n
    }

    /// Part 3, 21.2 TPM_SaveContext actions for a key or an auth session.
    pub(crate) fn save_context(
        &mut self,
        handle: u32,
        rt: ResourceType,
        label: [u8; 16],
    ) -> Result<ContextBlob, ReturnCode> {
        let mut internal = Writer::new();
        let context_count = match rt {
            ResourceType::TPM_RT_KEY => {
                let slot = self
                    .keys
                    .get(handle)
                    .ok_or(ReturnCode::TPM_INVALID_KEYHANDLE)?;
                if slot.owner_evict {
                    return Err(ReturnCode::TPM_OWNER_CONTROL);
                }
                keys::encode(&mut internal, &slot.key);
                0
            }
            ResourceType::TPM_RT_AUTH => {
                let session = self
                    .sessions
                    .get(handle)
                    .ok_or(ReturnCode::TPM_INVALID_AUTHHANDLE)?;
                if self.state.stany.context_list.len() >= MAX_SAVED_SESSIONS {
                    return Err(ReturnCode::TPM_NOCONTEXTSPACE);
                }
                persist::session(&mut internal, session);
                let count = self.state.stany.context_count.wrapping_add(1);
                self.state.stany.context_count = count;
                count
            }
            _ => return Err(ReturnCode::TPM_INVALID_RESOURCE),
        };
        let internal = Zeroizing::new(internal.finish().map_err(|_| ReturnCode::TPM_FAIL)?);
        let sensitive = ContextSensitive {
            context_nonce: self.context_nonce(rt),
            internal_data: SizedBuffer(internal.to_vec()),
        };
        let mut secret = Zeroizing::new(sensitive.to_bytes().map_err(|_| ReturnCode::TPM_FAIL)?);
        let mut iv = [0u8; 16];
        self.platform.fill_random(&mut iv);
        self.context_crypt(&iv, &mut secret);
        let mut blob = ContextBlob {
            resource_type: rt,
            handle,
            label,
            context_count,
            integrity_digest: [0; 20],
            additional_data: SizedBuffer(iv.to_vec()),
            sensitive_data: SizedBuffer(secret.to_vec()),
        };
        blob.integrity_digest = self.context_digest(&blob)?;
        // A saved session leaves the table until it is loaded again.
        if rt == ResourceType::TPM_RT_AUTH {
            self.sessions.close(handle);
            self.state.stany.context_list.push(context_count);
        }
        Ok(blob)
    }

    /// Part 3, 21.3 TPM_LoadContext actions: checks and decrypts `blob`, then loads the
    /// key or session, at its old handle if `keep_handle` and it is free.
    pub(crate) fn load_context(
        &mut self,
        blob: &ContextBlob,
        keep_handle: bool,
    ) -> Result<u32, ReturnCode> {
        if !keys::digest_eq(&blob.integrity_digest, &self.context_digest(blob)?) {
            return Err(ReturnCode::TPM_BADCONTEXT);
        }
        let iv: [u8; 16] = blob
            .additional_data
            .0
            .as_slice()
            .try_into()
            .map_err(|_| ReturnCode::TPM_BADCONTEXT)?;
        let mut plain = Zeroizing::new(blob.sensitive_data.0.clone());
        self.context_crypt(&iv, &mut plain);
        let sensitive =
            ContextSensitive::from_bytes(&plain).map_err(|_| ReturnCode::TPM_BADCONTEXT)?;
        let internal = Zeroizing::new(sensitive.internal_data.0);
        if sensitive.context_nonce != self.context_nonce(blob.resource_type) {
            return Err(ReturnCode::TPM_BADCONTEXT);
        }
        let mut r = Reader::new(&internal);
        match blob.resource_type {
            ResourceType::TPM_RT_KEY => {
                let key = keys::decode(&mut r).map_err(|_| ReturnCode::TPM_BADCONTEXT)?;
                let handle = self.pick_handle(blob.handle, keep_handle)?;
                self.keys.insert(handle, key, false)?;
                Ok(handle)
            }
            ResourceType::TPM_RT_AUTH => {
                let at = self
                    .state
                    .stany
                    .context_list
                    .iter()
                    .position(|c| *c == blob.context_count)
                    .ok_or(ReturnCode::TPM_BADCONTEXT)?;
                let mut session =
                    persist::read_session(&mut r).map_err(|_| ReturnCode::TPM_BADCONTEXT)?;
                session.handle = self.pick_handle(blob.handle, keep_handle)?;
                let handle = session.handle;
                self.sessions.open(session)?;
                self.state.stany.context_list.remove(at);
                Ok(handle)
            }
            _ => Err(ReturnCode::TPM_INVALID_RESOURCE),
        }
    }

    /// The handle a loaded context gets: its old one if asked and free (TPM_BAD_HANDLE
    /// if taken), else a new one.
    fn pick_handle(&mut self, old: u32, keep: bool) -> Result<u32, ReturnCode> {
        if !keep {
            return Ok(self.new_key_handle());
        }
        if self.keys.contains(old) || self.sessions.contains(old) {
            return Err(ReturnCode::TPM_BAD_HANDLE);
        }
        Ok(old)
    }
}

/// Part 3, 21.2 TPM_SaveContext.
impl Handler for SaveContext {
    fn execute(
        tpm: &mut Tpm,
        _cx: &mut Ctx,
        input: SaveContextIn,
    ) -> Result<SaveContextOut, ReturnCode> {
        let blob = tpm.save_context(input.handle, input.resource_type, input.label)?;
        Ok(SaveContextOut {
            context_blob: Sized32(Some(blob)),
        })
    }
}

/// Part 3, 21.3 TPM_LoadContext.
impl Handler for LoadContext {
    fn execute(
        tpm: &mut Tpm,
        _cx: &mut Ctx,
        input: LoadContextIn,
    ) -> Result<LoadContextOut, ReturnCode> {
        let blob = input.context_blob.0.ok_or(ReturnCode::TPM_BADCONTEXT)?;
        let handle = tpm.load_context(&blob, input.keep_handle)?;
        Ok(LoadContextOut { handle })
    }
}

fn blob_bytes(blob: &ContextBlob) -> Result<SizedBuffer, ReturnCode> {
    blob.to_bytes()
        .map(SizedBuffer)
        .map_err(|_| ReturnCode::TPM_FAIL)
}

fn blob_from(bytes: &SizedBuffer) -> Result<ContextBlob, ReturnCode> {
    ContextBlob::from_bytes(&bytes.0).map_err(|_| ReturnCode::TPM_BADCONTEXT)
}

/// Part 3, 27.3.1 TPM_SaveKeyContext (deprecated): a TPM_CONTEXT_BLOB for a key.
impl Handler for SaveKeyContext {
    fn execute(
        tpm: &mut Tpm,
        _cx: &mut Ctx,
        input: SaveKeyContextIn,
    ) -> Result<SaveKeyContextOut, ReturnCode> {
        let blob = tpm.save_context(
            input.key_handle,
            ResourceType::TPM_RT_KEY,
            *b"SaveKeyContext..",
        )?;
        Ok(SaveKeyContextOut {
            key_context_blob: blob_bytes(&blob)?,
        })
    }
}

/// Part 3, 27.3.2 TPM_LoadKeyContext (deprecated).
impl Handler for LoadKeyContext {
    fn execute(
        tpm: &mut Tpm,
        _cx: &mut Ctx,
        input: LoadKeyContextIn,
    ) -> Result<LoadKeyContextOut, ReturnCode> {
        let blob = blob_from(&input.key_context_blob)?;
        if blob.resource_type != ResourceType::TPM_RT_KEY {
            return Err(ReturnCode::TPM_BADCONTEXT);
        }
        let key_handle = tpm.load_context(&blob, false)?;
        Ok(LoadKeyContextOut { key_handle })
    }
}

/// Part 3, 27.3.3 TPM_SaveAuthContext (deprecated): a TPM_CONTEXT_BLOB for a session.
impl Handler for SaveAuthContext {
    fn execute(
        tpm: &mut Tpm,
        _cx: &mut Ctx,
        input: SaveAuthContextIn,
    ) -> Result<SaveAuthContextOut, ReturnCode> {
        let blob = tpm.save_context(
            input.auth_handle,
            ResourceType::TPM_RT_AUTH,
            *b"SaveAuthContext.",
        )?;
        Ok(SaveAuthContextOut {
            auth_context_blob: blob_bytes(&blob)?,
        })
    }
}

/// Part 3, 27.3.4 TPM_LoadAuthContext (deprecated).
impl Handler for LoadAuthContext {
    fn execute(
        tpm: &mut Tpm,
        _cx: &mut Ctx,
        input: LoadAuthContextIn,
    ) -> Result<LoadAuthContextOut, ReturnCode> {
        let blob = blob_from(&input.auth_context_blob)?;
        if blob.resource_type != ResourceType::TPM_RT_AUTH {
            return Err(ReturnCode::TPM_BADCONTEXT);
        }
        let auth_handle = tpm.load_context(&blob, false)?;
        Ok(LoadAuthContextOut { auth_handle })
    }
}
