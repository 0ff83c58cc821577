//! Part 3, chapter 6: admin ownership, and the TSC ordinals of physical presence.

use crate::args::{OwnerSecret, SrkSecret};
use crate::ctx::{write_file, Ctx};
use crate::error::Result;
use crate::output::Report;
use clap::Subcommand;
use std::path::PathBuf;
use tpm_client::{flows, Auth};
use tpm_marshal::{Marshal, PhysicalPresence};

/// Chapter 6.
#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Part 3, 6.1 TPM_TakeOwnership: reads the PUBEK, OAEP-encrypts the owner and SRK
    /// secrets to it and creates the SRK (RSA 2048). Also sends TPM_ReadPubek and TPM_OIAP.
    TakeOwnership {
        #[command(flatten)]
        owner: OwnerSecret,
        #[command(flatten)]
        srk: SrkSecret,
        /// Write the SRK's TPM_KEY blob here.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Write the SRK's public key here as PEM.
        #[arg(long, value_name = "FILE")]
        pem: Option<PathBuf>,
    },
    /// Part 3, 6.2 TPM_OwnerClear: the owner removes ownership.
    OwnerClear {
        #[command(flatten)]
        owner: OwnerSecret,
    },
    /// Part 3, 6.3 TPM_ForceClear: removes ownership. Needs physical presence.
    ForceClear,
    /// Part 3, 6.4 TPM_DisableOwnerClear: disables TPM_OwnerClear for good.
    DisableOwnerClear {
        #[command(flatten)]
        owner: OwnerSecret,
    },
    /// Part 3, 6.5 TPM_DisableForceClear: disables TPM_ForceClear until the next startup.
    DisableForceClear,
    /// Part 3, 9.3 TPM_ResetLockValue: the owner resets the dictionary-attack counter.
    ResetLockValue {
        #[command(flatten)]
        owner: OwnerSecret,
    },
    /// Part 3, 6.6 TSC_PhysicalPresence: sends each flag in turn (cmd-enable, present,
    /// not-present, lock, hw-enable, cmd-disable, hw-disable, lifetime-lock).
    PhysicalPresence {
        /// The flags, in order.
        #[arg(required = true, value_parser = parse_presence)]
        flags: Vec<PhysicalPresence>,
    },
    /// Part 3, 6.7 TSC_ResetEstablishmentBit (locality 3 or 4).
    ResetEstablishmentBit,
}

/// A TPM_PHYSICAL_PRESENCE flag by its short name (`cmd-enable`) or spec name.
fn parse_presence(s: &str) -> Result<PhysicalPresence, String> {
    let upper = s.to_ascii_uppercase().replace(['-', '_'], "");
    PhysicalPresence::NAMED
        .iter()
        .find(|(name, _)| {
            let short = name
                .trim_start_matches("TPM_PHYSICAL_PRESENCE_")
                .replace('_', "");
            short == upper || name.replace('_', "") == upper
        })
        .map(|(_, v)| *v)
        .ok_or_else(|| format!("unknown physical presence flag {s:?}"))
}

impl Cmd {
    /// Runs the subcommand.
    pub fn run(self, ctx: &mut Ctx) -> Result<Report> {
        match self {
            Self::TakeOwnership {
                owner,
                srk,
                out,
                pem,
            } => {
                let (owner, srk) = (owner.get(ctx)?, srk.get(ctx)?);
                let blob = ctx.tpm.take_ownership_with(&owner, &srk)?;
                if let Some(path) = out {
                    write_file(&path, &blob.to_bytes()?)?;
                }
                let pubkey = flows::blob_pubkey(&blob);
                if let Some(path) = pem {
                    write_file(&path, flows::pubkey_to_pem(&pubkey)?.as_bytes())?;
                }
                return Ok(Report::new().hex("srk_modulus", &pubkey.pub_key.key.0));
            }
            Self::OwnerClear { owner } => {
                let secret = owner.get(ctx)?;
                let mut s = ctx.oiap(&secret)?;
                ctx.tpm.owner_clear(Auth::last(&mut s))?;
            }
            Self::ForceClear => ctx.tpm.force_clear()?,
            Self::DisableOwnerClear { owner } => {
                let secret = owner.get(ctx)?;
                let mut s = ctx.oiap(&secret)?;
                ctx.tpm.disable_owner_clear(Auth::last(&mut s))?;
            }
            Self::DisableForceClear => ctx.tpm.disable_force_clear()?,
            Self::ResetLockValue { owner } => {
                let secret = owner.get(ctx)?;
                let mut s = ctx.oiap(&secret)?;
                ctx.tpm.reset_lock_value(Auth::last(&mut s))?;
            }
            Self::PhysicalPresence { flags } => {
                for flag in flags {
                    ctx.tpm.tsc_physical_presence(flag)?;
                }
            }
            Self::ResetEstablishmentBit => ctx.tpm.tsc_reset_establishment_bit()?,
        }
        Ok(Report::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presence_flags_go_by_short_or_spec_name() {
        assert_eq!(
            parse_presence("cmd-enable").unwrap(),
            PhysicalPresence::TPM_PHYSICAL_PRESENCE_CMD_ENABLE
        );
        assert_eq!(
            parse_presence("TPM_PHYSICAL_PRESENCE_PRESENT").unwrap(),
            PhysicalPresence::TPM_PHYSICAL_PRESENCE_PRESENT
        );
        assert!(parse_presence("maybe").is_err());
    }
}
