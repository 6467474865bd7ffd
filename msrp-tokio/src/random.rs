//! Transaction ids and Message-IDs from the operating system's random source.

use msrp_proto::wire::RandomSource;

/// Random bytes from the operating system (`getrandom`), read 256 bytes at a time so that
/// an id costs no system call most of the time. RFC 4975 section 7.1.1 asks for
/// transaction ids with at least 64 bits of randomness; these are cryptographically random.
#[derive(Debug)]
pub struct OsRandom {
    pool: [u8; 256],
    used: usize,
}

impl OsRandom {
    /// A new source; the first bytes are read when first asked for.
    pub fn new() -> OsRandom {
        OsRandom {
            pool: [0; 256],
            used: 256,
        }
    }

    fn refill(&mut self) {
        if let Err(e) = getrandom::fill(&mut self.pool) {
            // No OS randomness is a broken platform, not bad input: ids would repeat,
            // so do not go on quietly.
            tracing::error!(error = %e, "the operating system gave no random bytes");
            #[allow(clippy::panic)]
            {
                panic!("getrandom failed: {e}");
            }
        }
        self.used = 0;
    }
}

impl Default for OsRandom {
    fn default() -> Self {
        OsRandom::new()
    }
}

impl RandomSource for OsRandom {
    fn fill_bytes(&mut self, mut dest: &mut [u8]) {
        while !dest.is_empty() {
            if self.used == self.pool.len() {
                self.refill();
            }
            let n = dest.len().min(self.pool.len() - self.used);
            let (now, rest) = dest.split_at_mut(n);
            now.copy_from_slice(&self.pool[self.used..self.used + n]);
            // Each byte is given out once.
            self.pool[self.used..self.used + n].fill(0);
            self.used += n;
            dest = rest;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_not_repeated_across_refills() {
        let mut r = OsRandom::new();
        let mut a = [0u8; 300];
        let mut b = [0u8; 300];
        r.fill_bytes(&mut a);
        r.fill_bytes(&mut b);
        assert_ne!(a, b);
        assert!(a.iter().any(|x| *x != 0));
    }
}
