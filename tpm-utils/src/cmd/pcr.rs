//! Part 3, chapter 16: integrity collection and reporting (PCRs and quotes).

use crate::args::KeySecret;
use crate::ctx::{parse_handle, parse_u32, read_file, selection, write_file, Ctx};
use crate::error::{Error, Result};
use crate::hex;
use crate::output::Report;
use clap::{Args, Subcommand};
use serde_json::Value;
use std::path::PathBuf;
use tpm_client::session::{random_nonce, sha1};
use tpm_client::Auth;
use tpm_marshal::{Handle, Marshal, Nonce, PcrComposite};

/// Chapter 16.
#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Part 3, 16.1 TPM_Extend: PCR = SHA1(PCR || digest); prints the new value.
    Extend {
        /// The PCR.
        #[arg(value_parser = parse_u32)]
        pcr: u32,
        #[command(flatten)]
        what: Measurement,
    },
    /// Part 3, 16.2 TPM_PCRRead: reads one or more PCRs.
    PcrRead {
        /// The PCRs.
        #[arg(required = true, value_parser = parse_u32)]
        pcrs: Vec<u32>,
    },
    /// Part 3, 16.3 TPM_Quote: a loaded signing key signs the selected PCRs and a nonce;
    /// writes the answer for `checkquote`.
    Quote {
        #[command(flatten)]
        quote: QuoteArgs,
    },
    /// Part 3, 16.4 TPM_PCR_Reset: resets PCRs (those resettable from this locality).
    PcrReset {
        /// The PCRs.
        #[arg(required = true, value_parser = parse_u32)]
        pcrs: Vec<u32>,
    },
    /// Part 3, 16.5 TPM_Quote2: like `quote` with a TPM_PCR_INFO_SHORT (and the version
    /// with --add-version).
    Quote2 {
        #[command(flatten)]
        quote: QuoteArgs,
        /// Include TPM_CAP_VERSION_INFO in the signed data.
        #[arg(long)]
        add_version: bool,
    },
}

/// What to extend a PCR with.
#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
pub struct Measurement {
    /// A SHA-1 digest (40 hex digits).
    #[arg(long, value_name = "HEX")]
    pub digest: Option<String>,
    /// The SHA-1 of this file.
    #[arg(long = "in", value_name = "FILE")]
    pub input: Option<PathBuf>,
}

/// The arguments of TPM_Quote and TPM_Quote2.
#[derive(Args, Debug)]
pub struct QuoteArgs {
    /// The loaded signing key.
    #[arg(long, value_parser = parse_handle)]
    pub key: Handle,
    #[command(flatten)]
    pub key_secret: KeySecret,
    /// The PCRs to quote (comma-separated).
    #[arg(long, value_delimiter = ',', required = true, value_parser = parse_u32)]
    pub pcrs: Vec<u32>,
    /// The nonce (40 hex digits; a fresh random one without it).
    #[arg(long, value_name = "HEX")]
    pub nonce: Option<String>,
    /// Where to write the TPM's answer.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

impl QuoteArgs {
    /// The nonce given, or a fresh one.
    fn nonce(&self) -> Result<Nonce> {
        match &self.nonce {
            Some(h) => hex::decode_array(h),
            None => Ok(random_nonce()?),
        }
    }
}

/// The PCR values of a composite as `{"16": "hex", ...}`.
pub fn composite_values(composite: &PcrComposite) -> Value {
    let map = composite
        .select
        .indices()
        .zip(&composite.pcr_values)
        .map(|(i, v)| (i.to_string(), Value::from(hex::encode(v))))
        .collect();
    Value::Object(map)
}

impl Cmd {
    /// Runs the subcommand.
    pub fn run(self, ctx: &mut Ctx) -> Result<Report> {
        match self {
            Self::Extend { pcr, what } => {
                let digest = match (what.digest, what.input) {
                    (Some(h), _) => hex::decode_array(&h)?,
                    (None, Some(path)) => sha1(&[&read_file(&path)?]),
                    (None, None) => return Err(Error::usage("give --digest or --in")),
                };
                let value = ctx.tpm.extend(pcr, &digest)?;
                Ok(Report::new().hex("pcr_value", &value))
            }
            Self::PcrRead { pcrs } => pcrs.iter().try_fold(Report::new(), |r, &i| {
                Ok(r.hex(&format!("pcr{i}"), &ctx.tpm.pcr_read(i)?))
            }),
            Self::PcrReset { pcrs } => {
                ctx.tpm.pcr_reset(&selection(&pcrs)?)?;
                Ok(Report::new())
            }
            Self::Quote { quote } => {
                let nonce = quote.nonce()?;
                let secret = quote.key_secret.optional(ctx)?;
                let mut s = ctx.oiap_if(secret.as_deref())?;
                let sel = selection(&quote.pcrs)?;
                let out = ctx
                    .tpm
                    .quote(quote.key, &nonce, &sel, s.as_mut().map(Auth::last))?;
                if let Some(path) = &quote.out {
                    write_file(path, &out.to_bytes()?)?;
                }
                Ok(Report::new()
                    .hex("nonce", &nonce)
                    .with("pcrs", composite_values(&out.pcr_data))
                    .hex("signature", &out.sig.0))
            }
            Self::Quote2 { quote, add_version } => {
                let nonce = quote.nonce()?;
                let secret = quote.key_secret.optional(ctx)?;
                let mut s = ctx.oiap_if(secret.as_deref())?;
                let sel = selection(&quote.pcrs)?;
                let out = ctx.tpm.quote2(
                    quote.key,
                    &nonce,
                    &sel,
                    add_version,
                    s.as_mut().map(Auth::last),
                )?;
                if let Some(path) = &quote.out {
                    write_file(path, &out.to_bytes()?)?;
                }
                Ok(Report::new()
                    .hex("nonce", &nonce)
                    .hex("composite_digest", &out.pcr_data.digest_at_release)
                    .hex("signature", &out.sig.0))
            }
        }
    }
}
