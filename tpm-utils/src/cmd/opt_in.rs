//! Part 3, chapter 5: admin opt-in (enable, activate, owner install, operator).

use crate::args::{OperatorSecret, OwnerSecret};
use crate::ctx::{parse_bool, Ctx};
use crate::error::Result;
use crate::output::Report;
use clap::Subcommand;
use tpm_client::Auth;

/// Chapter 5.
#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Part 3, 5.1 TPM_SetOwnerInstall: allows (true) or forbids TakeOwnership. Needs
    /// physical presence.
    SetOwnerInstall {
        /// true or false.
        #[arg(action = clap::ArgAction::Set, value_parser = parse_bool)]
        state: bool,
    },
    /// Part 3, 5.2 TPM_OwnerSetDisable: the owner disables (true) or enables the TPM.
    OwnerSetDisable {
        /// true disables, false enables.
        #[arg(action = clap::ArgAction::Set, value_parser = parse_bool)]
        disable: bool,
        #[command(flatten)]
        owner: OwnerSecret,
    },
    /// Part 3, 5.3 TPM_PhysicalEnable. Needs physical presence.
    PhysicalEnable,
    /// Part 3, 5.4 TPM_PhysicalDisable. Needs physical presence.
    PhysicalDisable,
    /// Part 3, 5.5 TPM_PhysicalSetDeactivated: true deactivates, false activates (at
    /// the next startup). Needs physical presence.
    PhysicalSetDeactivated {
        /// true or false.
        #[arg(action = clap::ArgAction::Set, value_parser = parse_bool)]
        state: bool,
    },
    /// Part 3, 5.6 TPM_SetTempDeactivated: deactivates until the next startup (with the
    /// operator secret, or physical presence without it).
    SetTempDeactivated {
        #[command(flatten)]
        operator: OperatorSecret,
    },
    /// Part 3, 5.7 TPM_SetOperatorAuth: sets the operator secret (--pwdn). Needs physical
    /// presence.
    SetOperatorAuth {
        #[command(flatten)]
        new: crate::args::NewSecret,
    },
}

impl Cmd {
    /// Runs the subcommand.
    pub fn run(self, ctx: &mut Ctx) -> Result<Report> {
        match self {
            Self::SetOwnerInstall { state } => ctx.tpm.set_owner_install(state)?,
            Self::OwnerSetDisable { disable, owner } => {
                let secret = owner.get(ctx)?;
                let mut s = ctx.oiap(&secret)?;
                ctx.tpm.owner_set_disable(disable, Auth::last(&mut s))?;
            }
            Self::PhysicalEnable => ctx.tpm.physical_enable()?,
            Self::PhysicalDisable => ctx.tpm.physical_disable()?,
            Self::PhysicalSetDeactivated { state } => ctx.tpm.physical_set_deactivated(state)?,
            Self::SetTempDeactivated { operator } => {
                let secret = operator.optional(ctx)?;
                let mut s = ctx.oiap_if(secret.as_deref())?;
                ctx.tpm.set_temp_deactivated(s.as_mut().map(Auth::last))?;
            }
            Self::SetOperatorAuth { new } => {
                let secret = new.get(ctx)?;
                ctx.tpm.set_operator_auth(&secret)?;
            }
        }
        Ok(Report::new())
    }
}
