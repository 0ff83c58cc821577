//! Part 3, chapter 20: non-volatile storage.

use crate::args::{AreaSecret, OwnerSecret};
use crate::ctx::{parse_u32, read_file, write_file, Ctx};
use crate::error::{Error, Result};
use crate::hex;
use crate::output::Report;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use tpm_client::{flows, Auth};
use tpm_marshal::{NvAttributes, NvIndex};

/// Chapter 20.
#[derive(Subcommand, Debug)]
#[allow(clippy::enum_variant_names)] // the subcommands are named after the ordinals
pub enum Cmd {
    /// Part 3, 20.1 TPM_NV_DefineSpace: defines an area (size 0 deletes it). With --pwdo
    /// the owner authorizes (OSAP); without, only while no owner is installed or nvLocked
    /// is clear.
    NvDefineSpace {
        #[command(flatten)]
        index: IndexArg,
        /// The size in bytes.
        #[arg(long, value_parser = parse_u32)]
        size: u32,
        /// Permissions: a comma-separated list (ownerwrite, ownerread, authwrite, authread,
        /// ppwrite, ppread, writeall, writedefine, write_stclear, read_stclear, globallock)
        /// or a number.
        #[arg(long, default_value = "ownerwrite", value_parser = parse_permissions)]
        permissions: NvAttributes,
        #[command(flatten)]
        owner: OwnerSecret,
        #[command(flatten)]
        area: AreaSecret,
    },
    /// Part 3, 20.2 TPM_NV_WriteValue (owner-authorized with --pwdo).
    NvWriteValue {
        #[command(flatten)]
        index: IndexArg,
        #[command(flatten)]
        data: DataArg,
        #[command(flatten)]
        owner: OwnerSecret,
    },
    /// Part 3, 20.3 TPM_NV_WriteValueAuth: writes an area with its own secret (--pwda).
    NvWriteValueAuth {
        #[command(flatten)]
        index: IndexArg,
        #[command(flatten)]
        data: DataArg,
        #[command(flatten)]
        area: AreaSecret,
    },
    /// Part 3, 20.4 TPM_NV_ReadValue (owner-authorized with --pwdo).
    NvReadValue {
        #[command(flatten)]
        index: IndexArg,
        #[command(flatten)]
        range: RangeArg,
        #[command(flatten)]
        owner: OwnerSecret,
    },
    /// Part 3, 20.5 TPM_NV_ReadValueAuth: reads an area with its own secret (--pwda).
    NvReadValueAuth {
        #[command(flatten)]
        index: IndexArg,
        #[command(flatten)]
        range: RangeArg,
        #[command(flatten)]
        area: AreaSecret,
    },
}

/// The NV index.
#[derive(Args, Debug)]
pub struct IndexArg {
    /// The NV index (0x... or decimal).
    #[arg(long, value_parser = parse_u32)]
    pub index: u32,
}

/// What to write, and where in the area.
#[derive(Args, Debug)]
pub struct DataArg {
    /// The offset in the area.
    #[arg(long, default_value = "0", value_parser = parse_u32)]
    pub offset: u32,
    /// The data as text.
    #[arg(long, conflicts_with_all = ["data_hex", "input"])]
    pub data: Option<String>,
    /// The data as hex.
    #[arg(long, value_name = "HEX", conflicts_with = "input")]
    pub data_hex: Option<String>,
    /// The data from a file.
    #[arg(long = "in", value_name = "FILE")]
    pub input: Option<PathBuf>,
}

impl DataArg {
    /// The bytes to write (none: a zero-length write, which sets the write lock of
    /// TPM_NV_PER_WRITEDEFINE areas).
    fn bytes(&self) -> Result<Vec<u8>> {
        match (&self.data, &self.data_hex, &self.input) {
            (Some(s), _, _) => Ok(s.as_bytes().to_vec()),
            (_, Some(h), _) => hex::decode(h),
            (_, _, Some(path)) => read_file(path),
            _ => Ok(Vec::new()),
        }
    }
}

/// What to read.
#[derive(Args, Debug)]
pub struct RangeArg {
    /// The offset in the area.
    #[arg(long, default_value = "0", value_parser = parse_u32)]
    pub offset: u32,
    /// How many bytes.
    #[arg(long, value_parser = parse_u32)]
    pub size: u32,
    /// Write them here instead of printing them.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

impl RangeArg {
    /// Reports (or writes) what was read.
    fn report(&self, data: &[u8]) -> Result<Report> {
        if let Some(path) = &self.out {
            write_file(path, data)?;
        }
        Ok(Report::new().hex("data", data))
    }
}

/// TPM_NV_ATTRIBUTES from names (comma-separated) or a number.
fn parse_permissions(s: &str) -> Result<NvAttributes> {
    if let Ok(n) = parse_u32(s) {
        return Ok(NvAttributes(n));
    }
    s.split(',').try_fold(NvAttributes(0), |acc, word| {
        let name = format!("TPM_NV_PER_{}", word.trim().to_ascii_uppercase());
        NvAttributes::from_name(&name)
            .map(|a| NvAttributes(acc.0 | a.0))
            .ok_or_else(|| Error::usage(format!("unknown NV permission {word:?}")))
    })
}

impl Cmd {
    /// Runs the subcommand.
    pub fn run(self, ctx: &mut Ctx) -> Result<Report> {
        match self {
            Self::NvDefineSpace {
                index,
                size,
                permissions,
                owner,
                area,
            } => {
                let pub_info = flows::nv_public(NvIndex(index.index), size, permissions);
                let new_auth = area.optional(ctx)?.map_or([0; 20], |a| *a);
                let owner = owner.optional(ctx)?;
                let mut s = owner.map(|o| ctx.osap_owner(&o)).transpose()?;
                ctx.tpm
                    .nv_define_space(&pub_info, &new_auth, s.as_mut().map(Auth::last))?;
                Ok(Report::new())
            }
            Self::NvWriteValue { index, data, owner } => {
                let bytes = data.bytes()?;
                let owner = owner.optional(ctx)?;
                let mut s = ctx.oiap_if(owner.as_deref())?;
                let nv = NvIndex(index.index);
                ctx.tpm
                    .nv_write_value(nv, data.offset, &bytes, s.as_mut().map(Auth::last))?;
                Ok(Report::new().with("bytes", bytes.len()))
            }
            Self::NvWriteValueAuth { index, data, area } => {
                let bytes = data.bytes()?;
                let secret = area.get(ctx)?;
                let mut s = ctx.oiap(&secret)?;
                let nv = NvIndex(index.index);
                ctx.tpm
                    .nv_write_value_auth(nv, data.offset, &bytes, Auth::last(&mut s))?;
                Ok(Report::new().with("bytes", bytes.len()))
            }
            Self::NvReadValue {
                index,
                range,
                owner,
            } => {
                let owner = owner.optional(ctx)?;
                let mut s = ctx.oiap_if(owner.as_deref())?;
                let nv = NvIndex(index.index);
                let data = ctx.tpm.nv_read_value(
                    nv,
                    range.offset,
                    range.size,
                    s.as_mut().map(Auth::last),
                )?;
                range.report(&data)
            }
            Self::NvReadValueAuth { index, range, area } => {
                let secret = area.get(ctx)?;
                let mut s = ctx.oiap(&secret)?;
                let nv = NvIndex(index.index);
                let data =
                    ctx.tpm
                        .nv_read_value_auth(nv, range.offset, range.size, Auth::last(&mut s))?;
                range.report(&data)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_are_names_or_a_number() {
        let p = parse_permissions("ownerwrite,authread").unwrap();
        assert_eq!(
            p.0,
            NvAttributes::TPM_NV_PER_OWNERWRITE.0 | NvAttributes::TPM_NV_PER_AUTHREAD.0
        );
        assert_eq!(parse_permissions("0x2").unwrap().0, 2);
        assert!(parse_permissions("everything").is_err());
    }
}
