//! Part 3, 9 Administrative functions: field upgrade, redirection, lockout reset.

use super::present;
use crate::client::{Auth, Client};
use crate::error::Result;
use crate::transport::Transport;
use tpm_marshal::commands::admin::{
    FieldUpgrade, FieldUpgradeIn, ResetLockValue, SetRedirection, SetRedirectionIn,
};
use tpm_marshal::Handle;

impl<T: Transport> Client<T> {
    /// Part 3, 9.1 TPM_FieldUpgrade: vendor-specific firmware upgrade; parameters and
    /// result are the vendor's bytes.
    ///
    /// # Arguments
    /// - `data`: the vendor-defined parameters; `owner`: a session for the owner where
    ///   the vendor requires one.
    ///
    /// # Errors
    /// `TPM_BAD_ORDINAL` on TPMs without it (swtpm); vendor codes.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let answer = tpm.field_upgrade(&std::fs::read("firmware.bin")?, None)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn field_upgrade(&mut self, data: &[u8], owner: Option<Auth<'_>>) -> Result<Vec<u8>> {
        let input = FieldUpgradeIn {
            data: data.to_vec(),
        };
        Ok(self
            .call_auth::<FieldUpgrade>(&input, &mut present([owner]))?
            .data)
    }

    /// Part 3, 9.2 TPM_SetRedirection: sends a key's output to a platform-specific
    /// destination.
    ///
    /// # Arguments
    /// - `key_handle`: a loaded key with TPM_REDIRECTION; `redir_cmd`, `input_data`: the
    ///   platform-defined command and data.
    /// - `key_auth`: a session for the key (`None` for TPM_AUTH_NEVER).
    ///
    /// # Errors
    /// `TPM_BAD_ORDINAL` on TPMs without it (swtpm); `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// tpm.set_redirection(0x0100_0000, 1, &[], None)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn set_redirection(
        &mut self,
        key_handle: Handle,
        redir_cmd: u32,
        input_data: &[u8],
        key_auth: Option<Auth<'_>>,
    ) -> Result<()> {
        let input = SetRedirectionIn {
            key_handle,
            redir_cmd,
            input_data: input_data.into(),
        };
        self.call_auth::<SetRedirection>(&input, &mut present([key_auth]))
    }

    /// Part 3, 9.3 TPM_ResetLockValue: the owner resets the dictionary-attack lockout.
    ///
    /// # Errors
    /// `TPM_AUTHFAIL`; `TPM_DEFEND_LOCK_RUNNING` while the lockout for this very command
    /// runs.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let mut owner = tpm.oiap()?;
    /// owner.set_secret([1; 20]);
    /// tpm.reset_lock_value(tpm_client::Auth::last(&mut owner))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn reset_lock_value(&mut self, owner: Auth<'_>) -> Result<()> {
        self.call_auth::<ResetLockValue>(&(), &mut [owner])
    }
}
