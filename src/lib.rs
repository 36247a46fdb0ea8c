//! agentc: the compiler for sub-agent definitions.
//!
//! A repository keeps its sub-agents as markdown files with YAML
//! frontmatter in `.agents/`; a person keeps their own in their user
//! directory. agentc discovers them, checks them with span-accurate
//! diagnostics and compiles them into a routing plan: for every agent, the
//! provider and model it runs on, which layer chose each, its fallbacks,
//! tools and parameters.
//!
//! The pipeline, one module per stage: [`discover`] → [`source`] (read,
//! split) → [`syntax`] (YAML/TOML with spans) → [`agent`] and [`config`]
//! (validate) → [`resolve`] (layers, aliases, provenance) → [`project`]
//! (cross-file checks) → [`plan`] → [`render`].

pub mod agent;
pub mod capability;
pub mod cli;
pub mod config;
pub mod convert;
pub mod diagnostic;
pub mod dialect;
pub mod discover;
pub mod doctor;
pub mod fix;
pub mod fsutil;
pub mod http;
pub mod lsp;
pub mod mcp;
pub mod plan;
pub mod project;
pub mod providers;
pub mod render;
pub mod resolve;
pub mod router;
pub mod rules;
pub mod run;
pub mod scaffold;
pub mod schema;
pub mod source;
pub mod suppress;
pub mod syntax;
pub mod trust;
pub mod watch;

pub use diagnostic::{Diagnostic, Severity, Span};
pub use plan::Plan;
pub use rules::Rule;
