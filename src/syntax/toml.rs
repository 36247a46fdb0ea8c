//! `agentc.toml` → [`TNode`] tree with byte spans for every key and value.

use std::ops::Range;
use toml::de::{DeTable, DeValue};

#[derive(Clone, Debug, PartialEq)]
pub struct TNode {
    pub span: Range<usize>,
    pub value: TValue,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TKey {
    pub name: String,
    pub span: Range<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TValue {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Datetime(String),
    Array(Vec<TNode>),
    /// Entries in source order.
    Table(Vec<(TKey, TNode)>),
}

impl TNode {
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            TValue::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_table(&self) -> Option<&[(TKey, TNode)]> {
        match &self.value {
            TValue::Table(t) => Some(t),
            _ => None,
        }
    }

    pub fn get(&self, key: &str) -> Option<&TNode> {
        self.as_table()?
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(_, v)| v)
    }

    pub fn type_name(&self) -> &'static str {
        match &self.value {
            TValue::Str(_) => "a string",
            TValue::Int(_) => "an integer",
            TValue::Float(_) => "a float",
            TValue::Bool(_) => "a boolean",
            TValue::Datetime(_) => "a date-time",
            TValue::Array(_) => "an array",
            TValue::Table(_) => "a table",
        }
    }

    /// Canonical JSON of the value (tables with sorted keys), used to hash a
    /// provider table for `agentc trust`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.value {
            TValue::Str(s) | TValue::Datetime(s) => Value::String(s.clone()),
            TValue::Int(i) => Value::from(*i),
            TValue::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            TValue::Bool(b) => Value::Bool(*b),
            TValue::Array(a) => Value::Array(a.iter().map(TNode::to_json).collect()),
            TValue::Table(t) => Value::Object(
                t.iter()
                    .map(|(k, v)| (k.name.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TomlError {
    pub message: String,
    pub span: Range<usize>,
}

pub fn parse(text: &str) -> Result<TNode, TomlError> {
    let table = DeTable::parse(text).map_err(|e| TomlError {
        message: e.message().trim().to_string(),
        span: e.span().unwrap_or(0..0),
    })?;
    let span = table.span();
    Ok(TNode {
        span,
        value: TValue::Table(convert_table(table.into_inner())),
    })
}

fn convert_table(table: DeTable<'_>) -> Vec<(TKey, TNode)> {
    table
        .into_iter()
        .map(|(k, v)| {
            let key = TKey {
                span: k.span(),
                name: k.into_inner().into_owned(),
            };
            let span = v.span();
            (
                key,
                TNode {
                    span,
                    value: convert_value(v.into_inner()),
                },
            )
        })
        .collect()
}

fn convert_value(v: DeValue<'_>) -> TValue {
    match v {
        DeValue::String(s) => TValue::Str(s.into_owned()),
        DeValue::Integer(i) => {
            let digits: String = i.as_str().chars().filter(|&c| c != '_').collect();
            let digits = digits
                .trim_start_matches("0x")
                .trim_start_matches("0o")
                .trim_start_matches("0b");
            match i64::from_str_radix(digits, i.radix()) {
                Ok(n) => TValue::Int(n),
                Err(_) => TValue::Str(i.as_str().to_string()),
            }
        }
        DeValue::Float(f) => {
            let text: String = f.as_str().chars().filter(|&c| c != '_').collect();
            let value = match text.as_str() {
                "inf" | "+inf" => f64::INFINITY,
                "-inf" => f64::NEG_INFINITY,
                "nan" | "+nan" | "-nan" => f64::NAN,
                t => t.parse().unwrap_or(f64::NAN),
            };
            TValue::Float(value)
        }
        DeValue::Boolean(b) => TValue::Bool(b),
        DeValue::Datetime(d) => TValue::Datetime(d.to_string()),
        DeValue::Array(a) => TValue::Array(
            a.into_iter()
                .map(|v| {
                    let span = v.span();
                    TNode {
                        span,
                        value: convert_value(v.into_inner()),
                    }
                })
                .collect(),
        ),
        DeValue::Table(t) => TValue::Table(convert_table(t)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_point_at_keys_and_values() {
        let t = "[providers.deepseek]\nbase_url = \"https://x\"\nmax_concurrency = 0x10\n";
        let root = parse(t).unwrap();
        let ds = root.get("providers").unwrap().get("deepseek").unwrap();
        let (k, v) = &ds.as_table().unwrap()[0];
        assert_eq!(&t[k.span.clone()], "base_url");
        assert_eq!(&t[v.span.clone()], "\"https://x\"");
        assert_eq!(ds.get("max_concurrency").unwrap().value, TValue::Int(16));
    }

    #[test]
    fn syntax_errors_have_a_span() {
        let t = "[models]\nfast = \"lm-studio/qwen-2.5-7b\nsmart = 1\n";
        let e = parse(t).unwrap_err();
        assert!(e.span.start >= 9 && e.span.start < 40, "{e:?}");
    }
}
