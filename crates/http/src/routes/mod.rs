//! HTTP routes, one module per resource; each owns its router.

pub mod auth;
pub mod categories;
pub mod channels;
pub mod config;
pub mod conversations;
pub mod friends;
pub mod invites;
pub mod layout;
pub mod messages;
pub mod moderation;
pub mod permissions;
pub mod pins;
pub mod profile;
pub mod readstate;
pub mod rooms;
