//! What running a scenario gives: its outcome and the evidence for it.

use std::time::Duration;

/// Pass, fail or not applicable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The target did what the scenario checks.
    Pass,
    /// It did not: why, with the step's line.
    Fail(String),
    /// The scenario does not apply to this target (it does not offer what is checked,
    /// and need not): why.
    NotApplicable(String),
}

impl Outcome {
    /// `pass`, `fail` or `n/a`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail(_) => "fail",
            Outcome::NotApplicable(_) => "n/a",
        }
    }

    /// The reason of a failure or of a scenario that does not apply.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Outcome::Pass => None,
            Outcome::Fail(r) | Outcome::NotApplicable(r) => Some(r),
        }
    }
}

/// Most bytes kept per direction of a connection as evidence.
pub const EVIDENCE_BYTES: usize = 64 * 1024;

/// The bytes one connection carried, the first [`EVIDENCE_BYTES`] of each direction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evidence {
    /// The connection's name in the scenario (`main`, or `@NAME`).
    pub conn: String,
    /// Bytes the tester sent (the first of them).
    pub sent: Vec<u8>,
    /// Bytes the target sent (the first of them).
    pub received: Vec<u8>,
    /// All bytes sent.
    pub sent_total: u64,
    /// All bytes received.
    pub received_total: u64,
}

impl Evidence {
    pub(crate) fn new(conn: &str) -> Evidence {
        Evidence {
            conn: conn.to_owned(),
            ..Evidence::default()
        }
    }

    pub(crate) fn on_sent(&mut self, b: &[u8]) {
        keep(&mut self.sent, b);
        self.sent_total += b.len() as u64;
    }

    pub(crate) fn on_received(&mut self, b: &[u8]) {
        keep(&mut self.received, b);
        self.received_total += b.len() as u64;
    }
}

fn keep(v: &mut Vec<u8>, b: &[u8]) {
    let room = EVIDENCE_BYTES.saturating_sub(v.len());
    v.extend_from_slice(&b[..b.len().min(room)]);
}

/// One scenario's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioResult {
    /// The suite it belongs to.
    pub suite: String,
    /// The scenario's id.
    pub id: String,
    /// The clause it checks.
    pub clause: String,
    /// What it checks.
    pub title: String,
    /// A robustness scenario.
    pub hostile: bool,
    /// Pass, fail or not applicable.
    pub outcome: Outcome,
    /// How long it took.
    pub duration: Duration,
    /// What each connection carried.
    pub evidence: Vec<Evidence>,
    /// Observations that are not failures: deviations the target's chunks showed that
    /// a tolerant reader accepts (LF-only line ends, lower-case names...), and, for
    /// hostile scenarios, the target's memory when it was watched.
    pub notes: Vec<String>,
}

/// Counts of a run's outcomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Scenarios passed.
    pub passed: usize,
    /// Scenarios failed.
    pub failed: usize,
    /// Scenarios that did not apply.
    pub not_applicable: usize,
}

impl Totals {
    /// The counts of `results`.
    pub fn of(results: &[ScenarioResult]) -> Totals {
        let mut t = Totals::default();
        for r in results {
            match r.outcome {
                Outcome::Pass => t.passed += 1,
                Outcome::Fail(_) => t.failed += 1,
                Outcome::NotApplicable(_) => t.not_applicable += 1,
            }
        }
        t
    }
}
