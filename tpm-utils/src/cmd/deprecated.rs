//! Part 3, chapter 27: deprecated commands (1.1 forms kept for old software).

use crate::args::{OwnerSecret, ParentSecret};
use crate::cmd::ek::PubkeyOut;
use crate::cmd::storage::{read_key_blob, write_pubkey};
use crate::ctx::{parse_handle, parse_u32, read_file, write_file, Ctx};
use crate::error::Result;
use crate::hex;
use crate::output::Report;
use clap::Subcommand;
use std::path::PathBuf;
use tpm_client::{Auth, AuthSession, SessionKind};
use tpm_marshal::Handle;

/// Chapter 27.
#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Part 3, 27.1.1 TPM_EvictKey: flushes a loaded key (use flush-specific).
    EvictKey {
        /// The key handle.
        #[arg(value_parser = parse_handle)]
        handle: Handle,
    },
    /// Part 3, 27.1.2 TPM_Terminate_Handle: closes a session (use flush-specific).
    TerminateHandle {
        /// The session handle.
        #[arg(value_parser = parse_handle)]
        handle: Handle,
    },
    /// Part 3, 27.2.1 TPM_SaveKeyContext: saves a loaded key to a file.
    SaveKeyContext {
        /// The key handle.
        #[arg(value_parser = parse_handle)]
        handle: Handle,
        /// Where to write the context.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Part 3, 27.2.2 TPM_LoadKeyContext: loads a key saved by save-key-context.
    LoadKeyContext {
        /// The context.
        #[arg(long = "in", value_name = "FILE")]
        input: PathBuf,
    },
    /// Part 3, 27.2.3 TPM_SaveAuthContext: saves a session to a file.
    SaveAuthContext {
        /// The session handle.
        #[arg(value_parser = parse_handle)]
        handle: Handle,
        /// Where to write the context.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Part 3, 27.2.4 TPM_LoadAuthContext: loads a session saved by save-auth-context.
    LoadAuthContext {
        /// The context.
        #[arg(long = "in", value_name = "FILE")]
        input: PathBuf,
    },
    /// Part 3, 27.3.1 TPM_DirWriteAuth: the owner writes a DIR (40 hex digits).
    DirWriteAuth {
        /// The DIR index.
        #[arg(long, default_value = "0", value_parser = parse_u32)]
        index: u32,
        /// The new value.
        value: String,
        #[command(flatten)]
        owner: OwnerSecret,
    },
    /// Part 3, 27.3.2 TPM_DirRead: reads a DIR.
    DirRead {
        /// The DIR index.
        #[arg(long, default_value = "0", value_parser = parse_u32)]
        index: u32,
    },
    /// Part 3, 27.5 TPM_Reset: flushes every session and loaded key without saved state.
    Reset,
    /// Part 3, 27.6.1 TPM_OwnerReadPubek: the owner reads the PUBEK.
    OwnerReadPubek {
        #[command(flatten)]
        owner: OwnerSecret,
        #[command(flatten)]
        out: PubkeyOut,
    },
    /// Part 3, 27.6.2 TPM_DisablePubekRead: the owner clears readPubek.
    DisablePubekRead {
        #[command(flatten)]
        owner: OwnerSecret,
    },
    /// Part 3, 27.8 TPM_LoadKey: the 1.1 load-key2 (also returns the key's handle).
    LoadKey {
        /// The parent storage key (default the SRK).
        #[arg(long, default_value = "srk", value_parser = parse_handle)]
        parent: Handle,
        #[command(flatten)]
        parent_secret: ParentSecret,
        /// The key blob.
        #[arg(long = "in", value_name = "FILE")]
        input: PathBuf,
    },
}

impl Cmd {
    /// Runs the subcommand.
    pub fn run(self, ctx: &mut Ctx) -> Result<Report> {
        let done = Report::new();
        Ok(match self {
            Self::EvictKey { handle } => {
                ctx.tpm.evict_key(handle)?;
                done
            }
            Self::TerminateHandle { handle } => {
                // The nonce and secret are not used: the command carries neither.
                let session = AuthSession::new(SessionKind::Oiap, handle, [0; 20], [0; 20])?;
                ctx.tpm.terminate_handle(session)?;
                done
            }
            Self::SaveKeyContext { handle, out } => {
                write_file(&out, &ctx.tpm.save_key_context(handle)?)?;
                done
            }
            Self::LoadKeyContext { input } => {
                let handle = ctx.tpm.load_key_context(&read_file(&input)?)?;
                done.handle("handle", handle)
            }
            Self::SaveAuthContext { handle, out } => {
                write_file(&out, &ctx.tpm.save_auth_context(handle)?)?;
                done
            }
            Self::LoadAuthContext { input } => {
                let handle = ctx.tpm.load_auth_context(&read_file(&input)?)?;
                done.handle("handle", handle)
            }
            Self::DirWriteAuth {
                index,
                value,
                owner,
            } => {
                let value = hex::decode_array(&value)?;
                let secret = owner.get(ctx)?;
                let mut s = ctx.oiap(&secret)?;
                ctx.tpm.dir_write_auth(index, &value, Auth::last(&mut s))?;
                done
            }
            Self::DirRead { index } => done.hex("value", &ctx.tpm.dir_read(index)?),
            Self::Reset => {
                ctx.tpm.reset()?;
                done
            }
            Self::OwnerReadPubek { owner, out } => {
                let secret = owner.get(ctx)?;
                let mut s = ctx.oiap(&secret)?;
                let pubkey = ctx.tpm.owner_read_pubek(Auth::last(&mut s))?;
                write_pubkey(&pubkey, out.out.as_deref(), out.pem.as_deref())?;
                done.hex("modulus", &pubkey.pub_key.key.0)
            }
            Self::DisablePubekRead { owner } => {
                let secret = owner.get(ctx)?;
                let mut s = ctx.oiap(&secret)?;
                ctx.tpm.disable_pubek_read(Auth::last(&mut s))?;
                done
            }
            Self::LoadKey {
                parent,
                parent_secret,
                input,
            } => {
                let blob = read_key_blob(&input)?;
                let secret = parent_secret.optional(ctx)?;
                let mut s = ctx.oiap_if(secret.as_deref())?;
                let handle = ctx
                    .tpm
                    .load_key(parent, &blob, s.as_mut().map(Auth::last))?;
                done.handle("handle", handle)
            }
        })
    }
}
