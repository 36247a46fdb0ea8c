//! Content digests as the plan prints them.

use sha2::{Digest, Sha256};

/// A finished SHA-256 as 64 lowercase hex digits.
pub fn hex_digest(h: Sha256) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(64);
    for b in h.finalize() {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
    out
}
