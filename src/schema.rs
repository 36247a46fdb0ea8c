//! JSON Schemas, generated from the types with schemars. The frontmatter
//! schema is committed as `docs/schemas/frontmatter.schema.json` (a test
//! keeps it current) so that editors can validate `.agents/*.md` as people
//! type; see `docs/editors.md`.

use crate::plan::Plan;
use schemars::JsonSchema;
use serde::Deserialize;

/// The frontmatter of an agentc agent definition (`.agents/*.md`): the YAML
/// between the `---` fences. Keys starting `x-` are extensions, passed to
/// the plan untouched.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "agentc agent definition frontmatter",
    extend("patternProperties" = {"^x-": {}})
)]
#[allow(dead_code)] // a description of the format, never built
pub struct Frontmatter {
    /// The id used to open the agent. Default: the file stem.
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9._-]{0,63}$"))]
    name: Option<String>,
    /// When to use this agent; the parent agent reads it to choose.
    #[schemars(length(min = 1))]
    description: String,
    /// Functional role (explorer, reviewer, ...); `[roles.<role>]` in
    /// agentc.toml can route every agent of a role.
    role: Option<String>,
    /// Provider id (a preset such as `lm-studio`, or one configured in
    /// agentc.toml), or `inherit`.
    provider: Option<String>,
    /// `provider/model`, an alias from `[models]`, a model id of `provider`,
    /// or `inherit`.
    model: Option<String>,
    /// Ordered failover chain: qualified `provider/model` references or
    /// aliases.
    fallback: Option<ModelRefs>,
    /// Allowed tools; absent means the parent's tools.
    tools: Option<ToolList>,
    /// Capabilities the model must have.
    requires: Option<Vec<Capability>>,
    #[schemars(range(min = 0, max = 2))]
    temperature: Option<f64>,
    #[schemars(range(min = 0, max = 1))]
    top_p: Option<f64>,
    #[schemars(range(min = 1))]
    max_tokens: Option<u64>,
    reasoning_effort: Option<Effort>,
    /// A duration with a unit: `30s`, `5m`, `1h`, `500ms`, `1m30s`.
    #[schemars(regex(pattern = r"^([0-9]+(ms|s|m|h))+$"))]
    timeout: Option<String>,
}

/// One model reference or a list of them.
#[derive(Deserialize, JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum ModelRefs {
    One(String),
    Many(Vec<String>),
}

/// `"*"` for every tool, or a list of tool names (`read`, `grep`, ...,
/// `mcp__server__tool`, names declared in `[tools] extra`).
#[derive(Deserialize, JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum ToolList {
    All(Star),
    List(Vec<String>),
}

/// The string `"*"`.
#[derive(Deserialize, JsonSchema)]
#[schemars(extend("const" = "*"))]
#[allow(dead_code)]
struct Star(String);

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
enum Capability {
    Vision,
    Tools,
    Reasoning,
    Json,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
enum Effort {
    Minimal,
    Low,
    Medium,
    High,
}

pub fn schema_json(kind: &str) -> Option<String> {
    let schema = match kind {
        "plan" => schemars::schema_for!(Plan),
        "frontmatter" => schemars::schema_for!(Frontmatter),
        _ => return None,
    };
    Some(crate::plan::to_sorted_json(&schema))
}

#[cfg(test)]
mod tests {
    #[test]
    fn committed_frontmatter_schema_is_current() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/docs/schemas/frontmatter.schema.json"
        );
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        let now = super::schema_json("frontmatter").unwrap();
        assert!(
            committed == now,
            "docs/schemas/frontmatter.schema.json is out of date: run `cargo run -- schema frontmatter > docs/schemas/frontmatter.schema.json`"
        );
    }
}
