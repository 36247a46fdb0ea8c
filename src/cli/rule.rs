//! `agentc rule CODE`: the rule's section of docs/rules.md.

use super::{CliError, CliResult, Outcome, args::RuleArgs};
use crate::diagnostic::suggest;
use crate::rules::Rule;
use std::fmt::Write;

pub fn run(args: &RuleArgs) -> CliResult {
    let Some(code) = &args.code else {
        let mut out = String::new();
        for r in Rule::ALL {
            let fixed = if r.is_fixed() { " (fixed)" } else { "" };
            let _ = writeln!(
                out,
                "{:<26} {:<8}{fixed:<8} {}",
                r.code(),
                r.default_severity().as_str(),
                r.summary()
            );
        }
        super::print(&out)?;
        return Ok(Outcome::Clean);
    };
    let Some(rule) = Rule::from_code(code) else {
        let help = suggest(code, Rule::ALL.iter().map(|r| r.code()))
            .map(|h| format!("; {h}"))
            .unwrap_or_else(|| "; `agentc rule` lists them".into());
        return Err(CliError::Usage(format!("unknown rule `{code}`{help}")));
    };
    let docs = rule.docs().unwrap_or(rule.summary());
    super::print(&format!("{docs}\n"))?;
    Ok(Outcome::Clean)
}
