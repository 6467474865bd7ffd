//! `msrp inspect`: the library's parse of some input, as JSON.

mod chunk;
mod cpim;
mod sdp;
mod uri;

use std::fmt;
use std::io::{self, Read};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::Value;

use crate::output;

/// The part of every inspect kind's `--help` that says what comes out.
const AFTER_HELP: &str = "\
Output: one JSON document, indented, with the field names of vectors/README.md (for cpim,
of msrp-cpim/tests/data/README.md). With --json: compact JSON, one object per line
(NDJSON); for a URI, an SDP or a CPIM message that is one line,
the same object; for chunks one line per frame (the fields of an item of \"frames\" plus
\"mode\"), and a last line {\"mode\", \"result\": \"incomplete\", \"incomplete_from\"} when the
input ends in bytes that do not start a frame.

A parse error is in the JSON as \"error\": {\"kind\", \"offset\", \"message\", ...}: kind is a
stable snake_case name, offset the byte offset in the input where it was found (null
when the parser gives none: SDP errors give \"line\"), message the error's text. The
vectors' \"rule\" and \"reason\" are kept where the parser knows them.

Exit code: 0 valid, 1 invalid (the error is in the JSON), 2 usage or I/O error: a
missing or unreadable file, or an empty input (there is nothing to inspect), with a
one-line message on standard error and nothing on standard output. A reader of
standard output that goes away (| head) ends the output quietly.";

/// What to inspect.
#[derive(Debug, Subcommand)]
pub(crate) enum What {
    /// An MSRP URI (RFC 4975 section 6): the file's bytes exactly, or standard input.
    #[command(after_help = AFTER_HELP)]
    Uri(InputArgs),
    /// MSRP chunks (RFC 4975 section 9): every frame in the file, one after the other.
    ///
    /// The input is read and parsed in pieces: a body is never held whole (its length and
    /// SHA-256 are computed as it streams; body_text is given for bodies up to 1024 octets).
    #[command(after_help = AFTER_HELP)]
    Chunk(ChunkArgs),
    /// A session description (RFC 8866) with MSRP media.
    #[command(after_help = AFTER_HELP)]
    Sdp(SdpArgs),
    /// A message/cpim body (RFC 3862), as an MSRP SEND carries it: the CPIM and MIME
    /// headers, the IMDN headers found by their namespace (RFC 5438), the body (its text
    /// when UTF-8 and up to 1024 octets, its SHA-256), and the IMDN or is-composing (RFC
    /// 3994) document it holds. The field names are those of msrp-cpim's test vectors.
    #[command(after_help = AFTER_HELP)]
    Cpim(InputArgs),
}

/// Arguments of `msrp inspect sdp`.
#[derive(Debug, Args)]
pub(crate) struct SdpArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Parse a fragment: media descriptions without the v=, o=, s= and t= lines.
    #[arg(long)]
    fragment: bool,
}

/// Arguments of `msrp inspect chunk`.
#[derive(Debug, Args)]
pub(crate) struct ChunkArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Feed the parser the input cut at these byte offsets (comma-separated), to check
    /// that the result does not depend on how bytes arrive.
    #[arg(long, value_delimiter = ',')]
    split: Vec<u64>,
}

/// The input, the parsing mode and the output format.
#[derive(Debug, Args)]
pub(crate) struct InputArgs {
    /// File to read, or `-` for standard input.
    input: String,
    /// Follow the RFC grammar strictly (default: tolerant, reporting each tolerated quirk).
    #[arg(long)]
    strict: bool,
    /// Compact JSON, one object per line (NDJSON), instead of the indented document.
    #[arg(long)]
    json: bool,
}

/// Why inspecting stopped without a result (exit code 2).
#[derive(Debug)]
pub(crate) enum Failure {
    /// The input could not be opened or read.
    Read(io::Error),
    /// The input has no bytes.
    Empty,
    /// Standard output failed (other than its reader going away).
    Write(io::Error),
}

/// A [`Failure`] with the name of the input, as printed on standard error.
struct Described<'a>(&'a Failure, &'a str);

impl fmt::Display for Described<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Failure::Read(e) => write!(f, "cannot read {}: {e}", self.1),
            Failure::Empty => write!(f, "{}: empty input, nothing to inspect", self.1),
            Failure::Write(e) => write!(f, "cannot write the output: {e}"),
        }
    }
}

impl InputArgs {
    /// How messages name the input.
    fn name(&self) -> &str {
        if self.input == "-" {
            "standard input"
        } else {
            &self.input
        }
    }

    /// The input as a reader.
    fn open(&self) -> Result<Box<dyn Read>, Failure> {
        if self.input == "-" {
            Ok(Box::new(io::stdin().lock()))
        } else {
            match std::fs::File::open(&self.input) {
                Ok(f) => Ok(Box::new(f)),
                Err(e) => Err(Failure::Read(e)),
            }
        }
    }

    /// The whole input (URIs and session descriptions are small); an empty one is a
    /// [`Failure::Empty`].
    fn read_all(&self) -> Result<Vec<u8>, Failure> {
        let mut buf = Vec::new();
        self.open()?.read_to_end(&mut buf).map_err(Failure::Read)?;
        if buf.is_empty() {
            return Err(Failure::Empty);
        }
        Ok(buf)
    }

    fn mode(&self) -> msrp_uri::Mode {
        if self.strict {
            msrp_uri::Mode::Strict
        } else {
            msrp_uri::Mode::Tolerant
        }
    }
}

/// Prints `value` indented, or on one line with `json`. A closed stdout is not an error.
pub(super) fn print(value: &Value, json: bool) -> Result<(), Failure> {
    let text = if json {
        value.to_string()
    } else {
        // Serializing a `Value` cannot fail (its keys are strings).
        serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
    };
    output::line(&text).map_err(Failure::Write)
}

/// The `error` object of every inspect kind: `kind` (a stable snake_case name),
/// `offset` (byte offset in the input, or null), `message` (the error's text), then
/// what else the kind knows (the vectors' `rule` and `reason`, a line number, ...).
pub(super) fn error_json(
    kind: &'static str,
    offset: Option<u64>,
    message: String,
    extra: Value,
) -> Value {
    let mut o = serde_json::Map::new();
    o.insert("kind".into(), Value::String(kind.to_owned()));
    o.insert("offset".into(), offset.map_or(Value::Null, Value::from));
    o.insert("message".into(), Value::String(message));
    if let Value::Object(extra) = extra {
        o.extend(extra);
    }
    Value::Object(o)
}

/// Runs `msrp inspect`; prints JSON on stdout.
pub(crate) fn run(what: What) -> ExitCode {
    let args = match &what {
        What::Uri(args) => args,
        What::Chunk(c) => &c.input,
        What::Sdp(s) => &s.input,
        What::Cpim(args) => args,
    };
    let result = match &what {
        What::Uri(a) => a.read_all().and_then(|input| {
            let (json, valid) = uri::inspect(&input, a.mode());
            print(&json, a.json).map(|()| valid)
        }),
        What::Sdp(s) => s.input.read_all().and_then(|input| {
            let (json, valid) = sdp::inspect(&input, s.input.mode(), s.fragment);
            print(&json, s.input.json).map(|()| valid)
        }),
        What::Cpim(a) => a.read_all().and_then(|input| {
            let (json, valid) = cpim::inspect(&input, a.mode());
            print(&json, a.json).map(|()| valid)
        }),
        What::Chunk(c) => c
            .input
            .open()
            .and_then(|reader| chunk::inspect(reader, c.input.mode(), &c.split, c.input.json)),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(f) => {
            eprintln!("msrp inspect: {}", Described(&f, args.name()));
            ExitCode::from(2)
        }
    }
}

/// How the JSON output names a parse mode.
pub(super) fn mode_name(mode: msrp_uri::Mode) -> &'static str {
    match mode {
        msrp_uri::Mode::Strict => "strict",
        msrp_uri::Mode::Tolerant => "tolerant",
    }
}
