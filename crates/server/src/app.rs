//! Wiring: settings → store → router → listener. `Application::build` is what `main` and the
//! tests call; `run_until_stopped` serves until the shutdown future resolves.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use charge_store::{Store, StoreOptions, redact_url};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::trace::{DefaultOnFailure, TraceLayer};
use utoipa_swagger_ui::SwaggerUi;

use charge_config::Settings;
use charge_domain::Domain;
use charge_domain::accounts::{AuthLimiter, Tokens};
use charge_domain::cache::ReadCache;
use charge_domain::passwords::{Passwords, PoolOptions, WORKER_IDLE};
use charge_http::extract::MAX_JSON_BODY;
use charge_realtime::writer::MessageWriter;
use charge_realtime::{Hub, bus};

use crate::state::AppState;

/// A bound, ready-to-serve Charge server.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
}

/// Connections the kernel completes while the server has not yet accepted them. The usual
/// default (128) overflows when hundreds of clients reconnect at once (after a restart, say):
/// the kernel then drops their handshakes and each client waits a second or more to retry.
/// The kernel caps this at `net.core.somaxconn`.
const LISTEN_BACKLOG: u32 = 4096;

/// Binds the first address `host` resolves to that can be bound.
async fn listen(host: &str, port: u16) -> std::io::Result<TcpListener> {
    let mut last = None;
    for addr in tokio::net::lookup_host((host, port)).await? {
        let socket = if addr.is_ipv4() {
            tokio::net::TcpSocket::new_v4()?
        } else {
            tokio::net::TcpSocket::new_v6()?
        };
        socket.set_reuseaddr(true)?;
        match socket
            .bind(addr)
            .and_then(|()| socket.listen(LISTEN_BACKLOG))
        {
            Ok(listener) => return Ok(listener),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("the host resolves to no address")))
}

/// The file store the settings name.
fn blob_backend(storage: &charge_config::media::Storage) -> charge_store::BlobBackend {
    use charge_config::media::Storage;
    match storage {
        Storage::Local { root } => charge_store::BlobBackend::Local { root: root.clone() },
        Storage::S3 {
            bucket,
            endpoint,
            region,
            access_key_id,
            secret_access_key,
            path_style,
        } => charge_store::BlobBackend::S3(charge_store::S3Options {
            bucket: bucket.clone(),
            endpoint: endpoint.clone(),
            region: region.clone(),
            access_key_id: access_key_id.clone(),
            secret_access_key: secret_access_key.expose().to_owned(),
            path_style: *path_style,
        }),
    }
}

impl Application {
    /// Connects to the database (retrying with backoff up to `DB_STARTUP_TIMEOUT_SECONDS`),
    /// applies migrations and binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let store = connect_store(&settings).await?;
        store
            .migrate()
            .await
            .map_err(|e| anyhow::anyhow!("database migration failed: {e}"))?;
        charge_domain::logins::assign_missing_keys(&store)
            .await
            .map_err(|e| anyhow::anyhow!("cannot assign login keys: {e}"))?;
        let blobs = charge_store::Blobs::open(&blob_backend(&settings.media.storage))
            .map_err(|e| anyhow::anyhow!("file storage: {e}"))?;
        let listener = listen(&settings.host, settings.port).await.map_err(|e| {
            anyhow::anyhow!("cannot listen on {}:{}: {e}", settings.host, settings.port)
        })?;
        // The recorder first: the hub's broker task sets gauges as soon as it runs, and a
        // gauge set before the recorder exists is lost.
        let metrics = Some(metrics_handle());
        let cache = Arc::new(ReadCache::default());
        let hub = start_hub(&settings, cache.clone());
        let writer = MessageWriter::start(store.clone(), hub.clone());
        let domain = Domain {
            tokens: Arc::new(Tokens::new(&settings)),
            limiter: AuthLimiter::new(
                settings.auth_rate_limit_per_minute,
                settings.auth_global_rate_limit_per_minute,
            ),
            passwords: Passwords::start(PoolOptions {
                slots: settings.password_hash_concurrency,
                queue: settings.password_hash_queue_length,
                wait: settings.password_hash_wait,
                idle: WORKER_IDLE,
            }),
            moderation: Default::default(),
            posting: charge_domain::messages::PostingLimiter::new(
                settings.chat_rate_per_second,
                settings.chat_rate_burst,
            ),
            realtime: Arc::new(charge_realtime::port::Port {
                hub: hub.clone(),
                writer: writer.clone(),
            }),
            cache,
            store,
            blobs,
            settings: Arc::new(settings),
        };
        let state = AppState {
            sessions: charge_realtime::AppState {
                domain,
                hub,
                writer,
            },
            metrics,
        };
        let router = router(state.clone());
        Ok(Self {
            listener,
            router,
            state,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then lets in-flight requests finish.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let limiter = self.state.limiter.clone();
        let posting = self.state.posting.clone();
        let sweeper = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                limiter.retain_recent();
                posting.retain_recent();
            }
        });
        let files = self.state.sessions.domain.clone();
        let file_sweeper = tokio::spawn(async move {
            // Often enough that an upload outlives its allowance by at most half of it.
            let every = (files.settings.media.unbound_upload_ttl / 2)
                .clamp(Duration::from_secs(1), Duration::from_secs(60));
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                match charge_domain::files::sweep_unbound(&files).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(removed = n, "expired uploads removed"),
                    Err(e) => {
                        tracing::warn!(error = &e as &dyn std::error::Error, "upload sweep failed")
                    }
                }
            }
        });
        let hub = self.state.hub.clone();
        let heartbeat = self.state.settings.realtime_heartbeat;
        let typing = tokio::spawn(async move {
            let mut expire = tokio::time::interval(Duration::from_millis(500));
            let mut flush = tokio::time::interval(charge_realtime::hub::PRESENCE_FLUSH);
            let mut beat = tokio::time::interval(heartbeat);
            loop {
                tokio::select! {
                    _ = expire.tick() => hub.expire(),
                    _ = flush.tick() => hub.flush_presence(),
                    _ = beat.tick() => hub.heartbeat(),
                }
            }
        });
        let people = tokio::spawn(charge_realtime::people_feed::run(
            self.state.sessions.clone(),
        ));
        let turn_probe = (!self.state.settings.turn_health_interval.is_zero()).then(|| {
            let config = charge_http::routes::config::turn_config(&self.state.settings);
            let interval = self.state.settings.turn_health_interval;
            let mut stop = self.state.hub.shutdown_signal();
            tokio::spawn(charge_turn::run_background(
                config,
                interval,
                charge_turn::ProbeOptions::default(),
                async move {
                    let _ = stop.wait_for(|s| *s).await.map(|_| ());
                },
            ))
        });
        let hub = self.state.hub.clone();
        // Decision 15: stop accepting, close every WebSocket with 1001, let requests finish.
        let graceful = async move {
            shutdown.await;
            hub.begin_shutdown();
            hub.wait_sessions_closed(Duration::from_secs(5)).await;
        };
        // Chat frames are small and latency-sensitive: no Nagle delay on any connection.
        let listener = axum::serve::ListenerExt::tap_io(self.listener, |tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "could not set TCP_NODELAY");
            }
        });
        let result = axum::serve(
            listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(graceful)
        .await;
        sweeper.abort();
        file_sweeper.abort();
        typing.abort();
        people.abort();
        if let Some(probe) = turn_probe {
            probe.abort();
        }
        self.state.store.close().await;
        result
    }
}

/// The real-time hub, with its broker connection when several nodes share the load.
fn start_hub(settings: &Settings, cache: Arc<ReadCache>) -> Arc<Hub> {
    let config = bus::BusConfig {
        backend: settings.realtime_backend,
        redis_url: settings.realtime_redis_url.clone(),
        nats_url: settings.realtime_nats_url.clone(),
        namespace: settings.realtime_namespace.clone(),
        node: settings.realtime_node_id.clone(),
        connected: Default::default(),
    };
    let (publisher, queue) = bus::start(&config);
    let hub = Hub::new(
        settings.typing_ttl,
        publisher,
        settings.realtime_heartbeat * 3,
        settings.realtime_coalesce,
        cache,
    );
    tokio::spawn(hub.clone().run_window_flusher());
    if let Some(queue) = queue {
        tracing::info!(backend = config.backend.as_str(), node = %config.node, "cross-node fan-out enabled");
        tokio::spawn(bus::run(config, queue, Arc::downgrade(&hub)));
    }
    hub
}

async fn connect_store(settings: &Settings) -> anyhow::Result<Store> {
    let url = settings.database_url.expose();
    let options = StoreOptions {
        max_connections: settings.db_max_connections,
        ..StoreOptions::default()
    };
    let deadline = Instant::now() + settings.db_startup_timeout;
    let mut delay = Duration::from_millis(250);
    loop {
        match Store::connect(url, &options).await {
            Ok(store) => return Ok(store),
            Err(e) if e.is_unavailable() && Instant::now() + delay < deadline => {
                tracing::warn!(url = %redact_url(url), error = %e, retry_in = ?delay, "database not reachable yet");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
            }
            Err(e) => {
                anyhow::bail!(
                    "cannot open database {} after {:?}: {e}",
                    redact_url(url),
                    settings.db_startup_timeout
                )
            }
        }
    }
}

/// The process-wide Prometheus recorder (installed once; tests build many apps per process).
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!(
                    "a metrics recorder was already installed; /metrics may be incomplete"
                );
            }
            crate::telemetry::describe_metrics();
            handle
        })
        .clone()
}

fn router(state: AppState) -> Router {
    let settings = state.settings.clone();
    let api = Router::new()
        .merge(
            crate::system::router()
                .method_not_allowed_fallback(method_not_allowed)
                .with_state(state.clone()),
        )
        .merge(
            charge_http::router()
                .method_not_allowed_fallback(method_not_allowed)
                .with_state(state.sessions.domain.clone()),
        )
        .merge(
            charge_realtime::router()
                .method_not_allowed_fallback(method_not_allowed)
                .with_state(state.sessions.clone()),
        );
    let router =
        Router::new()
            .merge(
                Router::new()
                    .merge(SwaggerUi::new("/docs").external_url_unchecked(
                        "/openapi.json",
                        crate::openapi::document(&settings),
                    ))
                    .layer(crate::security::docs_policy()),
            )
            .merge(api);
    let router = match &settings.web_client_dir {
        Some(dir) => router.fallback_service(
            ServeDir::new(dir)
                .append_index_html_on_directories(true)
                // An unknown path is 404 whatever the method (the contract), not ServeDir's 405.
                .call_fallback_on_method_not_allowed(true)
                .fallback(tower::service_fn(|_req: Request| async {
                    Ok::<_, std::convert::Infallible>(not_found().await)
                })),
        ),
        None => router.fallback(|method: Method, uri: Uri| async move {
            match crate::web_client::serve(&method, &uri) {
                Some(response) => response,
                None => not_found().await,
            }
        }),
    };
    crate::security::layer(router, settings.hsts_max_age)
        .layer(middleware::from_fn(record_http_metrics))
        .layer(middleware::from_fn(redirect_trailing_slash))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_JSON_BODY))
        .layer(cors(&settings))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    let route = req
                        .extensions()
                        .get::<MatchedPath>()
                        .map_or(req.uri().path(), MatchedPath::as_str);
                    tracing::info_span!("http", method = %req.method(), route = %route)
                })
                // A 5xx is often deliberate (503 while the database is away, or shedding
                // password hashes under a burst); real failures are logged at ERROR with their
                // cause where they happen (`http/src/error.rs`).
                .on_failure(DefaultOnFailure::new().level(tracing::Level::WARN)),
        )
}

async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(charge_protocol::ErrorBody {
            detail: "Not Found".into(),
        }),
    )
        .into_response()
}

async fn method_not_allowed() -> Response {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        axum::Json(charge_protocol::ErrorBody {
            detail: "Method Not Allowed".into(),
        }),
    )
        .into_response()
}

/// `POST /api/rooms/` → 307 to `/api/rooms`, as the predecessor's framework did.
/// The API documentation page at `/docs` itself (Swagger UI's own route only redirects to
/// `/docs/`): its assets are addressed absolutely, so the page works at either address.
const DOCS_PAGE: &str = r#"<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <title>Charge API</title>
    <link rel="stylesheet" type="text/css" href="/docs/swagger-ui.css" />
    <link rel="stylesheet" type="text/css" href="/docs/index.css" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/swagger-ui-bundle.js" charset="UTF-8"></script>
    <script src="/docs/swagger-ui-standalone-preset.js" charset="UTF-8"></script>
    <script src="/docs/swagger-initializer.js" charset="UTF-8"></script>
  </body>
</html>
"#;

async fn redirect_trailing_slash(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path == "/docs" && (req.method() == Method::GET || req.method() == Method::HEAD) {
        return (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (
                    header::CONTENT_SECURITY_POLICY,
                    crate::security::DOCS_POLICY,
                ),
            ],
            DOCS_PAGE,
        )
            .into_response();
    }
    if path.len() > "/api/".len() && path.starts_with("/api/") && path.ends_with('/') {
        let mut target = path.trim_end_matches('/').to_owned();
        if let Some(q) = req.uri().query() {
            target.push('?');
            target.push_str(q);
        }
        return Redirect::temporary(&target).into_response();
    }
    next.run(req).await
}

async fn record_http_metrics(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

fn cors(settings: &Settings) -> CorsLayer {
    let origins = settings.cors_origins.clone();
    let any = origins.iter().any(|o| o == "*");
    let regex = settings.cors_origin_regex.clone();
    // `*` admits every origin but never with credentials: a browser would otherwise send a
    // signed-in user's cookies to anyone who asked.
    let layer = if any {
        CorsLayer::new().allow_origin(AllowOrigin::any())
    } else {
        CorsLayer::new()
            .allow_origin(AllowOrigin::predicate(move |origin: &HeaderValue, _| {
                let Ok(origin) = origin.to_str() else {
                    return false;
                };
                origins.iter().any(|o| o.trim_end_matches('/') == origin)
                    || regex.as_ref().is_some_and(|r| r.is_match(origin))
            }))
            .allow_credentials(true)
    };
    layer
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .max_age(Duration::from_secs(600))
}
