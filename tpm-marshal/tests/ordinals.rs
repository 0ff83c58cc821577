//! Every ordinal of Part 3 (as listed in /work/shared/spec/ordinals.md, transcribed into
//! `tests/data/ordinals.tsv`) has its named constant, and every return code matches the
//! TSS header. The TSS headers are read when present (always under CI).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use tpm_marshal::{Ordinal, ReturnCode};

const ORDINAL_HEADER: &str = "/usr/include/tss/tpm_ordinal.h";
const ERROR_HEADER: &str = "/usr/include/tss/tpm_error.h";

/// (name, value, chapter) rows of the transcribed table.
fn table() -> Vec<(String, u32, u32)> {
    include_str!("data/ordinals.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 3, "bad row {l:?}");
            let hex = cols[1].strip_prefix("0x").expect("hex value");
            (
                cols[0].to_string(),
                u32::from_str_radix(hex, 16).unwrap(),
                cols[2].parse().unwrap(),
            )
        })
        .collect()
}

/// Reads a TSS header if it exists; under CI it must.
fn header(path: &str) -> Option<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(e) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{path} must exist under CI (install libtspi-dev): {e}"
            );
            println!("note: {path} not found ({e}); skipping the header comparison");
            None
        }
    }
}

/// Evaluates a header value such as `((UINT32)(TPM_E_BASE + TPM_E_NON_FATAL + 1))`.
fn eval(expr: &str, known: &BTreeMap<String, u32>) -> Option<u32> {
    let cleaned = expr
        .replace("(UINT32)", "")
        .replace("(UINT16)", "")
        .replace(['(', ')'], "");
    let mut sum = 0u32;
    for term in cleaned.split('+').map(str::trim) {
        let v = if let Some(hex) = term.strip_prefix("0x") {
            u32::from_str_radix(hex, 16).ok()?
        } else if term.chars().all(|c| c.is_ascii_digit()) {
            term.parse().ok()?
        } else {
            *known.get(term)?
        };
        sum = sum.checked_add(v)?;
    }
    Some(sum)
}

/// Every `#define NAME value` of a header whose name starts with one of `prefixes`.
fn defines(text: &str, prefixes: &[&str]) -> BTreeMap<String, u32> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.trim().strip_prefix("#define") else {
            continue;
        };
        let mut parts = rest.trim().splitn(2, char::is_whitespace);
        let (Some(name), Some(value)) = (parts.next(), parts.next()) else {
            continue;
        };
        let value = value.split("//").next().unwrap_or("").trim();
        if let Some(v) = eval(value, &out) {
            out.insert(name.to_string(), v);
        }
    }
    out.retain(|name, _| prefixes.iter().any(|p| name.starts_with(p)));
    out
}

#[test]
fn every_ordinal_in_the_table_has_its_constant() {
    let rows = table();
    assert_eq!(rows.len(), 125, "ordinals.md lists 125 ordinals");
    for (name, value, chapter) in &rows {
        let ord = Ordinal::from_name(name).unwrap_or_else(|| panic!("no constant {name}"));
        assert_eq!(ord.0, *value, "{name} (Part 3, {chapter})");
        assert!((3..=28).contains(chapter), "{name}: chapter {chapter}");
    }
}

#[test]
fn every_named_ordinal_is_in_the_table() {
    let rows = table();
    assert_eq!(Ordinal::NAMED.len(), 125);
    for (name, ord) in Ordinal::NAMED {
        assert!(
            rows.iter().any(|(n, v, _)| n == name && *v == ord.0),
            "{name} = {:#x} is not in ordinals.md",
            ord.0
        );
    }
}

#[test]
fn ordinals_match_the_tss_header() {
    let Some(text) = header(ORDINAL_HEADER) else {
        return;
    };
    let hdr = defines(&text, &["TPM_ORD_", "TSC_ORD_"]);
    assert_eq!(hdr.len(), 125, "{ORDINAL_HEADER} ordinals");
    for (name, value) in &hdr {
        assert_eq!(
            Ordinal::from_name(name).map(|o| o.0),
            Some(*value),
            "{name} from the header"
        );
    }
    for (name, ord) in Ordinal::NAMED {
        assert_eq!(hdr.get(*name), Some(&ord.0), "{name} in the header");
    }
}

/// The header spells return codes `TPM_E_X`; the spec (and we) `TPM_X`.
fn spec_name(header_name: &str) -> String {
    match header_name.strip_prefix("TPM_E_") {
        Some(rest) => format!("TPM_{rest}"),
        None => header_name.to_string(),
    }
}

#[test]
fn return_codes_match_the_tss_header() {
    let Some(text) = header(ERROR_HEADER) else {
        return;
    };
    let mut hdr = defines(&text, &["TPM_E_", "TPM_SUCCESS"]);
    assert_eq!(hdr.remove("TPM_E_BASE"), Some(0));
    assert_eq!(
        hdr.remove("TPM_E_NON_FATAL"),
        Some(tpm_marshal::TPM_NON_FATAL)
    );
    let hdr: BTreeMap<String, u32> = hdr.into_iter().map(|(n, v)| (spec_name(&n), v)).collect();
    for (name, value) in &hdr {
        assert_eq!(
            ReturnCode::from_name(name).map(|rc| rc.0),
            Some(*value),
            "{name} from the header"
        );
    }
    for (name, rc) in ReturnCode::NAMED {
        assert_eq!(hdr.get(*name), Some(&rc.0), "{name} in the header");
    }
    assert_eq!(hdr.len(), ReturnCode::NAMED.len());
}

#[test]
fn return_code_names_round_trip() {
    for (name, rc) in ReturnCode::NAMED {
        assert_eq!(rc.name(), Some(*name));
        assert_eq!(format!("{rc:?}"), *name);
    }
    assert_eq!(format!("{:?}", ReturnCode(0x777)), "ReturnCode(0x777)");
}
