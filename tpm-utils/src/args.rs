//! The secret options subcommands share (IBM's names: `--pwdo` owner, `--pwds` SRK,
//! `--pwdk` key, `--pwdp` parent key, `--pwdd` data, `--pwdn` new secret, `--pwdc`
//! counter, `--pwdop` operator, `--pwdcert` certifying key, `--pwda` NV area, `--pwddel` delegation, `--pwdt` transport session). See [`crate::secrets`] for how they are read.

use crate::ctx::Ctx;
use crate::error::Result;
use clap::Args;
use tpm_marshal::AuthData;
use zeroize::Zeroizing;

macro_rules! secret_option {
    ($(#[doc = $doc:literal] $name:ident $field:ident $flag:literal;)*) => {$(
        #[doc = $doc]
        #[derive(Args, Debug, Clone, Default)]
        pub struct $name {
            #[doc = $doc]
            #[doc = " A password (SHA-1 hashed), 40 hex digits with --hex, well-known with -z."]
            #[arg(long = $flag, value_name = "SECRET")]
            pub $field: Option<String>,
        }

        // Each option gets both readers; not every option is used both ways.
        #[allow(dead_code)]
        impl $name {
            /// The secret; a usage error when missing without `-z`.
            pub fn get(&self, ctx: &Ctx) -> Result<Zeroizing<AuthData>> {
                ctx.secrets.required(self.$field.as_deref(), concat!("--", $flag))
            }

            /// The secret if given (or well-known under `-z`).
            pub fn optional(&self, ctx: &Ctx) -> Result<Option<Zeroizing<AuthData>>> {
                ctx.secrets.optional(self.$field.as_deref())
            }
        }
    )*};
}

secret_option! {
    /// The owner secret.
    OwnerSecret pwdo "pwdo";
    /// The SRK usage secret.
    SrkSecret pwds "pwds";
    /// The key's usage secret.
    KeySecret pwdk "pwdk";
    /// The parent (storage) key's usage secret.
    ParentSecret pwdp "pwdp";
    /// The sealed data's secret.
    DataSecret pwdd "pwdd";
    /// The new secret (of a key, an NV area, a counter, the owner ...).
    NewSecret pwdn "pwdn";
    /// The counter's secret.
    CounterSecret pwdc "pwdc";
    /// The operator secret.
    OperatorSecret pwdop "pwdop";
    /// The certifying key's usage secret.
    CertSecret pwdcert "pwdcert";
    /// The NV area's secret.
    AreaSecret pwda "pwda";
    /// The delegated secret (DSAP).
    DelegateSecret pwddel "pwddel";
    /// The transport session's secret.
    TransportSecret pwdt "pwdt";
}
