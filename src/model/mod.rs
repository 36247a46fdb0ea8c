//! The typed model of what a user wrote: agent definitions ([`agent`]),
//! the merged configuration ([`config`]), route resolution over the layers
//! of both ([`resolve`]) and the user's record of trusted provider tables
//! ([`trust`]). Each reads one file's tree (or the merged config) and
//! reports what that alone can tell; checks across files live in
//! [`crate::check`].

pub mod agent;
pub mod config;
pub mod resolve;
pub mod trust;
