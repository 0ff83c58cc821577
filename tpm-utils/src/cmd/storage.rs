//! Part 3, chapter 10: storage functions (seal, unseal, unbind, wrap keys, load keys,
//! public keys). Keys travel as files holding the TPM_KEY / TPM_KEY12 blob.

use crate::args::{DataSecret, KeySecret, ParentSecret};
use crate::ctx::{parse_handle, read_file, write_file, Ctx};
use crate::error::{Error, Result};
use crate::output::Report;
use clap::Subcommand;
use std::path::{Path, PathBuf};
use tpm_client::{flows, Auth};
use tpm_marshal::commands::storage::{SealPcrInfo, StoredDataBlob};
use tpm_marshal::{AuthData, Handle, KeyBlob, KeyUsage, Marshal, Pubkey, Unmarshal};

/// Chapter 10.
#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Part 3, 10.1 TPM_Seal: seals a file to a storage key (not bound to PCRs; see
    /// `sealfile`). Also sends TPM_OSAP.
    Seal {
        /// The storage key (default the SRK).
        #[arg(long, default_value = "srk", value_parser = parse_handle)]
        key: Handle,
        #[command(flatten)]
        key_secret: KeySecret,
        #[command(flatten)]
        data: DataSecret,
        /// The data to seal.
        #[arg(long = "in", value_name = "FILE")]
        input: PathBuf,
        /// Where to write the sealed blob (TPM_STORED_DATA).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Part 3, 10.2 TPM_Unseal: unseals a blob written by `seal` or `sealfile`. Also
    /// sends TPM_OIAP (twice).
    Unseal {
        /// The storage key the blob was sealed to (default the SRK).
        #[arg(long, default_value = "srk", value_parser = parse_handle)]
        key: Handle,
        #[command(flatten)]
        key_secret: KeySecret,
        #[command(flatten)]
        data: DataSecret,
        /// The sealed blob.
        #[arg(long = "in", value_name = "FILE")]
        input: PathBuf,
        /// Where to write the data (printed as hex otherwise).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Part 3, 10.3 TPM_UnBind: decrypts data bound to a bind or legacy key.
    Unbind {
        /// The loaded key.
        #[arg(long, value_parser = parse_handle)]
        key: Handle,
        #[command(flatten)]
        key_secret: KeySecret,
        /// The encrypted data.
        #[arg(long = "in", value_name = "FILE")]
        input: PathBuf,
        /// Where to write the data (printed as hex otherwise).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Part 3, 10.4 TPM_CreateWrapKey: creates an RSA 2048 key under a storage key and
    /// writes its blob. Also sends TPM_OSAP.
    CreateWrapKey {
        /// The parent storage key (default the SRK).
        #[arg(long, default_value = "srk", value_parser = parse_handle)]
        parent: Handle,
        #[command(flatten)]
        parent_secret: ParentSecret,
        #[command(flatten)]
        key_secret: KeySecret,
        /// signing, storage, bind or legacy.
        #[arg(long, default_value = "signing", value_parser = parse_usage)]
        usage: KeyUsage,
        /// Where to write the key blob (TPM_KEY12).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Also write the public key as PEM.
        #[arg(long, value_name = "FILE")]
        pem: Option<PathBuf>,
    },
    /// Part 3, 10.5 TPM_LoadKey2: loads a key blob; prints its handle. Also sends
    /// TPM_OIAP.
    LoadKey2 {
        /// The parent storage key (default the SRK).
        #[arg(long, default_value = "srk", value_parser = parse_handle)]
        parent: Handle,
        #[command(flatten)]
        parent_secret: ParentSecret,
        /// The key blob.
        #[arg(long = "in", value_name = "FILE")]
        input: PathBuf,
    },
    /// Part 3, 10.6 TPM_GetPubKey: the public part of a loaded key, as TPM_PUBKEY and/or
    /// PEM (for `openssl`).
    GetPubKey {
        /// The loaded key.
        #[arg(long, value_parser = parse_handle)]
        key: Handle,
        #[command(flatten)]
        key_secret: KeySecret,
        /// Write the TPM_PUBKEY here.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Write the key as PEM SubjectPublicKeyInfo here.
        #[arg(long, value_name = "FILE")]
        pem: Option<PathBuf>,
    },
}

/// A key usage: signing, storage, bind, legacy, identity, or a spec name.
fn parse_usage(s: &str) -> Result<KeyUsage> {
    let name = format!("TPM_KEY_{}", s.to_ascii_uppercase());
    KeyUsage::from_name(&name)
        .or_else(|| KeyUsage::from_name(s))
        .ok_or_else(|| Error::usage(format!("unknown key usage {s:?}")))
}

/// A key blob file.
pub fn read_key_blob(path: &Path) -> Result<KeyBlob> {
    Ok(KeyBlob::from_bytes(&read_file(path)?)?)
}

/// A public key from a TPM_PUBKEY file (as `get-pub-key --out` writes) or a key blob.
pub fn pubkey_from(pubkey: Option<&Path>, key_blob: Option<&Path>) -> Result<Pubkey> {
    match (pubkey, key_blob) {
        (Some(path), _) => Ok(Pubkey::from_bytes(&read_file(path)?)?),
        (None, Some(path)) => Ok(flows::blob_pubkey(&read_key_blob(path)?)),
        (None, None) => Err(Error::usage("give --pubkey or --key-blob")),
    }
}

/// Writes a TPM_PUBKEY and/or its PEM form.
pub fn write_pubkey(pubkey: &Pubkey, out: Option<&Path>, pem: Option<&Path>) -> Result<()> {
    if let Some(path) = out {
        write_file(path, &pubkey.to_bytes()?)?;
    }
    if let Some(path) = pem {
        write_file(path, flows::pubkey_to_pem(pubkey)?.as_bytes())?;
    }
    Ok(())
}

/// Part 3, 10.5 TPM_LoadKey2 with an OIAP session for the parent, if it has a secret.
pub fn load_key2(
    ctx: &mut Ctx,
    parent: Handle,
    parent_secret: &ParentSecret,
    blob: &KeyBlob,
) -> Result<Handle> {
    let secret = parent_secret.optional(ctx)?;
    let mut s = ctx.oiap_if(secret.as_deref())?;
    Ok(ctx
        .tpm
        .load_key2(parent, blob, s.as_mut().map(Auth::last))?)
}

/// Part 3, 10.1 TPM_Seal of `plain` under `key` (an OSAP session carries the new data
/// secret), the sealed blob written to `out`.
pub fn seal_to_file(
    ctx: &mut Ctx,
    key: Handle,
    key_auth: &AuthData,
    data_auth: &AuthData,
    pcr_info: Option<SealPcrInfo>,
    plain: &[u8],
    out: &Path,
) -> Result<Report> {
    let mut s = ctx.osap_key(key, key_auth)?;
    let blob = ctx
        .tpm
        .seal(key, data_auth, pcr_info, plain, Auth::last(&mut s))?;
    write_file(out, &blob.to_bytes()?)?;
    Ok(Report::new().with("bytes", plain.len()))
}

/// Part 3, 10.2 TPM_Unseal with OIAP sessions for the key (if it has a secret) and the
/// data.
pub fn unseal(
    ctx: &mut Ctx,
    key: Handle,
    key_secret: &KeySecret,
    data: &DataSecret,
    blob: &StoredDataBlob,
) -> Result<Vec<u8>> {
    let data_auth = data.get(ctx)?;
    let key_auth = key_secret.optional(ctx)?;
    let mut ks = ctx.oiap_if(key_auth.as_deref())?;
    let mut ds = ctx.oiap(&data_auth)?;
    Ok(ctx
        .tpm
        .unseal(key, blob, ks.as_mut().map(Auth::last), Auth::last(&mut ds))?)
}

/// Writes `data` to `out`, or reports it as hex.
fn data_out(data: &[u8], out: Option<&Path>) -> Result<Report> {
    match out {
        Some(path) => write_file(path, data).map(|()| Report::new().with("bytes", data.len())),
        None => Ok(Report::new().hex("data", data)),
    }
}

impl Cmd {
    /// Runs the subcommand.
    pub fn run(self, ctx: &mut Ctx) -> Result<Report> {
        match self {
            Self::Seal {
                key,
                key_secret,
                data,
                input,
                out,
            } => {
                let (key_auth, data_auth) = (key_secret.get(ctx)?, data.get(ctx)?);
                let plain = read_file(&input)?;
                seal_to_file(ctx, key, &key_auth, &data_auth, None, &plain, &out)
            }
            Self::Unseal {
                key,
                key_secret,
                data,
                input,
                out,
            } => {
                let blob = StoredDataBlob::from_bytes(&read_file(&input)?)?;
                let plain = unseal(ctx, key, &key_secret, &data, &blob)?;
                data_out(&plain, out.as_deref())
            }
            Self::Unbind {
                key,
                key_secret,
                input,
                out,
            } => {
                let enc = read_file(&input)?;
                let secret = key_secret.optional(ctx)?;
                let mut s = ctx.oiap_if(secret.as_deref())?;
                let plain = ctx.tpm.unbind(key, &enc, s.as_mut().map(Auth::last))?;
                data_out(&plain, out.as_deref())
            }
            Self::CreateWrapKey {
                parent,
                parent_secret,
                key_secret,
                usage,
                out,
                pem,
            } => {
                let (parent_auth, key_auth) = (parent_secret.get(ctx)?, key_secret.get(ctx)?);
                let template = flows::key_template(usage);
                let mut s = ctx.osap_key(parent, &parent_auth)?;
                let blob = ctx.tpm.create_wrap_key(
                    parent,
                    &key_auth,
                    &key_auth,
                    &template,
                    Auth::last(&mut s),
                )?;
                write_file(&out, &blob.to_bytes()?)?;
                let pubkey = flows::blob_pubkey(&blob);
                write_pubkey(&pubkey, None, pem.as_deref())?;
                Ok(Report::new().hex("modulus", &pubkey.pub_key.key.0))
            }
            Self::LoadKey2 {
                parent,
                parent_secret,
                input,
            } => {
                let blob = read_key_blob(&input)?;
                let handle = load_key2(ctx, parent, &parent_secret, &blob)?;
                Ok(Report::new().handle("handle", handle))
            }
            Self::GetPubKey {
                key,
                key_secret,
                out,
                pem,
            } => {
                let secret = key_secret.optional(ctx)?;
                let mut s = ctx.oiap_if(secret.as_deref())?;
                let pubkey = ctx.tpm.get_pub_key(key, s.as_mut().map(Auth::last))?;
                write_pubkey(&pubkey, out.as_deref(), pem.as_deref())?;
                Ok(Report::new().hex("modulus", &pubkey.pub_key.key.0))
            }
        }
    }
}
