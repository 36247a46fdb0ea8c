//! `agentc gateway` (DESIGN §12): a local HTTP server that harnesses point
//! their base URL at, so that their own sub-agents run on the plan's
//! routes. Two doors (Anthropic Messages, OpenAI Chat Completions), one
//! live plan: each request is recognised as an agent's ([`recognise`]),
//! sent along that agent's route and fallbacks within its provider's
//! `max_concurrency`, answered in the client's own format ([`translate`]),
//! and reported as one [`Event`].

pub mod event;
pub mod recognise;
mod server;
pub mod translate;

pub use event::Event;
pub use recognise::{AgentFiles, Matched};
pub use server::{Gateway, GatewayOptions, Limits, PARENT_AGENT};
