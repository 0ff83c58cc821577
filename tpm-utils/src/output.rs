//! What a subcommand prints: a [`Report`] of named values, shown as `name: value` lines
//! or, with `--json`, as one JSON object.

use crate::hex;
use serde_json::{Map, Value};

/// The named results of one subcommand, in order.
#[derive(Debug, Default)]
pub struct Report(Map<String, Value>);

impl Report {
    /// An empty report (prints nothing in text mode).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `key` with a value.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.0.insert(key.to_string(), value.into());
        self
    }

    /// Adds `key` as hex text.
    pub fn hex(self, key: &str, bytes: &[u8]) -> Self {
        self.with(key, hex::encode(bytes))
    }

    /// Adds a handle as `0x` and eight hex digits.
    pub fn handle(self, key: &str, handle: u32) -> Self {
        self.with(key, format!("{handle:#010x}"))
    }

    /// The report as text: one `name: value` line per entry (strings unquoted).
    pub fn to_text(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => format!("{k}: {s}\n"),
                v => format!("{k}: {v}\n"),
            })
            .collect()
    }

    /// The report as one line of JSON.
    pub fn to_json(&self) -> String {
        format!("{}\n", Value::Object(self.0.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_has_one_line_per_entry_and_json_one_object() {
        let r = Report::new().hex("digest", &[1, 2]).with("count", 3);
        assert_eq!(r.to_text(), "digest: 0102\ncount: 3\n");
        assert_eq!(r.to_json(), "{\"digest\":\"0102\",\"count\":3}\n");
    }
}
