//! `agentc schema KIND`: JSON Schemas of the formats agentc reads and writes.

use super::{CliResult, Outcome, args::SchemaArgs};

pub fn run(args: &SchemaArgs) -> CliResult {
    super::print(&crate::render::schema::schema_json(&args.kind).unwrap_or_default())?;
    Ok(Outcome::Clean)
}
