//! `GET /api/config/webrtc`: ICE servers and voice defaults for clients. Credentials only go to
//! an authenticated caller (decision 17); with `WEBRTC_TURN_SHARED_SECRET` they are
//! time-limited TURN REST credentials instead of the shared pair.

use std::time::SystemTime;

use axum::extract::State;
use axum::http::request::Parts;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::auth::bearer_token;
use charge_config::{IceServer, Settings};
use charge_domain::Domain as AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/config/webrtc", get(get_webrtc_config))
        .route("/api/config/limits", get(get_limits))
}

/// The settings as the TURN probe sees them.
pub fn turn_config(settings: &Settings) -> charge_turn::TurnConfig {
    charge_turn::TurnConfig {
        turn_servers: settings.turn_servers.clone(),
        username: settings.turn_username.clone(),
        credential: settings
            .turn_credential
            .as_ref()
            .map(|c| c.expose().to_owned()),
        shared_secret: settings
            .turn_shared_secret
            .as_ref()
            .map(|s| s.expose().to_owned()),
        fallback_servers: settings
            .turn_fallback_servers
            .iter()
            .map(|s| charge_turn::IceServer {
                urls: s.urls.clone(),
                username: s.username.clone(),
                credential: s.credential.clone(),
            })
            .collect(),
    }
}

fn entry(urls: &[String], username: Option<String>, credential: Option<String>) -> Value {
    json!({"urls": urls, "username": username, "credential": credential})
}

/// WebRTC configuration; send a bearer token to receive TURN credentials.
#[utoipa::path(get, path = "/api/config/webrtc", tag = "system",
    responses((status = 200, description = "ICE servers, TURN settings and voice defaults")))]
pub async fn get_webrtc_config(State(state): State<AppState>, parts: Parts) -> Json<Value> {
    let s = &state.settings;
    let caller = match bearer_token(&parts) {
        Some(token) => state.tokens.verify(token).ok().map(|(id, _)| id),
        None => None,
    };
    let (turn_user, turn_credential) = match (caller, &s.turn_shared_secret) {
        (None, _) => (None, None),
        (Some(user_id), Some(secret)) => {
            let (u, c) = charge_turn::rest_credentials(
                secret.expose(),
                &user_id.to_string(),
                s.turn_credential_ttl,
                SystemTime::now(),
            );
            (Some(u), Some(c))
        }
        (Some(_), None) => (
            s.turn_username.clone(),
            s.turn_credential.as_ref().map(|c| c.expose().to_owned()),
        ),
    };
    let fallback: Vec<Value> = s
        .turn_fallback_servers
        .iter()
        .map(|f: &IceServer| {
            let authed = caller.is_some();
            entry(
                &f.urls,
                f.username.clone().filter(|_| authed),
                f.credential.clone().filter(|_| authed),
            )
        })
        .collect();
    let mut ice: Vec<Value> = s
        .ice_servers
        .iter()
        .map(|i| {
            let authed = caller.is_some();
            entry(
                &i.urls,
                i.username.clone().filter(|_| authed),
                i.credential.clone().filter(|_| authed),
            )
        })
        .collect();
    if !s.stun_servers.is_empty() {
        ice.push(entry(&s.stun_servers, None, None));
    }
    if !s.turn_servers.is_empty() {
        ice.push(entry(&s.turn_servers, turn_user.clone(), turn_credential));
    }
    ice.extend(fallback.iter().cloned());
    let username_shown = if s.turn_shared_secret.is_some() {
        turn_user
    } else {
        s.turn_username.clone()
    };
    Json(json!({
        "iceServers": ice,
        "stun": s.stun_servers,
        "turn": {
            "urls": s.turn_servers,
            "realm": s.turn_realm,
            "username": username_shown,
            "fallbackServers": fallback,
        },
        "defaults": {
            "role": s.voice_default_role,
            "autoPromoteFirstSpeaker": s.voice_auto_promote_first_speaker,
            "maxSpeakers": s.voice_max_speakers,
        },
        "recording": {"enabled": s.voice_recording_enabled, "serviceUrl": s.voice_recording_service_url},
        "monitoring": {
            "enabled": s.voice_quality_monitoring_enabled,
            "endpoint": s.voice_quality_monitoring_endpoint,
            "pollInterval": s.voice_quality_poll_interval,
            "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        },
    }))
}

/// The limits a client should enforce before sending (no authentication needed).
#[utoipa::path(get, path = "/api/config/limits", tag = "system",
    responses((status = 200, description = "Client-visible limits", body = charge_protocol::LimitsRead)))]
pub async fn get_limits(State(state): State<AppState>) -> Json<charge_protocol::LimitsRead> {
    use charge_protocol::limits;
    let s = &state.settings;
    Json(charge_protocol::LimitsRead {
        message_max_length: s.message_max_length,
        history_default_limit: s.history_default_limit,
        history_max_limit: s.history_max_limit,
        typing_ttl_seconds: s.typing_ttl.as_secs_f64(),
        pins_per_channel: limits::PINS_PER_CHANNEL,
        pin_note_max_length: limits::PIN_NOTE_MAX_LENGTH,
        categories_per_room: limits::CATEGORIES_PER_ROOM,
        name_max_length: limits::NAME_MAX_LENGTH,
        json_body_max_bytes: limits::JSON_BODY_MAX_BYTES,
        ws_frame_max_bytes: limits::WS_FRAME_MAX_BYTES,
        slow_mode_max_seconds: limits::SLOW_MODE_MAX_SECONDS,
        timeout_max_seconds: limits::TIMEOUT_MAX_SECONDS,
        ban_reason_max_length: limits::BAN_REASON_MAX_LENGTH,
    })
}
