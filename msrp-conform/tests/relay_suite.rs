//! The built-in relay suite against msrp-tokio's relay server: every scenario passes,
//! and without credentials the ones that need an authorisation do not apply.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use msrp_conform::run::{self, Selection, Target};
use msrp_conform::{Applies, Outcome, ScenarioResult};
use msrp_proto::relay::RelayConfig;
use msrp_tokio::relay_server::{RelayServer, RelayServerConfig};

fn users(user: &str, _realm: &str) -> Option<String> {
    (user == "conform").then(|| "conform-pw".to_owned())
}

async fn relay() -> RelayServer {
    let engine = RelayConfig::new("msrp://127.0.0.1:0;tcp".parse().unwrap(), "relay.test");
    RelayServer::bind("127.0.0.1:0", RelayServerConfig::new(engine), users)
        .await
        .unwrap()
}

fn explain(results: &[ScenarioResult], want: impl Fn(&ScenarioResult) -> bool) -> String {
    results
        .iter()
        .filter(|r| !want(r))
        .map(|r| {
            format!(
                "{} {}: {:?}\n{}",
                r.id,
                r.outcome.as_str(),
                r.outcome.reason(),
                msrp_conform::report::table::evidence(r)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_relay_scenario_passes_against_our_relay() {
    let server = relay().await;
    let mut target = Target::new(server.uri().clone(), Applies::Relay);
    target.credentials = Some(("conform".into(), "conform-pw".into()));
    let suites = msrp_conform::builtin();
    let selection = Selection {
        suite: Some("relay".into()),
        ..Selection::default()
    };
    let results = run::run(&target, &suites, &selection, |_| {}).await;
    assert!(results.len() >= 10, "{} scenarios ran", results.len());
    let pass = |r: &ScenarioResult| r.outcome == Outcome::Pass;
    assert!(results.iter().all(pass), "{}", explain(&results, pass));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_credentials_the_authorised_scenarios_do_not_apply() {
    let server = relay().await;
    let target = Target::new(server.uri().clone(), Applies::Relay);
    let suites = msrp_conform::builtin();
    let results = run::run(&target, &suites, &Selection::default(), |_| {}).await;
    let na = results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::NotApplicable(_)))
        .count();
    assert!(na >= 5, "{na} not applicable");
    let ok = |r: &ScenarioResult| !matches!(r.outcome, Outcome::Fail(_));
    assert!(results.iter().all(ok), "{}", explain(&results, ok));
    // No endpoint scenario ran against a relay.
    assert!(results.iter().all(|r| r.suite == "relay"));
    server.shutdown().await;
}
