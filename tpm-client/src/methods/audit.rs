//! Part 3, 8 Auditing.

use super::present;
use crate::client::{Auth, Client};
use crate::error::Result;
use crate::transport::Transport;
use tpm_marshal::commands::audit::{
    GetAuditDigest, GetAuditDigestIn, GetAuditDigestOut, GetAuditDigestSigned,
    GetAuditDigestSignedIn, GetAuditDigestSignedOut, SetOrdinalAuditStatus,
    SetOrdinalAuditStatusIn,
};
use tpm_marshal::{Handle, Nonce, Ordinal};

impl<T: Transport> Client<T> {
    /// Part 3, 8.3 TPM_GetAuditDigest: the audit digest, its counter, and the audited
    /// ordinals from `start_ordinal` on (`more` says whether the list goes on).
    ///
    /// # Errors
    /// Transport and framing errors only, in practice.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let audit = tpm.get_audit_digest(tpm_marshal::Ordinal(0))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn get_audit_digest(&mut self, start_ordinal: Ordinal) -> Result<GetAuditDigestOut> {
        self.call::<GetAuditDigest>(&GetAuditDigestIn { start_ordinal })
    }

    /// Part 3, 8.4 TPM_GetAuditDigestSigned: a signing key signs the audit digest (a
    /// TPM_SIGN_INFO with fixed "ADIG"), optionally closing the audit session.
    ///
    /// # Arguments
    /// - `key_handle`: a loaded signing or identity key.
    /// - `close_audit`: reset the audit digest after signing.
    /// - `anti_replay`: the verifier's nonce.
    /// - `key_auth`: a session for the key, or `None` for TPM_AUTH_NEVER.
    ///
    /// # Errors
    /// `TPM_INVALID_KEYUSAGE`; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let key = 0x0100_0000;
    /// let signed = tpm.get_audit_digest_signed(key, false, &[1; 20], None)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn get_audit_digest_signed(
        &mut self,
        key_handle: Handle,
        close_audit: bool,
        anti_replay: &Nonce,
        key_auth: Option<Auth<'_>>,
    ) -> Result<GetAuditDigestSignedOut> {
        let input = GetAuditDigestSignedIn {
            key_handle,
            close_audit,
            anti_replay: *anti_replay,
        };
        self.call_auth::<GetAuditDigestSigned>(&input, &mut present([key_auth]))
    }

    /// Part 3, 8.5 TPM_SetOrdinalAuditStatus: the owner turns auditing of one ordinal on
    /// or off.
    ///
    /// # Errors
    /// `TPM_BAD_PARAMETER` for an ordinal that cannot be audited; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let mut owner = tpm.oiap()?;
    /// owner.set_secret([1; 20]);
    /// tpm.set_ordinal_audit_status(tpm_marshal::Ordinal::TPM_ORD_Sign, true,
    ///     tpm_client::Auth::last(&mut owner))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn set_ordinal_audit_status(
        &mut self,
        ordinal_to_audit: Ordinal,
        audit_state: bool,
        owner: Auth<'_>,
    ) -> Result<()> {
        let input = SetOrdinalAuditStatusIn {
            ordinal_to_audit,
            audit_state,
        };
        self.call_auth::<SetOrdinalAuditStatus>(&input, &mut [owner])
    }
}
