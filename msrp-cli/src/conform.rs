//! `msrp conform`: plays conformance scenarios against an MSRP endpoint or relay
//! (msrp-conform) and reports pass / fail / not applicable for each.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use msrp_conform::report::{json, junit, table};
use msrp_conform::run::{Selection, Target};
use msrp_conform::{Applies, ScenarioResult, Suite, Totals};
use msrp_tokio::Config;
use msrp_tokio::uri::{Scheme, Uri};

use crate::output::line;
use crate::tls_opts::ClientTls;

/// Exit status when the run could not start (bad arguments, an unreadable scenario
/// file, a target that cannot be reached); failures count from 0 to 254.
pub(crate) const CANNOT_RUN: u8 = 255;

/// Arguments of `msrp conform`.
#[derive(Debug, Args)]
#[command(after_help = CONFORM_AFTER)]
pub(crate) struct ConformArgs {
    /// The target: an endpoint's session URI (msrp://HOST:PORT/SESSION;tcp, or ;ws for
    /// MSRP over WebSocket), or with --relay the relay's URI. Not needed with --list.
    #[arg(long, value_name = "URI", required_unless_present = "list")]
    target: Option<String>,
    /// For a target reached over WebSocket (a ws or wss URI, RFC 7977): the WebSocket
    /// URL, when it is not ws://HOST:PORT/ (wss:// for msrps) from the URI.
    #[arg(long, value_name = "URL")]
    ws_url: Option<String>,
    /// The target is a relay (RFC 4976): the relay suite runs, not the endpoint one.
    #[arg(long)]
    relay: bool,
    /// Connect with TLS (msrps), as an msrps target URI also says.
    #[arg(long)]
    tls: bool,
    #[command(flatten)]
    client_tls: ClientTls,
    /// The user name for the relay suite's AUTH (RFC 4976 Digest); without it the
    /// scenarios that need an authorisation do not apply.
    #[arg(long, value_name = "USER", requires = "password")]
    user: Option<String>,
    /// The password of --user.
    #[arg(long, value_name = "PASSWORD", requires = "user")]
    password: Option<String>,
    /// Only this suite (endpoint, relay, or the name of a --file's suite).
    #[arg(long, value_name = "NAME")]
    suite: Option<String>,
    /// Only this scenario (by id).
    #[arg(long, value_name = "ID")]
    scenario: Option<String>,
    /// Scenarios of your own: a file in the scenario format (repeatable), played after
    /// the built-in suites.
    #[arg(long = "file", value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Also play the hostile (robustness) scenarios.
    #[arg(long)]
    hostile: bool,
    /// The target's process ID, when it runs on this machine: each hostile scenario
    /// reports the target's resident memory before, at its peak and after (Linux).
    #[arg(long, value_name = "PID")]
    pid: Option<u32>,
    /// With --pid: a hostile scenario fails when the target's resident memory goes
    /// over SIZE (bytes, or with K, M, G).
    #[arg(long, value_name = "SIZE", requires = "pid", value_parser = crate::size::parse_size)]
    max_memory: Option<u64>,
    /// Write a JUnit XML report to FILE.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Print one JSON object per result (NDJSON) instead of the table.
    #[arg(long)]
    json: bool,
    /// Print the bytes sent and received under each failure in the table.
    #[arg(long)]
    evidence: bool,
    /// List the scenarios that would run (id, clause, title) and exit.
    #[arg(long)]
    list: bool,
}

const CONFORM_AFTER: &str = "\
Each scenario is named for the clause it checks (rfc4975-7.2-..., rfc4976-5-...), and
gives pass, fail (with the step's line and what came instead) or n/a (the target does
not offer what is checked, and need not). The built-in suites and the scenario format
are documented with the msrp-conform crate (FORMAT.md); --file adds your own.

Over WebSocket (a target URI with the ws or wss transport, RFC 7977): the tester
connects to ws://HOST:PORT/ (or --ws-url), asks for the msrp subprotocol, sends each
chunk as one WebSocket message, and checks that each message from the target holds
exactly one chunk; the websocket suite runs, and scenarios that need a byte stream
(a chunk cut across writes) are n/a. Over TCP or TLS the websocket suite is n/a.

Output: a line per scenario and a summary; with --json, NDJSON: result {suite, id,
clause, title, hostile, outcome, reason, duration_ms, notes, evidence [{conn, sent,
sent_bytes, received, received_bytes}]}, then summary {passed, failed, not_applicable}.

Exit status: the number of failures (0: every scenario passed or did not apply; at most
254), 255 when the run could not start (bad arguments, an unreadable scenario file, a
target that cannot be reached).";

pub(crate) fn run(args: ConformArgs) -> ExitCode {
    match prepare(&args) {
        Ok((suites, selection, target)) => {
            if args.list {
                let kind = if args.relay {
                    Applies::Relay
                } else {
                    Applies::Endpoint
                };
                return list(&suites, &selection, kind);
            }
            let Some(target) = target else {
                eprintln!("msrp conform: --target URI is needed");
                return ExitCode::from(CANNOT_RUN);
            };
            let rt = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    eprintln!("msrp conform: cannot start the runtime: {e}");
                    return ExitCode::from(CANNOT_RUN);
                }
            };
            rt.block_on(play(&args, &suites, &selection, &target))
        }
        Err(e) => {
            eprintln!("msrp conform: {e}");
            ExitCode::from(CANNOT_RUN)
        }
    }
}

fn prepare(args: &ConformArgs) -> Result<(Vec<Suite>, Selection, Option<Target>), String> {
    let mut suites = msrp_conform::builtin();
    for f in &args.files {
        let text = std::fs::read_to_string(f).map_err(|e| format!("{}: {e}", f.display()))?;
        let s = msrp_conform::script::parse(&text).map_err(|e| format!("{}: {e}", f.display()))?;
        suites.push(s);
    }
    let selection = Selection {
        suite: args.suite.clone(),
        scenario: args.scenario.clone(),
        hostile: args.hostile,
    };
    if let Some(name) = &args.suite {
        if !suites.iter().any(|s| &s.name == name) {
            let names: Vec<&str> = suites.iter().map(|s| s.name.as_str()).collect();
            return Err(format!("no suite {name} (there are: {})", names.join(", ")));
        }
    }
    let target = match &args.target {
        None => None,
        Some(text) => {
            let mut uri: Uri = text
                .parse()
                .map_err(|e| format!("--target {text}: not an MSRP URI: {e}"))?;
            if args.tls && uri.scheme() != Scheme::Msrps {
                let as_msrps = format!("msrps{}", &text[text.find("://").unwrap_or(0)..]);
                uri = as_msrps
                    .parse()
                    .map_err(|e| format!("--target {as_msrps}: {e}"))?;
            }
            let mut config = Config::default();
            match args.client_tls.config()? {
                Some(c) => config = config.tls_client(c),
                None if uri.scheme() == Scheme::Msrps => {
                    return Err(
                        "an msrps target needs --tls-ca FILE (its certificate or CA)".into(),
                    );
                }
                None => {}
            }
            let kind = if args.relay {
                Applies::Relay
            } else {
                Applies::Endpoint
            };
            let credentials = args.user.clone().zip(args.password.clone());
            let mut target = Target::new(uri, kind);
            target.config = config;
            target.credentials = credentials;
            target.watch_pid = args.pid;
            target.max_memory = args.max_memory;
            target.ws_url = args.ws_url.clone();
            Some(target)
        }
    };
    Ok((suites, selection, target))
}

fn list(suites: &[Suite], selection: &Selection, kind: Applies) -> ExitCode {
    for s in suites {
        for sc in &s.scenarios {
            if selection.includes(s, sc, kind) {
                let hostile = if sc.hostile { " (hostile)" } else { "" };
                let _ = line(&format!(
                    "{:<10} {:<48} {:<16} {}{hostile}",
                    s.name, sc.id, sc.clause, sc.title
                ));
            }
        }
    }
    ExitCode::SUCCESS
}

async fn play(
    args: &ConformArgs,
    suites: &[Suite],
    selection: &Selection,
    target: &Target,
) -> ExitCode {
    // A target that cannot be reached fails nothing: the run did not happen.
    if let Err(e) = msrp_tokio::open_stream(&target.uri, &target.config).await {
        eprintln!("msrp conform: cannot reach {}: {e}", target.uri.as_str());
        return ExitCode::from(CANNOT_RUN);
    }
    let json_out = args.json;
    let evidence = args.evidence;
    let results: Vec<ScenarioResult> = msrp_conform::run::run(target, suites, selection, |r| {
        if json_out {
            let _ = line(&json::result(r).to_string());
        } else {
            let _ = line(&table::line(r));
            if evidence && matches!(r.outcome, msrp_conform::Outcome::Fail(_)) {
                let _ = line(table::evidence(r).trim_end());
            }
        }
    })
    .await;
    let totals = Totals::of(&results);
    if json_out {
        let _ = line(&json::summary(&totals).to_string());
    } else {
        let _ = line(&table::summary(&totals));
    }
    if let Some(path) = &args.junit {
        if let Err(e) = std::fs::write(path, junit::document(&results)) {
            eprintln!("msrp conform: cannot write {}: {e}", path.display());
            return ExitCode::from(CANNOT_RUN);
        }
    }
    if results.is_empty() {
        eprintln!("msrp conform: no scenario matched the selection");
    }
    ExitCode::from(u8::try_from(totals.failed.min(254)).unwrap_or(254))
}
