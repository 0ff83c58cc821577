//! The subcommands: one module per chapter family of TPM Main Part 3, plus the helpers
//! that span ordinals. Each family is a clap subcommand enum flattened into [`Command`].

pub mod auth;
pub mod capability;
pub mod context;
pub mod counters;
pub mod crypto;
pub mod deprecated;
pub mod ek;
pub mod helpers;
pub mod nv;
pub mod opt_in;
pub mod ownership;
pub mod pcr;
pub mod startup;
pub mod storage;
pub mod transport;

use crate::ctx::Ctx;
use crate::error::Result;
use crate::output::Report;
use clap::Subcommand;

/// Every subcommand.
#[derive(Subcommand, Debug)]
pub enum Command {
    #[command(flatten)]
    Startup(startup::Cmd),
    #[command(flatten)]
    OptIn(opt_in::Cmd),
    #[command(flatten)]
    Ownership(ownership::Cmd),
    #[command(flatten)]
    Capability(capability::Cmd),
    #[command(flatten)]
    Storage(storage::Cmd),
    #[command(flatten)]
    Crypto(crypto::Cmd),
    #[command(flatten)]
    Ek(ek::Cmd),
    #[command(flatten)]
    Pcr(pcr::Cmd),
    #[command(flatten)]
    Auth(auth::Cmd),
    #[command(flatten)]
    Nv(nv::Cmd),
    #[command(flatten)]
    Context(context::Cmd),
    #[command(flatten)]
    Transport(transport::Cmd),
    #[command(flatten)]
    Counters(counters::Cmd),
    #[command(flatten)]
    Deprecated(deprecated::Cmd),
    #[command(flatten)]
    Helpers(helpers::Cmd),
    /// Lists every subcommand with its ordinal and spec section (sends nothing).
    List,
}

impl Command {
    /// Runs a subcommand that talks to the TPM (`list` does not).
    pub fn run(self, ctx: &mut Ctx) -> Result<Report> {
        match self {
            Self::Startup(c) => c.run(ctx),
            Self::OptIn(c) => c.run(ctx),
            Self::Ownership(c) => c.run(ctx),
            Self::Capability(c) => c.run(ctx),
            Self::Storage(c) => c.run(ctx),
            Self::Crypto(c) => c.run(ctx),
            Self::Ek(c) => c.run(ctx),
            Self::Pcr(c) => c.run(ctx),
            Self::Auth(c) => c.run(ctx),
            Self::Nv(c) => c.run(ctx),
            Self::Context(c) => c.run(ctx),
            Self::Transport(c) => c.run(ctx),
            Self::Counters(c) => c.run(ctx),
            Self::Deprecated(c) => c.run(ctx),
            Self::Helpers(c) => c.run(ctx),
            Self::List => Ok(crate::table::list()),
        }
    }
}
