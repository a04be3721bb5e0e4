//! The predecessor's password hashes: passlib's `pbkdf2_sha256` in its modular-crypt form
//! `$pbkdf2-sha256$<rounds>$<salt>$<checksum>`, salt and checksum in passlib's adapted base64
//! (`.` for `+`, no padding). Accounts moved from the predecessor sign in with them once; the
//! sign-in then replaces the hash with an Argon2id one (see `accounts::sign_in`).

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The prefix of every hash this module verifies.
pub const PREFIX: &str = "$pbkdf2-sha256$";

/// More rounds than any sane stored hash asks for; a row asking for more matches nothing
/// rather than occupying a hashing worker for minutes. passlib's default is 29,000.
pub const MAX_ROUNDS: u32 = 2_000_000;

/// The checksum's length: one SHA-256 output.
const CHECKSUM_LEN: usize = 32;

/// Whether `stored` is a predecessor hash (and should be replaced after a good sign-in).
pub fn is_legacy(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

/// Whether `password` matches the passlib `pbkdf2_sha256` hash `stored`. A malformed hash
/// matches nothing.
pub fn verify(password: &[u8], stored: &str) -> bool {
    let Some(rest) = stored.strip_prefix(PREFIX) else {
        return false;
    };
    let mut parts = rest.split('$');
    let (Some(rounds), Some(salt), Some(checksum), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let Ok(rounds) = rounds.parse::<u32>() else {
        return false;
    };
    if rounds == 0 || rounds > MAX_ROUNDS {
        return false;
    }
    let (Some(salt), Some(expected)) = (ab64_decode(salt), ab64_decode(checksum)) else {
        return false;
    };
    if expected.len() != CHECKSUM_LEN {
        return false;
    }
    let Some(computed) = pbkdf2_sha256(password, &salt, rounds) else {
        return false;
    };
    constant_time_eq(&computed, &expected)
}

/// passlib's adapted base64: the standard alphabet with `.` instead of `+`, unpadded.
fn ab64_decode(text: &str) -> Option<Vec<u8>> {
    STANDARD_NO_PAD.decode(text.replace('.', "+")).ok()
}

/// PBKDF2-HMAC-SHA256 (RFC 8018) for one output block, which is all a 32-byte key needs.
fn pbkdf2_sha256(password: &[u8], salt: &[u8], rounds: u32) -> Option<[u8; CHECKSUM_LEN]> {
    let keyed = Hmac::<Sha256>::new_from_slice(password).ok()?;
    let mut mac = keyed.clone();
    mac.update(salt);
    mac.update(&1u32.to_be_bytes());
    let mut block: [u8; CHECKSUM_LEN] = mac.finalize().into_bytes().into();
    let mut key = block;
    for _ in 1..rounds {
        let mut mac = keyed.clone();
        mac.update(&block);
        block = mac.finalize().into_bytes().into();
        for (k, b) in key.iter_mut().zip(block) {
            *k ^= b;
        }
    }
    Some(key)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `hashlib.pbkdf2_hmac("sha256", b"correct horse", b"charge-salt!", 1000)` written the
    /// way passlib writes it (salt and checksum in its adapted base64).
    const VECTOR: &str =
        "$pbkdf2-sha256$1000$Y2hhcmdlLXNhbHQh$npkSoaoOrjyTq.8qNhrj0.qGToQ/5UbdEkyYd78L87o";

    #[test]
    fn a_passlib_hash_verifies_with_its_password_only() {
        let stored = VECTOR.trim();
        assert!(verify(b"correct horse", stored));
        assert!(!verify(b"correct horsf", stored));
        assert!(is_legacy(stored));
    }

    #[test]
    fn malformed_or_extravagant_hashes_match_nothing() {
        assert!(!verify(b"x", "$pbkdf2-sha256$"));
        assert!(!verify(b"x", "$pbkdf2-sha256$abc$c2FsdA$c2FsdA"));
        assert!(!verify(b"x", "$pbkdf2-sha256$99999999$c2FsdA$c2FsdA"));
        assert!(!verify(b"x", "$pbkdf2-sha256$1000$c2FsdA$c2FsdA"));
        assert!(!is_legacy("$argon2id$v=19$m=19456,t=2,p=1$x$y"));
    }
}
