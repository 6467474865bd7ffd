//! Time as the driver gives it: nothing in this crate reads a clock.

use core::ops::{Add, Sub};
use core::time::Duration;

/// A point in time: a duration since an epoch the driver chooses (the start of the
/// program, for instance). State machines take `Instant`s as arguments; they never read a
/// clock.
///
/// ```
/// use core::time::Duration;
/// use msrp_proto::Instant;
///
/// let start = Instant::from_elapsed(Duration::from_secs(10));
/// let deadline = start + Duration::from_secs(30);
/// assert_eq!(deadline - start, Duration::from_secs(30));
/// assert_eq!(start - deadline, Duration::ZERO); // saturating
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant(Duration);

impl Instant {
    /// The epoch itself.
    pub const ZERO: Instant = Instant(Duration::ZERO);

    /// The instant `elapsed` after the epoch.
    pub const fn from_elapsed(elapsed: Duration) -> Instant {
        Instant(elapsed)
    }

    /// How long after the epoch this is.
    pub const fn elapsed(self) -> Duration {
        self.0
    }

    /// `self - earlier`, or zero if `earlier` is later.
    pub fn saturating_duration_since(self, earlier: Instant) -> Duration {
        self.0.saturating_sub(earlier.0)
    }
}

/// Saturates at the largest representable instant.
impl Add<Duration> for Instant {
    type Output = Instant;
    fn add(self, d: Duration) -> Instant {
        Instant(self.0.saturating_add(d))
    }
}

/// Saturating: an earlier minus a later instant is zero.
impl Sub for Instant {
    type Output = Duration;
    fn sub(self, earlier: Instant) -> Duration {
        self.saturating_duration_since(earlier)
    }
}
