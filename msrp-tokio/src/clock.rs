//! The one place where the runtime's clock meets the core's `Instant`.

use msrp_proto::Instant;

/// Maps tokio's clock onto the core's [`Instant`] (time since the connection started), so
/// the core never reads a clock and tests under `tokio::time::pause` see simulated time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    start: tokio::time::Instant,
}

impl Clock {
    pub(crate) fn new() -> Clock {
        Clock {
            start: tokio::time::Instant::now(),
        }
    }

    /// Now, as the core counts.
    pub(crate) fn now(&self) -> Instant {
        Instant::from_elapsed(self.start.elapsed())
    }

    /// A core deadline as a tokio instant.
    pub(crate) fn deadline(&self, t: Instant) -> tokio::time::Instant {
        self.start + t.elapsed()
    }
}
