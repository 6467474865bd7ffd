//! Where a received file goes: streamed to disk as it arrives (never whole in memory),
//! hashed on the way, and checked against the offer's file-selector (RFC 5547 section 6)
//! once it is complete.

use std::io::SeekFrom;
use std::path::{Path, PathBuf};

use sha1::{Digest, Sha1};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use crate::file_meta::{Expected, sha1_colon_hex};

/// A file being received.
pub(crate) struct Sink {
    file: Option<tokio::fs::File>,
    /// Where the bytes are written; renamed to `final_path` when complete.
    writing: Option<PathBuf>,
    final_path: Option<PathBuf>,
    /// Where the message's first octet goes in the file (a `file-range` start).
    base: u64,
    /// SHA-1 of the message so far, while it arrives in order from offset 0.
    hasher: Option<Sha1>,
    next: u64,
    received: u64,
    expected: Option<Expected>,
}

/// How a received file ended up.
#[derive(Debug)]
pub(crate) struct Saved {
    /// Where it is, when saved.
    pub(crate) path: Option<PathBuf>,
    /// Octets of the message received.
    pub(crate) received: u64,
    /// The size of the whole file (with a resumed file's earlier part).
    pub(crate) file_size: u64,
    /// The SHA-1 of the whole file, when it could be computed.
    pub(crate) sha1: Option<String>,
    /// Whether it matched the offer: `None` without an offer to check against.
    pub(crate) verified: Option<bool>,
    /// What did not match.
    pub(crate) mismatches: Vec<String>,
}

impl Sink {
    /// A sink for a file named `name`; written under `dir` when one is given, otherwise
    /// only counted and hashed. With a `file-range` in `expected` the bytes go into the
    /// existing `dir/name` at the range's offset (resuming it).
    pub(crate) async fn open(
        dir: Option<&Path>,
        name: &str,
        expected: Option<Expected>,
    ) -> std::io::Result<Sink> {
        let base = expected.as_ref().map_or(0, Expected::offset);
        let (file, writing, final_path) = match dir {
            None => (None, None, None),
            Some(dir) if base > 0 => {
                let path = dir.join(name);
                let mut f = tokio::fs::OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(false)
                    .open(&path)
                    .await?;
                f.seek(SeekFrom::Start(base)).await?;
                (Some(f), None, Some(path))
            }
            Some(dir) => {
                let final_path = unique(dir, name);
                let writing = final_path.with_file_name(format!(
                    "{}.part",
                    final_path.file_name().unwrap_or_default().to_string_lossy()
                ));
                let f = tokio::fs::File::create(&writing).await?;
                (Some(f), Some(writing), Some(final_path))
            }
        };
        Ok(Sink {
            file,
            writing,
            final_path,
            base,
            hasher: (base == 0).then(Sha1::new),
            next: 0,
            received: 0,
            expected,
        })
    }

    /// Writes octets that belong at `offset` of the message.
    pub(crate) async fn write(&mut self, offset: u64, data: &[u8]) -> std::io::Result<()> {
        if offset != self.next {
            // Out of order: the hash is computed from the file at the end.
            self.hasher = None;
            if let Some(f) = &mut self.file {
                f.seek(SeekFrom::Start(self.base + offset)).await?;
            }
        }
        if let Some(h) = &mut self.hasher {
            h.update(data);
        }
        if let Some(f) = &mut self.file {
            f.write_all(data).await?;
        }
        self.next = offset + data.len() as u64;
        self.received += data.len() as u64;
        Ok(())
    }

    /// The message is complete: moves the file into place and checks it.
    pub(crate) async fn finish(mut self) -> std::io::Result<Saved> {
        let mut file_size = self.base + self.next.max(self.received);
        if let Some(mut f) = self.file.take() {
            f.flush().await?;
            f.sync_all().await.ok();
            file_size = f.metadata().await?.len();
        }
        if let (Some(from), Some(to)) = (&self.writing, &self.final_path) {
            tokio::fs::rename(from, to).await?;
        }
        self.writing = None;
        let sha1 = match (self.hasher.take(), &self.final_path) {
            (Some(h), _) if self.received == file_size => Some(sha1_colon_hex(&h.finalize())),
            (_, Some(path)) => Some(hash_file(path).await?),
            _ => None,
        };
        let mut mismatches = Vec::new();
        let verified = self.expected.as_ref().map(|e| {
            if let Some(size) = e.size
                && size != file_size
            {
                mismatches.push(format!("size {file_size}, the offer says {size}"));
            }
            if let Some(want) = &e.sha1 {
                match &sha1 {
                    Some(got) if got == want => {}
                    Some(got) => mismatches.push(format!("sha-1 {got}, the offer says {want}")),
                    None => mismatches.push("the sha-1 cannot be checked (not saved)".into()),
                }
            }
            mismatches.is_empty()
        });
        Ok(Saved {
            path: self.final_path.take(),
            received: self.received,
            file_size,
            sha1,
            verified,
            mismatches,
        })
    }

    /// The message was aborted or refused: a partial new file is removed (a resumed one
    /// keeps what it had and what arrived, so that it can be resumed again).
    pub(crate) async fn discard(mut self) {
        self.file.take();
        if let Some(p) = self.writing.take() {
            let _ = tokio::fs::remove_file(p).await;
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        // A sink dropped unfinished (the session ended) leaves no half file behind.
        if let Some(p) = self.writing.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// `dir/name`, or `dir/stem-N.ext` for the first N that does not exist yet.
fn unique(dir: &Path, name: &str) -> PathBuf {
    let first = dir.join(name);
    if !first.exists() {
        return first;
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, format!(".{e}")),
        _ => (name, String::new()),
    };
    (1u32..)
        .map(|n| dir.join(format!("{stem}-{n}{ext}")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

async fn hash_file(path: &Path) -> std::io::Result<String> {
    let mut f = tokio::fs::File::open(path).await?;
    let mut h = Sha1::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = f.read(&mut buf).await?;
        if n == 0 {
            return Ok(sha1_colon_hex(&h.finalize()));
        }
        h.update(&buf[..n]);
    }
}
