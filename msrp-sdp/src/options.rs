//! Parsing options and limits.

use msrp_uri::Mode;

/// Default for [`ParseOptions::max_len`]: 64 KiB. MSRP offers in the RFCs are under 1 KiB;
/// SIP bodies larger than this are not plausible SDP.
pub const DEFAULT_MAX_LEN: usize = 64 * 1024;
/// Default for [`ParseOptions::max_lines`]: 1024 lines.
pub const DEFAULT_MAX_LINES: usize = 1024;

/// How to parse a session description.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParseOptions {
    /// Strict (RFC 8866 and the MSRP attribute grammars) or tolerant.
    pub mode: Mode,
    /// Accept a fragment: media descriptions (and session-level `c=`/`a=` lines) without
    /// the `v=`, `o=`, `s=` and `t=` lines, as RFCs print examples.
    pub fragment: bool,
    /// Longest input accepted, in bytes.
    pub max_len: usize,
    /// Most lines accepted.
    pub max_lines: usize,
}

impl ParseOptions {
    /// Strict, whole session descriptions, default limits.
    pub const STRICT: ParseOptions = ParseOptions {
        mode: Mode::Strict,
        fragment: false,
        max_len: DEFAULT_MAX_LEN,
        max_lines: DEFAULT_MAX_LINES,
    };

    /// Tolerant, whole session descriptions, default limits.
    pub const TOLERANT: ParseOptions = ParseOptions {
        mode: Mode::Tolerant,
        ..Self::STRICT
    };

    /// The same options for a fragment.
    pub const fn fragment(self) -> ParseOptions {
        ParseOptions {
            fragment: true,
            ..self
        }
    }

    pub(crate) fn tolerant(&self) -> bool {
        self.mode == Mode::Tolerant
    }
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self::STRICT
    }
}
