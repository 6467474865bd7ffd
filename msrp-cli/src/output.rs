//! Standard output for every subcommand: human lines or NDJSON events (`--json`), and a
//! reader that goes away (`msrp demo | head -1`) ends output quietly instead of a panic.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Map, Value};

/// Set once stdout's reader has gone: later output is dropped.
static CLOSED: AtomicBool = AtomicBool::new(false);

/// Whether standard output's reader went away (a closed pipe).
pub(crate) fn stdout_closed() -> bool {
    CLOSED.load(Ordering::Relaxed)
}

/// Writes `text` and a line end to stdout and flushes. A closed pipe is remembered
/// ([`stdout_closed`]) and not an error; other write errors are returned.
pub(crate) fn line(text: &str) -> io::Result<()> {
    if stdout_closed() {
        return Ok(());
    }
    let mut out = io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
            CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        r => r,
    }
}

/// Prints a human line unless the output is JSON. Errors writing are dropped (a command
/// that must notice them uses [`line()`]).
pub(crate) fn say(json: bool, text: impl FnOnce() -> String) {
    if !json {
        let _ = line(&text());
    }
}

/// One NDJSON event: `{"event": name, ...fields}` on one line, printed only with `--json`.
/// The field names are part of the command line's contract (documented in each
/// subcommand's `--help`).
pub(crate) fn event(json: bool, name: &str, fields: Value) {
    if !json {
        return;
    }
    let mut o = Map::new();
    o.insert("event".into(), Value::String(name.to_owned()));
    if let Value::Object(f) = fields {
        o.extend(f);
    }
    let _ = line(&Value::Object(o).to_string());
}
