//! Part 3, chapters 7 and 8: capability commands and auditing.

use crate::args::{KeySecret, OwnerSecret};
use crate::ctx::{parse_bool, parse_handle, parse_u32, write_file, Ctx};
use crate::error::{Error, Result};
use crate::hex;
use crate::output::Report;
use clap::Subcommand;
use serde_json::Value;
use std::path::PathBuf;
use tpm_client::{flows, Auth};
use tpm_marshal::{
    AlgorithmId, CapFlag, CapProperty, CapVersionInfo, CapabilityArea, KeyUsage, Marshal, Ordinal,
    PermanentFlags, SetCapabilityArea, StClearFlags, Unmarshal,
};

/// Chapters 7 and 8.
#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Part 3, 7.1 TPM_GetCapability: one area (TPM_CAP_PROPERTY, `property`, 5 ...)
    /// with its sub-capability (a name such as TPM_CAP_PROP_PCR, TPM_CAP_FLAG_PERMANENT,
    /// TPM_ORD_Quote, or a number); without one, a typical sub-capability for the area.
    /// Prints the raw answer and, for the areas it knows, its decoded value.
    GetCapability {
        /// The capability area.
        #[arg(value_parser = parse_area)]
        area: CapabilityArea,
        /// The sub-capability.
        sub_cap: Option<String>,
        /// The sub-capability as raw hex bytes.
        #[arg(long, value_name = "HEX", conflicts_with = "sub_cap")]
        sub_hex: Option<String>,
    },
    /// Part 3, 7.2 TPM_SetCapability: sets one flag or field (owner-authorized with
    /// --pwdo, otherwise under physical presence).
    SetCapability {
        /// The area: TPM_SET_PERM_FLAGS, TPM_SET_STCLEAR_DATA ... or a number.
        #[arg(value_parser = parse_set_area)]
        area: SetCapabilityArea,
        /// The sub-capability (a number: the flag or field, Part 2, 21.2).
        #[arg(value_parser = parse_u32)]
        sub_cap: u32,
        /// The value: true/false for a flag, or raw hex with --hex-value.
        value: String,
        /// The value is raw hex bytes.
        #[arg(long)]
        hex_value: bool,
        #[command(flatten)]
        owner: OwnerSecret,
    },
    /// Part 3, 7.3 TPM_GetCapabilityOwner: the owner reads the version and every flag.
    GetCapabilityOwner {
        #[command(flatten)]
        owner: OwnerSecret,
    },
    /// Part 3, 8.3 TPM_GetAuditDigest: the audit digest and audited ordinals.
    GetAuditDigest {
        /// The first ordinal to list.
        #[arg(long, default_value = "0", value_parser = parse_u32)]
        start: u32,
    },
    /// Part 3, 8.4 TPM_GetAuditDigestSigned: a loaded signing key signs the audit
    /// digest.
    GetAuditDigestSigned {
        /// The signing key's handle.
        #[arg(long, value_parser = parse_handle)]
        key: u32,
        #[command(flatten)]
        key_secret: KeySecret,
        /// Close the audit session.
        #[arg(long)]
        close: bool,
        /// The anti-replay nonce (40 hex digits).
        #[arg(long, default_value = "0000000000000000000000000000000000000000")]
        nonce: String,
        /// Write the signature here.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Part 3, 8.5 TPM_SetOrdinalAuditStatus: the owner turns auditing of an ordinal on
    /// or off.
    SetOrdinalAuditStatus {
        /// The ordinal (TPM_ORD_Extend, or a number).
        #[arg(value_parser = parse_ordinal)]
        ordinal: Ordinal,
        /// true or false.
        #[arg(action = clap::ArgAction::Set, value_parser = parse_bool)]
        state: bool,
        #[command(flatten)]
        owner: OwnerSecret,
    },
}

/// A capability area by spec name, short name (`property`, `version-val`) or number.
pub fn parse_area(s: &str) -> Result<CapabilityArea> {
    let upper = s.to_ascii_uppercase().replace('-', "_");
    CapabilityArea::from_name(&upper)
        .or_else(|| CapabilityArea::from_name(&format!("TPM_CAP_{upper}")))
        .map_or_else(|| parse_u32(s).map(CapabilityArea), Ok)
}

/// A TPM_SetCapability area by spec name or number.
fn parse_set_area(s: &str) -> Result<SetCapabilityArea> {
    SetCapabilityArea::from_name(&s.to_ascii_uppercase())
        .map_or_else(|| parse_u32(s).map(SetCapabilityArea), Ok)
}

/// An ordinal by spec name (TPM_ORD_Extend) or number.
pub fn parse_ordinal(s: &str) -> Result<Ordinal> {
    Ordinal::from_name(s).map_or_else(|| parse_u32(s).map(Ordinal), Ok)
}

/// The sub-capability bytes for `area`: a name, a number (2 bytes for the areas whose
/// sub-capability is a UINT16), or the area's typical one.
pub fn sub_cap_bytes(area: CapabilityArea, sub_cap: Option<&str>) -> Result<Vec<u8>> {
    let Some(s) = sub_cap else {
        return default_sub_cap(area);
    };
    let named = CapProperty::from_name(s)
        .map(|p| p.0)
        .or_else(|| CapFlag::from_name(s).map(|f| f.0))
        .or_else(|| Ordinal::from_name(s).map(|o| o.0))
        .or_else(|| AlgorithmId::from_name(s).map(|a| a.0));
    let n = named.map_or_else(|| parse_u32(s), Ok)?;
    let uint16 = [
        CapabilityArea::TPM_CAP_PID,
        CapabilityArea::TPM_CAP_TRANS_ES,
        CapabilityArea::TPM_CAP_DA_LOGIC,
    ];
    if uint16.contains(&area) {
        let n = u16::try_from(n).map_err(|_| Error::usage("a UINT16 sub-capability"))?;
        return Ok(n.to_be_bytes().to_vec());
    }
    Ok(n.to_be_bytes().to_vec())
}

/// Part 2, 21.1: a sub-capability every TPM answers for each area (none where the
/// area takes none).
fn default_sub_cap(area: CapabilityArea) -> Result<Vec<u8>> {
    let u32 = |n: u32| n.to_be_bytes().to_vec();
    Ok(match area {
        CapabilityArea::TPM_CAP_ORD => u32(Ordinal::TPM_ORD_GetRandom.0),
        CapabilityArea::TPM_CAP_ALG | CapabilityArea::TPM_CAP_TRANS_ALG => {
            u32(AlgorithmId::TPM_ALG_RSA.0)
        }
        CapabilityArea::TPM_CAP_AUTH_ENCRYPT => u32(AlgorithmId::TPM_ALG_XOR.0),
        CapabilityArea::TPM_CAP_PID => vec![0, 1],
        CapabilityArea::TPM_CAP_FLAG => u32(CapFlag::TPM_CAP_FLAG_PERMANENT.0),
        CapabilityArea::TPM_CAP_PROPERTY => u32(CapProperty::TPM_CAP_PROP_PCR.0),
        CapabilityArea::TPM_CAP_CHECK_LOADED => {
            let template = flows::key_template(KeyUsage::TPM_KEY_SIGNING);
            template.algorithm_parms().to_bytes()?
        }
        CapabilityArea::TPM_CAP_SYM_MODE => u32(0),
        CapabilityArea::TPM_CAP_KEY_STATUS => u32(0x4000_0000),
        CapabilityArea::TPM_CAP_HANDLE => u32(tpm_marshal::ResourceType::TPM_RT_KEY.0),
        CapabilityArea::TPM_CAP_TRANS_ES => vec![0, 1],
        CapabilityArea::TPM_CAP_SELECT_SIZE => vec![1, 2, 0, 3],
        CapabilityArea::TPM_CAP_DA_LOGIC => vec![0, 2],
        CapabilityArea::TPM_CAP_NV_INDEX => u32(tpm_marshal::NvIndex::TPM_NV_INDEX_DIR.0),
        _ => Vec::new(),
    })
}

/// What the answer means, for the areas whose answer has a fixed shape.
fn decode(area: CapabilityArea, sub_cap: &[u8], raw: &[u8]) -> Option<Value> {
    let flag = |f: CapFlag| sub_cap == f.0.to_be_bytes();
    match area {
        CapabilityArea::TPM_CAP_VERSION_VAL => CapVersionInfo::from_bytes(raw)
            .ok()
            .map(|v| format!("{v:?}").into()),
        CapabilityArea::TPM_CAP_FLAG if flag(CapFlag::TPM_CAP_FLAG_PERMANENT) => {
            PermanentFlags::from_bytes(raw)
                .ok()
                .map(|v| format!("{v:?}").into())
        }
        CapabilityArea::TPM_CAP_FLAG if flag(CapFlag::TPM_CAP_FLAG_VOLATILE) => {
            StClearFlags::from_bytes(raw)
                .ok()
                .map(|v| format!("{v:?}").into())
        }
        CapabilityArea::TPM_CAP_PROPERTY => match raw {
            [a, b, c, d] => Some(u32::from_be_bytes([*a, *b, *c, *d]).into()),
            _ => None,
        },
        _ => match raw {
            [b] if *b <= 1 => Some((*b == 1).into()),
            _ => None,
        },
    }
}

/// Part 3, 7.1: one area, reported with its name, raw answer and decoded value.
pub fn get_capability(ctx: &mut Ctx, area: CapabilityArea, sub_cap: &[u8]) -> Result<Report> {
    let raw = ctx.tpm.get_capability(area, sub_cap)?;
    let mut report = Report::new()
        .with("area", area.name().unwrap_or("vendor area"))
        .hex("sub_cap", sub_cap)
        .hex("raw", &raw);
    if let Some(value) = decode(area, sub_cap, &raw) {
        report = report.with("value", value);
    }
    Ok(report)
}

impl Cmd {
    /// Runs the subcommand.
    pub fn run(self, ctx: &mut Ctx) -> Result<Report> {
        match self {
            Self::GetCapability {
                area,
                sub_cap,
                sub_hex,
            } => {
                let sub = match sub_hex {
                    Some(h) => hex::decode(&h)?,
                    None => sub_cap_bytes(area, sub_cap.as_deref())?,
                };
                get_capability(ctx, area, &sub)
            }
            Self::SetCapability {
                area,
                sub_cap,
                value,
                hex_value,
                owner,
            } => {
                let value = if hex_value {
                    hex::decode(&value)?
                } else {
                    vec![u8::from(parse_bool(&value)?)]
                };
                let secret = owner.optional(ctx)?;
                let mut s = ctx.oiap_if(secret.as_deref())?;
                let sub = sub_cap.to_be_bytes();
                ctx.tpm
                    .set_capability(area, &sub, &value, s.as_mut().map(Auth::last))?;
                Ok(Report::new())
            }
            Self::GetCapabilityOwner { owner } => {
                let secret = owner.get(ctx)?;
                let mut s = ctx.oiap(&secret)?;
                let out = ctx.tpm.get_capability_owner(Auth::last(&mut s))?;
                Ok(Report::new()
                    .with("version", format!("{:?}", out.version))
                    .with(
                        "non_volatile_flags",
                        format!("{:#010x}", out.non_volatile_flags),
                    )
                    .with("volatile_flags", format!("{:#010x}", out.volatile_flags)))
            }
            Self::GetAuditDigest { start } => {
                let out = ctx.tpm.get_audit_digest(Ordinal(start))?;
                let ords: Vec<Value> = out
                    .ord_list
                    .ordinals
                    .iter()
                    .map(|o| format!("{o:?}").into())
                    .collect();
                Ok(Report::new()
                    .with("counter", out.counter_value.counter)
                    .hex("audit_digest", &out.audit_digest)
                    .with("more", out.more)
                    .with("ordinals", ords))
            }
            Self::GetAuditDigestSigned {
                key,
                key_secret,
                close,
                nonce,
                out,
            } => {
                let nonce = hex::decode_array::<20>(&nonce)?;
                let secret = key_secret.optional(ctx)?;
                let mut s = ctx.oiap_if(secret.as_deref())?;
                let signed = ctx.tpm.get_audit_digest_signed(
                    key,
                    close,
                    &nonce,
                    s.as_mut().map(Auth::last),
                )?;
                if let Some(path) = out {
                    write_file(&path, &signed.sig.0)?;
                }
                Ok(Report::new()
                    .with("counter", signed.counter_value.counter)
                    .hex("audit_digest", &signed.audit_digest)
                    .hex("ordinal_digest", &signed.ordinal_digest)
                    .hex("signature", &signed.sig.0))
            }
            Self::SetOrdinalAuditStatus {
                ordinal,
                state,
                owner,
            } => {
                let secret = owner.get(ctx)?;
                let mut s = ctx.oiap(&secret)?;
                ctx.tpm
                    .set_ordinal_audit_status(ordinal, state, Auth::last(&mut s))?;
                Ok(Report::new())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_go_by_spec_name_short_name_or_number() {
        assert_eq!(
            parse_area("TPM_CAP_PROPERTY").unwrap(),
            CapabilityArea::TPM_CAP_PROPERTY
        );
        assert_eq!(
            parse_area("version-val").unwrap(),
            CapabilityArea::TPM_CAP_VERSION_VAL
        );
        assert_eq!(parse_area("5").unwrap(), CapabilityArea::TPM_CAP_PROPERTY);
    }

    #[test]
    fn uint16_sub_capabilities_are_two_bytes() {
        let pid = sub_cap_bytes(CapabilityArea::TPM_CAP_PID, Some("1")).unwrap();
        assert_eq!(pid, [0, 1]);
        let prop = sub_cap_bytes(CapabilityArea::TPM_CAP_PROPERTY, Some("TPM_CAP_PROP_PCR"));
        assert_eq!(prop.unwrap(), [0, 0, 1, 1]);
    }
}
