//! Part 3, chapters 21, 22 and 23: session and key contexts, eviction, timing ticks.

use crate::args::KeySecret;
use crate::ctx::{parse_handle, parse_u32, read_file, write_file, Ctx};
use crate::error::{Error, Result};
use crate::hex;
use crate::output::Report;
use clap::Subcommand;
use std::path::PathBuf;
use tpm_client::session::sha1;
use tpm_client::Auth;
use tpm_marshal::{ContextBlob, Handle, Marshal, ResourceType, Unmarshal};

/// Chapters 21, 22 and 23.
#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Part 3, 21.2 TPM_SaveContext: saves a loaded key or session to a file.
    SaveContext {
        /// The handle.
        #[arg(long, value_parser = parse_handle)]
        handle: Handle,
        /// key, auth, trans, daa ... (TPM_RT_*).
        #[arg(long, default_value = "key", value_parser = parse_resource)]
        resource: ResourceType,
        /// Where to write the TPM_CONTEXT_BLOB.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Part 3, 21.3 TPM_LoadContext: loads a saved context; prints its handle.
    LoadContext {
        /// The TPM_CONTEXT_BLOB.
        #[arg(long = "in", value_name = "FILE")]
        input: PathBuf,
        /// Ask for the handle it had.
        #[arg(long)]
        keep_handle: bool,
    },
    /// Part 3, 22.1 TPM_FlushSpecific: flushes a loaded key, session or other resource.
    FlushSpecific {
        /// The handle.
        #[arg(value_parser = parse_handle)]
        handle: Handle,
        /// key, auth, trans, counter, daa ... (TPM_RT_*).
        #[arg(long, default_value = "key", value_parser = parse_resource)]
        resource: ResourceType,
    },
    /// Part 3, 23.1 TPM_GetTicks: the tick counter.
    GetTicks,
    /// Part 3, 23.2 TPM_TickStampBlob: a signing key signs a digest with the current
    /// ticks.
    TickStampBlob {
        /// The loaded signing key.
        #[arg(long, value_parser = parse_handle)]
        key: Handle,
        #[command(flatten)]
        key_secret: KeySecret,
        /// The digest to stamp (40 hex digits), or the SHA-1 of --in.
        #[arg(long, value_name = "HEX", conflicts_with = "input")]
        digest: Option<String>,
        /// The file whose SHA-1 to stamp.
        #[arg(long = "in", value_name = "FILE")]
        input: Option<PathBuf>,
        /// The anti-replay nonce (40 hex digits).
        #[arg(long, default_value = "0000000000000000000000000000000000000000")]
        nonce: String,
        /// Where to write the signature.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

/// A TPM_RESOURCE_TYPE by short name (`key`, `auth`) or number.
pub fn parse_resource(s: &str) -> Result<ResourceType> {
    let name = format!("TPM_RT_{}", s.to_ascii_uppercase());
    ResourceType::from_name(&name).map_or_else(|| parse_u32(s).map(ResourceType), Ok)
}

impl Cmd {
    /// Runs the subcommand.
    pub fn run(self, ctx: &mut Ctx) -> Result<Report> {
        match self {
            Self::SaveContext {
                handle,
                resource,
                out,
            } => {
                let blob = ctx
                    .tpm
                    .save_context(handle, resource, *b"tpm-utils-contxt")?;
                write_file(&out, &blob.to_bytes()?)?;
                Ok(Report::new())
            }
            Self::LoadContext { input, keep_handle } => {
                let blob = ContextBlob::from_bytes(&read_file(&input)?)?;
                let handle = ctx.tpm.load_context(blob.handle, keep_handle, &blob)?;
                Ok(Report::new().handle("handle", handle))
            }
            Self::FlushSpecific { handle, resource } => {
                ctx.tpm.flush_specific(handle, resource)?;
                Ok(Report::new())
            }
            Self::GetTicks => {
                let t = ctx.tpm.get_ticks()?;
                Ok(Report::new()
                    .with("current_ticks", t.current_ticks)
                    .with("tick_rate", t.tick_rate)
                    .hex("tick_nonce", &t.tick_nonce))
            }
            Self::TickStampBlob {
                key,
                key_secret,
                digest,
                input,
                nonce,
                out,
            } => {
                let digest = match (digest, input) {
                    (Some(h), _) => hex::decode_array(&h)?,
                    (None, Some(path)) => sha1(&[&read_file(&path)?]),
                    (None, None) => return Err(Error::usage("give --digest or --in")),
                };
                let nonce = hex::decode_array(&nonce)?;
                let secret = key_secret.optional(ctx)?;
                let mut s = ctx.oiap_if(secret.as_deref())?;
                let stamped =
                    ctx.tpm
                        .tick_stamp_blob(key, &nonce, &digest, s.as_mut().map(Auth::last))?;
                if let Some(path) = out {
                    write_file(&path, &stamped.sig.0)?;
                }
                Ok(Report::new()
                    .with("current_ticks", stamped.current_ticks.current_ticks)
                    .hex("signature", &stamped.sig.0))
            }
        }
    }
}
