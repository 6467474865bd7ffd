//! `msrp`: the command-line tool of the MSRP workspace.
//!
//! `msrp listen`, `msrp send` and `msrp chat` talk to any MSRP peer over TCP or TLS
//! through `msrp-tokio`; `msrp relay` is an MSRP relay (RFC 4976); `msrp conform` plays
//! conformance scenarios against a device; `msrp demo` runs two endpoints over loopback TCP; `msrp inspect
//! uri|chunk|sdp|cpim` prints how the library parses input, as JSON in the format of the
//! conformance vectors (`vectors/README.md`).
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod chat;
mod conform;
mod demo;
mod file_meta;
mod im;
mod inspect;
mod listen;
mod listening;
mod logging;
mod output;
mod progress;
mod relay;
mod relay_opts;
mod save;
mod send;
mod signals;
mod size;
mod tls_opts;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// MSRP (RFC 4975) tools built on the sans-IO msrp crates.
#[derive(Debug, Parser)]
#[command(name = "msrp", version, about)]
struct Cli {
    /// Log what the connections do (debug level) on standard error; RUST_LOG sets
    /// the filter in detail.
    #[arg(long, short, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print how the library parses input, as JSON (the format of vectors/README.md).
    ///
    /// Exit code: 0 valid, 1 invalid (the error is in the JSON), 2 usage or I/O error,
    /// including a missing file or an empty input.
    #[command(subcommand)]
    Inspect(inspect::What),
    /// Two endpoints on 127.0.0.1: SDP offer/answer, TCP, text messages, then a file with a
    /// success REPORT; exit code 0 only if everything arrived intact.
    Demo(demo::DemoArgs),
    /// Wait for MSRP peers on a socket: print the session URI and SDP, then the text
    /// messages that arrive; save files and check them against an offer (RFC 5547).
    Listen(listen::ListenArgs),
    /// Send one message (text, or a file streamed) to a session URI; exit code 0 only
    /// when it was delivered.
    Send(send::SendArgs),
    /// An interactive line chat over one session, as the connecting or listening side.
    Chat(chat::ChatArgs),
    /// An MSRP relay (RFC 4976): AUTH with Digest, Use-Path URIs, forwarding between
    /// clients and next hops, until SIGINT or SIGTERM.
    Relay(relay::RelayArgs),
    /// Play conformance scenarios against an MSRP endpoint or relay and report pass,
    /// fail or n/a for each, named for the RFC clause it checks; exit code the number
    /// of failures.
    Conform(conform::ConformArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout (exit 0) and usage errors to stderr.
            let code = if !e.use_stderr() {
                0
            } else if std::env::args().nth(1).as_deref() == Some("conform") {
                // conform's exit status counts failures: a usage error is "cannot run".
                conform::CANNOT_RUN
            } else {
                2
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    logging::init(cli.verbose);
    match cli.command {
        Command::Inspect(what) => inspect::run(what),
        Command::Demo(args) => demo::run(args),
        Command::Listen(args) => listen::run(args),
        Command::Send(args) => send::run(args),
        Command::Chat(args) => chat::run(args),
        Command::Relay(args) => relay::run(args),
        Command::Conform(args) => conform::run(args),
    }
}
