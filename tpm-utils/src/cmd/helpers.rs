//! Helpers that span ordinals, after IBM's libtpm utilities: each one's help names the
//! ordinals it sends.

use crate::args::{DataSecret, KeySecret, ParentSecret};
use crate::cmd::crypto::sign;
use crate::cmd::pcr::composite_values;
use crate::cmd::storage::{load_key2, pubkey_from, read_key_blob, seal_to_file, write_pubkey};
use crate::ctx::{parse_handle, parse_u32, read_file, selection, write_file, Ctx};
use crate::error::{Error, Result};
use crate::hex;
use crate::output::Report;
use clap::Subcommand;
use std::path::PathBuf;
use tpm_client::flows;
use tpm_client::session::sha1;
use tpm_marshal::commands::integrity::{Quote2Out, QuoteOut};
use tpm_marshal::commands::storage::SealPcrInfo;
use tpm_marshal::{
    Handle, KeyBlob, PcrComposite, PcrInfo, PhysicalPresence, ResourceType, ReturnCode,
    StartupType, Unmarshal,
};

/// The helpers.
#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// What a PC BIOS does at boot: TPM_Startup(ST_CLEAR) (already started is fine),
    /// TPM_ContinueSelfTest, TSC_PhysicalPresence(CMD_ENABLE, PRESENT),
    /// TPM_PhysicalEnable, TPM_PhysicalSetDeactivated(FALSE); with --create-ek also
    /// TPM_CreateEndorsementKeyPair (an existing EK is fine). Activation takes effect at
    /// the next startup.
    Tpmbios {
        /// Also create the endorsement key.
        #[arg(long)]
        create_ek: bool,
    },
    /// Seals a file to the current values of PCRs: TPM_PCRRead for each PCR, TPM_OSAP,
    /// TPM_Seal. Unseal it with `unseal`.
    Sealfile {
        /// The storage key (default the SRK).
        #[arg(long, default_value = "srk", value_parser = parse_handle)]
        key: Handle,
        #[command(flatten)]
        key_secret: KeySecret,
        #[command(flatten)]
        data: DataSecret,
        /// The PCRs whose current values unsealing will need (comma-separated).
        #[arg(long, value_delimiter = ',', value_parser = parse_u32)]
        pcrs: Vec<u32>,
        /// The file to seal.
        #[arg(long = "in", value_name = "FILE")]
        input: PathBuf,
        /// Where to write the sealed blob.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Signs the SHA-1 of a file with a key blob: TPM_OIAP, TPM_LoadKey2, TPM_OIAP,
    /// TPM_Sign, TPM_FlushSpecific. Writes the signature and, with --pem, the public key
    /// for `openssl dgst -sha1 -verify key.pem -signature sig file`.
    Signfile {
        /// The signing key's blob.
        #[arg(long, value_name = "FILE")]
        key_blob: PathBuf,
        /// Its parent storage key (default the SRK).
        #[arg(long, default_value = "srk", value_parser = parse_handle)]
        parent: Handle,
        #[command(flatten)]
        parent_secret: ParentSecret,
        #[command(flatten)]
        key_secret: KeySecret,
        /// The file to sign.
        #[arg(long = "in", value_name = "FILE")]
        input: PathBuf,
        /// Where to write the signature.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Where to write the public key as PEM.
        #[arg(long, value_name = "FILE")]
        pem: Option<PathBuf>,
    },
    /// Verifies a quote written by `quote` (or `quote2` with --v2) against the signing
    /// key's TPM_PUBKEY (from `get-pub-key --out`) or key blob, and the nonce. Sends no
    /// ordinal.
    Checkquote {
        /// The TPM's answer.
        #[arg(long, value_name = "FILE")]
        quote: PathBuf,
        /// The signing key's TPM_PUBKEY.
        #[arg(long, value_name = "FILE", required_unless_present = "key_blob")]
        pubkey: Option<PathBuf>,
        /// The signing key's blob (instead of --pubkey).
        #[arg(long, value_name = "FILE", conflicts_with = "pubkey")]
        key_blob: Option<PathBuf>,
        /// The nonce the quote was made with (40 hex digits).
        #[arg(long, value_name = "HEX")]
        nonce: String,
        /// The answer is from TPM_Quote2.
        #[arg(long)]
        v2: bool,
    },
}

/// Runs `step`; an error whose code is in `fine` counts as done.
fn tolerate(r: tpm_client::Result<()>, fine: &[ReturnCode]) -> Result<&'static str> {
    match r {
        Ok(()) => Ok("ok"),
        Err(e) => match e.code().filter(|c| fine.contains(c)) {
            Some(c) => Ok(c.name().unwrap_or("tolerated")),
            None => Err(Error::Client(e)),
        },
    }
}

impl Cmd {
    /// Runs the helper.
    pub fn run(self, ctx: &mut Ctx) -> Result<Report> {
        match self {
            Self::Tpmbios { create_ek } => tpmbios(ctx, create_ek),
            Self::Sealfile {
                key,
                key_secret,
                data,
                pcrs,
                input,
                out,
            } => {
                let (key_auth, data_auth) = (key_secret.get(ctx)?, data.get(ctx)?);
                let plain = read_file(&input)?;
                let pcr_info = if pcrs.is_empty() {
                    None
                } else {
                    // TPM_PCR_COMPOSITE lists the values in selection order.
                    let select = selection(&pcrs)?;
                    let pcr_values = select
                        .indices()
                        .map(|i| ctx.tpm.pcr_read(i))
                        .collect::<tpm_client::Result<Vec<_>>>()?;
                    let composite = PcrComposite { select, pcr_values };
                    let digest = flows::composite_hash(&composite)?;
                    Some(SealPcrInfo::Info(PcrInfo {
                        pcr_selection: composite.select,
                        digest_at_release: digest,
                        digest_at_creation: digest,
                    }))
                };
                seal_to_file(ctx, key, &key_auth, &data_auth, pcr_info, &plain, &out)
            }
            Self::Signfile {
                key_blob,
                parent,
                parent_secret,
                key_secret,
                input,
                out,
                pem,
            } => {
                let blob: KeyBlob = read_key_blob(&key_blob)?;
                let digest = sha1(&[&read_file(&input)?]);
                let handle = load_key2(ctx, parent, &parent_secret, &blob)?;
                let signed = sign(ctx, handle, &key_secret, &digest);
                ctx.tpm.flush_specific(handle, ResourceType::TPM_RT_KEY)?;
                let sig = signed?;
                write_file(&out, &sig)?;
                write_pubkey(&flows::blob_pubkey(&blob), None, pem.as_deref())?;
                Ok(Report::new().hex("digest", &digest).hex("signature", &sig))
            }
            Self::Checkquote {
                quote,
                pubkey,
                key_blob,
                nonce,
                v2,
            } => {
                let pubkey = pubkey_from(pubkey.as_deref(), key_blob.as_deref())?;
                let nonce = hex::decode_array(&nonce)?;
                let answer = read_file(&quote)?;
                if v2 {
                    let q = Quote2Out::from_bytes(&answer)?;
                    flows::verify_quote2(&pubkey, &q, &nonce)?;
                    return Ok(Report::new()
                        .with("verified", true)
                        .hex("composite_digest", &q.pcr_data.digest_at_release));
                }
                let q = QuoteOut::from_bytes(&answer)?;
                flows::verify_quote(&pubkey, &q, &nonce)?;
                Ok(Report::new()
                    .with("verified", true)
                    .with("pcrs", composite_values(&q.pcr_data)))
            }
        }
    }
}

/// The `tpmbios` steps, each reported as `ok` or the tolerated return code's name.
fn tpmbios(ctx: &mut Ctx, create_ek: bool) -> Result<Report> {
    let tpm = &mut ctx.tpm;
    let startup = tolerate(
        tpm.startup(StartupType::TPM_ST_CLEAR),
        &[ReturnCode::TPM_INVALID_POSTINIT],
    )?;
    let self_test = tolerate(tpm.continue_self_test(), &[])?;
    let cmd_enable = tolerate(
        tpm.tsc_physical_presence(PhysicalPresence::TPM_PHYSICAL_PRESENCE_CMD_ENABLE),
        &[ReturnCode::TPM_BAD_PARAMETER],
    )?;
    let present = tolerate(
        tpm.tsc_physical_presence(PhysicalPresence::TPM_PHYSICAL_PRESENCE_PRESENT),
        &[],
    )?;
    let enable = tolerate(tpm.physical_enable(), &[])?;
    let activate = tolerate(tpm.physical_set_deactivated(false), &[])?;
    let mut report = Report::new()
        .with("startup", startup)
        .with("continue_self_test", self_test)
        .with("physical_presence_cmd_enable", cmd_enable)
        .with("physical_presence_present", present)
        .with("physical_enable", enable)
        .with("physical_set_deactivated", activate);
    if create_ek {
        let ek = tpm
            .create_endorsement_key_pair(&flows::ek_parms())
            .map(|_| ());
        report = report.with("create_ek", tolerate(ek, &[ReturnCode::TPM_DISABLED_CMD])?);
    }
    Ok(report)
}
