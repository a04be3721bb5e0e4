//! The deployment checks: the Compose file, Dockerfiles and `.dockerignore` (`files`), and the
//! frontend image's nginx configuration in front of a running server (`proxy`). They are a
//! binary of their own because they need tools outside Rust, nginx and a Compose client, and
//! check the repository's deployment files rather than the server's behaviour: the `api` tests
//! build and run without them. `scripts/test.sh` installs both.

#[path = "../common/mod.rs"]
mod common;
mod files;
mod proxy;
