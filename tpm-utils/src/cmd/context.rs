//! Part 3, chapters 21, 22 and 23: session and key contexts, eviction, timing ticks.

use crate::args::{KeySecret, OwnerSecret};
use crate::cmd::storage::pubkey_from;
use crate::ctx::{parse_bool, parse_handle, parse_u32, read_file, write_file, Ctx};
use crate::error::{Error, Result};
use crate::hex;
use crate::output::Report;
use clap::Subcommand;
use std::path::PathBuf;
use tpm_client::session::sha1;
use tpm_client::Auth;
use tpm_marshal::{ContextBlob, Handle, KeyControl, Marshal, ResourceType, Unmarshal};

/// Chapters 21, 22 and 23.
#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Part 3, 21.1 TPM_KeyControlOwner: the owner sets (true) or clears a loaded key's
    /// owner-evict bit (an owner-evict key stays loaded across startups).
    KeyControlOwner {
        /// The loaded key.
        #[arg(long, value_parser = parse_handle)]
        key: Handle,
        /// The key's TPM_PUBKEY (as `get-pub-key --out` writes).
        #[arg(long, value_name = "FILE", required_unless_present = "key_blob")]
        pubkey: Option<PathBuf>,
        /// The key's blob (instead of --pubkey).
        #[arg(long, value_name = "FILE", conflicts_with = "pubkey")]
        key_blob: Option<PathBuf>,
        /// true sets owner-evict, false clears it.
        #[arg(action = clap::ArgAction::Set, value_parser = parse_bool)]
        owner_evict: bool,
        #[command(flatten)]
        owner: OwnerSecret,
    },
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
            Self::KeyControlOwner {
                key,
                pubkey,
                key_blob,
                owner_evict,
                owner,
            } => {
                let pubkey = pubkey_from(pubkey.as_deref(), key_blob.as_deref())?;
                let secret = owner.get(ctx)?;
                let mut s = ctx.oiap(&secret)?;
                let bit = KeyControl::TPM_KEY_CONTROL_OWNER_EVICT;
                ctx.tpm
                    .key_control_owner(key, &pubkey, bit, owner_evict, Auth::last(&mut s))?;
                Ok(Report::new())
            }
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
