//! The gateway: a loopback HTTP server that harnesses point their base URL
//! at, so that their sub-agents run on the plan's routes.
//!
//! [`translate`] owns the conversion between the two wire formats the
//! gateway speaks, Anthropic Messages and OpenAI Chat Completions: requests,
//! responses, streams and error bodies, as pure functions over JSON values.

pub mod translate;
