//! The caller's own profile: read it, or change the display name and presence status. A
//! change shows at once in every channel's online list where the user is present.

use axum::extract::State;
use axum::routing::{get, patch};
use axum::{Json, Router};
use charge_protocol::{UserRead, ValidationItem};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, item};
use crate::extract::{ApiJson, Validate, check_len};
use charge_domain::Domain as AppState;
use charge_domain::OnlineUser;
use charge_domain::dto;

/// What a user may choose; `invisible` shows them offline to everyone else.
const STATUSES: [&str; 4] = ["online", "idle", "dnd", "invisible"];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/profile/me", get(get_profile))
        .route("/api/profile", patch(update_profile))
}

/// `null` or an absent key leaves a field as it is.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ProfileUpdate {
    /// 1–128 characters once trimmed.
    #[serde(default)]
    pub display_name: Option<String>,
    /// `online`, `idle`, `dnd`, or `invisible` (appear offline to everyone else).
    #[serde(default)]
    pub status: Option<String>,
}

impl Validate for ProfileUpdate {
    fn validate(&mut self) -> Vec<ValidationItem> {
        let mut problems = Vec::new();
        if let Some(name) = &mut self.display_name {
            *name = name.trim().to_owned();
            check_len(
                &mut problems,
                &["body", "display_name"],
                name,
                1,
                charge_protocol::limits::NAME_MAX_LENGTH,
            );
        }
        if let Some(status) = &self.status
            && !STATUSES.contains(&status.as_str())
        {
            problems.push(item(
                "enum",
                &["body", "status"],
                "Input should be 'online', 'idle', 'dnd' or 'invisible'",
            ));
        }
        problems
    }
}

/// The caller's profile.
#[utoipa::path(get, path = "/api/profile/me", tag = "profile", security(("bearer" = [])),
    responses((status = 200, body = UserRead)))]
pub async fn get_profile(me: CurrentUser) -> Json<UserRead> {
    Json(dto::user(&me.user))
}

/// Changes the caller's display name or presence status.
#[utoipa::path(patch, path = "/api/profile", tag = "profile", security(("bearer" = [])),
    request_body = ProfileUpdate, responses((status = 200, body = UserRead)))]
pub async fn update_profile(
    State(state): State<AppState>,
    me: CurrentUser,
    ApiJson(body): ApiJson<ProfileUpdate>,
) -> ApiResult<Json<UserRead>> {
    if body.display_name.is_none() && body.status.is_none() {
        return Ok(Json(dto::user(&me.user)));
    }
    let invisible = body.status.as_deref() == Some("invisible");
    if body.status.is_some() {
        state.store.set_invisible(me.user.id, invisible).await?;
    }
    let status = body.status.as_deref().filter(|_| !invisible);
    let user = state
        .store
        .update_profile(me.user.id, body.display_name.as_deref(), status)
        .await?
        .ok_or_else(ApiError::not_authenticated)?;
    state.cache.put_user(&user);
    state.realtime.user_changed(OnlineUser {
        id: user.id,
        display_name: user
            .display_name
            .clone()
            .unwrap_or_else(|| user.login.clone()),
        status: user.presence_status.clone(),
        avatar_url: dto::avatar_url(user.id, user.avatar_path.as_deref(), user.avatar_updated_at),
    });
    Ok(Json(dto::user(&user)))
}
