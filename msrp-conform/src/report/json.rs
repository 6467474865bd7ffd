//! NDJSON: one object per result (`"event": "result"`), then the totals
//! (`"event": "summary"`). Field names are stable.

use serde_json::{Value, json};

use crate::outcome::{ScenarioResult, Totals};

/// The object of one result: `suite`, `id`, `clause`, `title`, `hostile`, `outcome`
/// (`pass`, `fail`, `n/a`), `reason` (or null), `duration_ms`, `notes`, and `evidence`:
/// per connection `conn`, `sent` and `received` (the first 64 KiB, as text with
/// `\xHH` escapes for bytes that are not printable) and their totals.
pub fn result(r: &ScenarioResult) -> Value {
    let evidence: Vec<Value> = r
        .evidence
        .iter()
        .map(|e| {
            json!({
                "conn": e.conn,
                "sent": super::printable(&e.sent),
                "sent_bytes": e.sent_total,
                "received": super::printable(&e.received),
                "received_bytes": e.received_total,
            })
        })
        .collect();
    json!({
        "event": "result",
        "suite": r.suite,
        "id": r.id,
        "clause": r.clause,
        "title": r.title,
        "hostile": r.hostile,
        "outcome": r.outcome.as_str(),
        "reason": r.outcome.reason(),
        "duration_ms": u64::try_from(r.duration.as_millis()).unwrap_or(u64::MAX),
        "notes": r.notes,
        "evidence": evidence,
    })
}

/// The totals: `passed`, `failed`, `not_applicable`.
pub fn summary(t: &Totals) -> Value {
    json!({
        "event": "summary",
        "passed": t.passed,
        "failed": t.failed,
        "not_applicable": t.not_applicable,
    })
}
