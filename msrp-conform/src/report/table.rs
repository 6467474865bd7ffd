//! The readable report: a line per scenario, the reason under each failure, a summary.

use crate::outcome::{Outcome, ScenarioResult, Totals};

/// The line of one result: `PASS  id  clause  title`, and for a failure or a scenario
/// that did not apply, its reason indented below.
pub fn line(r: &ScenarioResult) -> String {
    let tag = match r.outcome {
        Outcome::Pass => "PASS",
        Outcome::Fail(_) => "FAIL",
        Outcome::NotApplicable(_) => "N/A ",
    };
    let mut s = format!("{tag}  {:<48} {:<16} {}", r.id, r.clause, r.title);
    if let Some(reason) = r.outcome.reason() {
        s.push_str("\n      ");
        s.push_str(reason);
    }
    for n in &r.notes {
        s.push_str("\n      note: ");
        s.push_str(n);
    }
    s
}

/// The evidence of a failed result (the bytes each connection carried), for `--verbose`.
pub fn evidence(r: &ScenarioResult) -> String {
    let mut s = String::new();
    for e in &r.evidence {
        for (dir, bytes, total) in [
            ("sent", &e.sent, e.sent_total),
            ("received", &e.received, e.received_total),
        ] {
            s.push_str(&format!("      --- {} {dir} ({total} bytes)\n", e.conn));
            for l in super::printable(bytes).lines() {
                s.push_str("      ");
                s.push_str(l);
                s.push('\n');
            }
        }
    }
    s
}

/// The summary line: `23 scenarios: 21 passed, 1 failed, 1 not applicable`.
pub fn summary(t: &Totals) -> String {
    format!(
        "{} scenarios: {} passed, {} failed, {} not applicable",
        t.passed + t.failed + t.not_applicable,
        t.passed,
        t.failed,
        t.not_applicable
    )
}
