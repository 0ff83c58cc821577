//! Part 3, chapter 24: transport sessions, unencrypted (as tpm-client supports them).
//!
//! A transport session outlives one invocation: `establish-transport` writes its handle
//! and the TPM's last nonce to a state file, each `execute-transport` reads and rolls it,
//! `release-transport-signed` closes it. The session secret (`--pwdt`) is given to each
//! call and never written.

use crate::args::{KeySecret, TransportSecret};
use crate::ctx::{parse_handle, parse_u32, read_file, write_file, Ctx};
use crate::error::{Error, Result};
use crate::hex;
use crate::output::Report;
use clap::Subcommand;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use tpm_client::{Auth, AuthSession, SessionKind};
use tpm_marshal::commands::crypto::{GetRandom, GetRandomIn};
use tpm_marshal::commands::integrity::{Extend, ExtendIn, PcrRead, PcrReadIn};
use tpm_marshal::{
    AlgorithmId, AuthData, EncScheme, Handle, KeyHandle, TransportAttributes, TransportPublic,
};

/// Chapter 24.
#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Part 3, 24.1 TPM_EstablishTransport: opens a logged, unencrypted transport session
    /// with the secret --pwdt (sent in the clear, TPM_KH_TRANSPORT); writes its state.
    EstablishTransport {
        #[command(flatten)]
        secret: TransportSecret,
        /// Where to keep the session's handle and nonce.
        #[arg(long, value_name = "FILE")]
        state: PathBuf,
    },
    /// Part 3, 24.2 TPM_ExecuteTransport: runs one command inside the session.
    ExecuteTransport {
        #[command(flatten)]
        secret: TransportSecret,
        /// The session's state file.
        #[arg(long, value_name = "FILE")]
        state: PathBuf,
        /// The wrapped command.
        #[command(subcommand)]
        wrapped: Wrapped,
    },
    /// Part 3, 24.3 TPM_ReleaseTransportSigned: closes the session with a signature by a
    /// loaded signing key over its log.
    ReleaseTransportSigned {
        #[command(flatten)]
        secret: TransportSecret,
        /// The session's state file (removed afterwards).
        #[arg(long, value_name = "FILE")]
        state: PathBuf,
        /// The signing key.
        #[arg(long, value_parser = parse_handle)]
        key: Handle,
        #[command(flatten)]
        key_secret: KeySecret,
        /// The anti-replay nonce (40 hex digits).
        #[arg(long, default_value = "0000000000000000000000000000000000000000")]
        nonce: String,
    },
}

/// The commands `execute-transport` wraps.
#[derive(Subcommand, Debug)]
pub enum Wrapped {
    /// Part 3, 13.6 TPM_GetRandom.
    GetRandom {
        /// How many bytes.
        #[arg(value_parser = parse_u32)]
        bytes: u32,
    },
    /// Part 3, 16.2 TPM_PCRRead.
    PcrRead {
        /// The PCR.
        #[arg(value_parser = parse_u32)]
        pcr: u32,
    },
    /// Part 3, 16.1 TPM_Extend.
    Extend {
        /// The PCR.
        #[arg(value_parser = parse_u32)]
        pcr: u32,
        /// The digest (40 hex digits).
        digest: String,
    },
}

/// Writes the session's handle and last nonceEven.
fn save(path: &Path, session: &AuthSession) -> Result<()> {
    let state = json!({
        "handle": session.handle(),
        "nonce_even": hex::encode(session.nonce_even()),
    });
    write_file(path, state.to_string().as_bytes())
}

/// The session from its state file, keyed with `secret`.
fn load(path: &Path, secret: &AuthData) -> Result<AuthSession> {
    let bad = || Error::usage(format!("{}: not a transport state file", path.display()));
    let state: Value = serde_json::from_slice(&read_file(path)?).map_err(|_| bad())?;
    let handle = state["handle"]
        .as_u64()
        .and_then(|h| u32::try_from(h).ok())
        .ok_or_else(bad)?;
    let nonce = hex::decode_array(state["nonce_even"].as_str().ok_or_else(bad)?)?;
    Ok(AuthSession::new(
        SessionKind::Transport,
        handle,
        nonce,
        *secret,
    )?)
}

impl Cmd {
    /// Runs the subcommand.
    pub fn run(self, ctx: &mut Ctx) -> Result<Report> {
        match self {
            Self::EstablishTransport { secret, state } => {
                let auth = secret.get(ctx)?;
                let public = TransportPublic {
                    trans_attributes: TransportAttributes::TPM_TRANSPORT_LOG,
                    alg_id: AlgorithmId::TPM_ALG_MGF1,
                    enc_scheme: EncScheme::TPM_ES_NONE,
                };
                let clear = KeyHandle::TPM_KH_TRANSPORT.0;
                let (session, out) = ctx
                    .tpm
                    .establish_transport(clear, &public, &*auth, &auth, None)?;
                save(&state, &session)?;
                Ok(Report::new()
                    .handle("handle", out.trans_handle)
                    .with("locality", out.locality))
            }
            Self::ExecuteTransport {
                secret,
                state,
                wrapped,
            } => {
                let auth = secret.get(ctx)?;
                let mut session = load(&state, &auth)?;
                let t = Auth::keep(&mut session);
                let report = match wrapped {
                    Wrapped::GetRandom { bytes } => {
                        let input = GetRandomIn {
                            bytes_requested: bytes,
                        };
                        let (out, _) =
                            ctx.tpm.execute_transport::<GetRandom>(&input, &mut [], t)?;
                        Report::new().hex("random", &out.random_bytes.0)
                    }
                    Wrapped::PcrRead { pcr } => {
                        let input = PcrReadIn { pcr_index: pcr };
                        let (out, _) = ctx.tpm.execute_transport::<PcrRead>(&input, &mut [], t)?;
                        Report::new().hex(&format!("pcr{pcr}"), &out.out_digest)
                    }
                    Wrapped::Extend { pcr, digest } => {
                        let input = ExtendIn {
                            pcr_num: pcr,
                            in_digest: hex::decode_array(&digest)?,
                        };
                        let (out, _) = ctx.tpm.execute_transport::<Extend>(&input, &mut [], t)?;
                        Report::new().hex("pcr_value", &out.out_digest)
                    }
                };
                save(&state, &session)?;
                Ok(report)
            }
            Self::ReleaseTransportSigned {
                secret,
                state,
                key,
                key_secret,
                nonce,
            } => {
                let auth = secret.get(ctx)?;
                let mut session = load(&state, &auth)?;
                let nonce = hex::decode_array(&nonce)?;
                let key_auth = key_secret.optional(ctx)?;
                let mut ks = ctx.oiap_if(key_auth.as_deref())?;
                let out = ctx.tpm.release_transport_signed(
                    key,
                    &nonce,
                    ks.as_mut().map(Auth::last),
                    Auth::last(&mut session),
                )?;
                std::fs::remove_file(&state).map_err(|e| Error::file(&state, e))?;
                Ok(Report::new()
                    .with("current_ticks", out.current_ticks.current_ticks)
                    .hex("signature", &out.signature.0))
            }
        }
    }
}
