//! What every subcommand works with: the client on the chosen TPM, the secret rules of
//! the command line, and the small parsers for handles, numbers, PCR lists and files.

use crate::error::{Error, Result};
use crate::secrets::SecretRules;
use std::path::Path;
use tpm_client::{AuthSession, Client, Transport};
use tpm_marshal::{AuthData, EntityType, Handle, KeyHandle, PcrSelection};

/// The client and the secret rules of one run.
pub struct Ctx {
    /// The client on the TPM named by `--tpm`.
    pub tpm: Client<Box<dyn Transport>>,
    /// How secrets on this command line are read.
    pub secrets: SecretRules,
}

impl core::fmt::Debug for Ctx {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Ctx")
            .field("secrets", &self.secrets)
            .finish_non_exhaustive()
    }
}

impl Ctx {
    /// Part 3, 18.1 TPM_OIAP, keyed with `secret`.
    pub fn oiap(&mut self, secret: &AuthData) -> Result<AuthSession> {
        let mut s = self.tpm.oiap()?;
        s.set_secret(*secret);
        Ok(s)
    }

    /// Part 3, 18.1 TPM_OIAP keyed with `secret`, or none without a secret.
    pub fn oiap_if(&mut self, secret: Option<&AuthData>) -> Result<Option<AuthSession>> {
        secret.map(|s| self.oiap(s)).transpose()
    }

    /// Part 3, 18.2 TPM_OSAP for the owner.
    pub fn osap_owner(&mut self, owner: &AuthData) -> Result<AuthSession> {
        let handle = KeyHandle::TPM_KH_OWNER.0;
        Ok(self.tpm.osap(EntityType::TPM_ET_OWNER, handle, owner)?)
    }

    /// Part 3, 18.2 TPM_OSAP for a loaded key (or the SRK).
    pub fn osap_key(&mut self, key: Handle, secret: &AuthData) -> Result<AuthSession> {
        let et = if key == KeyHandle::TPM_KH_SRK.0 {
            EntityType::TPM_ET_SRK
        } else {
            EntityType::TPM_ET_KEYHANDLE
        };
        Ok(self.tpm.osap(et, key, secret)?)
    }
}

/// A handle: `srk`, `owner`, `ek`, ... (TPM_KH_*), or a number (`0x` hex or decimal).
pub fn parse_handle(s: &str) -> Result<Handle> {
    let named = format!("TPM_KH_{}", s.to_ascii_uppercase());
    match KeyHandle::from_name(&named) {
        Some(h) => Ok(h.0),
        None => parse_u32(s),
    }
}

/// A number, `0x` hex or decimal.
pub fn parse_u32(s: &str) -> Result<u32> {
    let parsed = match s.strip_prefix("0x") {
        Some(h) => u32::from_str_radix(h, 16),
        None => s.parse(),
    };
    parsed.map_err(|_| Error::usage(format!("not a number: {s:?}")))
}

/// A yes/no word.
pub fn parse_bool(s: &str) -> Result<bool> {
    match s {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(Error::usage(format!("not a yes/no value: {s:?}"))),
    }
}

/// Part 2, 8.1 TPM_PCR_SELECTION of `pcrs`, at least 3 bytes wide (24 PCRs).
pub fn selection(pcrs: &[u32]) -> Result<PcrSelection> {
    let max = pcrs.iter().max().copied().unwrap_or(0);
    let size = usize::try_from(max / 8 + 1).map_err(|_| Error::usage("PCR index"))?;
    PcrSelection::new(size.max(3), pcrs).ok_or_else(|| Error::usage("PCR selection"))
}

/// A whole file.
pub fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::file(path, e))
}

/// Writes a whole file.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| Error::file(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_names_or_numbers() {
        assert_eq!(parse_handle("srk").unwrap(), 0x4000_0000);
        assert_eq!(parse_handle("0x01000000").unwrap(), 0x0100_0000);
        assert_eq!(parse_handle("16").unwrap(), 16);
        assert!(parse_handle("nope").is_err());
    }

    #[test]
    fn selection_is_at_least_three_bytes() {
        assert_eq!(selection(&[16]).unwrap().pcr_select, vec![0, 0, 1]);
    }
}
