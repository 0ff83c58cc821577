//! Secrets on the command line, as the TSS takes them: a password is hashed with SHA-1
//! into the 20-byte auth value; with `--hex` it is the auth value itself (40 hex digits);
//! with `-z` a secret not given is the TCG well-known secret (20 zero bytes).

use crate::error::{Error, Result};
use crate::hex;
use tpm_client::session::sha1;
use tpm_marshal::AuthData;
use zeroize::Zeroizing;

/// Part 1, 13.1 (TPM_AUTHDATA): the well-known secret, 20 zero bytes.
pub const WELL_KNOWN: AuthData = [0; 20];

/// How the secrets of one command line are read.
#[derive(Debug, Clone, Copy, Default)]
pub struct SecretRules {
    /// Secrets are 40 hex digits, not passwords.
    pub hex: bool,
    /// A secret not given is the well-known secret.
    pub well_known: bool,
}

impl SecretRules {
    /// The auth value for `given`, a secret the command needs; `what` names its option
    /// for the error.
    pub fn required(&self, given: Option<&str>, what: &str) -> Result<Zeroizing<AuthData>> {
        self.optional(given)?
            .ok_or_else(|| Error::usage(format!("this command needs {what} (or -z)")))
    }

    /// The auth value for `given`, or the well-known secret under `-z`, or `None`.
    pub fn optional(&self, given: Option<&str>) -> Result<Option<Zeroizing<AuthData>>> {
        match given {
            Some(s) => self.parse(s).map(Some),
            None if self.well_known => Ok(Some(Zeroizing::new(WELL_KNOWN))),
            None => Ok(None),
        }
    }

    /// One secret as the rules say.
    fn parse(&self, s: &str) -> Result<Zeroizing<AuthData>> {
        if !self.hex {
            return Ok(Zeroizing::new(sha1(&[s.as_bytes()])));
        }
        let bytes = Zeroizing::new(hex::decode(s)?);
        let auth: AuthData = bytes
            .as_slice()
            .try_into()
            .map_err(|_| Error::usage("a --hex secret is 40 hex digits"))?;
        Ok(Zeroizing::new(auth))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_is_its_sha1() {
        let rules = SecretRules::default();
        let auth = rules.required(Some("abc"), "--pwdo").unwrap();
        assert_eq!(
            hex::encode(&*auth),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
    }

    #[test]
    fn hex_secrets_are_taken_as_they_are() {
        let rules = SecretRules {
            hex: true,
            well_known: false,
        };
        let auth = rules.required(Some(&"11".repeat(20)), "--pwdo").unwrap();
        assert_eq!(*auth, [0x11; 20]);
        assert!(rules.required(Some("1122"), "--pwdo").is_err());
    }

    #[test]
    fn missing_secrets_are_well_known_only_under_z() {
        let strict = SecretRules::default();
        assert!(strict.required(None, "--pwds").is_err());
        assert!(strict.optional(None).unwrap().is_none());
        let z = SecretRules {
            hex: false,
            well_known: true,
        };
        assert_eq!(*z.required(None, "--pwds").unwrap(), WELL_KNOWN);
    }
}
