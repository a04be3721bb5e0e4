//! The Docker deployment as far as it can be checked without a Docker engine:
//! - `docker compose config` (the client needs no engine) accepts `docker-compose.yml` with the
//!   committed `.env`, with the `turn` profile, with the scale-out override, and with an
//!   `.env.local`-style file whose secrets then reach the containers;
//! - every variable the compose file passes to `api` is one the settings loader reads, with the
//!   loader's own default unless the difference is deliberate, and every setting is passed;
//!   every other `${VAR}` is a compose-only variable documented in docs/DEPLOYMENT.md;
//! - every path a Dockerfile copies exists and is not excluded by `.dockerignore`, which does
//!   exclude build output, dependencies, local data and local secrets;
//! - the images and CI use the versions the repository pins.
//!
//! A Compose client is required (`docker compose`, or Debian's `docker-compose`): these tests
//! fail, not skip, without one. `scripts/test.sh` installs it when missing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use charge_server::settings::VARIABLES;
use regex::Regex;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

/// Settings the compose file deliberately does not pass: the database comes from DB_* (MariaDB
/// in the `db` service), and the api image serves no web client (nginx does).
const NOT_PASSED: &[&str] = &["DATABASE_URL", "SQLITE_PATH", "WEB_CLIENT_DIR"];
/// Scale-out settings (prefix `REALTIME_`, except the typing TTL): the base file runs one node
/// with the server's in-process default; docker-compose.scale.yml sets them.
fn scale_out_setting(name: &str) -> bool {
    name.starts_with("REALTIME_") && name != "REALTIME_TYPING_TTL_SECONDS"
}
/// Settings fixed by the compose file for the container network.
const FIXED: &[(&str, &str)] = &[
    ("HOST", "0.0.0.0"),
    ("PORT", "8000"),
    ("DB_HOST", "db"),
    ("DB_PORT", "3306"),
];
/// Settings whose compose default differs from the server's on purpose (the first start of a
/// MariaDB container with an empty volume can take longer than a minute).
const COMPOSE_DEFAULTS: &[(&str, &str)] = &[("DB_STARTUP_TIMEOUT_SECONDS", "120")];
/// Variables only Compose reads (ports, build arguments, coturn); docs/DEPLOYMENT.md lists them.
const COMPOSE_ONLY: &[&str] = &[
    "FRONTEND_HOST_PORT",
    "VITE_API_BASE_URL",
    "WEBRTC_TURN_EXTERNAL_IP",
    "TURN_CERTS_DIR",
    "TURN_CERT_FILE",
    "TURN_KEY_FILE",
];

fn setting_default(name: &str) -> Option<&'static str> {
    VARIABLES.iter().find(|v| v.name == name).map(|v| v.default)
}

/// Every `${NAME…}` substitution in a compose file.
fn substitutions(text: &str) -> BTreeSet<String> {
    let re = Regex::new(r"\$\{([A-Za-z_][A-Za-z0-9_]*)").expect("regex");
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .flat_map(|l| {
            re.captures_iter(l)
                .map(|c| c[1].to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The lines of a top-level service's block (`  name:` under `services:`).
fn service_block<'a>(text: &'a str, service: &str) -> Option<Vec<&'a str>> {
    let header = format!("  {service}:");
    let mut lines = text.lines().skip_while(|l| l.trim_end() != header);
    lines.next()?;
    Some(
        lines
            .take_while(|l| l.trim().is_empty() || l.trim_start().starts_with('#') || indent(l) > 2)
            .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .collect(),
    )
}

/// `environment:` of a service, in mapping form (`KEY: "value"`), quotes removed.
fn service_environment(text: &str, service: &str) -> BTreeMap<String, String> {
    let Some(block) = service_block(text, service) else {
        return BTreeMap::new();
    };
    let mut lines = block
        .iter()
        .skip_while(|l| l.trim_end() != "    environment:");
    if lines.next().is_none() {
        return BTreeMap::new();
    }
    lines
        .take_while(|l| indent(l) > 4)
        .map(|l| {
            let (key, value) = l
                .trim()
                .split_once(": ")
                .unwrap_or_else(|| panic!("environment entries are KEY: \"value\": {l}"));
            let value = value.trim();
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value);
            (key.to_owned(), value.to_owned())
        })
        .collect()
}

/// The Compose client: `docker compose` (v2) when present, else Debian's `docker-compose`.
fn compose() -> Vec<&'static str> {
    let works = |cmd: &[&str]| {
        Command::new(cmd[0])
            .args(&cmd[1..])
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if works(&["docker", "compose"]) {
        vec!["docker", "compose"]
    } else if works(&["docker-compose"]) {
        vec!["docker-compose"]
    } else {
        panic!(
            "a Docker Compose client is required (`docker compose` or `docker-compose`; \
             apt-get install docker-compose) and none was found"
        )
    }
}

/// Runs `compose -f <files…> --env-file <env> [args…] config [extra…]` in the repository with
/// none of the substituted variables in the environment (so only the env file counts).
fn compose_config(files: &[&str], env_file: &Path, args: &[&str]) -> std::process::Output {
    let cmd = compose();
    let mut c = Command::new(cmd[0]);
    c.args(&cmd[1..]).current_dir(repo());
    for f in files {
        c.arg("-f").arg(repo().join(f));
    }
    c.arg("--env-file").arg(env_file).args(args);
    for file in files {
        for name in substitutions(&read(file)) {
            c.env_remove(name);
        }
    }
    for name in [
        "COMPOSE_FILE",
        "COMPOSE_PROFILES",
        "COMPOSE_PROJECT_NAME",
        "COMPOSE_ENV_FILES",
    ] {
        c.env_remove(name);
    }
    c.output().expect("run docker compose")
}

fn assert_ok(out: &std::process::Output, what: &str) {
    assert!(
        out.status.success(),
        "{what}: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn compose_accepts_the_stack_with_the_committed_env_file_its_profile_and_the_scale_override() {
    let env = repo().join(".env");
    let base = ["docker-compose.yml"];
    let scaled = ["docker-compose.yml", "docker-compose.scale.yml"];
    assert_ok(
        &compose_config(&base, &env, &["config", "-q"]),
        "docker compose config -q",
    );
    assert_ok(
        &compose_config(&base, &env, &["--profile", "turn", "config", "-q"]),
        "docker compose --profile turn config -q",
    );
    assert_ok(
        &compose_config(&scaled, &env, &["config", "-q"]),
        "docker compose -f docker-compose.yml -f docker-compose.scale.yml config -q",
    );
    let out = compose_config(&base, &env, &["--profile", "turn", "config", "--services"]);
    assert_ok(&out, "config --services");
    let services: BTreeSet<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    for s in ["db", "api", "frontend", "turn"] {
        assert!(services.contains(s), "service {s}: {services:?}");
    }
    let out = compose_config(&scaled, &env, &["config", "--services"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("redis"));
}

#[test]
fn secrets_from_an_env_local_file_reach_the_api_and_the_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let env_local = dir.path().join(".env.local");
    let mut text = read(".env");
    text.push_str(
        "ENVIRONMENT=production\n\
         JWT_SECRET_KEY=jwt-7c1f0e6d2b9a4c58a1e3f5d7b9c2e4a6\n\
         DB_PASSWORD=db-pass-5e8d1c3b\n\
         CORS_ORIGINS=https://chat.example.com\n\
         CORS_ALLOW_ORIGIN_REGEX=^https://([a-z0-9-]+\\.)?chat\\.example\\.com$\n\
         WEBRTC_TURN_SHARED_SECRET=turn-secret-9a8b7c6d\n",
    );
    std::fs::write(&env_local, text).expect("write .env.local");
    let out = compose_config(
        &["docker-compose.yml"],
        &env_local,
        &["--profile", "turn", "config"],
    );
    assert_ok(&out, "docker compose --env-file .env.local config");
    let resolved = String::from_utf8_lossy(&out.stdout);
    assert!(resolved.contains("jwt-7c1f0e6d2b9a4c58a1e3f5d7b9c2e4a6"));
    assert_eq!(
        resolved.matches("db-pass-5e8d1c3b").count(),
        2,
        "the api's DB_PASSWORD and MariaDB's MARIADB_PASSWORD: {resolved}"
    );
    assert_eq!(
        resolved.matches("turn-secret-9a8b7c6d").count(),
        2,
        "the api's and coturn's shared secret"
    );
    assert!(resolved.contains("https://chat.example.com"));
    assert!(resolved.contains("production"));
}

#[test]
fn the_api_gets_every_setting_the_server_reads_and_nothing_else() {
    let compose = read("docker-compose.yml");
    let env = service_environment(&compose, "api");
    assert!(env.len() > 20, "api environment parsed: {env:?}");
    let sub = Regex::new(r"^\$\{([A-Z0-9_]+):-(.*)\}$").expect("regex");
    for (key, value) in &env {
        let default = setting_default(key).unwrap_or_else(|| {
            panic!(
                "the api service gets {key}, which the server does not read (settings::VARIABLES)"
            )
        });
        if let Some((_, fixed)) = FIXED.iter().find(|(k, _)| k == key) {
            assert_eq!(value, fixed, "{key} is fixed for the container");
            continue;
        }
        let caps = sub
            .captures(value)
            .unwrap_or_else(|| panic!("{key} is passed as \"${{{key}:-default}}\", not {value:?}"));
        assert_eq!(
            &caps[1], key,
            "{key} comes from the variable of the same name"
        );
        let expected = COMPOSE_DEFAULTS
            .iter()
            .find(|(k, _)| k == key)
            .map_or(default, |(_, d)| d);
        assert_eq!(
            &caps[2], expected,
            "the compose default of {key} is the server's own (or a documented exception)"
        );
    }
    for v in VARIABLES {
        assert!(
            env.contains_key(v.name) || NOT_PASSED.contains(&v.name) || scale_out_setting(v.name),
            "{} is a server setting the compose file does not pass to api: add it to the api \
             environment (or to NOT_PASSED with a reason)",
            v.name
        );
    }
    for name in NOT_PASSED {
        assert!(!env.contains_key(*name), "{name} is not passed on purpose");
    }

    // The scale-out override adds only settings the server reads, and switches the nodes to
    // the Redis fan-out on the stack's own redis service.
    let scale = read("docker-compose.scale.yml");
    let scale_env = service_environment(&scale, "api");
    for key in scale_env.keys() {
        assert!(
            setting_default(key).is_some(),
            "docker-compose.scale.yml passes {key}, which the server does not read"
        );
    }
    assert_eq!(
        scale_env.get("REALTIME_BACKEND").map(String::as_str),
        Some("redis")
    );
    assert_eq!(
        scale_env.get("REALTIME_REDIS_URL").map(String::as_str),
        Some("redis://redis:6379/0")
    );
    assert!(
        service_block(&scale, "redis").is_some(),
        "the override runs Redis"
    );
    assert_eq!(
        scale_env.get("REALTIME_NODE_ID").map(String::as_str),
        Some(""),
        "replicas of one service cannot share a node id: each picks its own"
    );
}

#[test]
fn every_other_compose_variable_is_a_documented_compose_only_variable() {
    let deployment = read("docs/DEPLOYMENT.md");
    let mut used = BTreeSet::new();
    for file in ["docker-compose.yml", "docker-compose.scale.yml"] {
        for name in substitutions(&read(file)) {
            assert!(
                setting_default(&name).is_some() || COMPOSE_ONLY.contains(&name.as_str()),
                "{file} uses ${{{name}}}, neither a server setting nor a compose-only variable"
            );
            used.insert(name);
        }
    }
    for name in COMPOSE_ONLY {
        assert!(used.contains(*name), "{name} is listed but not used");
        assert!(
            deployment.contains(&format!("`{name}`")),
            "docs/DEPLOYMENT.md documents the compose-only variable {name}"
        );
    }
}

#[test]
fn the_committed_env_file_keeps_a_plain_local_run_on_sqlite() {
    let env = read(".env");
    for line in env.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let key = line.split('=').next().unwrap_or_default().trim();
        assert!(
            !["DB_HOST", "DATABASE_HOST", "DATABASE_URL"].contains(&key),
            ".env must not select a database server ({key}); the compose file sets DB_HOST"
        );
        assert!(
            setting_default(key).is_some(),
            ".env sets {key}, which the server does not read"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Dockerfiles and .dockerignore
// ---------------------------------------------------------------------------------------------

/// Instructions of a Dockerfile with continuation lines joined and comments dropped.
fn instructions(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || trimmed.is_empty() {
            continue;
        }
        if let Some(head) = trimmed.strip_suffix('\\') {
            current.push_str(head);
            current.push(' ');
        } else {
            current.push_str(trimmed);
            out.push(std::mem::take(&mut current));
        }
    }
    out
}

/// (Dockerfile, build context) of every image the repository builds.
fn dockerfiles() -> Vec<(String, PathBuf)> {
    let compose = read("docker-compose.yml");
    let re = Regex::new(r"(?m)^\s+dockerfile:\s*(\S+)\s*$").expect("regex");
    let listed: Vec<String> = re
        .captures_iter(&compose)
        .map(|c| c[1].to_owned())
        .collect();
    for expected in [
        "docker/api/Dockerfile",
        "docker/frontend/Dockerfile",
        "docker/turnserver/Dockerfile",
    ] {
        assert!(
            listed.iter().any(|l| l == expected),
            "docker-compose.yml builds {expected}: {listed:?}"
        );
    }
    // Every build uses the repository root as its context.
    assert_eq!(
        compose.matches("      context: .\n").count(),
        listed.len(),
        "each build has `context: .`"
    );
    listed.into_iter().map(|f| (f, repo())).collect()
}

/// `.dockerignore` patterns as (regex, negated), in order.
fn dockerignore() -> Vec<(Regex, bool)> {
    read(".dockerignore")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (negated, pattern) = match l.strip_prefix('!') {
                Some(p) => (true, p),
                None => (false, l),
            };
            let pattern = pattern.trim_start_matches('/').trim_end_matches('/');
            let mut re = String::from("^");
            let mut rest = pattern;
            while !rest.is_empty() {
                if let Some(r) = rest.strip_prefix("**/") {
                    re.push_str("(.*/)?");
                    rest = r;
                } else if let Some(r) = rest.strip_prefix("**") {
                    re.push_str(".*");
                    rest = r;
                } else {
                    let c = rest.chars().next().expect("char");
                    match c {
                        '*' => re.push_str("[^/]*"),
                        '?' => re.push_str("[^/]"),
                        c => re.push_str(&regex::escape(&c.to_string())),
                    }
                    rest = &rest[c.len_utf8()..];
                }
            }
            re.push('$');
            (Regex::new(&re).expect("pattern"), negated)
        })
        .collect()
}

/// Whether Docker leaves `path` (relative, `/`-separated) out of the build context: the last
/// pattern matching the path or one of its parent directories decides.
fn ignored(patterns: &[(Regex, bool)], path: &str) -> bool {
    let path = path.trim_start_matches("./").trim_end_matches('/');
    let parts: Vec<&str> = path.split('/').collect();
    let prefixes: Vec<String> = (1..=parts.len()).map(|n| parts[..n].join("/")).collect();
    let mut excluded = false;
    for (re, negated) in patterns {
        if prefixes.iter().any(|p| re.is_match(p)) {
            excluded = !negated;
        }
    }
    excluded
}

#[test]
fn dockerignore_keeps_build_output_dependencies_local_data_and_secrets_out_of_images() {
    let patterns = dockerignore();
    for path in [
        "target",
        "target/release/charge",
        "crates/server/target",
        "frontend/node_modules",
        "frontend/node_modules/vite/package.json",
        "node_modules",
        "data",
        "data/charge.db",
        ".env.local",
        "frontend/.env.local",
        ".git",
    ] {
        assert!(
            ignored(&patterns, path),
            "{path} is kept out of the build context"
        );
    }
    for path in [
        "Cargo.toml",
        "crates/server/src/main.rs",
        "frontend/package.json",
        "frontend/app/index.html",
        "docker/nginx/charge.conf.template",
        "crates/store/migrations/mysql",
    ] {
        assert!(!ignored(&patterns, path), "{path} is in the build context");
    }
}

#[test]
fn every_path_a_dockerfile_copies_exists_and_is_in_the_build_context() {
    let patterns = dockerignore();
    for (dockerfile, context) in dockerfiles() {
        let text = read(&dockerfile);
        let mut copies = 0;
        for ins in instructions(&text) {
            let mut words = ins.split_whitespace();
            let op = words.next().unwrap_or_default().to_ascii_uppercase();
            if op != "COPY" && op != "ADD" {
                continue;
            }
            let args: Vec<&str> = words.collect();
            if args.iter().any(|a| a.starts_with("--from=")) {
                continue;
            }
            let paths: Vec<&str> = args
                .iter()
                .copied()
                .filter(|a| !a.starts_with("--"))
                .collect();
            assert!(paths.len() >= 2, "{dockerfile}: {ins}");
            for src in &paths[..paths.len() - 1] {
                let src = src.trim_matches(|c| c == '"' || c == '[' || c == ']' || c == ',');
                let full = context.join(src);
                assert!(
                    full.exists(),
                    "{dockerfile} copies {src}, which does not exist in the repository"
                );
                assert!(
                    !ignored(&patterns, src),
                    "{dockerfile} copies {src}, which .dockerignore excludes"
                );
                copies += 1;
            }
        }
        assert!(copies > 0, "{dockerfile} copies something");
    }
}

#[test]
fn the_images_follow_the_repository_pins_and_run_as_intended() {
    let api = read("docker/api/Dockerfile");
    let toolchain = read("rust-toolchain.toml");
    let channel = Regex::new(r#"channel\s*=\s*"([^"]+)""#)
        .expect("regex")
        .captures(&toolchain)
        .expect("rust-toolchain.toml channel")[1]
        .to_owned();
    assert!(
        api.contains(&format!("ARG RUST_VERSION={channel}\n")),
        "docker/api/Dockerfile builds with the pinned toolchain {channel}"
    );
    assert!(
        api.contains("--locked"),
        "the image builds Cargo.lock's versions"
    );
    assert!(api.contains(r#"HEALTHCHECK"#) && api.contains(r#"CMD ["charge", "healthcheck"]"#));
    let user = instructions(&api)
        .into_iter()
        .rev()
        .find(|i| i.starts_with("USER "))
        .expect("a USER instruction");
    assert_ne!(user.trim(), "USER root", "the server does not run as root");
    assert!(api.contains("WORKDIR /app") && api.contains("/app/data"));

    let frontend = read("docker/frontend/Dockerfile");
    assert!(
        frontend.contains("FROM node:20"),
        "Node.js 20 builds the client"
    );
    assert!(frontend.contains("npm ci") && frontend.contains("npm run build"));

    // The MariaDB CI tests against is the one the stack runs.
    let compose = read("docker-compose.yml");
    let image = Regex::new(r"image:\s*(mariadb:\S+)")
        .expect("regex")
        .captures(&compose)
        .expect("db image")[1]
        .to_owned();
    let workflow = read(".github/workflows/ci.yml");
    assert!(
        workflow.contains(&format!("image: {image}")),
        "the CI workflow's MariaDB service is {image}"
    );
}
