//! Part 3, 6 Admin ownership, and the TSC commands for physical presence and the
//! establishment bit.

use crate::client::{Auth, Client};
use crate::error::Result;
use crate::transport::Transport;
use tpm_marshal::commands::ownership::{
    DisableForceClear, DisableOwnerClear, ForceClear, OwnerClear, TakeOwnership, TakeOwnershipIn,
    TscPhysicalPresence, TscPhysicalPresenceIn, TscResetEstablishmentBit,
};
use tpm_marshal::{KeyBlob, PhysicalPresence, ProtocolId};

impl<T: Transport> Client<T> {
    /// Part 3, 6.1 TPM_TakeOwnership: installs an owner and creates the SRK. The flow with
    /// the EK encryption done for you is [`Client::take_ownership_with`].
    ///
    /// # Arguments
    /// - `enc_owner_auth`, `enc_srk_auth`: the owner and SRK secrets, each encrypted to the
    ///   PUBEK with RSAES-OAEP (SHA-1, label "TCPA").
    /// - `srk_params`: the SRK template (storage key, RSA 2048, OAEP, no encData).
    /// - `owner`: an OIAP session keyed with the *new* owner secret.
    ///
    /// Returns the SRK as created, with its public key and no private part.
    ///
    /// # Errors
    /// `TPM_OWNER_SET` when an owner exists; `TPM_NO_ENDORSEMENT` without an EK;
    /// `TPM_DECRYPT_ERROR` when the secrets do not decrypt; `TPM_AUTHFAIL` when the
    /// session was keyed with a secret other than the one encrypted.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let (enc_owner, enc_srk) = (vec![0u8; 256], vec![0u8; 256]);
    /// let template = tpm_client::flows::srk_template();
    /// let mut session = tpm.oiap()?;
    /// session.set_secret([1; 20]); // the new owner secret, also in enc_owner
    /// let srk = tpm.take_ownership(&enc_owner, &enc_srk, &template, tpm_client::Auth::last(&mut session))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn take_ownership(
        &mut self,
        enc_owner_auth: &[u8],
        enc_srk_auth: &[u8],
        srk_params: &KeyBlob,
        owner: Auth<'_>,
    ) -> Result<KeyBlob> {
        let input = TakeOwnershipIn {
            protocol_id: ProtocolId::TPM_PID_OWNER,
            enc_owner_auth: enc_owner_auth.into(),
            enc_srk_auth: enc_srk_auth.into(),
            srk_params: srk_params.clone(),
        };
        Ok(self
            .call_auth::<TakeOwnership>(&input, &mut [owner])?
            .srk_pub)
    }

    /// Part 3, 6.2 TPM_OwnerClear: the owner removes ownership and its secrets.
    ///
    /// # Errors
    /// `TPM_AUTHFAIL` for a wrong owner secret; `TPM_CLEAR_DISABLED` after
    /// TPM_DisableOwnerClear.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let mut owner = tpm.oiap()?;
    /// owner.set_secret([1; 20]);
    /// tpm.owner_clear(tpm_client::Auth::last(&mut owner))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn owner_clear(&mut self, owner: Auth<'_>) -> Result<()> {
        self.call_auth::<OwnerClear>(&(), &mut [owner])
    }

    /// Part 3, 6.3 TPM_ForceClear: removes ownership. Needs physical presence.
    ///
    /// # Errors
    /// `TPM_BAD_PRESENCE` without physical presence; `TPM_CLEAR_DISABLED` after
    /// TPM_DisableForceClear.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// tpm.force_clear()?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn force_clear(&mut self) -> Result<()> {
        self.call::<ForceClear>(&())
    }

    /// Part 3, 6.4 TPM_DisableOwnerClear: the owner disables TPM_OwnerClear for good.
    ///
    /// # Errors
    /// `TPM_AUTHFAIL` for a wrong owner secret.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let mut owner = tpm.oiap()?;
    /// owner.set_secret([1; 20]);
    /// tpm.disable_owner_clear(tpm_client::Auth::last(&mut owner))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn disable_owner_clear(&mut self, owner: Auth<'_>) -> Result<()> {
        self.call_auth::<DisableOwnerClear>(&(), &mut [owner])
    }

    /// Part 3, 6.5 TPM_DisableForceClear: disables TPM_ForceClear until the next
    /// TPM_Startup(ST_CLEAR).
    ///
    /// # Errors
    /// Transport and framing errors only, in practice.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// tpm.disable_force_clear()?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn disable_force_clear(&mut self) -> Result<()> {
        self.call::<DisableForceClear>(&())
    }

    /// Part 3, 6.6 TSC_PhysicalPresence: asserts, clears or locks software physical
    /// presence, or changes its configuration.
    ///
    /// # Arguments
    /// - `physical_presence`: TPM_PHYSICAL_PRESENCE bits, e.g. `CMD_ENABLE` once, then
    ///   `PRESENT`.
    ///
    /// # Errors
    /// `TPM_BAD_PARAMETER` for a combination the spec forbids or a locked configuration.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// use tpm_marshal::PhysicalPresence;
    /// tpm.tsc_physical_presence(PhysicalPresence::TPM_PHYSICAL_PRESENCE_CMD_ENABLE)?;
    /// tpm.tsc_physical_presence(PhysicalPresence::TPM_PHYSICAL_PRESENCE_PRESENT)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn tsc_physical_presence(&mut self, physical_presence: PhysicalPresence) -> Result<()> {
        self.call::<TscPhysicalPresence>(&TscPhysicalPresenceIn { physical_presence })
    }

    /// Part 3, 6.7 TSC_ResetEstablishmentBit: clears TPM_PERMANENT_FLAGS.tpmEstablished
    /// (locality 3 or 4 only).
    ///
    /// # Errors
    /// `TPM_BAD_LOCALITY` from localities 0 to 2.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// tpm.tsc_reset_establishment_bit()?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn tsc_reset_establishment_bit(&mut self) -> Result<()> {
        self.call::<TscResetEstablishmentBit>(&())
    }
}
