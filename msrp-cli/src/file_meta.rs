//! A file as RFC 5547 section 6 describes it in SDP (`a=file-selector` with name, type,
//! size and SHA-1 hash, `a=file-transfer-id`, `a=file-disposition`, `a=file-range`), and
//! what a receiver expects from such a description.

use std::path::Path;

use msrp_sdp::{FileRange, MediaDescription};
use sha1::{Digest, Sha1};
use tokio::io::AsyncReadExt;

/// What the sender's offer says about the file it sends.
#[derive(Debug, Clone)]
pub(crate) struct FileMeta {
    /// The file name (no directories).
    pub(crate) name: String,
    /// Its media type.
    pub(crate) content_type: String,
    /// Its size in octets.
    pub(crate) size: u64,
    /// Its SHA-1 in RFC 5547 form (upper-case hex pairs with colons).
    pub(crate) sha1: String,
    /// The part sent (RFC 5547 `file-range`, 1-based inclusive), when not the whole file.
    pub(crate) range: Option<FileRange>,
}

impl FileMeta {
    /// Reads `path` once to learn its size and SHA-1.
    pub(crate) async fn of_file(
        path: &Path,
        content_type: String,
        range: Option<FileRange>,
    ) -> std::io::Result<FileMeta> {
        let mut f = tokio::fs::File::open(path).await?;
        let mut hasher = Sha1::new();
        let mut buf = vec![0u8; 256 * 1024];
        let mut size = 0u64;
        loop {
            let n = f.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            size += n as u64;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "file".into());
        Ok(FileMeta {
            name,
            content_type,
            size,
            sha1: sha1_colon_hex(&hasher.finalize()),
            range,
        })
    }

    /// The octets sent: `(offset from 0, length)`.
    pub(crate) fn sent_part(&self) -> (u64, u64) {
        match self.range {
            None => (0, self.size),
            Some(r) => {
                let start = r.start.saturating_sub(1).min(self.size);
                let stop = r.stop.unwrap_or(self.size).min(self.size);
                (start, stop.saturating_sub(start))
            }
        }
    }

    /// The `a=file-selector` value (RFC 5547 section 6).
    pub(crate) fn selector(&self) -> String {
        format!(
            "name:\"{}\" type:{} size:{} hash:sha-1:{}",
            encode_name(&self.name),
            self.content_type,
            self.size,
            self.sha1
        )
    }

    /// The `a=file-range` value, when only part of the file is sent.
    pub(crate) fn range_value(&self) -> Option<String> {
        self.range.map(|r| match r.stop {
            Some(stop) => format!("{}-{stop}", r.start),
            None => format!("{}-*", r.start),
        })
    }
}

/// Parses `--range START-STOP` (RFC 5547 `file-range` syntax: 1-based, inclusive, STOP
/// may be `*`).
pub(crate) fn parse_range(s: &str) -> Result<FileRange, String> {
    let (a, b) = s
        .split_once('-')
        .ok_or_else(|| format!("not START-STOP: {s:?}"))?;
    let start: u64 = a
        .parse()
        .map_err(|_| format!("not a start offset: {a:?}"))?;
    let stop = if b == "*" {
        None
    } else {
        Some(b.parse().map_err(|_| format!("not a stop offset: {b:?}"))?)
    };
    if start == 0 || stop.is_some_and(|s| s < start) {
        return Err(format!(
            "offsets count from 1 and STOP is not before START: {s:?}"
        ));
    }
    Ok(FileRange { start, stop })
}

/// SHA-1 as RFC 5547 writes it: each byte in upper-case hex, separated by colons.
pub(crate) fn sha1_colon_hex(digest: &[u8]) -> String {
    let mut s = String::with_capacity(digest.len() * 3);
    for (i, b) in digest.iter().enumerate() {
        if i > 0 {
            s.push(':');
        }
        s.push_str(&format!("{b:02X}"));
    }
    s
}

/// A file name for the `name` selector: UTF-8 with the bytes the syntax does not allow
/// (NUL, CR, LF, `"`, `%`) percent-encoded.
fn encode_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '\0' | '\r' | '\n' | '"' | '%' => out.push_str(&format!("%{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// What a receiver checks a file against: the selectors of the offer it answered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Expected {
    /// The decoded file name.
    pub(crate) name: Option<String>,
    /// The whole file's size.
    pub(crate) size: Option<u64>,
    /// The whole file's SHA-1 (upper-case, colons).
    pub(crate) sha1: Option<String>,
    /// The part that is sent.
    pub(crate) range: Option<FileRange>,
}

impl Expected {
    /// The expectations of a media description with `a=file-selector`; `None` without.
    /// A hash in another algorithm than SHA-1 is an error (it cannot be checked).
    pub(crate) fn from_media(m: &MediaDescription) -> Result<Option<Expected>, String> {
        let Some(sel) = m.file_selector() else {
            return Ok(None);
        };
        if let Some(raw) = sel.raw
            && sel.name.is_none()
            && sel.size.is_none()
            && sel.hash.is_none()
            && sel.type_.is_none()
        {
            return Err(format!(
                "a=file-selector:{raw} is not valid (RFC 5547 section 6)"
            ));
        }
        let sha1 = match sel.hash {
            None => None,
            Some(h) if h.algorithm.eq_ignore_ascii_case("sha-1") || h.algorithm == "sha1" => {
                Some(h.value.to_ascii_uppercase())
            }
            Some(h) => return Err(format!("hash algorithm {} cannot be checked", h.algorithm)),
        };
        Ok(Some(Expected {
            name: sel.name_decoded(),
            size: sel.size,
            sha1,
            range: m.file_range(),
        }))
    }

    /// Where the received octets go in the file, from 0 (the file-range start).
    pub(crate) fn offset(&self) -> u64 {
        self.range.map_or(0, |r| r.start.saturating_sub(1))
    }
}

/// Makes a received file name safe to create in the save directory: no directories, no
/// leading dots, no control characters; empty names become `file`.
pub(crate) fn safe_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .map(|c| if c.is_control() { '_' } else { c })
        .collect();
    let cleaned = cleaned.trim_start_matches('.').trim().to_owned();
    if cleaned.is_empty() {
        "file".into()
    } else {
        cleaned
    }
}

/// A media type for a file name by its extension; `application/octet-stream` otherwise.
pub(crate) fn guess_type(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("txt") => "text/plain",
        Some("html" | "htm") => "text/html",
        Some("json") => "application/json",
        Some("xml") => "application/xml",
        Some("pdf") => "application/pdf",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("png") => "image/png",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("mp4") => "video/mp4",
        Some("mp3") => "audio/mpeg",
        Some("zip") => "application/zip",
        Some("vcf") => "text/vcard",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selector_round_trips_through_the_sdp_parser() {
        let meta = FileMeta {
            name: "My \"cool\" 100%.jpg".into(),
            content_type: "image/jpeg".into(),
            size: 32349,
            sha1: sha1_colon_hex(&[0x72, 0x24, 0x5f]),
            range: Some(FileRange {
                start: 1001,
                stop: None,
            }),
        };
        let text = format!(
            "m=message 9 TCP/MSRP *\r\na=accept-types:image/jpeg\r\n\
             a=path:msrp://a.example:9/x;tcp\r\na=file-selector:{}\r\na=file-range:{}\r\n",
            meta.selector(),
            meta.range_value().unwrap()
        );
        let (sdp, _) = msrp_sdp::SessionDescription::parse_with(
            text.as_bytes(),
            &msrp_sdp::ParseOptions::STRICT.fragment(),
        )
        .unwrap();
        let exp = Expected::from_media(&sdp.media[0]).unwrap().unwrap();
        assert_eq!(exp.name.as_deref(), Some("My \"cool\" 100%.jpg"));
        assert_eq!(exp.size, Some(32349));
        assert_eq!(exp.sha1.as_deref(), Some("72:24:5F"));
        assert_eq!(exp.offset(), 1000);
        assert_eq!(meta.sent_part(), (1000, 31349));
    }

    #[test]
    fn ranges_and_names() {
        assert_eq!(
            parse_range("5-10"),
            Ok(FileRange {
                start: 5,
                stop: Some(10)
            })
        );
        assert!(parse_range("0-10").is_err());
        assert!(parse_range("10-5").is_err());
        assert!(parse_range("x").is_err());
        assert_eq!(safe_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_name(".."), "file");
        assert_eq!(safe_name("a\nb"), "a_b");
        assert_eq!(guess_type("A.JPG"), "image/jpeg");
    }
}
