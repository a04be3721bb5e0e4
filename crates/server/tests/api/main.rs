//! The server's integration tests: one binary, so the whole server is linked once rather than
//! once per file, with a module per area. Every test that starts a server or touches storage
//! runs on SQLite and on MariaDB (`both_backends!`, see `common`); MariaDB is required unless
//! `CHARGE_TEST_SKIP_MYSQL=1`. A few areas also start private Redis and NATS servers or the
//! `charge` binary itself. The deployment checks, which need nginx and a Compose client, are a
//! binary of their own (`tests/deployment`).

mod api_fuzz_findings;
mod architecture;
mod auth;
mod authorization;
mod backup;
mod binary;
mod bodies;
mod categories;
#[path = "../common/mod.rs"]
mod common;
mod cors;
mod database_outage;
mod files;
mod flow;
mod history;
mod invitations;
mod layout;
mod messages;
mod metrics;
mod moderation;
mod openapi_contract;
mod password_hashing;
mod people;
mod people_accounts;
mod permissions;
mod pins;
mod profile;
mod races;
mod rate_limit;
mod read_state;
mod read_state_nodes;
mod resend;
mod rooms;
mod routing;
mod scale_out;
mod search_text;
mod security_headers;
mod sessions;
mod settings;
mod threads_search;
mod web_client;
mod webrtc_config;
mod ws_messages_http;
mod ws_rooms_signal;
mod ws_text;
