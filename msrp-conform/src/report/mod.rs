//! Results written out: a readable table ([`table`]), one JSON object per result
//! ([`json`], NDJSON), JUnit XML for CI systems ([`junit`]).

pub mod json;
pub mod junit;
pub mod table;

/// Bytes as text for a report: printable ASCII as it is, CR and LF as `\r` and `\n`
/// (a line break after `\n`, so chunks read as they were), other bytes as `\xHH`.
pub fn printable(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 8);
    for &b in bytes {
        match b {
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n\n"),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn printable_escapes_what_is_not_ascii_text() {
        assert_eq!(
            super::printable(b"a\r\n\x00\\\xff"),
            "a\\r\\n\n\\x00\\\\\\xff"
        );
    }
}
