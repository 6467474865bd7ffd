//! Limits that bound what a peer can make the codec hold or do.

/// Default for [`Limits::max_start_line`]: 256 bytes. The longest start line the grammar
/// allows with a 32-byte transaction id and a short comment is far below it.
pub const DEFAULT_MAX_START_LINE: usize = 256;
/// Default for [`Limits::max_head_bytes`]: 16 KiB. The largest head in the RFC examples is
/// under 1 KiB (a two-relay AUTH with Digest headers); 16 KiB leaves room for long paths
/// while bounding the bytes held before a chunk is known to be well formed.
pub const DEFAULT_MAX_HEAD_BYTES: usize = 16 * 1024;
/// Default for [`Limits::max_headers`]: 64 header fields per chunk (the RFC examples use
/// at most 9).
pub const DEFAULT_MAX_HEADERS: usize = 64;
/// Default for [`Limits::max_tid_len`]: 32, the grammar's maximum (`ident` is 4 to 32
/// characters, RFC 4975 section 9). Tolerant mode may raise it for peers that send longer
/// ids; the hold-back of a streamed body grows with it.
pub const DEFAULT_MAX_TID_LEN: usize = 32;
/// Default for [`Limits::max_gathered_body`]: 1 MiB, the most a consumer that gathers whole
/// chunks holds for one body. Streaming consumers are not bound by it.
pub const DEFAULT_MAX_GATHERED_BODY: usize = 1024 * 1024;

/// Default for [`Limits::min_body_piece`]: 8 KiB. Body bytes are handed out when this many
/// are ready or the chunk ends, so that a stream fed in small TCP segments does not cost one
/// event per segment; 8 KiB of held body is small next to the head limit.
pub const DEFAULT_MIN_BODY_PIECE: usize = 8 * 1024;

/// Limits of the chunk codec. Exceeding one is a typed error, never a panic, and never an
/// allocation sized by what a peer declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limits {
    /// Longest start line (`MSRP tid METHOD` or `MSRP tid code comment`), CRLF included.
    pub max_start_line: usize,
    /// Most bytes of start line and header fields together, up to the blank line or
    /// end-line.
    pub max_head_bytes: usize,
    /// Most header fields in one chunk.
    pub max_headers: usize,
    /// Longest transaction id and Message-ID (the grammar says 4 to 32).
    pub max_tid_len: usize,
    /// Most body bytes a gathering consumer holds for one chunk.
    pub max_gathered_body: usize,
    /// Fewest body bytes handed out in one [`ParseEvent::Body`](crate::wire::ParseEvent)
    /// before the chunk ends (the parser holds at most this many plus an end-line's length
    /// of body). 1 hands out every byte as soon as it is known to be body.
    pub min_body_piece: usize,
}

impl Limits {
    /// The defaults, with their reasons given on each `DEFAULT_*` constant.
    pub const DEFAULT: Limits = Limits {
        max_start_line: DEFAULT_MAX_START_LINE,
        max_head_bytes: DEFAULT_MAX_HEAD_BYTES,
        max_headers: DEFAULT_MAX_HEADERS,
        max_tid_len: DEFAULT_MAX_TID_LEN,
        max_gathered_body: DEFAULT_MAX_GATHERED_BODY,
        min_body_piece: DEFAULT_MIN_BODY_PIECE,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}
