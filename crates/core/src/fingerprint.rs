//! A stable 64-bit fingerprint of bytes, for names and keys that must not change between runs
//! or Rust releases (std's `DefaultHasher` may): cache folder names per vault, change
//! detection of notes, card ids, seeds. Here, below every other module, because the search
//! index, the annotation store, places and study all use it. Not for security.

/// FNV-1a, 64 bits.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_values_never_change() {
        // Published FNV-1a test vectors: index folders and card ids depend on these.
        assert_eq!(super::fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(super::fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(super::fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
