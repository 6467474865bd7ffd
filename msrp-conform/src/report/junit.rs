//! JUnit XML, as CI systems read it: a `testsuite` per suite, a `testcase` per scenario
//! (`classname` the suite, `name` the scenario id), `failure` with the reason and the
//! evidence, `skipped` for scenarios that did not apply.

use std::fmt::Write as _;

use crate::outcome::{Outcome, ScenarioResult};

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 has no other control characters (printable() escapes them anyway).
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// The document for `results` (in the order given; suites in order of first result).
pub fn document(results: &[ScenarioResult]) -> String {
    let mut suites: Vec<&str> = Vec::new();
    for r in results {
        if !suites.contains(&r.suite.as_str()) {
            suites.push(&r.suite);
        }
    }
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"msrp conform\">\n",
    );
    for suite in suites {
        let rs: Vec<&ScenarioResult> = results.iter().filter(|r| r.suite == suite).collect();
        let failures = rs
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Fail(_)))
            .count();
        let skipped = rs
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::NotApplicable(_)))
            .count();
        let time: f64 = rs.iter().map(|r| r.duration.as_secs_f64()).sum();
        let _ = writeln!(
            x,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"{time:.3}\">",
            escape(suite),
            rs.len()
        );
        for r in rs {
            let _ = write!(
                x,
                "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\">",
                escape(&r.suite),
                escape(&r.id),
                r.duration.as_secs_f64()
            );
            let evidence = super::table::evidence(r);
            match &r.outcome {
                Outcome::Pass => {}
                Outcome::Fail(reason) => {
                    let _ = write!(
                        x,
                        "\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    ",
                        escape(reason),
                        escape(&r.clause),
                        escape(&format!("{}: {}\n{evidence}", r.clause, r.title))
                    );
                }
                Outcome::NotApplicable(reason) => {
                    let _ = write!(x, "\n      <skipped message=\"{}\"/>\n    ", escape(reason));
                }
            }
            x.push_str("</testcase>\n");
        }
        x.push_str("  </testsuite>\n");
    }
    x.push_str("</testsuites>\n");
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_document_with_each_outcome() {
        let r = |id: &str, outcome| ScenarioResult {
            suite: "endpoint".into(),
            id: id.into(),
            clause: "RFC 4975 7.2".into(),
            title: "a <title> & more".into(),
            hostile: false,
            outcome,
            duration: Duration::from_millis(5),
            evidence: vec![],
            notes: vec![],
        };
        let doc = document(&[
            r("a", Outcome::Pass),
            r("b", Outcome::Fail("line 3: \"no\"".into())),
            r("c", Outcome::NotApplicable("line 4".into())),
        ]);
        assert!(doc.contains("tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\""));
        assert!(doc.contains("<failure message=\"line 3: &quot;no&quot;\""));
        assert!(doc.contains("a &lt;title&gt; &amp; more"));
        assert!(doc.contains("<skipped message=\"line 4\"/>"));
    }
}
