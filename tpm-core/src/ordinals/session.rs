//! Part 3, 18.1-18.2 (OIAP, OSAP), 22.1 (TPM_FlushSpecific for sessions) and 27.1.2
//! (TPM_Terminate_Handle).

use crate::dispatch::{Ctx, Handler};
use crate::secret::Secret;
use crate::sessions::{osap_shared_secret, Session, SessionKind};
use crate::Tpm;
use tpm_marshal::commands::engine_extra::{
    FlushSpecific, FlushSpecificIn, TerminateHandle, TerminateHandleIn,
};
use tpm_marshal::commands::sessions::{Oiap, OiapOut, Osap, OsapIn, OsapOut};
use tpm_marshal::{AdipEncScheme, EntityType, KeyHandle, ResourceType, ReturnCode};

impl Tpm {
    /// A fresh session handle: random, non-zero, not in use, not a reserved TPM_KH_* value.
    fn new_session_handle(&mut self) -> u32 {
        loop {
            let mut b = [0u8; 4];
            self.platform.fill_random(&mut b);
            let h = u32::from_be_bytes(b);
            let reserved = (KeyHandle::TPM_KH_SRK.0..=KeyHandle::TPM_KH_EK.0).contains(&h);
            if h != 0 && !reserved && !self.sessions.contains(h) {
                return h;
            }
        }
    }

    /// Opens a session of `kind` and returns its handle and first nonceEven.
    fn open_session(&mut self, kind: SessionKind) -> Result<(u32, [u8; 20]), ReturnCode> {
        let handle = self.new_session_handle();
        let nonce_even = self.random_nonce();
        self.sessions.open(Session {
            handle,
            nonce_even,
            kind,
        })?;
        Ok((handle, nonce_even))
    }

    /// Part 3, 18.2 steps 6-11: the auth value of the entity an OSAP session is for.
    fn osap_entity_auth(&self, kind: EntityType, value: u32) -> Result<Secret, ReturnCode> {
        let owner = self.state.permanent.owner_auth.as_ref();
        match kind {
            EntityType::TPM_ET_OWNER => owner.cloned().ok_or(ReturnCode::TPM_BAD_PARAMETER),
            EntityType::TPM_ET_SRK => Err(ReturnCode::TPM_NOSRK),
            EntityType::TPM_ET_KEYHANDLE => match KeyHandle(value) {
                KeyHandle::TPM_KH_OPERATOR => Err(ReturnCode::TPM_BAD_HANDLE),
                KeyHandle::TPM_KH_SRK => Err(ReturnCode::TPM_NOSRK),
                _ => Err(ReturnCode::TPM_INVALID_KEYHANDLE),
            },
            EntityType::TPM_ET_COUNTER => Err(ReturnCode::TPM_BAD_COUNTER),
            EntityType::TPM_ET_NV => Err(ReturnCode::TPM_BADINDEX),
            _ => Err(ReturnCode::TPM_BAD_PARAMETER),
        }
    }
}

/// Part 3, 18.1 TPM_OIAP.
impl Handler for Oiap {
    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, (): ()) -> Result<OiapOut, ReturnCode> {
        let (auth_handle, nonce_even) = tpm.open_session(SessionKind::Oiap)?;
        Ok(OiapOut {
            auth_handle,
            nonce_even,
        })
    }
}

/// Part 3, 18.2 TPM_OSAP.
impl Handler for Osap {
    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, input: OsapIn) -> Result<OsapOut, ReturnCode> {
        // 5. Only the XOR ADIP scheme is supported.
        if input.entity_type.adip_scheme() != AdipEncScheme::TPM_ET_XOR {
            return Err(ReturnCode::TPM_INAPPROPRIATE_ENC);
        }
        let kind = input.entity_type.entity();
        // 6-11. The entity's auth value.
        let auth = tpm.osap_entity_auth(kind, input.entity_value)?;
        // 3-4. nonceEvenOSAP and the shared secret.
        let nonce_even_osap = tpm.random_nonce();
        let shared_secret = osap_shared_secret(&auth, &nonce_even_osap, &input.nonce_odd_osap);
        let (auth_handle, nonce_even) = tpm.open_session(SessionKind::Osap {
            entity_type: kind,
            entity_value: input.entity_value,
            shared_secret,
        })?;
        Ok(OsapOut {
            auth_handle,
            nonce_even,
            nonce_even_osap,
        })
    }
}

/// Part 3, 27.1.2 TPM_Terminate_Handle (deprecated).
impl Handler for TerminateHandle {
    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, input: TerminateHandleIn) -> Result<(), ReturnCode> {
        if tpm.sessions.close(input.handle) {
            Ok(())
        } else {
            Err(ReturnCode::TPM_INVALID_AUTHHANDLE)
        }
    }
}

/// Part 3, 22.1 TPM_FlushSpecific. This engine holds auth sessions only, so for the other
/// resource types no handle is ever valid.
impl Handler for FlushSpecific {
    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, input: FlushSpecificIn) -> Result<(), ReturnCode> {
        match input.resource_type {
            ResourceType::TPM_RT_AUTH => {
                if tpm.sessions.close(input.handle) {
                    Ok(())
                } else {
                    Err(ReturnCode::TPM_INVALID_AUTHHANDLE)
                }
            }
            ResourceType::TPM_RT_KEY => Err(ReturnCode::TPM_INVALID_KEYHANDLE),
            ResourceType::TPM_RT_TRANS => Err(ReturnCode::TPM_INVALID_AUTHHANDLE),
            ResourceType::TPM_RT_CONTEXT | ResourceType::TPM_RT_DAA_TPM => {
                Err(ReturnCode::TPM_BAD_PARAMETER)
            }
            _ => Err(ReturnCode::TPM_INVALID_RESOURCE),
        }
    }
}
