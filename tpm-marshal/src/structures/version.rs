//! Part 2, 5.1-5.3: structure and TPM versions.

tpm_struct! {
    /// Part 2, 5.1 TPM_STRUCT_VER: the 1.1 version field (always 1.1.0.0 in 1.2 TPMs).
    pub struct StructVer = "TPM_STRUCT_VER" {
        pub major: u8,
        pub minor: u8,
        pub rev_major: u8,
        pub rev_minor: u8,
    }
}

impl StructVer {
    /// 1.1.0.0, the value TPM_KEY, TPM_STORED_DATA, TPM_QUOTE_INFO ... must carry.
    pub const V1_1: Self = Self {
        major: 1,
        minor: 1,
        rev_major: 0,
        rev_minor: 0,
    };
}

tpm_struct! {
    /// Part 2, 5.3 TPM_VERSION: the TPM's version (major.minor of the spec, revMajor.revMinor
    /// of the manufacturer's firmware).
    pub struct Version = "TPM_VERSION" {
        pub major: u8,
        pub minor: u8,
        pub rev_major: u8,
        pub rev_minor: u8,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    round_trip_tests! {
        struct_ver_round_trips: StructVer,
        version_round_trips: Version,
    }
}
