//! Transaction ids and Message-IDs from a caller-supplied random source: the core reads no
//! OS randomness.

use super::tid::TransactionId;

/// A source of random bytes, supplied by the application (an OS RNG, a seeded PRNG in
/// tests). RFC 4975 section 7.1 asks for at least 64 bits of randomness per transaction id.
pub trait RandomSource {
    /// Fills `dest` with random bytes.
    fn fill_bytes(&mut self, dest: &mut [u8]);
}

impl<F: FnMut(&mut [u8])> RandomSource for F {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self(dest)
    }
}

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Length of generated ids: 16 alphanumeric characters carry 95 bits of randomness (with
/// the rejection sampling below, each character is uniform over 62 values).
pub const GENERATED_ID_LEN: usize = 16;

/// A new random transaction id (also usable as a Message-ID): [`GENERATED_ID_LEN`]
/// alphanumeric characters.
pub fn random_id(rng: &mut impl RandomSource) -> TransactionId {
    let mut out = [0u8; GENERATED_ID_LEN];
    let mut filled = 0;
    let mut pool = [0u8; 32];
    while filled < out.len() {
        rng.fill_bytes(&mut pool);
        for b in pool {
            // 248 = 4 * 62: reject the rest so that every character is equally likely.
            if b < 248 && filled < out.len() {
                out[filled] = ALPHABET[usize::from(b % 62)];
                filled += 1;
            }
        }
    }
    TransactionId::from_checked(&out)
}
