//! Part 3, chapter 25: monotonic counters.

use crate::args::{CounterSecret, OwnerSecret};
use crate::ctx::{parse_u32, Ctx};
use crate::error::{Error, Result};
use crate::output::Report;
use clap::Subcommand;
use tpm_client::Auth;
use tpm_marshal::CounterValue;

/// Chapter 25.
#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Part 3, 25.1 TPM_CreateCounter: the owner creates a counter with a secret (--pwdc)
    /// and a 4-character label; prints its id. Also sends TPM_OSAP.
    CreateCounter {
        #[command(flatten)]
        owner: OwnerSecret,
        #[command(flatten)]
        counter: CounterSecret,
        /// Four characters naming the counter.
        #[arg(long, default_value = "tpm ")]
        label: String,
    },
    /// Part 3, 25.2 TPM_IncrementCounter (one counter per startup).
    IncrementCounter {
        /// The counter id.
        #[arg(long, value_parser = parse_u32)]
        id: u32,
        #[command(flatten)]
        counter: CounterSecret,
    },
    /// Part 3, 25.3 TPM_ReadCounter.
    ReadCounter {
        /// The counter id.
        #[arg(long, value_parser = parse_u32)]
        id: u32,
    },
    /// Part 3, 25.4 TPM_ReleaseCounter: releases a counter with its own secret.
    ReleaseCounter {
        /// The counter id.
        #[arg(long, value_parser = parse_u32)]
        id: u32,
        #[command(flatten)]
        counter: CounterSecret,
    },
    /// Part 3, 25.5 TPM_ReleaseCounterOwner: the owner releases a counter.
    ReleaseCounterOwner {
        /// The counter id.
        #[arg(long, value_parser = parse_u32)]
        id: u32,
        #[command(flatten)]
        owner: OwnerSecret,
    },
}

/// A counter value as a report.
fn value(v: &CounterValue) -> Report {
    Report::new()
        .with("label", String::from_utf8_lossy(&v.label).into_owned())
        .with("value", v.counter)
}

impl Cmd {
    /// Runs the subcommand.
    pub fn run(self, ctx: &mut Ctx) -> Result<Report> {
        match self {
            Self::CreateCounter {
                owner,
                counter,
                label,
            } => {
                let label: [u8; 4] = label
                    .as_bytes()
                    .try_into()
                    .map_err(|_| Error::usage("a counter label is 4 bytes"))?;
                let (owner, counter) = (owner.get(ctx)?, counter.get(ctx)?);
                let mut s = ctx.osap_owner(&owner)?;
                let out = ctx
                    .tpm
                    .create_counter(&counter, label, Auth::last(&mut s))?;
                Ok(Report::new()
                    .with("id", out.count_id)
                    .with("label", String::from_utf8_lossy(&label).into_owned())
                    .with("value", out.counter_value.counter))
            }
            Self::IncrementCounter { id, counter } => {
                let secret = counter.get(ctx)?;
                let mut s = ctx.oiap(&secret)?;
                Ok(value(&ctx.tpm.increment_counter(id, Auth::last(&mut s))?))
            }
            Self::ReadCounter { id } => Ok(value(&ctx.tpm.read_counter(id)?)),
            Self::ReleaseCounter { id, counter } => {
                let secret = counter.get(ctx)?;
                let mut s = ctx.oiap(&secret)?;
                ctx.tpm.release_counter(id, Auth::last(&mut s))?;
                Ok(Report::new())
            }
            Self::ReleaseCounterOwner { id, owner } => {
                let secret = owner.get(ctx)?;
                let mut s = ctx.oiap(&secret)?;
                ctx.tpm.release_counter_owner(id, Auth::last(&mut s))?;
                Ok(Report::new())
            }
        }
    }
}
