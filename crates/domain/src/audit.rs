//! The room audit log: every moderation, role, permission, channel, category, invitation and
//! room change is written here by [`record`] after it is committed, with the actor, the target
//! and the state before and after. Admins and owners read it newest first, a page at a time.

use charge_protocol::limits::{AUDIT_PAGE_DEFAULT, AUDIT_PAGE_MAX};
use charge_protocol::{AuditLogEntryRead, AuditLogPage, MessageAuthor};
use charge_store::{AuditEntry, NewAuditEntry};
use serde::Serialize;

use crate::access::RoomAccess;
use crate::error::{DomainError, DomainResult};
use crate::{Domain, dto};

/// What a change touched.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    Room,
    Member(i64),
    Channel(i64),
    Category(i64),
    Invitation(i64),
    /// A role's level in the hierarchy (no id: the role is named in before/after).
    Role,
    /// A channel's permission overwrites.
    Permission(i64),
}

impl Target {
    fn parts(self, room_id: i64) -> (&'static str, Option<i64>) {
        match self {
            Target::Room => ("room", Some(room_id)),
            Target::Member(id) => ("member", Some(id)),
            Target::Channel(id) => ("channel", Some(id)),
            Target::Category(id) => ("category", Some(id)),
            Target::Invitation(id) => ("invitation", Some(id)),
            Target::Role => ("role", None),
            Target::Permission(id) => ("permission", Some(id)),
        }
    }
}

/// One change for the log: `action` is `<target>.<verb>` (`member.kick`, `channel.update`, …);
/// `before` and `after` are whatever describes the target's state (usually its wire shape).
pub struct Change<'a> {
    pub room_id: i64,
    pub actor_id: Option<i64>,
    pub action: &'a str,
    pub target: Target,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// A value as it goes into `before`/`after`.
pub fn state(value: &impl Serialize) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}

/// Writes a committed change to the room's audit log. The change itself has already happened,
/// so a failure to write is logged and does not undo or fail it.
pub async fn record(state: &Domain, change: Change<'_>) {
    let (target_type, target_id) = change.target.parts(change.room_id);
    let entry = NewAuditEntry {
        room_id: change.room_id,
        actor_id: change.actor_id,
        action: change.action,
        target_type,
        target_id,
        before: change.before.map(|v| v.to_string()),
        after: change.after.map(|v| v.to_string()),
    };
    if let Err(e) = state.store.insert_audit(&entry).await {
        tracing::warn!(
            room_id = change.room_id,
            action = change.action,
            error = &e as &dyn std::error::Error,
            "audit log entry not written"
        );
    }
}

/// Shorthand for the common case of an actor changing something in a room.
pub async fn log(
    state: &Domain,
    access: &RoomAccess,
    action: &str,
    target: Target,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) {
    record(
        state,
        Change {
            room_id: access.room.id,
            actor_id: Some(access.member.user_id),
            action,
            target,
            before,
            after,
        },
    )
    .await;
}

/// A page of the log (admins and owners): newest first, older than the cursor, `limit`
/// entries (default [`AUDIT_PAGE_DEFAULT`], at most [`AUDIT_PAGE_MAX`]).
pub async fn page(
    state: &Domain,
    access: &RoomAccess,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> DomainResult<AuditLogPage> {
    access.require_admin()?;
    let limit = limit.unwrap_or(AUDIT_PAGE_DEFAULT);
    if limit < 1 {
        return Err(DomainError::validation(
            "greater_than_equal",
            &["query", "limit"],
            "Input should be greater than or equal to 1",
        ));
    }
    if limit > AUDIT_PAGE_MAX {
        return Err(DomainError::validation(
            "less_than_equal",
            &["query", "limit"],
            format!("Input should be less than or equal to {AUDIT_PAGE_MAX}"),
        ));
    }
    let before = match cursor.map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(
            c.parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .ok_or(DomainError::BadRequest("Invalid cursor"))?,
        ),
    };
    // One more than asked tells whether an older page exists.
    let mut rows = state
        .store
        .audit_log(access.room.id, before, limit + 1)
        .await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = more
        .then(|| rows.last().map(|r| r.id.to_string()))
        .flatten();
    Ok(AuditLogPage {
        items: rows.iter().map(entry).collect(),
        next_cursor,
    })
}

fn entry(row: &AuditEntry) -> AuditLogEntryRead {
    let parse = |text: &Option<String>| {
        text.as_deref()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
    };
    let actor = match (row.actor_id, &row.actor_login) {
        (Some(id), Some(login)) => Some(MessageAuthor {
            id,
            login: login.clone(),
            display_name: row.actor_display_name.clone(),
            avatar_url: dto::avatar_url(
                id,
                row.actor_avatar_path.as_deref(),
                row.actor_avatar_updated_at,
            ),
            status: row
                .actor_presence_status
                .clone()
                .unwrap_or_else(|| "online".to_owned()),
        }),
        _ => None,
    };
    AuditLogEntryRead {
        id: row.id,
        action: row.action.clone(),
        actor,
        target_type: row.target_type.clone(),
        target_id: row.target_id,
        before: parse(&row.before_json),
        after: parse(&row.after_json),
        created_at: dto::timestamp(row.created_at),
    }
}
