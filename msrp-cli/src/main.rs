//! `msrp`: the command-line tool of the MSRP workspace.
//!
//! `msrp demo` runs two endpoints over loopback TCP; `msrp inspect uri|chunk|sdp` prints how
//! the library parses input, as JSON in the format of the conformance vectors
//! (`vectors/README.md`).
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod demo;
mod driver;
mod inspect;
mod output;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// MSRP (RFC 4975) tools built on the sans-IO msrp crates.
#[derive(Debug, Parser)]
#[command(name = "msrp", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print how the library parses input, as JSON (the format of vectors/README.md).
    ///
    /// Exit code: 0 valid, 1 invalid (the error is in the JSON), 2 usage or I/O error.
    #[command(subcommand)]
    Inspect(inspect::What),
    /// Two endpoints on 127.0.0.1: SDP offer/answer, TCP, text messages, then a file with a
    /// success REPORT; exit code 0 only if everything arrived intact.
    Demo(demo::DemoArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout (exit 0) and usage errors to stderr.
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Inspect(what) => inspect::run(what),
        Command::Demo(args) => demo::run(args),
    }
}
