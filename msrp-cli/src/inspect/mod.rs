//! `msrp inspect`: the library's parse of some input, as JSON.

mod chunk;
mod sdp;
mod uri;

use std::io::{Read, Write};
use std::process::ExitCode;

use clap::{Args, Subcommand};

/// What to inspect.
#[derive(Debug, Subcommand)]
pub(crate) enum What {
    /// An MSRP URI (RFC 4975 section 6): the file's bytes exactly, or standard input.
    Uri(InputArgs),
    /// MSRP chunks (RFC 4975 section 9): every frame in the file, one after the other.
    Chunk(ChunkArgs),
    /// A session description (RFC 8866) with MSRP media.
    Sdp(SdpArgs),
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
    split: Vec<usize>,
}

/// The input and the parsing mode.
#[derive(Debug, Args)]
pub(crate) struct InputArgs {
    /// File to read, or `-` for standard input.
    input: String,
    /// Follow the RFC grammar strictly (default: tolerant, reporting each tolerated quirk).
    #[arg(long)]
    strict: bool,
}

impl InputArgs {
    fn read(&self) -> std::io::Result<Vec<u8>> {
        if self.input == "-" {
            let mut buf = Vec::new();
            std::io::stdin().read_to_end(&mut buf)?;
            Ok(buf)
        } else {
            std::fs::read(&self.input)
        }
    }

    fn mode(&self) -> msrp_uri::Mode {
        if self.strict {
            msrp_uri::Mode::Strict
        } else {
            msrp_uri::Mode::Tolerant
        }
    }
}

/// Runs `msrp inspect`; prints one JSON document on stdout.
pub(crate) fn run(what: What) -> ExitCode {
    let args = match &what {
        What::Uri(args) => args,
        What::Chunk(c) => &c.input,
        What::Sdp(s) => &s.input,
    };
    let input = match args.read() {
        Ok(input) => input,
        Err(e) => {
            eprintln!("msrp inspect: cannot read {}: {e}", args.input);
            return ExitCode::from(2);
        }
    };
    let (json, valid) = match &what {
        What::Uri(args) => uri::inspect(&input, args.mode()),
        What::Chunk(c) => chunk::inspect(&input, c.input.mode(), &c.split),
        What::Sdp(s) => sdp::inspect(&input, s.input.mode(), s.fragment),
    };
    let text = match serde_json::to_string_pretty(&json) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("msrp inspect: {e}");
            return ExitCode::from(2);
        }
    };
    // A reader that stops early (`| head`) closes the pipe: not an error of ours.
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{text}").and_then(|()| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("msrp inspect: cannot write the output: {e}");
            return ExitCode::from(2);
        }
    }
    if valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// How the JSON output names a parse mode.
pub(super) fn mode_name(mode: msrp_uri::Mode) -> &'static str {
    match mode {
        msrp_uri::Mode::Strict => "strict",
        msrp_uri::Mode::Tolerant => "tolerant",
    }
}
