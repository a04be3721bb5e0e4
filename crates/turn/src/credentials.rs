//! TURN REST credentials (coturn `use-auth-secret`) and random secret generation.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use rand::Rng as _;
use sha1::Sha1;

/// Time-limited TURN credentials for `user_id`, valid until `now + ttl`.
///
/// The username is `<expiry-unix-seconds>:<user_id>` and the credential is
/// `base64(HMAC-SHA1(secret, username))`: what coturn checks with `use-auth-secret` and
/// `static-auth-secret=<secret>`. Returns `(username, credential)`.
pub fn rest_credentials(
    secret: &str,
    user_id: &str,
    ttl: Duration,
    now: SystemTime,
) -> (String, String) {
    let expiry = now
        .checked_add(ttl)
        .unwrap_or(now)
        .duration_since(UNIX_EPOCH)
        .map(|since| since.as_secs())
        .unwrap_or(0);
    let username = format!("{expiry}:{user_id}");
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(username.as_bytes());
    let credential = STANDARD.encode(mac.finalize().into_bytes());
    (username, credential)
}

/// The shortest secret `charge turn-secret` produces (96 bits of entropy).
pub const MIN_SECRET_LENGTH: usize = 16;
/// The longest secret `charge turn-secret` produces.
pub const MAX_SECRET_LENGTH: usize = 1024;
/// Default secret length: 48 characters, 288 bits of entropy.
pub const DEFAULT_SECRET_LENGTH: usize = 48;

/// A random secret of `length` characters from the URL-safe base64 alphabet (6 bits each).
///
/// Uses the thread-local CSPRNG seeded from the operating system. The characters are safe in
/// env files, URLs, coturn configuration files and shell words without quoting.
pub fn generate_secret(length: usize) -> String {
    // Enough random bytes for `length` base64 characters; the encoding maps every 3 bytes to 4
    // characters, each uniformly distributed over the 64-symbol alphabet.
    let mut bytes = vec![0u8; length.div_ceil(4) * 3];
    rand::rng().fill_bytes(&mut bytes);
    let mut secret = URL_SAFE_NO_PAD.encode(&bytes);
    secret.truncate(length);
    secret
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rest_credentials_match_the_coturn_scheme() {
        // Expected value computed independently:
        // printf '%s' '1700003600:alice' | openssl dgst -sha1 -hmac 'north' -binary | base64
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let (username, credential) =
            rest_credentials("north", "alice", Duration::from_secs(3600), now);
        assert_eq!(username, "1700003600:alice");
        assert_eq!(credential, "wjwSXO2ch1B6VaLTLMy2Avn5O9o=");
    }

    #[test]
    fn generated_secrets_have_the_requested_length_and_alphabet() {
        for length in [MIN_SECRET_LENGTH, 17, 18, 19, DEFAULT_SECRET_LENGTH, 100] {
            let secret = generate_secret(length);
            assert_eq!(secret.len(), length);
            assert!(
                secret
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
                "{secret}"
            );
        }
        assert_ne!(generate_secret(48), generate_secret(48));
    }
}
