//! Service routes: health, welcome, metrics, OpenAPI document and its viewer.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use charge_protocol::{HealthRead, ReadinessRead, WelcomeRead};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(get_health))
        .route("/ready", get(get_ready))
        .route("/api/", get(get_welcome))
        .route("/api", get(get_welcome))
        .route("/metrics", get(get_metrics))
        .route("/invite/{code}", get(open_invite))
}

/// An invitation link (`/invite/CODE`): the web client's sign-in page with the code, which
/// joins the room once the visitor has signed in or registered. Only code characters pass.
pub async fn open_invite(
    axum::extract::Path(code): axum::extract::Path<String>,
) -> axum::response::Response {
    let valid = !code.is_empty()
        && code.len() <= 64
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if valid {
        // Relative, so a client served under a path prefix lands on its own page.
        axum::response::Redirect::to(&format!("../index.html?invite={code}")).into_response()
    } else {
        (
            StatusCode::NOT_FOUND,
            Json(charge_protocol::ErrorBody {
                detail: "Not Found".into(),
            }),
        )
            .into_response()
    }
}

/// Liveness: answers while the process serves requests.
#[utoipa::path(get, path = "/health", tag = "system", responses((status = 200, body = HealthRead)))]
pub async fn get_health(State(state): State<AppState>) -> Json<HealthRead> {
    Json(HealthRead {
        status: "ok".into(),
        environment: state.settings.environment.clone(),
    })
}

/// Readiness: the database answers and, with several nodes, the broker is connected. `/health`
/// stays the contract's liveness answer; container health checks use this one.
#[utoipa::path(get, path = "/ready", tag = "system",
    responses((status = 200, body = ReadinessRead, description = "Ready"),
              (status = 503, body = ReadinessRead, description = "The database or the broker is unavailable")))]
pub async fn get_ready(State(state): State<AppState>) -> (StatusCode, Json<ReadinessRead>) {
    let database = matches!(
        tokio::time::timeout(std::time::Duration::from_secs(2), state.store.ping()).await,
        Ok(Ok(()))
    );
    let broker = state.hub.bus().broker_up();
    let ready = database && broker != Some(false);
    let word = |up: bool| if up { "ok" } else { "unavailable" };
    (
        if ready {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        },
        Json(ReadinessRead {
            status: word(ready).into(),
            database: word(database).into(),
            broker: broker.map_or("not used", word).into(),
        }),
    )
}

#[utoipa::path(get, path = "/api/", tag = "system", responses((status = 200, body = WelcomeRead)))]
pub async fn get_welcome() -> Json<WelcomeRead> {
    Json(WelcomeRead {
        message: "Welcome to the Charge API".into(),
    })
}

/// Prometheus text exposition.
#[utoipa::path(get, path = "/metrics", tag = "system", responses((status = 200, description = "Prometheus text")))]
pub async fn get_metrics(State(state): State<AppState>) -> impl IntoResponse {
    match &state.metrics {
        Some(handle) => {
            crate::telemetry::collect_process_metrics();
            (
                StatusCode::OK,
                [(
                    header::CONTENT_TYPE,
                    "text/plain; version=0.0.4; charset=utf-8",
                )],
                crate::telemetry::with_contract_series(handle.render()),
            )
        }
        None => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            String::new(),
        ),
    }
}
