//! Part 3, chapters 17 and 18: changing secrets, and authorization sessions.

use crate::args::{DelegateSecret, KeySecret, NewSecret, OwnerSecret, ParentSecret};
use crate::ctx::{parse_handle, parse_u32, read_file, write_file, Ctx};
use crate::error::{Error, Result};
use crate::output::Report;
use clap::Subcommand;
use std::path::PathBuf;
use tpm_client::Auth;
use tpm_marshal::{EntityType, Handle, KeyBlob, Marshal, SizedBuffer, Unmarshal};

/// Chapters 17 and 18.
#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Part 3, 17.1 TPM_ChangeAuth: gives a key blob a new secret (--pwdn); writes the
    /// new blob. Also sends TPM_OSAP and TPM_OIAP.
    ChangeAuth {
        /// The parent storage key (default the SRK).
        #[arg(long, default_value = "srk", value_parser = parse_handle)]
        parent: Handle,
        #[command(flatten)]
        parent_secret: ParentSecret,
        #[command(flatten)]
        key_secret: KeySecret,
        #[command(flatten)]
        new: NewSecret,
        /// The key blob.
        #[arg(long = "in", value_name = "FILE")]
        input: PathBuf,
        /// Where to write the key blob with its new secret.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Part 3, 17.2 TPM_ChangeAuthOwner: changes the owner (or, with --srk, the SRK)
    /// secret to --pwdn. Also sends TPM_OSAP.
    ChangeAuthOwner {
        #[command(flatten)]
        owner: OwnerSecret,
        #[command(flatten)]
        new: NewSecret,
        /// Change the SRK secret instead of the owner's.
        #[arg(long)]
        srk: bool,
    },
    /// Part 3, 18.1 TPM_OIAP: opens a session and prints its handle and nonceEven (the
    /// session stays open until flushed).
    Oiap,
    /// Part 3, 18.2 TPM_OSAP: opens a session for an entity (`--entity-type 1` key
    /// handle, 2 owner, 4 SRK ...) and prints its handle and nonces.
    Osap {
        /// TPM_ENTITY_TYPE (number).
        #[arg(long, value_parser = parse_u32)]
        entity_type: u32,
        /// The entity (a key handle, or 0).
        #[arg(long, default_value = "0", value_parser = parse_handle)]
        entity_value: u32,
        #[command(flatten)]
        key_secret: KeySecret,
    },
    /// Part 3, 18.3 TPM_DSAP: opens a session with a delegated secret (--pwddel) for a
    /// delegation table row (--row) or blob (--blob); prints its handle.
    Dsap {
        /// TPM_ENTITY_TYPE (number: 7 owner blob, 8 table row, 9 key blob).
        #[arg(long, default_value = "8", value_parser = parse_u32)]
        entity_type: u32,
        /// The key a key delegation is for.
        #[arg(long, default_value = "owner", value_parser = parse_handle)]
        key: Handle,
        /// The delegation table row.
        #[arg(long, value_parser = parse_u32, required_unless_present = "blob")]
        row: Option<u32>,
        /// The delegate blob.
        #[arg(long, value_name = "FILE", conflicts_with = "row")]
        blob: Option<PathBuf>,
        #[command(flatten)]
        delegate: DelegateSecret,
    },
    /// Part 3, 18.4 TPM_SetOwnerPointer: which secret later legacy owner sessions use.
    SetOwnerPointer {
        /// TPM_ENTITY_TYPE (number: 8 TPM_ET_DEL_ROW, 2 TPM_ET_OWNER).
        #[arg(long, value_parser = parse_u32)]
        entity_type: u32,
        /// The entity value (a delegation row, or 0).
        #[arg(long, default_value = "0", value_parser = parse_u32)]
        entity_value: u32,
    },
}

/// A TPM_ENTITY_TYPE from a number.
fn entity_type(n: u32) -> Result<EntityType> {
    u16::try_from(n)
        .map(EntityType)
        .map_err(|_| Error::usage("an entity type is 16 bits"))
}

impl Cmd {
    /// Runs the subcommand.
    pub fn run(self, ctx: &mut Ctx) -> Result<Report> {
        match self {
            Self::ChangeAuth {
                parent,
                parent_secret,
                key_secret,
                new,
                input,
                out,
            } => {
                let mut blob = KeyBlob::from_bytes(&read_file(&input)?)?;
                let parent_auth = parent_secret.get(ctx)?;
                let (key_auth, new_auth) = (key_secret.get(ctx)?, new.get(ctx)?);
                let mut ps = ctx.osap_key(parent, &parent_auth)?;
                let mut es = ctx.oiap(&key_auth)?;
                let enc = ctx.tpm.change_auth(
                    parent,
                    &new_auth,
                    EntityType::TPM_ET_KEY,
                    &blob.enc_data().0,
                    Auth::last(&mut ps),
                    Auth::last(&mut es),
                )?;
                match &mut blob {
                    KeyBlob::Key(k) => k.enc_data = SizedBuffer(enc),
                    KeyBlob::Key12(k) => k.enc_data = SizedBuffer(enc),
                }
                write_file(&out, &blob.to_bytes()?)?;
                Ok(Report::new())
            }
            Self::ChangeAuthOwner { owner, new, srk } => {
                let (owner, new_auth) = (owner.get(ctx)?, new.get(ctx)?);
                let et = if srk {
                    EntityType::TPM_ET_SRK
                } else {
                    EntityType::TPM_ET_OWNER
                };
                let mut s = ctx.osap_owner(&owner)?;
                ctx.tpm
                    .change_auth_owner(&new_auth, et, Auth::last(&mut s))?;
                Ok(Report::new())
            }
            Self::Oiap => {
                let s = ctx.tpm.oiap()?;
                Ok(Report::new()
                    .handle("handle", s.handle())
                    .hex("nonce_even", s.nonce_even()))
            }
            Self::Osap {
                entity_type: et,
                entity_value,
                key_secret,
            } => {
                let secret = key_secret.optional(ctx)?.map_or([0; 20], |s| *s);
                let s = ctx.tpm.osap(entity_type(et)?, entity_value, &secret)?;
                Ok(Report::new()
                    .handle("handle", s.handle())
                    .hex("nonce_even", s.nonce_even()))
            }
            Self::Dsap {
                entity_type: et,
                key,
                row,
                blob,
                delegate,
            } => {
                let value = match (row, blob) {
                    (Some(row), _) => row.to_be_bytes().to_vec(),
                    (None, Some(path)) => read_file(&path)?,
                    (None, None) => return Err(Error::usage("give --row or --blob")),
                };
                let secret = delegate.get(ctx)?;
                let s = ctx.tpm.dsap(entity_type(et)?, key, &value, &secret)?;
                Ok(Report::new()
                    .handle("handle", s.handle())
                    .hex("nonce_even", s.nonce_even()))
            }
            Self::SetOwnerPointer {
                entity_type: et,
                entity_value,
            } => {
                ctx.tpm.set_owner_pointer(entity_type(et)?, entity_value)?;
                Ok(Report::new())
            }
        }
    }
}
