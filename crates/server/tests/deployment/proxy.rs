//! The frontend image's nginx configuration, exercised with Debian's nginx: the template in
//! `docker/nginx/` is rendered by the same script the image runs, `nginx -t` must accept it, and
//! an nginx started from it on loopback, in front of a running `charge` and the web client,
//! must serve the client and carry the API, the health probe, the API docs and a WebSocket chat
//! through. Also `charge healthcheck` as the api image runs it (`HOST=0.0.0.0`).
//!
//! nginx is required: these tests fail (they do not skip) when it is not installed
//! (`apt-get install nginx`; `scripts/test.sh` installs it).

use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::ws::{close_of, connect, next_of, send};
use crate::common::{Db, TestApp, both_backends};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Debian's nginx binary; panics with the install hint when there is none.
fn nginx_binary() -> PathBuf {
    let mut candidates = vec![
        PathBuf::from("/usr/sbin/nginx"),
        PathBuf::from("/usr/local/sbin/nginx"),
    ];
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path).map(|d| d.join("nginx")));
    }
    candidates.into_iter().find(|p| p.is_file()).expect(
        "nginx is required for the deployment tests and was not found \
         (apt-get install nginx; scripts/test.sh installs it)",
    )
}

/// The web client nginx serves: the Vite build when present, else the unbundled sources.
fn web_root() -> PathBuf {
    let dist = repo().join("frontend/dist");
    if dist.join("index.html").is_file() {
        dist
    } else {
        repo().join("frontend/app")
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// Renders the template with `docker/nginx/render-config.sh` (what the image runs at start).
fn render(out: &Path, listen: &str, root: &Path, upstreams: &str) -> std::process::Output {
    Command::new("sh")
        .arg(repo().join("docker/nginx/render-config.sh"))
        .arg(repo().join("docker/nginx/charge.conf.template"))
        .arg(out)
        .env("CHARGE_LISTEN", listen)
        .env("CHARGE_WEB_ROOT", root)
        .env("CHARGE_API_UPSTREAMS", upstreams)
        .output()
        .expect("run render-config.sh")
}

/// A main nginx.conf around the rendered server configuration, with every path nginx writes
/// inside `dir` (the image uses nginx's stock main configuration, which includes conf.d/).
fn main_config(dir: &Path, server_conf: &Path) -> PathBuf {
    let d = dir.display();
    let mime = ["/etc/nginx/mime.types", "/usr/local/nginx/conf/mime.types"]
        .into_iter()
        .find(|p| Path::new(p).is_file())
        .expect("nginx's mime.types (installed with nginx)");
    let conf = format!(
        "daemon off;\n\
         master_process off;\n\
         worker_processes 1;\n\
         pid {d}/nginx.pid;\n\
         error_log {d}/error.log info;\n\
         events {{ worker_connections 128; }}\n\
         http {{\n\
             include {mime};\n\
             default_type application/octet-stream;\n\
             sendfile on;\n\
             access_log {d}/access.log;\n\
             client_body_temp_path {d}/client_body;\n\
             proxy_temp_path {d}/proxy;\n\
             fastcgi_temp_path {d}/fastcgi;\n\
             uwsgi_temp_path {d}/uwsgi;\n\
             scgi_temp_path {d}/scgi;\n\
             include {server};\n\
         }}\n",
        server = server_conf.display()
    );
    let path = dir.join("nginx.conf");
    std::fs::write(&path, conf).expect("write nginx.conf");
    path
}

fn nginx_command(dir: &Path, conf: &Path) -> Command {
    let mut cmd = Command::new(nginx_binary());
    cmd.arg("-p")
        .arg(format!("{}/", dir.display()))
        .arg("-c")
        .arg(conf)
        .arg("-e")
        .arg(dir.join("error.log"));
    cmd
}

/// `nginx -t`; returns its combined output, panicking when the configuration is refused.
fn nginx_test(dir: &Path, conf: &Path) -> String {
    let out = nginx_command(dir, conf)
        .arg("-t")
        .output()
        .expect("run nginx -t");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "nginx -t refused the configuration:\n{text}"
    );
    assert!(text.contains("syntax is ok"), "{text}");
    text
}

/// A running nginx, stopped when dropped.
struct Nginx {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Nginx {
    /// Renders the configuration for `api` and starts nginx on a free loopback port.
    fn start(api: SocketAddr) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let port = free_port();
        let server_conf = dir.path().join("charge.conf");
        let out = render(
            &server_conf,
            &format!("127.0.0.1:{port}"),
            &web_root(),
            &api.to_string(),
        );
        assert!(
            out.status.success(),
            "render-config.sh: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let conf = main_config(dir.path(), &server_conf);
        nginx_test(dir.path(), &conf);
        let child = nginx_command(dir.path(), &conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start nginx");
        let mut nginx = Nginx { child, port, dir };
        nginx.wait_ready();
        nginx
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                let mut stderr = String::new();
                if let Some(mut err) = self.child.stderr.take() {
                    let _ = err.read_to_string(&mut stderr);
                }
                panic!(
                    "nginx exited ({status}) before listening: {stderr}\n{}",
                    self.error_log()
                );
            }
            assert!(
                Instant::now() < deadline,
                "nginx did not listen on 127.0.0.1:{} in time\n{}",
                self.port,
                self.error_log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // Single-process nginx (master_process off): killing it stops everything.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn content_type(res: &reqwest::Response) -> String {
    res.headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The first `attr="./…"` value on a line of `html` that contains `marker`.
fn referenced(html: &str, marker: &str, attr: &str) -> String {
    let line = html
        .lines()
        .find(|l| l.contains(marker))
        .unwrap_or_else(|| panic!("no line with {marker} in index.html"));
    let start = line.find(&format!("{attr}=\"")).expect("attribute") + attr.len() + 2;
    let value = &line[start..];
    let value = &value[..value.find('"').expect("closing quote")];
    value.trim_start_matches("./").to_owned()
}

both_backends!(nginx_serves_the_client_and_proxies_api_health_docs_and_websockets_to_charge);
async fn nginx_serves_the_client_and_proxies_api_health_docs_and_websockets_to_charge(db: Db) {
    let app = TestApp::spawn(db).await;
    let nginx = Nginx::start(app.addr);
    let base = nginx.base();
    let http = crate::common::http()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let get = |path: &str| http.get(format!("{base}{path}")).send();

    // The client page and its module script (browsers refuse modules without a JS MIME type).
    let res = get("/").await.expect("GET /");
    assert_eq!(res.status(), StatusCode::OK, "{}", nginx.error_log());
    assert!(content_type(&res).starts_with("text/html"));
    let html = res.text().await.expect("index.html");
    assert!(html.contains("<title>"), "{html}");
    assert_eq!(
        html,
        std::fs::read_to_string(web_root().join("index.html")).expect("index.html on disk"),
        "the page is the client from {}",
        web_root().display()
    );
    let script = referenced(&html, "type=\"module\"", "src");
    let res = get(&format!("/{script}")).await.expect("GET script");
    assert_eq!(res.status(), StatusCode::OK, "/{script}");
    assert!(
        content_type(&res).contains("javascript"),
        "/{script} is served as {}",
        content_type(&res)
    );
    let style = referenced(&html, "rel=\"stylesheet\"", "href");
    let res = get(&format!("/{style}")).await.expect("GET stylesheet");
    assert_eq!(res.status(), StatusCode::OK, "/{style}");
    assert!(content_type(&res).starts_with("text/css"));
    let res = get("/workspace.html").await.expect("GET workspace");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        get("/no-such-page").await.expect("GET").status(),
        StatusCode::NOT_FOUND
    );

    // The API, the health probe the client uses to find its API, and the docs.
    let res = get("/api/").await.expect("GET /api/");
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.expect("json");
    assert!(
        body.is_object() && !body.as_object().unwrap().is_empty(),
        "{body}"
    );
    let res = get("/health").await.expect("GET /health");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.expect("json")["status"], "ok");
    let res = get("/openapi.json").await.expect("GET /openapi.json");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.json::<Value>().await.expect("json")["openapi"].is_string());
    let res = get("/docs/").await.expect("GET /docs/");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(content_type(&res).starts_with("text/html"));
    // API errors come through unchanged.
    let res = get("/api/rooms").await.expect("GET /api/rooms");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(res.json::<Value>().await.expect("json")["detail"].is_string());

    // Metrics stay private: 404 through the proxy, while the server itself has them.
    assert_eq!(
        get("/metrics").await.expect("GET /metrics").status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        http.get(app.url("/metrics"))
            .send()
            .await
            .expect("direct")
            .status(),
        StatusCode::OK
    );

    // Sign-up, sign-in and a JSON POST through the proxy.
    let register = http
        .post(format!("{base}/api/auth/register"))
        .json(&json!({"login": "alice", "password": "password-alice", "display_name": "alice"}))
        .send()
        .await
        .expect("register");
    assert_eq!(register.status(), StatusCode::CREATED);
    let login: Value = http
        .post(format!("{base}/api/auth/login"))
        .json(&json!({"login": "alice", "password": "password-alice"}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    let alice = login["access_token"].as_str().expect("token").to_owned();
    let (_, bob) = app.user("bob").await;
    let slug = app.room(&alice, "Proxy").await;
    let channel = app.channel(&alice, &slug, "general", "text").await["id"]
        .as_i64()
        .expect("channel id");
    app.join(&alice, &slug, &bob, "member").await;

    // A WebSocket chat round-trip through nginx: both sockets upgraded by the proxy.
    let mut a = connect(&base, &format!("/ws/text/{channel}?token={alice}")).await;
    assert_eq!(next_of(&mut a, "history").await["type"], "history");
    let mut b = connect(&base, &format!("/ws/text/{channel}?token={bob}")).await;
    assert_eq!(next_of(&mut b, "history").await["type"], "history");
    send(
        &mut a,
        json!({"type": "message", "content": "hello through nginx"}),
    )
    .await;
    for socket in [&mut a, &mut b] {
        let frame = next_of(socket, "message").await;
        assert_eq!(frame["message"]["content"], "hello through nginx");
        assert_eq!(frame["message"]["author"]["login"], "alice");
    }
    send(&mut b, json!({"type": "ping"})).await;
    assert_eq!(next_of(&mut b, "pong").await["type"], "pong");
    // The message is in the history, read through the proxy as well.
    let history: Value = http
        .get(format!("{base}/api/channels/{channel}/history"))
        .bearer_auth(&bob)
        .send()
        .await
        .expect("history")
        .json()
        .await
        .expect("json");
    assert!(
        history.to_string().contains("hello through nginx"),
        "{history}"
    );
    // Close codes and reasons reach the browser through the proxy.
    let mut refused = connect(&base, &format!("/ws/text/{channel}?token=not-a-jwt")).await;
    assert_eq!(close_of(&mut refused).await, (1008, "Invalid token".into()));

    drop(a);
    drop(b);
    drop(nginx);
    app.stop().await;
}

#[test]
fn nginx_accepts_a_configuration_with_several_charge_nodes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server_conf = dir.path().join("charge.conf");
    let upstreams = format!("127.0.0.1:{},127.0.0.1:{}", free_port(), free_port());
    let out = render(&server_conf, "127.0.0.1:8080", &web_root(), &upstreams);
    assert!(out.status.success());
    let rendered = std::fs::read_to_string(&server_conf).expect("rendered");
    assert_eq!(
        rendered.matches("    server 127.0.0.1:").count(),
        2,
        "{rendered}"
    );
    assert!(
        !rendered.contains("@@"),
        "every placeholder is filled: {rendered}"
    );
    let conf = main_config(dir.path(), &server_conf);
    nginx_test(dir.path(), &conf);
}

#[test]
fn the_renderer_uses_the_image_defaults_and_refuses_values_that_would_inject_directives() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_path = dir.path().join("default.conf");
    let out = Command::new("sh")
        .arg(repo().join("docker/nginx/render-config.sh"))
        .arg(repo().join("docker/nginx/charge.conf.template"))
        .arg(&out_path)
        .env_remove("CHARGE_LISTEN")
        .env_remove("CHARGE_WEB_ROOT")
        .env_remove("CHARGE_API_UPSTREAMS")
        .output()
        .expect("render");
    assert!(out.status.success());
    let rendered = std::fs::read_to_string(&out_path).expect("rendered");
    assert!(rendered.contains("listen 8080;"), "{rendered}");
    assert!(rendered.contains("root /usr/share/nginx/html;"));
    assert!(rendered.contains("server api:8000 "));

    for (name, value) in [
        ("CHARGE_API_UPSTREAMS", "api:8000; include /etc/passwd"),
        ("CHARGE_LISTEN", "8080; }"),
        ("CHARGE_WEB_ROOT", "/srv/www\"x"),
    ] {
        let bad = dir.path().join("bad.conf");
        let out = Command::new("sh")
            .arg(repo().join("docker/nginx/render-config.sh"))
            .arg(repo().join("docker/nginx/charge.conf.template"))
            .arg(&bad)
            .env("CHARGE_LISTEN", "8080")
            .env("CHARGE_WEB_ROOT", "/srv/www")
            .env("CHARGE_API_UPSTREAMS", "api:8000")
            .env(name, value)
            .output()
            .expect("render");
        assert_eq!(out.status.code(), Some(2), "{name}={value} is refused");
    }
}

both_backends!(healthcheck_with_the_images_settings_probes_loopback);
/// `charge healthcheck` as the api image's HEALTHCHECK runs it: the container listens on
/// `HOST=0.0.0.0`, and the check must probe loopback (the `api` tests' `binary` module covers `HOST=127.0.0.1`).
async fn healthcheck_with_the_images_settings_probes_loopback(db: Db) {
    let app = TestApp::spawn(db).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |port: String| {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_charge"))
            .args(["healthcheck", "--timeout", "2"])
            .current_dir(dir.path())
            .env_clear()
            .env("HOST", "0.0.0.0")
            .env("PORT", port)
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output()
    };
    let out = run(app.addr.port().to_string()).await.expect("run charge");
    assert!(
        out.status.success(),
        "healthcheck against a live server: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    app.stop().await;
    let out = run(free_port().to_string()).await.expect("run charge");
    assert!(!out.status.success(), "nothing answers");
    assert_ne!(out.status.code(), Some(2), "not a configuration error");
}
