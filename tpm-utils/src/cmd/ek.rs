//! Part 3, chapters 14 and 15: endorsement key handling and identity creation.

use crate::args::{KeySecret, OwnerSecret, SrkSecret};
use crate::cmd::storage::write_pubkey;
use crate::ctx::{parse_handle, read_file, write_file, Ctx};
use crate::error::Result;
use crate::hex;
use crate::output::Report;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use tpm_client::{flows, Auth};
use tpm_marshal::{Handle, KeyUsage, Marshal, Pubkey};

/// Chapters 14 and 15.
#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Part 3, 14.1 TPM_CreateEndorsementKeyPair: creates the EK (RSA 2048, OAEP).
    CreateEndorsementKeyPair {
        #[command(flatten)]
        out: PubkeyOut,
    },
    /// Part 3, 14.2 TPM_CreateRevocableEK: creates a revocable EK; prints its EKreset
    /// (keep it: TPM_RevokeTrust needs it).
    CreateRevocableEk {
        /// Use this EKreset (40 hex digits) instead of one the TPM makes.
        #[arg(long, value_name = "HEX")]
        reset: Option<String>,
        #[command(flatten)]
        out: PubkeyOut,
    },
    /// Part 3, 14.3 TPM_RevokeTrust: removes a revocable EK. Needs physical presence.
    RevokeTrust {
        /// The EKreset (40 hex digits).
        #[arg(long, value_name = "HEX")]
        reset: String,
    },
    /// Part 3, 14.4 TPM_ReadPubek: the public EK (while readPubek is set).
    ReadPubek {
        #[command(flatten)]
        out: PubkeyOut,
    },
    /// Part 3, 14.5 TPM_OwnerReadInternalPub: the owner reads the public EK or SRK.
    OwnerReadInternalPub {
        /// ek or srk.
        #[arg(long, default_value = "ek", value_parser = parse_handle)]
        key: Handle,
        #[command(flatten)]
        owner: OwnerSecret,
        #[command(flatten)]
        out: PubkeyOut,
    },
    /// Part 3, 15.1 TPM_MakeIdentity: creates an identity key (AIK); writes its blob and
    /// the identity binding. Also sends TPM_OSAP and TPM_OIAP.
    MakeIdentity {
        #[command(flatten)]
        owner: OwnerSecret,
        #[command(flatten)]
        srk: SrkSecret,
        #[command(flatten)]
        key_secret: KeySecret,
        /// labelPrivCADigest (40 hex digits).
        #[arg(long, default_value = "0000000000000000000000000000000000000000")]
        ca_digest: String,
        /// Where to write the identity key blob.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Where to write the identity binding (the signature over TPM_IDENTITY_CONTENTS).
        #[arg(long, value_name = "FILE")]
        binding_out: Option<PathBuf>,
    },
    /// Part 3, 15.2 TPM_ActivateIdentity: decrypts a privacy CA's answer with the EK;
    /// prints the symmetric key.
    ActivateIdentity {
        /// The loaded identity key.
        #[arg(long, value_parser = parse_handle)]
        key: Handle,
        #[command(flatten)]
        key_secret: KeySecret,
        #[command(flatten)]
        owner: OwnerSecret,
        /// The blob encrypted to the EK.
        #[arg(long = "in", value_name = "FILE")]
        input: PathBuf,
    },
}

/// Where to write a public key.
#[derive(Args, Debug)]
pub struct PubkeyOut {
    /// Write the TPM_PUBKEY here.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Write the key as PEM here.
    #[arg(long, value_name = "FILE")]
    pub pem: Option<PathBuf>,
}

impl PubkeyOut {
    /// Writes `pubkey` where asked and reports its modulus.
    fn write(&self, pubkey: &Pubkey) -> Result<Report> {
        write_pubkey(pubkey, self.out.as_deref(), self.pem.as_deref())?;
        Ok(Report::new().hex("modulus", &pubkey.pub_key.key.0))
    }
}

impl Cmd {
    /// Runs the subcommand.
    pub fn run(self, ctx: &mut Ctx) -> Result<Report> {
        match self {
            Self::CreateEndorsementKeyPair { out } => {
                out.write(&ctx.tpm.create_endorsement_key_pair(&flows::ek_parms())?)
            }
            Self::CreateRevocableEk { reset, out } => {
                let reset = reset.map(|h| hex::decode_array::<20>(&h)).transpose()?;
                let (pubkey, ek_reset) = ctx
                    .tpm
                    .create_revocable_ek(&flows::ek_parms(), reset.as_ref())?;
                Ok(out.write(&pubkey)?.hex("ek_reset", &*ek_reset))
            }
            Self::RevokeTrust { reset } => {
                ctx.tpm.revoke_trust(&hex::decode_array(&reset)?)?;
                Ok(Report::new())
            }
            Self::ReadPubek { out } => out.write(&ctx.tpm.read_pubek()?),
            Self::OwnerReadInternalPub { key, owner, out } => {
                let secret = owner.get(ctx)?;
                let mut s = ctx.oiap(&secret)?;
                let pubkey = ctx.tpm.owner_read_internal_pub(key, Auth::last(&mut s))?;
                out.write(&pubkey)
            }
            Self::MakeIdentity {
                owner,
                srk,
                key_secret,
                ca_digest,
                out,
                binding_out,
            } => {
                let (owner, key_auth) = (owner.get(ctx)?, key_secret.get(ctx)?);
                let srk = srk.optional(ctx)?;
                let ca_digest = hex::decode_array(&ca_digest)?;
                let template = flows::key_template(KeyUsage::TPM_KEY_IDENTITY);
                let mut srk_session = ctx.oiap_if(srk.as_deref())?;
                let mut owner_session = ctx.osap_owner(&owner)?;
                let made = ctx.tpm.make_identity(
                    &key_auth,
                    &ca_digest,
                    &template,
                    srk_session.as_mut().map(Auth::last),
                    Auth::last(&mut owner_session),
                )?;
                write_file(&out, &made.id_key.to_bytes()?)?;
                if let Some(path) = binding_out {
                    write_file(&path, &made.identity_binding.0)?;
                }
                Ok(Report::new().hex("identity_binding", &made.identity_binding.0))
            }
            Self::ActivateIdentity {
                key,
                key_secret,
                owner,
                input,
            } => {
                let blob = read_file(&input)?;
                let owner = owner.get(ctx)?;
                let key_auth = key_secret.optional(ctx)?;
                let mut ks = ctx.oiap_if(key_auth.as_deref())?;
                let mut os = ctx.oiap(&owner)?;
                let sym = ctx.tpm.activate_identity(
                    key,
                    &blob,
                    ks.as_mut().map(Auth::last),
                    Auth::last(&mut os),
                )?;
                Ok(Report::new()
                    .with("algorithm", format!("{:?}", sym.alg_id))
                    .hex("key", &sym.data.0))
            }
        }
    }
}
