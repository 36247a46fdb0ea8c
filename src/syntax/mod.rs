//! YAML and TOML parsed into small trees whose every key and value carries
//! its byte span in the file. The parsers are hidden behind these types so
//! that the rest of agentc never depends on a parser's API.

pub mod emit;
pub mod json;
pub mod toml;
pub mod unclosed;
pub mod yaml;
