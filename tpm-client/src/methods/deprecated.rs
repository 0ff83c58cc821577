//! Part 3, 27 Deprecated commands (1.1 interfaces every TPM 1.2 still implements).

use super::present;
use crate::client::{Auth, Client};
use crate::error::Result;
use crate::session::AuthSession;
use crate::transport::Transport;
use tpm_marshal::commands::deprecated::{
    ChangeAuthAsymFinish, ChangeAuthAsymFinishIn, ChangeAuthAsymFinishOut, ChangeAuthAsymStart,
    ChangeAuthAsymStartIn, ChangeAuthAsymStartOut, DirRead, DirReadIn, DirWriteAuth,
    DirWriteAuthIn, DisablePubekRead, EvictKey, EvictKeyIn, LoadAuthContext, LoadAuthContextIn,
    LoadKey, LoadKeyContext, LoadKeyContextIn, LoadKeyIn, OwnerReadPubek, Reset, SaveAuthContext,
    SaveAuthContextIn, SaveKeyContext, SaveKeyContextIn, TerminateHandle, TerminateHandleIn,
};
use tpm_marshal::{Digest, EntityType, Handle, KeyBlob, KeyParms, Nonce, Pubkey};

impl<T: Transport> Client<T> {
    /// Part 3, 27.1.1 TPM_EvictKey: flushes a loaded key (use
    /// [`Client::flush_specific`] on 1.2 TPMs).
    ///
    /// # Errors
    /// `TPM_INVALID_KEYHANDLE`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// tpm.evict_key(0x0100_0000)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn evict_key(&mut self, evict_handle: Handle) -> Result<()> {
        self.call::<EvictKey>(&EvictKeyIn { evict_handle })
    }

    /// Part 3, 27.1.2 TPM_Terminate_Handle: closes an authorization session (use
    /// [`Client::flush_session`] on 1.2 TPMs).
    ///
    /// # Errors
    /// `TPM_INVALID_AUTHHANDLE` for an unknown session.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let session = tpm.oiap()?;
    /// tpm.terminate_handle(session)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn terminate_handle(&mut self, mut session: AuthSession) -> Result<()> {
        session.close();
        self.call::<TerminateHandle>(&TerminateHandleIn {
            handle: session.handle(),
        })
    }

    /// Part 3, 27.2.1 TPM_SaveKeyContext: saves a loaded key outside the TPM (1.1 form of
    /// [`Client::save_context`]).
    ///
    /// # Errors
    /// `TPM_INVALID_KEYHANDLE`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let blob = tpm.save_key_context(0x0100_0000)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn save_key_context(&mut self, key_handle: Handle) -> Result<Vec<u8>> {
        let out = self.call::<SaveKeyContext>(&SaveKeyContextIn { key_handle })?;
        Ok(out.key_context_blob.0)
    }

    /// Part 3, 27.2.2 TPM_LoadKeyContext: loads a key saved by
    /// [`Client::save_key_context`]; returns its handle.
    ///
    /// # Errors
    /// `TPM_BADCONTEXT`; `TPM_NOSPACE`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let blob = tpm.save_key_context(0x0100_0000)?;
    /// let handle = tpm.load_key_context(&blob)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn load_key_context(&mut self, key_context_blob: &[u8]) -> Result<Handle> {
        let input = LoadKeyContextIn {
            key_context_blob: key_context_blob.into(),
        };
        Ok(self.call::<LoadKeyContext>(&input)?.key_handle)
    }

    /// Part 3, 27.2.3 TPM_SaveAuthContext: saves an authorization session outside the
    /// TPM (1.1 form of [`Client::save_context`]).
    ///
    /// # Errors
    /// `TPM_INVALID_AUTHHANDLE`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let session = tpm.oiap()?;
    /// let blob = tpm.save_auth_context(session.handle())?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn save_auth_context(&mut self, auth_handle: Handle) -> Result<Vec<u8>> {
        let out = self.call::<SaveAuthContext>(&SaveAuthContextIn { auth_handle })?;
        Ok(out.auth_context_blob.0)
    }

    /// Part 3, 27.2.4 TPM_LoadAuthContext: loads a session saved by
    /// [`Client::save_auth_context`]; returns its handle.
    ///
    /// # Errors
    /// `TPM_BADCONTEXT`; `TPM_RESOURCES`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let blob = vec![0u8; 64];
    /// let handle = tpm.load_auth_context(&blob)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn load_auth_context(&mut self, auth_context_blob: &[u8]) -> Result<Handle> {
        let input = LoadAuthContextIn {
            auth_context_blob: auth_context_blob.into(),
        };
        Ok(self.call::<LoadAuthContext>(&input)?.auth_handle)
    }

    /// Part 3, 27.3.1 TPM_DirWriteAuth: the owner writes a data integrity register (DIR).
    ///
    /// # Errors
    /// `TPM_BADINDEX` for a DIR the TPM lacks; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let mut owner = tpm.oiap()?;
    /// owner.set_secret([1; 20]);
    /// tpm.dir_write_auth(0, &[7; 20], tpm_client::Auth::last(&mut owner))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn dir_write_auth(
        &mut self,
        dir_index: u32,
        new_contents: &Digest,
        owner: Auth<'_>,
    ) -> Result<()> {
        let input = DirWriteAuthIn {
            dir_index,
            new_contents: *new_contents,
        };
        self.call_auth::<DirWriteAuth>(&input, &mut [owner])
    }

    /// Part 3, 27.3.2 TPM_DirRead: reads a data integrity register.
    ///
    /// # Errors
    /// `TPM_BADINDEX` for a DIR the TPM lacks.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let dir0 = tpm.dir_read(0)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn dir_read(&mut self, dir_index: u32) -> Result<Digest> {
        Ok(self.call::<DirRead>(&DirReadIn { dir_index })?.dir_contents)
    }

    /// Part 3, 27.4.1 TPM_ChangeAuthAsymStart: an identity key certifies an ephemeral
    /// key for the asymmetric change-auth protocol.
    ///
    /// # Arguments
    /// - `id_handle`: a loaded identity key; `anti_replay`: the caller's nonce.
    /// - `temp_key`: the ephemeral key's parameters.
    /// - `id_auth`: a session for the identity key, or `None` for TPM_AUTH_NEVER.
    ///
    /// # Errors
    /// `TPM_INVALID_KEYUSAGE`; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let aik = 0x0100_0000;
    /// let out = tpm.change_auth_asym_start(aik, &[1; 20], &tpm_client::flows::ek_parms(), None)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn change_auth_asym_start(
        &mut self,
        id_handle: Handle,
        anti_replay: &Nonce,
        temp_key: &KeyParms,
        id_auth: Option<Auth<'_>>,
    ) -> Result<ChangeAuthAsymStartOut> {
        let input = ChangeAuthAsymStartIn {
            id_handle,
            anti_replay: *anti_replay,
            temp_key: temp_key.clone(),
        };
        self.call_auth::<ChangeAuthAsymStart>(&input, &mut present([id_auth]))
    }

    /// Part 3, 27.4.2 TPM_ChangeAuthAsymFinish: completes the asymmetric change-auth
    /// protocol with the new secret encrypted to the ephemeral key.
    ///
    /// # Arguments
    /// - `parent_handle`, `eph_handle`: the entity's parent and the ephemeral key.
    /// - `entity_type`: `TPM_ET_KEY` or `TPM_ET_DATA`.
    /// - `new_auth_link`, `enc_new_auth`, `enc_data`: as Part 3, 27.4.2 defines them.
    /// - `parent_auth`: a session for the parent, or `None` for TPM_AUTH_NEVER.
    ///
    /// # Errors
    /// `TPM_INVALID_KEYHANDLE`; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let (parent, eph, enc_auth, enc_data) = (0x4000_0000, 0x0100_0001, vec![0u8; 256], vec![0u8; 256]);
    /// let out = tpm.change_auth_asym_finish(parent, eph, tpm_marshal::EntityType::TPM_ET_DATA,
    ///     &[0; 20], &enc_auth, &enc_data, None)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    #[allow(clippy::too_many_arguments)] // Part 3's parameter list, one argument each
    pub fn change_auth_asym_finish(
        &mut self,
        parent_handle: Handle,
        eph_handle: Handle,
        entity_type: EntityType,
        new_auth_link: &Digest,
        enc_new_auth: &[u8],
        enc_data: &[u8],
        parent_auth: Option<Auth<'_>>,
    ) -> Result<ChangeAuthAsymFinishOut> {
        let input = ChangeAuthAsymFinishIn {
            parent_handle,
            eph_handle,
            entity_type,
            new_auth_link: *new_auth_link,
            enc_new_auth: enc_new_auth.into(),
            enc_data: enc_data.into(),
        };
        self.call_auth::<ChangeAuthAsymFinish>(&input, &mut present([parent_auth]))
    }

    /// Part 3, 27.5 TPM_Reset: flushes every authorization session and loaded key
    /// context (not the TPM reset itself).
    ///
    /// # Errors
    /// Transport and framing errors only, in practice.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// tpm.reset()?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn reset(&mut self) -> Result<()> {
        self.call::<Reset>(&())
    }

    /// Part 3, 27.6.1 TPM_OwnerReadPubek: the owner reads the PUBEK (use
    /// [`Client::owner_read_internal_pub`] on 1.2 TPMs).
    ///
    /// # Errors
    /// `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let mut owner = tpm.oiap()?;
    /// owner.set_secret([1; 20]);
    /// let pubek = tpm.owner_read_pubek(tpm_client::Auth::last(&mut owner))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn owner_read_pubek(&mut self, owner: Auth<'_>) -> Result<Pubkey> {
        Ok(self
            .call_auth::<OwnerReadPubek>(&(), &mut [owner])?
            .pub_endorsement_key)
    }

    /// Part 3, 27.6.2 TPM_DisablePubekRead: the owner clears readPubek (TPM_TakeOwnership
    /// already does on 1.2 TPMs).
    ///
    /// # Errors
    /// `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let mut owner = tpm.oiap()?;
    /// owner.set_secret([1; 20]);
    /// tpm.disable_pubek_read(tpm_client::Auth::last(&mut owner))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn disable_pubek_read(&mut self, owner: Auth<'_>) -> Result<()> {
        self.call_auth::<DisablePubekRead>(&(), &mut [owner])
    }

    /// Part 3, 27.8 TPM_LoadKey: the 1.1 form of [`Client::load_key2`], whose key handle
    /// is covered by the response HMAC.
    ///
    /// # Errors
    /// As [`Client::load_key2`].
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// use tpm_marshal::Unmarshal;
    /// let blob = tpm_marshal::KeyBlob::from_bytes(&std::fs::read("key.blob")?)?;
    /// let mut srk = tpm.oiap()?;
    /// let handle = tpm.load_key(tpm_marshal::KeyHandle::TPM_KH_SRK.0, &blob,
    ///     Some(tpm_client::Auth::last(&mut srk)))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn load_key(
        &mut self,
        parent_handle: Handle,
        in_key: &KeyBlob,
        parent_auth: Option<Auth<'_>>,
    ) -> Result<Handle> {
        let input = LoadKeyIn {
            parent_handle,
            in_key: in_key.clone(),
        };
        let out = self.call_auth::<LoadKey>(&input, &mut present([parent_auth]))?;
        Ok(out.inkey_handle)
    }
}
