//! Part 3, chapter 13: cryptographic functions (the SHA-1 thread, sign, random,
//! certify).

use crate::args::{CertSecret, KeySecret};
use crate::ctx::{parse_handle, parse_u32, read_file, write_file, Ctx};
use crate::error::{Error, Result};
use crate::hex;
use crate::output::Report;
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use tpm_client::session::sha1;
use tpm_client::Auth;
use tpm_marshal::{Handle, Marshal};

/// Chapter 13.
#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Part 3, 13.1 TPM_SHA1Start: starts the TPM's SHA-1 thread; prints how many bytes
    /// one TPM_SHA1Update takes at most.
    Sha1Start,
    /// Part 3, 13.2 TPM_SHA1Update: hashes a file whose size is a multiple of 64 bytes.
    Sha1Update {
        /// The data.
        #[arg(long = "in", value_name = "FILE")]
        input: PathBuf,
    },
    /// Part 3, 13.3 TPM_SHA1Complete: hashes the last 0 to 64 bytes; prints the digest.
    Sha1Complete {
        /// The last bytes (none without it).
        #[arg(long = "in", value_name = "FILE")]
        input: Option<PathBuf>,
    },
    /// Part 3, 13.4 TPM_SHA1CompleteExtend: completes the digest and extends a PCR with it.
    Sha1CompleteExtend {
        /// The PCR to extend.
        #[arg(long, value_parser = parse_u32)]
        pcr: u32,
        /// The last bytes (none without it).
        #[arg(long = "in", value_name = "FILE")]
        input: Option<PathBuf>,
    },
    /// Part 3, 13.5 TPM_Sign: a loaded signing key signs the SHA-1 of a file (or a given
    /// digest). Verify with `openssl dgst -sha1 -verify key.pem -signature sig file`.
    Sign {
        /// The loaded signing key.
        #[arg(long, value_parser = parse_handle)]
        key: Handle,
        #[command(flatten)]
        key_secret: KeySecret,
        #[command(flatten)]
        what: SignInput,
        /// Where to write the signature.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Part 3, 13.6 TPM_GetRandom.
    GetRandom {
        /// How many bytes.
        #[arg(default_value = "20", value_parser = parse_u32)]
        bytes: u32,
        /// Write them here instead of printing them.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Part 3, 13.7 TPM_StirRandom: adds entropy (under 256 bytes, hex).
    StirRandom {
        /// The entropy, as hex.
        data: String,
    },
    /// Part 3, 13.8 TPM_CertifyKey: a loaded key certifies another loaded key; writes
    /// the TPM_CERTIFY_INFO and the signature.
    CertifyKey {
        /// The certifying key.
        #[arg(long, value_parser = parse_handle)]
        cert_key: Handle,
        #[command(flatten)]
        cert_secret: CertSecret,
        /// The key to certify.
        #[arg(long, value_parser = parse_handle)]
        key: Handle,
        #[command(flatten)]
        key_secret: KeySecret,
        /// The anti-replay nonce (40 hex digits).
        #[arg(long, default_value = "0000000000000000000000000000000000000000")]
        nonce: String,
        /// Write the TPM_CERTIFY_INFO here.
        #[arg(long, value_name = "FILE")]
        info_out: Option<PathBuf>,
        /// Write the signature here.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Part 3, 13.9 TPM_CertifyKey2: like certify-key, also for certified-migration
    /// keys (--migration-digest: the digest of the key's migration authority).
    CertifyKey2 {
        /// The certifying key.
        #[arg(long, value_parser = parse_handle)]
        cert_key: Handle,
        #[command(flatten)]
        cert_secret: CertSecret,
        /// The key to certify.
        #[arg(long, value_parser = parse_handle)]
        key: Handle,
        #[command(flatten)]
        key_secret: KeySecret,
        /// migrationPubDigest (40 hex digits).
        #[arg(long, default_value = "0000000000000000000000000000000000000000")]
        migration_digest: String,
        /// The anti-replay nonce (40 hex digits).
        #[arg(long, default_value = "0000000000000000000000000000000000000000")]
        nonce: String,
        /// Write the signature here.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

/// What TPM_Sign signs.
#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
pub struct SignInput {
    /// Sign the SHA-1 digest of this file.
    #[arg(long = "in", value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Sign this SHA-1 digest (40 hex digits).
    #[arg(long, value_name = "HEX")]
    pub digest: Option<String>,
}

impl SignInput {
    /// The 20-byte digest to sign.
    pub fn digest(&self) -> Result<[u8; 20]> {
        match (&self.input, &self.digest) {
            (Some(path), _) => Ok(sha1(&[&read_file(path)?])),
            (None, Some(h)) => hex::decode_array(h),
            (None, None) => Err(Error::usage("give --in FILE or --digest HEX")),
        }
    }
}

/// The bytes of an optional file (empty without one).
fn optional_file(path: Option<&Path>) -> Result<Vec<u8>> {
    path.map_or_else(|| Ok(Vec::new()), read_file)
}

/// Part 3, 13.5 TPM_Sign with an OIAP session keyed with the key's secret, if any.
pub fn sign(ctx: &mut Ctx, key: Handle, secret: &KeySecret, digest: &[u8]) -> Result<Vec<u8>> {
    let auth = secret.optional(ctx)?;
    let mut s = ctx.oiap_if(auth.as_deref())?;
    Ok(ctx.tpm.sign(key, digest, s.as_mut().map(Auth::last))?)
}

impl Cmd {
    /// Runs the subcommand.
    pub fn run(self, ctx: &mut Ctx) -> Result<Report> {
        let report = Report::new();
        Ok(match self {
            Self::Sha1Start => report.with("max_num_bytes", ctx.tpm.sha1_start()?),
            Self::Sha1Update { input } => {
                ctx.tpm.sha1_update(&read_file(&input)?)?;
                report
            }
            Self::Sha1Complete { input } => {
                let data = optional_file(input.as_deref())?;
                report.hex("digest", &ctx.tpm.sha1_complete(&data)?)
            }
            Self::Sha1CompleteExtend { pcr, input } => {
                let data = optional_file(input.as_deref())?;
                let out = ctx.tpm.sha1_complete_extend(pcr, &data)?;
                report
                    .hex("digest", &out.hash_value)
                    .hex("pcr_value", &out.out_digest)
            }
            Self::Sign {
                key,
                key_secret,
                what,
                out,
            } => {
                let digest = what.digest()?;
                let sig = sign(ctx, key, &key_secret, &digest)?;
                if let Some(path) = out {
                    write_file(&path, &sig)?;
                }
                report.hex("digest", &digest).hex("signature", &sig)
            }
            Self::GetRandom { bytes, out } => {
                let random = ctx.tpm.get_random(bytes)?;
                match out {
                    Some(path) => {
                        write_file(&path, &random)?;
                        report.with("bytes", random.len())
                    }
                    None => report.hex("random", &random),
                }
            }
            Self::StirRandom { data } => {
                ctx.tpm.stir_random(&hex::decode(&data)?)?;
                report
            }
            Self::CertifyKey {
                cert_key,
                cert_secret,
                key,
                key_secret,
                nonce,
                info_out,
                out,
            } => {
                let nonce = hex::decode_array::<20>(&nonce)?;
                let cert_auth = cert_secret.optional(ctx)?;
                let key_auth = key_secret.optional(ctx)?;
                let mut cs = ctx.oiap_if(cert_auth.as_deref())?;
                let mut ks = ctx.oiap_if(key_auth.as_deref())?;
                let certified = ctx.tpm.certify_key(
                    cert_key,
                    key,
                    &nonce,
                    cs.as_mut().map(Auth::last),
                    ks.as_mut().map(Auth::last),
                )?;
                let info = certified.certify_info.to_bytes()?;
                if let Some(path) = info_out {
                    write_file(&path, &info)?;
                }
                if let Some(path) = out {
                    write_file(&path, &certified.out_data.0)?;
                }
                report
                    .hex("certify_info", &info)
                    .hex("signature", &certified.out_data.0)
            }
            Self::CertifyKey2 {
                cert_key,
                cert_secret,
                key,
                key_secret,
                migration_digest,
                nonce,
                out,
            } => {
                let nonce = hex::decode_array::<20>(&nonce)?;
                let migration = hex::decode_array::<20>(&migration_digest)?;
                let key_auth = key_secret.optional(ctx)?;
                let cert_auth = cert_secret.optional(ctx)?;
                let mut ks = ctx.oiap_if(key_auth.as_deref())?;
                let mut cs = ctx.oiap_if(cert_auth.as_deref())?;
                let certified = ctx.tpm.certify_key2(
                    key,
                    cert_key,
                    &migration,
                    &nonce,
                    ks.as_mut().map(Auth::last),
                    cs.as_mut().map(Auth::last),
                )?;
                if let Some(path) = out {
                    write_file(&path, &certified.out_data.0)?;
                }
                report
                    .hex("certify_info", &certified.certify_info.to_bytes()?)
                    .hex("signature", &certified.out_data.0)
            }
        })
    }
}
