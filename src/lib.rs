//! agentc: the compiler for sub-agent definitions.
//!
//! A repository keeps its sub-agents as markdown files with YAML
//! frontmatter in `.agents/`; a person keeps their own in their user
//! directory. agentc discovers them, checks them with span-accurate
//! diagnostics and compiles them into a routing plan: for every agent, the
//! provider and model it runs on, which layer chose each, its fallbacks,
//! tools and parameters.
//!
//! The pipeline, one folder per stage (docs/architecture.md draws it):
//! [`discover`] → [`source`] (read, split) → [`syntax`] (YAML/TOML with
//! spans) → [`model`] (agents, config, resolution) → [`check`] (cross-file
//! checks) → [`route`] (plan, router) → [`render`]. Around it: [`convert`],
//! [`exec`] (run, probe, doctor), one folder per server ([`watch`],
//! [`gateway`], [`lsp`], [`mcp`]) and [`cli`].

pub mod check;
pub mod cli;
pub mod convert;
pub mod diagnostic;
pub mod dialect;
pub mod discover;
pub mod exec;
pub mod fsutil;
pub mod gateway;
pub mod http;
pub mod lsp;
pub mod mcp;
pub mod model;
pub mod render;
pub mod route;
pub mod rules;
pub mod source;
pub mod syntax;
pub mod watch;

// The paths the library had before the stages got their folders.
pub use check::{capability, fix, project, suppress};
pub use convert::scaffold;
pub use exec::{doctor, providers, run};
pub use model::{agent, config, resolve, trust};
pub use render::schema;
pub use route::{plan, router};

pub use diagnostic::{Diagnostic, Severity, Span};
pub use route::plan::Plan;
pub use rules::Rule;
