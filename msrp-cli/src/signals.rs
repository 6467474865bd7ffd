//! SIGINT and SIGTERM: a session-holding subcommand waits for either and then closes its
//! sessions (RFC 4975 section 5.4) instead of dying with them open.

/// Resolves when the process is asked to stop: Ctrl-C (SIGINT) or, on Unix, SIGTERM.
/// Returns the signal's conventional exit status (130 or 143).
pub(crate) async fn stop_requested() -> u8 {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => tokio::select! {
                _ = tokio::signal::ctrl_c() => 130,
                _ = term.recv() => 143,
            },
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                130
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        130
    }
}
