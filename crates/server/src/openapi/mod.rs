//! The OpenAPI document served at `/openapi.json`: generated from the route annotations and
//! wire types (`ApiDoc`), then completed with the answers every operation shares
//! (`answers`) and the limits the server enforces, as schema (`constraints`).
//!
//! How to document a route is in docs/ARCHITECTURE.md ("Adding a route"); the test
//! `openapi_contract` fails on a routed operation or an answered status the document lacks.

pub mod answers;
pub mod constraints;

use serde_json::Value;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use charge_config::Settings;
use charge_http::routes;
use charge_protocol::{ErrorBody, ValidationErrorBody};

#[derive(OpenApi)]
#[openapi(
    info(title = "Charge API", description = "Self-hosted chat and voice server."),
    paths(
        crate::system::get_health, crate::system::get_ready, crate::system::get_welcome, crate::system::get_metrics,
        routes::auth::register_user, routes::auth::login_user,
        routes::sessions::refresh_tokens, routes::sessions::sign_out,
        routes::sessions::sign_out_everywhere, routes::sessions::change_password,
        routes::rooms::list_rooms, routes::rooms::create_room, routes::rooms::get_room,
        routes::rooms::create_channel, routes::rooms::delete_channel,
        routes::rooms::list_room_invitations, routes::rooms::create_room_invitation,
        routes::rooms::delete_room_invitation, routes::rooms::update_member,
        routes::invites::list_invites, routes::invites::create_invite, routes::invites::delete_invite,
        routes::invites::accept_invite,
        routes::channels::get_history,
        routes::channels::get_thread,
        routes::channels::search_messages,
        routes::pins::list_pins, routes::pins::pin_message, routes::pins::unpin_message,
        routes::categories::list_categories, routes::categories::create_category,
        routes::categories::update_category, routes::categories::delete_category,
        routes::layout::update_channel, routes::layout::reorder_channels,
        routes::layout::reorder_categories,
        routes::profile::get_profile, routes::profile::update_profile,
        routes::avatars::upload_avatar, routes::avatars::delete_avatar, routes::avatars::get_avatar,
        routes::attachments::upload_attachment, routes::attachments::download_attachment,
        routes::attachments::download_thumbnail,
        routes::channels::add_reaction,
        routes::channels::remove_reaction,
        routes::messages::create_message,
        routes::messages::edit_message,
        routes::messages::delete_message,
        routes::messages::moderate_message,
        routes::config::get_webrtc_config,
        routes::config::get_limits,
        routes::permissions::get_channel_permissions,
        routes::permissions::put_role_overwrite, routes::permissions::delete_role_overwrite,
        routes::permissions::put_user_overwrite, routes::permissions::delete_user_overwrite,
        routes::permissions::get_role_hierarchy, routes::permissions::update_role_level,
        routes::permissions::list_members,
        routes::friends::list_friends, routes::friends::remove_friend,
        routes::friends::list_requests, routes::friends::send_request,
        routes::friends::cancel_request, routes::friends::accept_request,
        routes::friends::reject_request, routes::friends::list_blocks,
        routes::friends::block_user, routes::friends::unblock_user,
        routes::conversations::list_conversations, routes::conversations::create_conversation,
        routes::conversations::rename_conversation, routes::conversations::update_note,
        routes::conversations::list_messages, routes::conversations::send_message,
        routes::conversations::send_typing, routes::conversations::add_participants,
        routes::conversations::leave_conversation, routes::conversations::edit_message,
        routes::conversations::delete_message, routes::conversations::add_reaction,
        routes::conversations::remove_reaction,
        routes::moderation::kick_member, routes::moderation::leave_room,
        routes::moderation::list_bans, routes::moderation::ban_user, routes::moderation::unban_user,
        routes::moderation::timeout_member, routes::moderation::rename_room,
        routes::moderation::delete_room, routes::moderation::transfer_ownership,
        routes::moderation::set_slow_mode, routes::moderation::audit_log,
        routes::readstate::list_read_states, routes::readstate::mark_channel_read,
        routes::readstate::create_receipt,
    ),
    components(schemas(ErrorBody, ValidationErrorBody)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

/// The complete document for a server running with `settings` (some limits are settings).
pub fn document(settings: &Settings) -> Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    // `/api` answers like `/api/` (both are routed).
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut)
        && let Some(welcome) = paths.get("/api/").cloned()
    {
        let mut alias = welcome;
        if let Some(op) = alias.get_mut("get").and_then(Value::as_object_mut) {
            op.insert("operationId".into(), "get_welcome_without_slash".into());
        }
        paths.insert("/api".into(), alias);
    }
    let missing = constraints::apply(&mut doc, settings);
    debug_assert!(missing.is_empty(), "constraints name nothing: {missing:?}");
    constraints::non_empty_path_parameters(&mut doc);
    answers::complete(&mut doc);
    doc
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings::for_tests(&[(
            "JWT_SECRET_KEY",
            "openapi-test-secret-key-long-enough-01234",
        )])
        .expect("settings")
    }

    #[test]
    fn every_constraint_names_a_field_or_parameter_of_the_document() {
        let mut doc = serde_json::to_value(ApiDoc::openapi()).expect("document");
        let missing = constraints::apply(&mut doc, &settings());
        assert!(
            missing.is_empty(),
            "constraints that name nothing: {missing:?}"
        );
    }

    #[test]
    fn the_message_length_in_the_document_follows_the_setting() {
        let mut settings = settings();
        settings.message_max_length = 10;
        let doc = document(&settings);
        let pattern = doc
            .pointer("/components/schemas/MessageCreate/properties/content/pattern")
            .and_then(Value::as_str)
            .expect("a pattern");
        assert!(pattern.contains("{0,9}"), "{pattern}");
    }

    #[test]
    fn the_patterns_whitespace_is_exactly_what_str_trim_removes() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(
                constraints::is_pattern_space(c),
                c.is_whitespace(),
                "U+{:04X}",
                u32::from(c)
            );
        }
    }
}
