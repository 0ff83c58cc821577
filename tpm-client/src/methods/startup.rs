//! Part 3, 3 Admin startup and state.

use crate::client::Client;
use crate::error::Result;
use crate::transport::Transport;
use tpm_marshal::commands::startup::{Init, SaveState, Startup, StartupIn};
use tpm_marshal::StartupType;

impl<T: Transport> Client<T> {
    /// Part 3, 3.1 TPM_Init: the platform reset signal, sent as the test-only
    /// pseudo-ordinal 0x97.
    ///
    /// Only test builds of TPMs accept it; a real chip or swtpm answers TPM_BAD_ORDINAL (use
    /// [`crate::SwtpmCtrl::init`] for swtpm).
    ///
    /// # Errors
    /// `TPM_BAD_ORDINAL` where the pseudo-ordinal is not implemented.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// tpm.init()?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn init(&mut self) -> Result<()> {
        self.call::<Init>(&())
    }

    /// Part 3, 3.2 TPM_Startup: starts the TPM after TPM_Init.
    ///
    /// # Arguments
    /// - `startup_type`: `TPM_ST_CLEAR` (fresh volatile state), `TPM_ST_STATE` (restore
    ///   what TPM_SaveState saved) or `TPM_ST_DEACTIVATED`.
    ///
    /// # Errors
    /// `TPM_INVALID_POSTINIT` when the TPM was already started; `TPM_FAIL` for
    /// `TPM_ST_STATE` without a saved state.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// tpm.startup(tpm_marshal::StartupType::TPM_ST_CLEAR)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn startup(&mut self, startup_type: StartupType) -> Result<()> {
        self.call::<Startup>(&StartupIn { startup_type })
    }

    /// Part 3, 3.3 TPM_SaveState: saves the state a later TPM_Startup(TPM_ST_STATE)
    /// restores.
    ///
    /// # Errors
    /// `TPM_INVALID_POSTINIT` before TPM_Startup.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// tpm.save_state()?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn save_state(&mut self) -> Result<()> {
        self.call::<SaveState>(&())
    }
}
