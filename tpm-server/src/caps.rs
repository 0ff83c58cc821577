//! The JSON that tools read: `--print-capabilities` (libvirt looks for "tpm-1.2" and the
//! cmdarg features) and CMD_GET_INFO.

/// SWTPM_INFO_TPMSPECIFICATION.
pub const INFO_TPMSPECIFICATION: u64 = 1;
/// SWTPM_INFO_TPMATTRIBUTES.
pub const INFO_TPMATTRIBUTES: u64 = 2;

/// The features this server honours, in swtpm's vocabulary.
pub const FEATURES: &[&str] = &[
    "tpm-1.2",
    "flags-opt-startup",
    "ctrl-opt-terminate",
    "cmdarg-key-fd",
    "cmdarg-pwd-fd",
    "nvram-backend-dir",
    "tpmstate-opt-lock",
    "cmdarg-print-states",
];

/// `--print-capabilities` output.
pub fn capabilities_json() -> String {
    let features: Vec<String> = FEATURES.iter().map(|f| format!("\"{f}\"")).collect();
    format!(
        "{{ \"type\": \"swtpm\", \"features\": [ {} ], \"version\": \"{}\" }}",
        features.join(", "),
        env!("CARGO_PKG_VERSION")
    )
}

/// `--print-states` output: the blobs present in `dir` under swtpm's names (swtpm_setup
/// looks for "permall" to tell an existing TPM).
pub fn states_json(dir: &std::path::Path) -> String {
    let states: Vec<String> = tpm_core::BlobName::ALL
        .iter()
        .filter_map(|&blob| {
            let size = std::fs::metadata(dir.join(blob.file_name())).ok()?.len();
            Some(format!(
                "{{\"name\": \"{}\", \"size\": {size}}}",
                swtpm_state_name(blob)
            ))
        })
        .collect();
    if states.is_empty() {
        return "{ \"type\": \"swtpm\", \"states\": [] }".to_string();
    }
    format!(
        "{{ \"type\": \"swtpm\", \"states\": [ {} ] }}",
        states.join(", ")
    )
}

/// swtpm's name for a state blob.
fn swtpm_state_name(blob: tpm_core::BlobName) -> &'static str {
    match blob {
        tpm_core::BlobName::Permanent => "permall",
        tpm_core::BlobName::Volatile => "volatilestate",
        tpm_core::BlobName::SaveState => "savestate",
    }
}

/// CMD_GET_INFO's JSON for `flags` (unknown bits ignored, as libtpms does).
pub fn info_json(flags: u64) -> String {
    let mut parts = Vec::new();
    if flags & INFO_TPMSPECIFICATION != 0 {
        parts.push("\"TPMSpecification\":{\"family\":\"1.2\",\"level\":2,\"revision\":116}");
    }
    if flags & INFO_TPMATTRIBUTES != 0 {
        parts.push(
            "\"TPMAttributes\":{\"manufacturer\":\"id:00000000\",\"version\":\"id:00010002\",\"model\":\"tpmd\"}",
        );
    }
    format!("{{{}}}", parts.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_list_tpm12() {
        let json = capabilities_json();
        assert!(json.starts_with("{ \"type\": \"swtpm\", \"features\": [ \"tpm-1.2\", "));
        assert!(!json.contains("tpm-2.0"));
    }

    #[test]
    fn states_json_names_present_blobs_like_swtpm() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            states_json(dir.path()),
            "{ \"type\": \"swtpm\", \"states\": [] }"
        );
        std::fs::write(dir.path().join("tpm-permanent.state"), [0u8; 5]).unwrap();
        assert_eq!(
            states_json(dir.path()),
            "{ \"type\": \"swtpm\", \"states\": [ {\"name\": \"permall\", \"size\": 5} ] }"
        );
    }

    #[test]
    fn info_json_combines_flags() {
        assert_eq!(info_json(0), "{}");
        assert!(info_json(3).starts_with("{\"TPMSpecification\":{\"family\":\"1.2\""));
        assert!(info_json(3).contains(",\"TPMAttributes\":{"));
    }
}
