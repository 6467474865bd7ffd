//! A conformance and robustness tester for MSRP devices (RFC 4975 endpoints, RFC 4976
//! relays): scenarios are data files ([`script`]), the runner ([`run`]) plays them against
//! a target over TCP, TLS or WebSocket (RFC 7977), and the results ([`Outcome`]) come with the bytes sent and
//! received as evidence, for a table, NDJSON or JUnit XML ([`report`]).
//!
//! ```
//! let suite = msrp_conform::script::parse("\
//! suite mine
//! applies endpoint
//! scenario unknown-method
//!   clause RFC 4975 7.3
//!   title An unknown method is answered 501
//!   send
//!   | MSRP ${tid} FROBNICATE
//!   | To-Path: ${to}
//!   | From-Path: ${from}
//!   | -------${tid}$
//!   expect response 501
//! ").unwrap();
//! assert_eq!(suite.scenarios[0].clause, "RFC 4975 7.3");
//! // The built-in suites are files in the same format.
//! assert!(msrp_conform::builtin().iter().any(|s| s.name == "endpoint"));
//! ```
//!
//! `msrp conform` (in msrp-cli) is the command line over this crate.

pub mod outcome;
pub mod report;
pub mod run;
pub mod script;

pub use outcome::{Evidence, Outcome, ScenarioResult, Totals};
pub use run::{Selection, Target};
pub use script::{Applies, Scenario, Suite};

/// The built-in suites' files: (file name, text).
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    ("endpoint.msrpt", include_str!("../suites/endpoint.msrpt")),
    ("relay.msrpt", include_str!("../suites/relay.msrpt")),
    ("hostile.msrpt", include_str!("../suites/hostile.msrpt")),
    ("websocket.msrpt", include_str!("../suites/websocket.msrpt")),
];

/// The built-in suites, parsed.
pub fn builtin() -> Vec<Suite> {
    BUILTIN_FILES
        .iter()
        .filter_map(|(_, text)| script::parse(text).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    /// Every built-in file parses (so [`super::builtin`] leaves none out).
    #[test]
    fn the_builtin_suites_parse() {
        for (name, text) in super::BUILTIN_FILES {
            if let Err(e) = super::script::parse(text) {
                panic!("{name}: {e}");
            }
        }
        assert_eq!(super::builtin().len(), super::BUILTIN_FILES.len());
    }
}
