//! Part 3, 22 Eviction, and session clean-up built on it.

use crate::client::Client;
use crate::error::Result;
use crate::session::AuthSession;
use crate::transport::Transport;
use tpm_marshal::commands::eviction::{FlushSpecific, FlushSpecificIn};
use tpm_marshal::{Handle, ResourceType};

impl<T: Transport> Client<T> {
    /// Part 3, 22.1 TPM_FlushSpecific: flushes one loaded resource.
    ///
    /// # Arguments
    /// - `handle`: the key, session, transport session, saved context or DAA session.
    /// - `resource_type`: what `handle` is (`TPM_RT_KEY`, `TPM_RT_AUTH` ...).
    ///
    /// # Errors
    /// `TPM_INVALID_KEYHANDLE` / `TPM_BAD_PARAMETER` for an unknown handle;
    /// `TPM_INVALID_RESOURCE` for an unsupported type.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let key = 0x0100_0000;
    /// tpm.flush_specific(key, tpm_marshal::ResourceType::TPM_RT_KEY)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn flush_specific(&mut self, handle: Handle, resource_type: ResourceType) -> Result<()> {
        self.call::<FlushSpecific>(&FlushSpecificIn {
            handle,
            resource_type,
        })
    }

    /// Closes `session` on the TPM with TPM_FlushSpecific(TPM_RT_AUTH), unless the TPM
    /// closed it already (continueAuthSession FALSE, or a failed command).
    ///
    /// # Errors
    /// As [`Client::flush_specific`].
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let session = tpm.oiap()?;
    /// tpm.flush_session(session)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn flush_session(&mut self, mut session: AuthSession) -> Result<()> {
        if !session.is_open() {
            return Ok(());
        }
        session.close();
        self.flush_specific(session.handle(), ResourceType::TPM_RT_AUTH)
    }
}
