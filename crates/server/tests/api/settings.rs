//! Settings (decisions 2–5): precedence of the process environment, `.env.local`, `.env` and
//! defaults; list formats; bad values naming their variable; production secret checks; the
//! database URL; and the README and `.env.example` agreeing with what the loader reads. The
//! `charge` binary itself is tested in `binary.rs`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use charge_server::Settings;
use charge_server::settings::{IceServer, SettingsError, VARIABLES};

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// Loads settings from `pairs` as the process environment and no dotenv files.
fn load(pairs: &[(&str, &str)]) -> Result<Settings, SettingsError> {
    let dir = tempfile::tempdir().expect("tempdir");
    Settings::from_sources(env(pairs), dir.path())
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn the_process_environment_beats_env_local_which_beats_env_which_beats_the_defaults() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join(".env"),
        "APP_NAME=\"From dotenv\"\nENVIRONMENT=dotenv\nPORT=1111\nCHAT_HISTORY_MAX_LIMIT=70\n# a comment\nHOST=10.0.0.1\n",
    )
    .expect("write .env");
    std::fs::write(
        dir.path().join(".env.local"),
        "ENVIRONMENT=local\nPORT=2222\nHOST=10.0.0.2\n",
    )
    .expect("write .env.local");
    let settings =
        Settings::from_sources(env(&[("ENVIRONMENT", "process")]), dir.path()).expect("settings");
    assert_eq!(
        settings.environment, "process",
        "process environment wins over both files"
    );
    assert_eq!(settings.port, 2222, ".env.local wins over .env");
    assert_eq!(settings.host, "10.0.0.2");
    assert_eq!(
        settings.app_name, "From dotenv",
        ".env wins over the default"
    );
    assert_eq!(settings.history_max_limit, 70);
    assert_eq!(
        settings.history_default_limit, 50,
        "untouched variables keep their defaults"
    );
    assert_eq!(settings.access_token_ttl.as_secs(), 15 * 60);

    // Without the files, the defaults show through.
    let bare = load(&[]).expect("defaults");
    assert_eq!(
        (bare.app_name.as_str(), bare.environment.as_str(), bare.port),
        ("Charge API", "development", 8000)
    );
    assert_eq!(bare.host, "127.0.0.1");
}

#[test]
fn a_process_variable_set_to_an_empty_value_still_wins_over_the_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join(".env"), "WEBRTC_TURN_REALM=from-file\n").expect("write .env");
    let settings =
        Settings::from_sources(env(&[("WEBRTC_TURN_REALM", "")]), dir.path()).expect("settings");
    assert_eq!(settings.turn_realm, None);
}

#[test]
fn list_settings_accept_a_json_array_or_comma_separated_values() {
    let json = load(&[
        (
            "CORS_ORIGINS",
            r#"["https://chat.example.org", "http://localhost:5173"]"#,
        ),
        ("WEBRTC_STUN_SERVERS", r#"["stun:stun.example.org:3478"]"#),
        (
            "WEBRTC_TURN_SERVERS",
            r#"["turn:turn.example.org:3478?transport=udp","turns:turn.example.org:5349"]"#,
        ),
    ])
    .expect("JSON lists");
    let csv = load(&[
        (
            "CORS_ORIGINS",
            " https://chat.example.org , http://localhost:5173 ",
        ),
        ("WEBRTC_STUN_SERVERS", "stun:stun.example.org:3478"),
        (
            "WEBRTC_TURN_SERVERS",
            "turn:turn.example.org:3478?transport=udp,turns:turn.example.org:5349",
        ),
    ])
    .expect("CSV lists");
    assert_eq!(
        json.cors_origins,
        vec!["https://chat.example.org", "http://localhost:5173"]
    );
    assert_eq!(json.cors_origins, csv.cors_origins);
    assert_eq!(json.stun_servers, csv.stun_servers);
    assert_eq!(
        json.turn_servers,
        vec![
            "turn:turn.example.org:3478?transport=udp",
            "turns:turn.example.org:5349"
        ]
    );
    assert_eq!(json.turn_servers, csv.turn_servers);

    let fallback = load(&[(
        "WEBRTC_TURN_FALLBACK_SERVERS",
        r#"[{"urls":["turn:a.example:3478"],"username":"u","credential":"p"}, "turn:b.example:3478", ["turn:c.example:3478","turns:c.example:5349"]]"#,
    )])
    .expect("JSON fallback servers");
    assert_eq!(
        fallback.turn_fallback_servers,
        vec![
            IceServer {
                urls: vec!["turn:a.example:3478".into()],
                username: Some("u".into()),
                credential: Some("p".into())
            },
            IceServer {
                urls: vec!["turn:b.example:3478".into()],
                username: None,
                credential: None
            },
            IceServer {
                urls: vec!["turn:c.example:3478".into(), "turns:c.example:5349".into()],
                username: None,
                credential: None
            },
        ]
    );
    let fallback_csv = load(&[(
        "WEBRTC_TURN_FALLBACK_SERVERS",
        "turn:a.example:3478, turn:b.example:3478",
    )])
    .expect("CSV fallback");
    assert_eq!(fallback_csv.turn_fallback_servers.len(), 2);
    let ice = load(&[(
        "WEBRTC_ICE_SERVERS",
        r#"[{"urls":"stun:one.example:3478"}]"#,
    )])
    .expect("ICE servers");
    assert_eq!(ice.ice_servers[0].urls, vec!["stun:one.example:3478"]);
    let empty = load(&[("WEBRTC_TURN_SERVERS", ""), ("CORS_ORIGINS", "[]")]).expect("empty lists");
    assert!(empty.turn_servers.is_empty() && empty.cors_origins.is_empty());
}

#[test]
fn a_bad_value_is_refused_with_an_error_naming_its_variable() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("PORT", "abc")], "PORT"),
        (&[("PORT", "70000")], "PORT"),
        (&[("DEBUG", "maybe")], "DEBUG"),
        (
            &[("VOICE_RECORDING_ENABLED", "sometimes")],
            "VOICE_RECORDING_ENABLED",
        ),
        (
            &[("ACCESS_TOKEN_EXPIRE_MINUTES", "-5")],
            "ACCESS_TOKEN_EXPIRE_MINUTES",
        ),
        (
            &[("ACCESS_TOKEN_EXPIRE_MINUTES", "0")],
            "ACCESS_TOKEN_EXPIRE_MINUTES",
        ),
        (&[("CHAT_HISTORY_MAX_LIMIT", "0")], "CHAT_HISTORY_MAX_LIMIT"),
        (&[("REALTIME_COALESCE_MS", "1001")], "REALTIME_COALESCE_MS"),
        (&[("REALTIME_COALESCE_MS", "-1")], "REALTIME_COALESCE_MS"),
        (
            &[("CHAT_MESSAGE_MAX_LENGTH", "lots")],
            "CHAT_MESSAGE_MAX_LENGTH",
        ),
        (
            &[("AUTH_RATE_LIMIT_PER_MINUTE", "1.5")],
            "AUTH_RATE_LIMIT_PER_MINUTE",
        ),
        (
            &[("AUTH_GLOBAL_RATE_LIMIT_PER_MINUTE", "-1")],
            "AUTH_GLOBAL_RATE_LIMIT_PER_MINUTE",
        ),
        (
            &[("PASSWORD_HASH_CONCURRENCY", "0")],
            "PASSWORD_HASH_CONCURRENCY",
        ),
        (
            &[("PASSWORD_HASH_CONCURRENCY", "1000")],
            "PASSWORD_HASH_CONCURRENCY",
        ),
        (
            &[("PASSWORD_HASH_QUEUE_LENGTH", "0")],
            "PASSWORD_HASH_QUEUE_LENGTH",
        ),
        (
            &[("PASSWORD_HASH_WAIT_SECONDS", "0")],
            "PASSWORD_HASH_WAIT_SECONDS",
        ),
        (
            &[("DB_STARTUP_TIMEOUT_SECONDS", "soon")],
            "DB_STARTUP_TIMEOUT_SECONDS",
        ),
        (&[("DB_HOST", "db.example"), ("DB_PORT", "x")], "DB_PORT"),
        (
            &[("WEBRTC_TURN_SERVERS", r#"["turn:a.example:3478","#)],
            "WEBRTC_TURN_SERVERS",
        ),
        (&[("WEBRTC_STUN_SERVERS", "[1, 2]")], "WEBRTC_STUN_SERVERS"),
        (
            &[("WEBRTC_ICE_SERVERS", r#"[{"username":"no-urls"}]"#)],
            "WEBRTC_ICE_SERVERS",
        ),
        (
            &[("WEBRTC_TURN_FALLBACK_SERVERS", r#"[{"urls":[]}]"#)],
            "WEBRTC_TURN_FALLBACK_SERVERS",
        ),
        (&[("CORS_ORIGINS", "ftp://files.example")], "CORS_ORIGINS"),
        (
            &[("CORS_ORIGINS", r#"["https://a.example""#)],
            "CORS_ORIGINS",
        ),
        (
            &[("CORS_ALLOW_ORIGIN_REGEX", "(unclosed")],
            "CORS_ALLOW_ORIGIN_REGEX",
        ),
        (&[("JWT_ALGORITHM", "RS256")], "JWT_ALGORITHM"),
        (&[("JWT_SECRET_KEY", "")], "JWT_SECRET_KEY"),
        (
            &[("DATABASE_URL", "postgres://localhost/charge")],
            "DATABASE_URL",
        ),
        (&[("WEBRTC_DEFAULT_ROLE", "boss")], "WEBRTC_DEFAULT_ROLE"),
        (
            &[("VOICE_RECORDING_SERVICE_URL", "ftp://rec.example")],
            "VOICE_RECORDING_SERVICE_URL",
        ),
    ];
    for (pairs, variable) in cases {
        let err = load(pairs)
            .err()
            .unwrap_or_else(|| panic!("{pairs:?} is refused"));
        assert_eq!(err.variable, *variable, "{pairs:?}: {err}");
        let message = err.to_string();
        assert!(
            message.contains(variable),
            "the message names {variable}: {message}"
        );
        assert!(!err.problem.is_empty());
    }
    // A list setting's message carries an example of a good value (decision 4).
    let err = load(&[("WEBRTC_TURN_SERVERS", "[oops")]).expect_err("refused");
    assert!(
        err.to_string().contains("for example WEBRTC_TURN_SERVERS="),
        "{err}"
    );
}

#[test]
fn a_bad_value_in_a_dotenv_file_is_reported_like_one_in_the_environment() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join(".env.local"),
        "WEBRTC_TURN_SERVERS=[\"turn:a.example\"\n",
    )
    .expect("write");
    let err = Settings::from_sources(HashMap::new(), dir.path()).expect_err("refused");
    assert_eq!(err.variable, "WEBRTC_TURN_SERVERS", "{err}");
    // …and the process environment can override the broken file.
    let fixed = Settings::from_sources(
        env(&[("WEBRTC_TURN_SERVERS", "turn:a.example")]),
        dir.path(),
    )
    .expect("overridden");
    assert_eq!(fixed.turn_servers, vec!["turn:a.example"]);
}

#[test]
fn production_refuses_a_published_or_short_jwt_secret() {
    let strong = "k3V9pQ2xL8rT5wZ1nB7mC4yH6jF0aD2s";
    assert_eq!(strong.len(), 32);
    for (secret, why) in [
        (None, "the built-in default"),
        (Some("super-secret-key"), "the predecessor's .env value"),
        (Some("changeme"), "the predecessor's code default"),
        (Some("0123456789abcdef0123456789abcde"), "31 bytes"),
        (Some("short"), "5 bytes"),
    ] {
        let mut pairs = vec![("ENVIRONMENT", "production")];
        if let Some(s) = secret {
            pairs.push(("JWT_SECRET_KEY", s));
        }
        let err = load(&pairs)
            .err()
            .unwrap_or_else(|| panic!("production refuses {why}"));
        assert_eq!(err.variable, "JWT_SECRET_KEY", "{why}: {err}");
    }
    let ok = load(&[("ENVIRONMENT", "production"), ("JWT_SECRET_KEY", strong)])
        .expect("a private 32-byte secret is fine");
    assert!(ok.is_production());
    // The same weak secrets are fine outside production.
    assert!(load(&[("JWT_SECRET_KEY", "short")]).is_ok());
}

#[test]
fn production_refuses_the_secret_committed_in_the_repository_env_file() {
    let err = Settings::from_sources(env(&[("ENVIRONMENT", "production")]), &repo_root())
        .expect_err("the committed .env's secret is public, so production must refuse it");
    assert_eq!(err.variable, "JWT_SECRET_KEY", "{err}");
}

#[test]
fn the_committed_env_file_gives_a_working_local_setup() {
    let settings =
        Settings::from_sources(HashMap::new(), &repo_root()).expect("the committed .env loads");
    assert!(!settings.is_production());
    assert_eq!((settings.host.as_str(), settings.port), ("127.0.0.1", 8000));
    assert!(
        settings.database_url.expose().starts_with("sqlite://"),
        "embedded SQLite by default"
    );
}

#[test]
fn db_host_builds_a_mysql_url_and_the_database_names_are_aliases() {
    let from_db = load(&[
        ("DB_HOST", "db.example"),
        ("DB_PORT", "3307"),
        ("DB_USER", "chat"),
        ("DB_PASSWORD", "p@ss:w/rd"),
        ("DB_NAME", "charge_prod"),
    ])
    .expect("DB_* settings");
    assert_eq!(
        from_db.database_url.expose(),
        "mysql://chat:p%40ss%3Aw%2Frd@db.example:3307/charge_prod"
    );
    let defaults = load(&[("DB_HOST", "db.example")]).expect("DB_HOST alone");
    assert_eq!(
        defaults.database_url.expose(),
        "mysql://charge:charge@db.example:3306/charge"
    );
    let aliases = load(&[
        ("DATABASE_HOST", "alias.example"),
        ("DATABASE_PORT", "3310"),
        ("DATABASE_USER", "u"),
        ("DATABASE_PASSWORD", "pw"),
        ("DATABASE_NAME", "n"),
    ])
    .expect("DATABASE_* aliases");
    assert_eq!(
        aliases.database_url.expose(),
        "mysql://u:pw@alias.example:3310/n"
    );
    let both = load(&[
        ("DB_HOST", "canonical.example"),
        ("DATABASE_HOST", "alias.example"),
    ])
    .expect("both");
    assert!(
        both.database_url.expose().contains("@canonical.example:"),
        "the README name wins over its alias"
    );
    let url_wins = load(&[
        ("DATABASE_URL", "sqlite:///tmp/x.db"),
        ("DB_HOST", "db.example"),
    ])
    .expect("DATABASE_URL");
    assert_eq!(url_wins.database_url.expose(), "sqlite:///tmp/x.db");
    let embedded = load(&[]).expect("defaults");
    assert_eq!(embedded.database_url.expose(), "sqlite://data/charge.db");
    let moved = load(&[("SQLITE_PATH", "/var/lib/charge/db.sqlite")]).expect("SQLITE_PATH");
    assert_eq!(
        moved.database_url.expose(),
        "sqlite:///var/lib/charge/db.sqlite"
    );
}

#[test]
fn an_alias_in_a_higher_precedence_source_beats_the_readme_name_in_a_lower_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join(".env"),
        "DB_HOST=from-env-file.example\nDB_PORT=3306\n",
    )
    .expect("write .env");
    std::fs::write(dir.path().join(".env.local"), "DATABASE_PORT=3399\n")
        .expect("write .env.local");
    let settings = Settings::from_sources(
        env(&[("DATABASE_HOST", "from-process.example")]),
        dir.path(),
    )
    .expect("settings");
    assert_eq!(
        settings.database_url.expose(),
        "mysql://charge:charge@from-process.example:3399/charge"
    );
}

#[test]
fn secrets_are_redacted_from_debug_output() {
    let settings = load(&[
        ("JWT_SECRET_KEY", "a-secret-nobody-should-see-in-logs"),
        ("DB_HOST", "db.example"),
        ("DB_PASSWORD", "hunter2-database-password"),
        ("WEBRTC_TURN_CREDENTIAL", "turn-credential-value"),
    ])
    .expect("settings");
    let debug = format!("{settings:?}");
    for secret in [
        "a-secret-nobody-should-see-in-logs",
        "hunter2-database-password",
        "turn-credential-value",
    ] {
        assert!(!debug.contains(secret), "Debug leaks {secret}");
    }
}

/// The `## Environment variables` table of the README: (name, default) per row, in order.
fn readme_table() -> Vec<(String, String)> {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README.md");
    let section = readme
        .split("## Environment variables")
        .nth(1)
        .expect("README has an `## Environment variables` section");
    let section = section.split("\n## ").next().unwrap_or(section);
    let mut rows = Vec::new();
    for line in section
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with('|'))
    {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let Some(name) = cells
            .first()
            .and_then(|c| c.strip_prefix('`'))
            .and_then(|c| c.strip_suffix('`'))
        else {
            continue; // header and separator rows
        };
        let raw_default = cells.get(1).copied().unwrap_or_default();
        let default = if raw_default == "(empty)" {
            String::new()
        } else {
            raw_default
                .strip_prefix('`')
                .and_then(|d| d.strip_suffix('`'))
                .unwrap_or(raw_default)
                .to_owned()
        };
        rows.push((name.to_owned(), default));
    }
    rows
}

#[test]
fn the_readme_table_documents_exactly_the_variables_the_loader_reads_with_their_defaults() {
    let documented = readme_table();
    assert!(!documented.is_empty(), "the README table was found");
    let names: Vec<&str> = documented.iter().map(|(n, _)| n.as_str()).collect();
    let documented_only: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !VARIABLES.iter().any(|v| v.name == *n))
        .collect();
    assert!(
        documented_only.is_empty(),
        "documented in the README but not read: {documented_only:?}"
    );
    let read_only: Vec<&str> = VARIABLES
        .iter()
        .map(|v| v.name)
        .filter(|n| !names.contains(n))
        .collect();
    assert!(
        read_only.is_empty(),
        "read by the loader but not in the README: {read_only:?}"
    );
    for (name, default) in &documented {
        let spec = VARIABLES
            .iter()
            .find(|v| v.name == name)
            .expect("checked above");
        assert_eq!(default, spec.default, "README default of {name}");
    }
    let mut unique = names.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(
        unique.len(),
        names.len(),
        "each variable is documented once"
    );
}

#[test]
fn every_variable_is_read_with_its_documented_default() {
    // Setting every variable to its documented default changes nothing: each default parses.
    // A per-process random default (the real-time node id) is pinned in both loads.
    let pinned: Vec<(&str, &str)> = VARIABLES
        .iter()
        .filter(|v| v.name == "REALTIME_NODE_ID")
        .map(|v| (v.name, "pinned-node"))
        .collect();
    let mut defaults: Vec<(&str, &str)> = VARIABLES
        .iter()
        .filter(|v| !v.default.is_empty())
        .map(|v| (v.name, v.default))
        .collect();
    defaults.extend(pinned.iter().copied());
    let explicit = load(&defaults).expect("every documented default is a valid value");
    let implicit = load(&pinned).expect("defaults");
    assert_eq!(format!("{explicit:?}"), format!("{implicit:?}"));
}

#[test]
fn env_example_mentions_every_variable() {
    let example = std::fs::read_to_string(repo_root().join(".env.example")).expect(".env.example");
    let missing: Vec<&str> = VARIABLES
        .iter()
        .map(|v| v.name)
        .filter(|name| {
            !example.lines().any(|l| {
                l.trim_start_matches(['#', ' '])
                    .starts_with(&format!("{name}="))
            })
        })
        .collect();
    assert!(missing.is_empty(), ".env.example lacks {missing:?}");
}
