//! Logins are unique and matched case-insensitively: each account has a login key (its login
//! NFKC-normalised and case-folded), unique in the database, so `Bob` and `bob` cannot both
//! exist and `BOB` signs in as whichever of them does.
//!
//! Accounts from before keys existed get theirs at start-up ([`assign_missing_keys`]); where
//! two of them fold to the same key the older keeps it, the newer keeps none (and signs in
//! with its exact spelling only), and every such collision is logged at each start-up so an
//! operator can rename one of the two.

use charge_store::{Store, StoreError, User};
use unicode_normalization::UnicodeNormalization;

/// The key a login is unique and looked up under.
pub fn login_key(login: &str) -> String {
    let normalized: String = login.nfkc().collect();
    caseless::default_case_fold_str(&normalized)
}

/// The account `login` names: the exact spelling first (so an older account that collides
/// with another keeps working), then case-insensitively.
pub async fn find(store: &Store, login: &str) -> Result<Option<User>, StoreError> {
    if let Some(user) = store.user_by_login(login).await? {
        return Ok(Some(user));
    }
    store.user_by_login_key(&login_key(login)).await
}

/// Whether a new account may take `login`: no account has it in any case.
pub async fn is_taken(store: &Store, login: &str) -> Result<bool, StoreError> {
    Ok(find(store, login).await?.is_some())
}

/// A login that shares its key with an older account's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collision {
    pub id: i64,
    pub login: String,
    pub other_login: String,
}

/// Gives every account without a login key its key; returns the accounts that cannot have
/// one because an older account's login folds the same way, and logs each of them.
pub async fn assign_missing_keys(store: &Store) -> Result<Vec<Collision>, StoreError> {
    let mut collisions = Vec::new();
    for (id, login) in store.users_without_login_key().await? {
        let key = login_key(&login);
        if store.set_login_key(id, &key).await? {
            continue;
        }
        let other_login = store
            .user_by_login_key(&key)
            .await?
            .map(|u| u.login)
            .unwrap_or_default();
        tracing::warn!(
            user_id = id,
            login = %login,
            other_login = %other_login,
            "login differs from another account's only in letter case; it keeps signing in \
             with its exact spelling, rename one of the two to resolve it"
        );
        collisions.push(Collision {
            id,
            login,
            other_login,
        });
    }
    Ok(collisions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_differing_in_case_or_width_share_a_key() {
        assert_eq!(login_key("Bob"), login_key("bOB"));
        assert_eq!(login_key("STRASSE"), login_key("straße"));
        assert_eq!(login_key("ｂｏｂ"), login_key("bob"));
        assert_ne!(login_key("bob"), login_key("bobby"));
    }
}
