//! Avatars: a user uploads a picture (PNG, JPEG, WebP or GIF, re-encoded here as a PNG of at
//! most 256 pixels a side) and anyone may fetch it by user id, as `avatar_url` says.

use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use charge_domain::Domain as AppState;
use charge_domain::images::{self, PictureError};
use charge_domain::{OnlineUser, dto};
use charge_protocol::UserRead;
use charge_store::{User, new_key};

use crate::auth::CurrentUser;
use crate::download::{Download, serve};
use crate::error::{ApiError, ApiResult};
use crate::routes::attachments::malformed;
use crate::routes::rooms::parse_path_id;

/// Avatars change URL when they change (`?v=`), so caches may keep each one a long time.
pub const PUBLIC_CACHE: &str = "public, max-age=86400";
/// Every stored picture is a PNG (re-encoded on upload).
const PICTURE_TYPE: &str = "image/png";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/profile/avatar",
            post(upload_avatar)
                .delete(delete_avatar)
                // Read up to MAX_UPLOAD_SIZE by the handler itself.
                .layer(DefaultBodyLimit::disable()),
        )
        .route("/api/profile/avatar/{user_id}", get(get_avatar))
}

/// The part named `name` of a form, read whole up to `max` bytes: `Ok(None)` when absent,
/// 400 `not_image` when its declared type is not an image, 413 `too_large` over `max`.
pub async fn read_picture(
    mut multipart: Multipart,
    name: &str,
    max: u64,
    not_image: &'static str,
    too_large: &'static str,
) -> ApiResult<Option<Bytes>> {
    while let Some(mut field) = multipart.next_field().await.map_err(|_| malformed())? {
        if field.name() != Some(name) {
            continue;
        }
        if let Some(declared) = field.content_type()
            && !declared.starts_with("image/")
        {
            return Err(ApiError::BadRequest(not_image).into());
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|_| malformed())? {
            if (bytes.len() + chunk.len()) as u64 > max {
                return Err(ApiError::PayloadTooLarge(too_large.into()).into());
            }
            bytes.extend_from_slice(&chunk);
        }
        return Ok(Some(Bytes::from(bytes)));
    }
    Ok(None)
}

/// Tells every place the user appears that their picture changed.
fn announce(state: &AppState, user: &User) {
    state.cache.put_user(user);
    state.realtime.user_changed(OnlineUser {
        id: user.id,
        display_name: user
            .display_name
            .clone()
            .unwrap_or_else(|| user.login.clone()),
        status: user.presence_status.clone(),
        avatar_url: dto::avatar_url(user.id, user.avatar_path.as_deref(), user.avatar_updated_at),
    });
}

/// Upload the caller's avatar (PNG, JPEG, WebP or GIF; stored re-encoded as PNG).
#[utoipa::path(post, path = "/api/profile/avatar", tag = "profile", security(("bearer" = [])),
    request_body(content_type = "multipart/form-data", description = "One image part named `avatar`."),
    responses((status = 200, body = UserRead),
              (status = 400, description = "Avatar must be an image file"),
              (status = 413, description = "Avatar exceeds allowed size (MAX_UPLOAD_SIZE)"),
              (status = 422, description = "No `avatar` part")))]
pub async fn upload_avatar(
    State(state): State<AppState>,
    me: CurrentUser,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<Json<UserRead>> {
    const NOT_IMAGE: &str = "Avatar must be an image file";
    let multipart = multipart.map_err(|_| malformed())?;
    let max = state.settings.media.max_upload_size;
    let bytes = read_picture(
        multipart,
        "avatar",
        max,
        NOT_IMAGE,
        "Avatar exceeds allowed size",
    )
    .await?
    .ok_or_else(|| ApiError::validation("missing", &["body", "avatar"], "Field required"))?;
    let png = match images::picture_png(bytes).await? {
        Ok(png) => png,
        Err(PictureError::NotAnImage) => return Err(ApiError::BadRequest(NOT_IMAGE).into()),
    };
    let key = new_key(&format!("avatars/user_{}", me.user.id), "png");
    state.blobs.put(&key, png).await?;
    let Some((user, previous)) = state
        .store
        .set_avatar(me.user.id, Some(&key), Some(PICTURE_TYPE))
        .await?
    else {
        state.blobs.delete_all(&[key]).await;
        return Err(ApiError::not_authenticated().into());
    };
    state
        .blobs
        .delete_all(&previous.into_iter().collect::<Vec<_>>())
        .await;
    announce(&state, &user);
    Ok(Json(dto::user(&user)))
}

/// Remove the caller's avatar.
#[utoipa::path(delete, path = "/api/profile/avatar", tag = "profile", security(("bearer" = [])),
    responses((status = 200, body = UserRead)))]
pub async fn delete_avatar(
    State(state): State<AppState>,
    me: CurrentUser,
) -> ApiResult<Json<UserRead>> {
    let (user, previous) = state
        .store
        .set_avatar(me.user.id, None, None)
        .await?
        .ok_or_else(ApiError::not_authenticated)?;
    state
        .blobs
        .delete_all(&previous.into_iter().collect::<Vec<_>>())
        .await;
    announce(&state, &user);
    Ok(Json(dto::user(&user)))
}

/// A user's avatar (no authentication: avatars are public, as in the contract).
#[utoipa::path(get, path = "/api/profile/avatar/{user_id}", tag = "profile",
    params(("user_id" = i64, Path)),
    responses((status = 200, description = "A PNG image"), (status = 304, description = "Not modified"),
              (status = 404, description = "Avatar not found or File not found")))]
pub async fn get_avatar(
    State(state): State<AppState>,
    Path(user_id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let user_id = parse_path_id(&user_id, "user_id")?;
    let user = state
        .store
        .user_by_id(user_id)
        .await?
        .ok_or(ApiError::NotFound("Avatar not found"))?;
    let key = user
        .avatar_path
        .as_deref()
        .ok_or(ApiError::NotFound("Avatar not found"))?;
    let size = state.blobs.size(key).await.map_err(|e| match e {
        charge_store::StoreError::NotFound => ApiError::NotFound("File not found"),
        other => other.into(),
    })?;
    let updated = user.avatar_updated_at.unwrap_or(user.updated_at);
    let file = Download {
        key,
        content_type: PICTURE_TYPE,
        size,
        etag: format!("\"u{}-{updated}\"", user.id),
        modified: updated,
        file_name: None,
        cache_control: PUBLIC_CACHE,
    };
    serve(&state, file, &headers).await
}
