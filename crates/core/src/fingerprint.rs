//! A stable 64-bit fingerprint of bytes, for names and keys that must not change between runs
//! or Rust releases (std's `DefaultHasher` may): cache folder names per vault, change
//! detection of notes, card ids, seeds. Here, below every other module, because the search
//! index, the annotation store, places and study all use it. Not for security.

/// FNV-1a, 64 bits.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash = Fnv1a::default();
    hash.write(bytes);
    hash.finish()
}

/// [`fnv1a`] fed piece by piece (the same value as over the pieces joined), for keys made of
/// several parts that need not be copied into one buffer first.
#[derive(Debug, Clone, Copy)]
pub struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv1a {
    /// Adds `bytes`.
    pub fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// The fingerprint of everything written.
    pub fn finish(self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_values_never_change() {
        // Published FNV-1a test vectors: index folders and card ids depend on these.
        assert_eq!(super::fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(super::fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(super::fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
        let mut pieces = super::Fnv1a::default();
        pieces.write(b"foo");
        pieces.write(b"bar");
        assert_eq!(pieces.finish(), super::fnv1a(b"foobar"));
    }
}
