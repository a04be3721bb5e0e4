//! The permission function against decision 24's rules.

use super::*;

const VIEW: i64 = 1;
const SEND: i64 = 2;

#[test]
fn owners_have_everything_whatever_the_overwrites() {
    let denied = Some((0, ALL.0));
    assert_eq!(effective(Standing::Owner, true, denied, denied), ALL);
}

#[test]
fn members_start_from_the_base_and_the_users_overwrite_wins() {
    assert_eq!(effective(Standing::Member, false, None, None), MEMBER_BASE);
    let role_denies_send = Some((0, SEND));
    let user_allows_send = Some((SEND, 0));
    assert!(
        !effective(Standing::Member, false, role_denies_send, None).has(Permission::SendMessages)
    );
    assert!(
        effective(Standing::Member, false, role_denies_send, user_allows_send)
            .has(Permission::SendMessages)
    );
    let role_allows_view = Some((VIEW, 0));
    let user_denies_view = Some((0, VIEW));
    assert!(
        !effective(Standing::Admin, false, role_allows_view, user_denies_view)
            .has(Permission::View)
    );
}

#[test]
fn an_overwrite_naming_the_owner_role_changes_nothing_for_a_lower_level() {
    // An "owner" whose level was lowered below the owner level keeps a role overwrite
    // that names the owner role out of the computation.
    let denied = Some((0, VIEW));
    assert!(effective(Standing::Admin, true, denied, None).has(Permission::View));
    assert!(!effective(Standing::Admin, false, denied, None).has(Permission::View));
}

#[test]
fn names_come_in_the_contracts_order() {
    assert_eq!(
        Perms::names(Permission::Speak.bit() | Permission::View.bit()),
        ["view", "speak"]
    );
    assert_eq!(Permission::ALL.len(), 14);
    assert_eq!(Permission::ManageEvents.bit(), 8192);
    assert_eq!(
        Permission::parse("manage_stage"),
        Some(Permission::ManageStage)
    );
}
