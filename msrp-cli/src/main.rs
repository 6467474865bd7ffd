//! `msrp`: the command-line tool of the MSRP workspace.
//!
//! Today: `msrp inspect uri`, which prints how the library parses an MSRP URI, as JSON in
//! the format of the conformance vectors (`vectors/README.md`).
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod inspect;

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
    }
}
