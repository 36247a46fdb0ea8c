//! `agentc lsp`: the language server (LSP 3.17 over stdio).
//!
//! The server holds one [`LiveProject`](crate::watch::LiveProject), the
//! same incremental project `agentc watch` follows, with the editor's open
//! buffers laid over the files on disk. An edit re-reads only its file
//! (from the buffer), links the project again and publishes the findings
//! of every file whose findings changed: the same codes, severities,
//! messages and help as `agentc check`, because it is the same checker.
//!
//! - [`text`]: positions in the client's encoding (UTF-16 or UTF-8).
//! - [`cursor`]: what the cursor is on, from the buffer as typed.
//! - [`features`]: hover, completion, definition, references, code
//!   actions, symbols and inlay hints, from the analysis.
//! - [`probe`]: the models local servers serve, probed in the background.
//! - [`state`]: what the features read, and span/URI conversions.
//! - [`server`]: the protocol loop, debouncing and publishing.

pub mod cursor;
pub mod features;
pub mod probe;
pub mod server;
pub mod state;
pub mod text;

pub use server::{Options, ServeError, serve};

/// Where `codeDescription` links point by default: the rules reference,
/// one `## code` section per rule (GitHub's anchors are the codes).
pub const RULES_URL: &str = "https://github.com/OWNER/agentc/blob/main/docs/rules.md";
