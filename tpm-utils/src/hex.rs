//! Hex text for digests, nonces and data on the command line and in output.

use crate::error::{Error, Result};

/// Lower-case hex of `bytes`.
pub fn encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes from hex text (an optional `0x` prefix; upper or lower case).
pub fn decode(s: &str) -> Result<Vec<u8>> {
    let s = s.strip_prefix("0x").unwrap_or(s);
    let bad = || Error::usage(format!("not hex: {s:?}"));
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return Err(bad());
    }
    (0..s.len())
        .step_by(2)
        .map(|i| {
            s.get(i..i + 2)
                .and_then(|d| u8::from_str_radix(d, 16).ok())
                .ok_or_else(bad)
        })
        .collect()
}

/// Exactly `N` bytes from hex text.
pub fn decode_array<const N: usize>(s: &str) -> Result<[u8; N]> {
    decode(s)?
        .try_into()
        .map_err(|_| Error::usage(format!("expected {} hex digits: {s:?}", 2 * N)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_what_it_encodes() {
        assert_eq!(decode(&encode(&[0, 0xab, 0xff])).unwrap(), [0, 0xab, 0xff]);
        assert_eq!(decode("0xAB").unwrap(), [0xab]);
    }

    #[test]
    fn rejects_odd_or_non_hex_text() {
        for s in ["abc", "zz", "é0"] {
            assert!(decode(s).is_err(), "{s}");
        }
        assert!(decode_array::<2>("aabbcc").is_err());
    }
}
