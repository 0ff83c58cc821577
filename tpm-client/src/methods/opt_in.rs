//! Part 3, 5 Admin opt-in: enabling, activating and allowing ownership.

use super::present;
use crate::client::{Auth, Client};
use crate::error::Result;
use crate::transport::Transport;
use tpm_marshal::commands::opt_in::{
    OwnerSetDisable, OwnerSetDisableIn, PhysicalDisable, PhysicalEnable, PhysicalSetDeactivated,
    PhysicalSetDeactivatedIn, SetOperatorAuth, SetOperatorAuthIn, SetOwnerInstall,
    SetOwnerInstallIn, SetTempDeactivated,
};
use tpm_marshal::AuthData;

impl<T: Transport> Client<T> {
    /// Part 3, 5.1 TPM_SetOwnerInstall: allows (`true`) or forbids TPM_TakeOwnership.
    /// Needs physical presence.
    ///
    /// # Errors
    /// `TPM_BAD_PRESENCE` without physical presence; `TPM_OWNER_SET` when an owner exists.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// tpm.set_owner_install(true)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn set_owner_install(&mut self, state: bool) -> Result<()> {
        self.call::<SetOwnerInstall>(&SetOwnerInstallIn { state })
    }

    /// Part 3, 5.2 TPM_OwnerSetDisable: the owner sets TPM_PERMANENT_FLAGS.disable.
    ///
    /// # Arguments
    /// - `disable_state`: `true` disables the TPM.
    /// - `owner`: a session keyed with the owner secret.
    ///
    /// # Errors
    /// `TPM_AUTHFAIL` for a wrong owner secret.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let mut owner = tpm.oiap()?;
    /// owner.set_secret([0; 20]);
    /// tpm.owner_set_disable(false, tpm_client::Auth::last(&mut owner))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn owner_set_disable(&mut self, disable_state: bool, owner: Auth<'_>) -> Result<()> {
        self.call_auth::<OwnerSetDisable>(&OwnerSetDisableIn { disable_state }, &mut [owner])
    }

    /// Part 3, 5.3 TPM_PhysicalEnable: enables the TPM. Needs physical presence.
    ///
    /// # Errors
    /// `TPM_BAD_PRESENCE` without physical presence.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// tpm.physical_enable()?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn physical_enable(&mut self) -> Result<()> {
        self.call::<PhysicalEnable>(&())
    }

    /// Part 3, 5.4 TPM_PhysicalDisable: disables the TPM. Needs physical presence.
    ///
    /// # Errors
    /// `TPM_BAD_PRESENCE` without physical presence.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// tpm.physical_disable()?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn physical_disable(&mut self) -> Result<()> {
        self.call::<PhysicalDisable>(&())
    }

    /// Part 3, 5.5 TPM_PhysicalSetDeactivated: sets TPM_PERMANENT_FLAGS.deactivated
    /// (`false` activates; takes effect at the next TPM_Startup). Needs physical presence.
    ///
    /// # Errors
    /// `TPM_BAD_PRESENCE` without physical presence; `TPM_DISABLED` when disabled.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// tpm.physical_set_deactivated(false)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn physical_set_deactivated(&mut self, state: bool) -> Result<()> {
        self.call::<PhysicalSetDeactivated>(&PhysicalSetDeactivatedIn { state })
    }

    /// Part 3, 5.6 TPM_SetTempDeactivated: deactivates the TPM until the next
    /// TPM_Startup(ST_CLEAR).
    ///
    /// # Arguments
    /// - `operator`: a session keyed with the operator secret, or `None` to rely on
    ///   physical presence.
    ///
    /// # Errors
    /// `TPM_BAD_PRESENCE` without either; `TPM_NOOPERATOR` when no operator secret is set.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// tpm.set_temp_deactivated(None)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn set_temp_deactivated(&mut self, operator: Option<Auth<'_>>) -> Result<()> {
        self.call_auth::<SetTempDeactivated>(&(), &mut present([operator]))
    }

    /// Part 3, 5.7 TPM_SetOperatorAuth: sets the operator secret (sent in the clear).
    /// Needs physical presence.
    ///
    /// # Errors
    /// `TPM_BAD_PRESENCE` without physical presence.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// tpm.set_operator_auth(&[7; 20])?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn set_operator_auth(&mut self, operator_auth: &AuthData) -> Result<()> {
        self.call::<SetOperatorAuth>(&SetOperatorAuthIn {
            operator_auth: *operator_auth,
        })
    }
}
