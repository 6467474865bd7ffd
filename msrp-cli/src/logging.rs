//! Diagnostics: `tracing` events of the msrp crates go to standard error, filtered by
//! `RUST_LOG` (default `warn`), so that standard output carries only results.

use tracing_subscriber::EnvFilter;

/// Installs the subscriber; `verbose` raises the default level to `debug`.
pub(crate) fn init(verbose: bool) {
    let default = if verbose { "debug" } else { "warn" };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
