//! Part 3, 18.1-18.2 (OIAP, OSAP), 18.4 (TPM_SetOwnerPointer), 22.1 (TPM_FlushSpecific for
//! sessions) and 27.1.2 (TPM_Terminate_Handle).

use crate::dispatch::{Ctx, Handler};
use crate::secret::Secret;
use crate::sessions::{osap_shared_secret, Session, SessionKind};
use crate::Tpm;
use tpm_marshal::commands::deprecated::{TerminateHandle, TerminateHandleIn};
use tpm_marshal::commands::eviction::{FlushSpecific, FlushSpecificIn};
use tpm_marshal::commands::sessions::{
    Oiap, OiapOut, Osap, OsapIn, OsapOut, SetOwnerPointer, SetOwnerPointerIn,
};
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
            EntityType::TPM_ET_SRK => Ok(self.key(KeyHandle::TPM_KH_SRK.0)?.usage_auth.clone()),
            EntityType::TPM_ET_KEYHANDLE => match KeyHandle(value) {
                KeyHandle::TPM_KH_OPERATOR => Err(ReturnCode::TPM_BAD_HANDLE),
                _ => Ok(self.key(value)?.usage_auth.clone()),
            },
            EntityType::TPM_ET_COUNTER => self.counter_auth(value),
            EntityType::TPM_ET_NV => self.nv_auth(value),
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
        // 6-11. The entity's auth value. For the owner and the SRK entityValue is ignored;
        // the session is bound to their fixed handles. The SRK is one entity whether named
        // TPM_ET_SRK or TPM_ET_KEYHANDLE with TPM_KH_SRK.
        let (kind, entity_value) = match input.entity_type.entity() {
            EntityType::TPM_ET_OWNER => (EntityType::TPM_ET_OWNER, KeyHandle::TPM_KH_OWNER.0),
            EntityType::TPM_ET_SRK => (EntityType::TPM_ET_KEYHANDLE, KeyHandle::TPM_KH_SRK.0),
            kind => (kind, input.entity_value),
        };
        let auth = tpm.osap_entity_auth(kind, entity_value)?;
        // 3-4. nonceEvenOSAP and the shared secret.
        let nonce_even_osap = tpm.random_nonce();
        let shared_secret = osap_shared_secret(&auth, &nonce_even_osap, &input.nonce_odd_osap);
        let (auth_handle, nonce_even) = tpm.open_session(SessionKind::Osap {
            entity_type: kind,
            entity_value,
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

/// Part 3, 22.1 TPM_FlushSpecific: auth sessions and keys (owner-evict keys stay:
/// TPM_KEY_OWNER_CONTROL); for the other resource types no handle is valid yet.
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
            ResourceType::TPM_RT_KEY => tpm.flush_key(input.handle),
            ResourceType::TPM_RT_TRANS => Err(ReturnCode::TPM_INVALID_AUTHHANDLE),
            ResourceType::TPM_RT_CONTEXT | ResourceType::TPM_RT_DAA_TPM => {
                Err(ReturnCode::TPM_BAD_PARAMETER)
            }
            _ => Err(ReturnCode::TPM_INVALID_RESOURCE),
        }
    }
}

/// Part 3, 18.4 TPM_SetOwnerPointer: which owner secret legacy OIAP/OSAP owner sessions
/// use until the next TPM_Startup(ST_CLEAR): the owner's own, or a delegate row's. This TPM
/// holds no delegate rows, so a row is never found.
impl Handler for SetOwnerPointer {
    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, input: SetOwnerPointerIn) -> Result<(), ReturnCode> {
        match input.entity_type {
            // 2. A delegate row must exist in the delegate table.
            EntityType::TPM_ET_DEL_ROW => Err(ReturnCode::TPM_BADINDEX),
            // 3. The owner's own secret.
            EntityType::TPM_ET_OWNER => {
                tpm.state.stclear.owner_reference = crate::state::TPM_KH_OWNER;
                Ok(())
            }
            // 4.
            _ => Err(ReturnCode::TPM_BAD_PARAMETER),
        }
    }
}

#[cfg(test)]
mod tests {
    //! OSAP needs an entity with an auth value; until TPM_TakeOwnership exists the owner
    //! is installed directly in the state. HMACs are computed with the `hmac` crate.
    use super::*;
    use crate::secret::Secret;
    use crate::tests::{auth1_command, hmac, started_tpm};
    use tpm_marshal::framing::{CommandFrame, ResponseFrame};
    use tpm_marshal::{Marshal, Ordinal, PermanentFlag, SetCapabilityArea, Unmarshal};

    const OWNER: [u8; 20] = [0x11; 20];

    fn osap_for_owner(tpm: &mut Tpm) -> (OsapOut, [u8; 20]) {
        let input = OsapIn {
            entity_type: EntityType::TPM_ET_OWNER,
            // Ignored for the owner.
            entity_value: 0xdead_beef,
            nonce_odd_osap: [0x22; 20],
        };
        let cmd =
            CommandFrame::encode(Ordinal::TPM_ORD_OSAP, &input.to_bytes().unwrap(), &[]).unwrap();
        let resp = tpm.execute(0, &cmd);
        let f = ResponseFrame::parse(&resp).unwrap();
        assert_eq!(f.return_code, ReturnCode::TPM_SUCCESS);
        let out = OsapOut::from_bytes(f.body).unwrap();
        let shared = hmac(&OWNER, &[&out.nonce_even_osap, &[0x22; 20]]);
        (out, shared)
    }

    fn set_readpubek(value: u8) -> Vec<u8> {
        let mut p = SetCapabilityArea::TPM_SET_PERM_FLAGS
            .0
            .to_be_bytes()
            .to_vec();
        p.extend_from_slice(&[0, 0, 0, 4]);
        p.extend_from_slice(&PermanentFlag::TPM_PF_READPUBEK.0.to_be_bytes());
        p.extend_from_slice(&[0, 0, 0, 1, value]);
        p
    }

    fn owned_tpm() -> Tpm {
        let mut tpm = started_tpm();
        tpm.state.permanent.owner_auth = Some(Secret::new(OWNER));
        tpm
    }

    #[test]
    fn osap_shared_secret_keys_request_and_response_hmacs() {
        let mut tpm = owned_tpm();
        let (s, shared) = osap_for_owner(&mut tpm);
        let params = set_readpubek(0);
        let cmd = auth1_command(
            Ordinal::TPM_ORD_SetCapability,
            &params,
            s.auth_handle,
            &shared,
            &s.nonce_even,
            true,
        );
        let resp = tpm.execute(0, &cmd);
        let f = ResponseFrame::parse(&resp).unwrap();
        assert_eq!(f.return_code, ReturnCode::TPM_SUCCESS);
        assert!(!tpm.state.permanent_flags.read_pubek);
        let out_digest = crate::sessions::sha1(&[
            &0u32.to_be_bytes(),
            &Ordinal::TPM_ORD_SetCapability.0.to_be_bytes(),
        ]);
        let a = &f.auths[0];
        let want = hmac(&shared, &[&out_digest, &a.nonce_even, &[0x33; 20], &[1]]);
        assert_eq!(a.auth, want);
        assert_ne!(a.nonce_even, s.nonce_even);
    }

    #[test]
    fn osap_with_the_owner_auth_instead_of_the_shared_secret_fails() {
        let mut tpm = owned_tpm();
        let (s, _) = osap_for_owner(&mut tpm);
        let cmd = auth1_command(
            Ordinal::TPM_ORD_SetCapability,
            &set_readpubek(0),
            s.auth_handle,
            &OWNER,
            &s.nonce_even,
            true,
        );
        assert_eq!(
            ResponseFrame::parse(&tpm.execute(0, &cmd))
                .unwrap()
                .return_code,
            ReturnCode::TPM_AUTHFAIL
        );
    }

    #[test]
    fn an_error_after_a_valid_hmac_closes_the_session() {
        let mut tpm = owned_tpm();
        let (s, shared) = osap_for_owner(&mut tpm);
        // disableOwnerClear may only be set to TRUE: FALSE fails after authorization.
        let mut params = SetCapabilityArea::TPM_SET_PERM_FLAGS
            .0
            .to_be_bytes()
            .to_vec();
        params.extend_from_slice(&[0, 0, 0, 4]);
        params.extend_from_slice(&PermanentFlag::TPM_PF_DISABLEOWNERCLEAR.0.to_be_bytes());
        params.extend_from_slice(&[0, 0, 0, 1, 0]);
        let cmd = auth1_command(
            Ordinal::TPM_ORD_SetCapability,
            &params,
            s.auth_handle,
            &shared,
            &s.nonce_even,
            true,
        );
        assert_eq!(
            ResponseFrame::parse(&tpm.execute(0, &cmd))
                .unwrap()
                .return_code,
            ReturnCode::TPM_BAD_PARAMETER
        );
        assert!(!tpm.sessions.contains(s.auth_handle));
    }

    #[test]
    fn an_oiap_only_entity_refuses_an_osap_session() {
        let mut tpm = owned_tpm();
        tpm.state.permanent.operator_auth = Some(Secret::new([5; 20]));
        tpm.state.permanent_flags.operator = true;
        let (s, shared) = osap_for_owner(&mut tpm);
        let cmd = auth1_command(
            Ordinal::TPM_ORD_SetTempDeactivated,
            &[],
            s.auth_handle,
            &shared,
            &s.nonce_even,
            true,
        );
        assert_eq!(
            ResponseFrame::parse(&tpm.execute(0, &cmd))
                .unwrap()
                .return_code,
            ReturnCode::TPM_BAD_MODE
        );
    }

    #[test]
    fn session_handles_avoid_reserved_values() {
        let mut tpm = started_tpm();
        for _ in 0..16 {
            let h = tpm.new_session_handle();
            assert!(h != 0 && !(0x4000_0000..=0x4000_0006).contains(&h));
        }
    }
}
