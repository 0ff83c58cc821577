//! Part 3, 11 Migration, and certified-migration keys (CMK).

use super::present;
use crate::client::{Auth, Client};
use crate::error::Result;
use crate::transport::Transport;
use tpm_marshal::commands::migration::{
    AuthorizeMigrationKey, AuthorizeMigrationKeyIn, CmkApproveMa, CmkApproveMaIn,
    CmkConvertMigration, CmkConvertMigrationIn, CmkCreateBlob, CmkCreateBlobIn, CmkCreateBlobOut,
    CmkCreateKey, CmkCreateKeyIn, CmkCreateTicket, CmkCreateTicketIn, CmkSetRestrictions,
    CmkSetRestrictionsIn, ConvertMigrationBlob, ConvertMigrationBlobIn, CreateMigrationBlob,
    CreateMigrationBlobIn, CreateMigrationBlobOut, MigrateKey, MigrateKeyIn,
};
use tpm_marshal::{
    AuthData, CmkDelegate, Digest, Handle, Key12, MigrateScheme, MigrationKeyAuth, Pubkey,
};

impl<T: Transport> Client<T> {
    /// Part 3, 11.1 TPM_CreateMigrationBlob: re-wraps a migratable key's private part for
    /// a destination the owner authorized (TPM_AuthorizeMigrationKey).
    ///
    /// # Arguments
    /// - `parent_handle`: the key's parent; `migration_type`: `TPM_MS_MIGRATE` or
    ///   `TPM_MS_REWRAP`.
    /// - `migration_key_auth`: the owner's authorization of the destination.
    /// - `enc_data`: the key blob's encData.
    /// - `parent_auth`: a session for the parent (`None` for TPM_AUTH_NEVER);
    ///   `entity_auth`: an OIAP session keyed with the key's migration secret.
    ///
    /// # Errors
    /// `TPM_MIGRATEFAIL` for a non-migratable key; `TPM_AUTHFAIL` / `TPM_AUTH2FAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let (ticket, enc): (tpm_marshal::MigrationKeyAuth, Vec<u8>) = (tpm_marshal::Unmarshal::from_bytes(&std::fs::read("ticket")?)?, vec![]);
    /// let (mut parent, mut key) = (tpm.oiap()?, tpm.oiap()?);
    /// key.set_secret([2; 20]);
    /// let out = tpm.create_migration_blob(0x4000_0000, tpm_marshal::MigrateScheme::TPM_MS_REWRAP,
    ///     &ticket, &enc, Some(tpm_client::Auth::last(&mut parent)), tpm_client::Auth::last(&mut key))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn create_migration_blob(
        &mut self,
        parent_handle: Handle,
        migration_type: MigrateScheme,
        migration_key_auth: &MigrationKeyAuth,
        enc_data: &[u8],
        parent_auth: Option<Auth<'_>>,
        entity_auth: Auth<'_>,
    ) -> Result<CreateMigrationBlobOut> {
        let input = CreateMigrationBlobIn {
            parent_handle,
            migration_type,
            migration_key_auth: migration_key_auth.clone(),
            enc_data: enc_data.into(),
        };
        self.call_auth::<CreateMigrationBlob>(
            &input,
            &mut present([parent_auth, Some(entity_auth)]),
        )
    }

    /// Part 3, 11.2 TPM_ConvertMigrationBlob: turns a migration blob into an encData
    /// wrapped by `parent_handle` on the destination TPM.
    ///
    /// # Arguments
    /// - `in_data`, `random`: the two outputs of TPM_CreateMigrationBlob.
    /// - `parent_auth`: a session for the new parent (`None` for TPM_AUTH_NEVER).
    ///
    /// # Errors
    /// `TPM_DECRYPT_ERROR`; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let (blob, random) = (vec![0u8; 256], vec![0u8; 20]);
    /// let mut parent = tpm.oiap()?;
    /// let enc = tpm.convert_migration_blob(0x4000_0000, &blob, &random,
    ///     Some(tpm_client::Auth::last(&mut parent)))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn convert_migration_blob(
        &mut self,
        parent_handle: Handle,
        in_data: &[u8],
        random: &[u8],
        parent_auth: Option<Auth<'_>>,
    ) -> Result<Vec<u8>> {
        let input = ConvertMigrationBlobIn {
            parent_handle,
            in_data: in_data.into(),
            random: random.into(),
        };
        let out = self.call_auth::<ConvertMigrationBlob>(&input, &mut present([parent_auth]))?;
        Ok(out.out_data.0)
    }

    /// Part 3, 11.3 TPM_AuthorizeMigrationKey: the owner approves a destination key for
    /// migration; returns the ticket TPM_CreateMigrationBlob needs.
    ///
    /// # Errors
    /// `TPM_BAD_KEY_PROPERTY` for an unsuitable key; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let destination = tpm.read_pubek()?;
    /// let mut owner = tpm.oiap()?;
    /// owner.set_secret([1; 20]);
    /// let ticket = tpm.authorize_migration_key(tpm_marshal::MigrateScheme::TPM_MS_REWRAP,
    ///     &destination, tpm_client::Auth::last(&mut owner))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn authorize_migration_key(
        &mut self,
        migration_scheme: MigrateScheme,
        migration_key: &Pubkey,
        owner: Auth<'_>,
    ) -> Result<MigrationKeyAuth> {
        let input = AuthorizeMigrationKeyIn {
            migration_scheme,
            migration_key: migration_key.clone(),
        };
        Ok(self
            .call_auth::<AuthorizeMigrationKey>(&input, &mut [owner])?
            .out_data)
    }

    /// Part 3, 11.4 TPM_MigrateKey: a migration authority's key re-encrypts a migration
    /// blob to `pub_key`.
    ///
    /// # Arguments
    /// - `ma_key_handle`: the migration authority's loaded key; `pub_key`: the destination.
    /// - `in_data`: the blob to re-encrypt.
    /// - `ma_auth`: a session for `ma_key_handle` (`None` for TPM_AUTH_NEVER).
    ///
    /// # Errors
    /// `TPM_INVALID_KEYUSAGE`; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let (ma, blob, destination) = (0x0100_0000, vec![0u8; 256], tpm.read_pubek()?);
    /// let out = tpm.migrate_key(ma, &destination, &blob, None)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn migrate_key(
        &mut self,
        ma_key_handle: Handle,
        pub_key: &Pubkey,
        in_data: &[u8],
        ma_auth: Option<Auth<'_>>,
    ) -> Result<Vec<u8>> {
        let input = MigrateKeyIn {
            ma_key_handle,
            pub_key: pub_key.clone(),
            in_data: in_data.into(),
        };
        let out = self.call_auth::<MigrateKey>(&input, &mut present([ma_auth]))?;
        Ok(out.out_data.0)
    }

    /// Part 3, 11.5 TPM_CMK_SetRestrictions: the owner says which CMK usages delegated
    /// commands may handle.
    ///
    /// # Errors
    /// `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let mut owner = tpm.oiap()?;
    /// owner.set_secret([1; 20]);
    /// tpm.cmk_set_restrictions(tpm_marshal::CmkDelegate(0), tpm_client::Auth::last(&mut owner))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn cmk_set_restrictions(
        &mut self,
        restriction: CmkDelegate,
        owner: Auth<'_>,
    ) -> Result<()> {
        self.call_auth::<CmkSetRestrictions>(&CmkSetRestrictionsIn { restriction }, &mut [owner])
    }

    /// Part 3, 11.6 TPM_CMK_ApproveMA: the owner approves a set of migration authorities
    /// (by digest); returns the approval HMAC TPM_CMK_CreateKey needs.
    ///
    /// # Errors
    /// `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let msa_digest = [0u8; 20];
    /// let mut owner = tpm.oiap()?;
    /// owner.set_secret([1; 20]);
    /// let approval = tpm.cmk_approve_ma(&msa_digest, tpm_client::Auth::last(&mut owner))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn cmk_approve_ma(
        &mut self,
        migration_authority_digest: &Digest,
        owner: Auth<'_>,
    ) -> Result<Digest> {
        let input = CmkApproveMaIn {
            migration_authority_digest: *migration_authority_digest,
        };
        Ok(self
            .call_auth::<CmkApproveMa>(&input, &mut [owner])?
            .out_data)
    }

    /// Part 3, 11.7 TPM_CMK_CreateKey: creates a certified-migration key. The usage
    /// secret is ADIP-encrypted with `parent_auth`'s session.
    ///
    /// # Arguments
    /// - `parent_handle`: the wrapping storage key; `usage_auth`: the new key's secret.
    /// - `key_info`: a TPM_KEY12 template with TPM_MIGRATEAUTHORITY set.
    /// - `migration_authority_approval`, `migration_authority_digest`: from
    ///   [`Client::cmk_approve_ma`] and the MSA list.
    /// - `parent_auth`: an OSAP session for the parent.
    ///
    /// # Errors
    /// `TPM_MA_AUTHORITY` for an approval that does not match; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let (template, approval, msa): (tpm_marshal::Key12, [u8; 20], [u8; 20]) = (tpm_marshal::Unmarshal::from_bytes(&std::fs::read("t")?)?, [0; 20], [0; 20]);
    /// let mut srk = tpm.osap(tpm_marshal::EntityType::TPM_ET_KEYHANDLE, 0x4000_0000, &[0; 20])?;
    /// let cmk = tpm.cmk_create_key(0x4000_0000, &[2; 20], &template, &approval, &msa,
    ///     tpm_client::Auth::last(&mut srk))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn cmk_create_key(
        &mut self,
        parent_handle: Handle,
        usage_auth: &AuthData,
        key_info: &Key12,
        migration_authority_approval: &Digest,
        migration_authority_digest: &Digest,
        parent_auth: Auth<'_>,
    ) -> Result<Key12> {
        let input = CmkCreateKeyIn {
            parent_handle,
            data_usage_auth: parent_auth.session.encrypt_auth(usage_auth),
            key_info: key_info.clone(),
            migration_authority_approval: *migration_authority_approval,
            migration_authority_digest: *migration_authority_digest,
        };
        Ok(self
            .call_auth::<CmkCreateKey>(&input, &mut [parent_auth])?
            .wrapped_key)
    }

    /// Part 3, 11.8 TPM_CMK_CreateTicket: the owner turns a signature by a migration
    /// authority's key into a ticket the TPM can check later.
    ///
    /// # Errors
    /// `TPM_BAD_SIGNATURE`; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let (ma_key, digest, sig) = (tpm.read_pubek()?, [0u8; 20], vec![0u8; 256]);
    /// let mut owner = tpm.oiap()?;
    /// owner.set_secret([1; 20]);
    /// let ticket = tpm.cmk_create_ticket(&ma_key, &digest, &sig, tpm_client::Auth::last(&mut owner))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn cmk_create_ticket(
        &mut self,
        verification_key: &Pubkey,
        signed_data: &Digest,
        signature_value: &[u8],
        owner: Auth<'_>,
    ) -> Result<Digest> {
        let input = CmkCreateTicketIn {
            verification_key: verification_key.clone(),
            signed_data: *signed_data,
            signature_value: signature_value.into(),
        };
        Ok(self
            .call_auth::<CmkCreateTicket>(&input, &mut [owner])?
            .sig_ticket)
    }

    /// Part 3, 11.9 TPM_CMK_CreateBlob: the CMK form of TPM_CreateMigrationBlob, its eight
    /// parameters given as the typed request.
    ///
    /// # Arguments
    /// - `input`: parent handle, scheme, destination, source key digest, MSA list and
    ///   tickets, encData.
    /// - `parent_auth`: a session for the parent (`None` for TPM_AUTH_NEVER).
    ///
    /// # Errors
    /// `TPM_MA_TICKET_SIGNATURE`, `TPM_MA_DESTINATION`, `TPM_MA_SOURCE`; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// use tpm_marshal::{commands::migration::CmkCreateBlobIn, Unmarshal};
    /// let input = CmkCreateBlobIn::from_bytes(&std::fs::read("cmk-blob-request")?)?;
    /// let mut parent = tpm.oiap()?;
    /// let out = tpm.cmk_create_blob(&input, Some(tpm_client::Auth::last(&mut parent)))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn cmk_create_blob(
        &mut self,
        input: &CmkCreateBlobIn,
        parent_auth: Option<Auth<'_>>,
    ) -> Result<CmkCreateBlobOut> {
        self.call_auth::<CmkCreateBlob>(input, &mut present([parent_auth]))
    }

    /// Part 3, 11.10 TPM_CMK_ConvertMigration: the CMK form of
    /// TPM_ConvertMigrationBlob, its six parameters given as the typed request.
    ///
    /// # Errors
    /// `TPM_MA_AUTHORITY`, `TPM_MA_SOURCE`; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// use tpm_marshal::{commands::migration::CmkConvertMigrationIn, Unmarshal};
    /// let input = CmkConvertMigrationIn::from_bytes(&std::fs::read("cmk-convert-request")?)?;
    /// let mut parent = tpm.oiap()?;
    /// let enc = tpm.cmk_convert_migration(&input, Some(tpm_client::Auth::last(&mut parent)))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn cmk_convert_migration(
        &mut self,
        input: &CmkConvertMigrationIn,
        parent_auth: Option<Auth<'_>>,
    ) -> Result<Vec<u8>> {
        let out = self.call_auth::<CmkConvertMigration>(input, &mut present([parent_auth]))?;
        Ok(out.out_data.0)
    }
}
