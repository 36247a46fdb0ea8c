//! JSON Schemas, generated from the types with schemars.

use crate::plan::Plan;

pub fn schema_json(kind: &str) -> Option<String> {
    let schema = match kind {
        "plan" => schemars::schema_for!(Plan),
        _ => return None,
    };
    Some(crate::plan::to_sorted_json(&schema))
}
