//! The rule registry: every finding agentc can report, with its stable
//! kebab-case code, default severity, whether that severity is fixed, and a
//! one-line summary. The long documentation of each rule lives in
//! `docs/rules.md`, embedded here so that `agentc rule CODE` and the docs are
//! one text.

pub mod secrets;

use serde::Serialize;

/// How serious a finding is. Ordered so that `Error` is the greatest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

macro_rules! rules {
    ($( $variant:ident = $code:literal, $sev:ident, $fixed:literal, $summary:literal; )*) => {
        /// A rule: the stable identity of a kind of finding.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Rule {
            $( #[doc = $summary] $variant, )*
        }

        impl Rule {
            /// Every rule, in the order of the registry.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant),*];

            /// The stable kebab-case code.
            pub fn code(self) -> &'static str {
                match self { $(Rule::$variant => $code,)* }
            }

            pub fn default_severity(self) -> Severity {
                match self { $(Rule::$variant => Severity::$sev,)* }
            }

            /// A fixed rule's severity cannot be changed by `[lint] rules`.
            pub fn is_fixed(self) -> bool {
                match self { $(Rule::$variant => $fixed,)* }
            }

            /// One line saying what the rule catches.
            pub fn summary(self) -> &'static str {
                match self { $(Rule::$variant => $summary,)* }
            }

            pub fn from_code(code: &str) -> Option<Rule> {
                match code { $($code => Some(Rule::$variant),)* _ => None }
            }
        }
    };
}

rules! {
    MissingFrontmatter = "missing-frontmatter", Error, true,
        "The file does not begin with a `---` fence.";
    UnterminatedFrontmatter = "unterminated-frontmatter", Error, true,
        "The opening fence has no closing `---`.";
    YamlSyntax = "yaml-syntax", Error, true,
        "The frontmatter is not valid YAML.";
    FrontmatterNotMapping = "frontmatter-not-mapping", Error, true,
        "The frontmatter is YAML but not a mapping of keys to values.";
    DuplicateKey = "duplicate-key", Error, true,
        "A key appears twice in one mapping.";
    InvalidEncoding = "invalid-encoding", Error, true,
        "The file is not UTF-8.";
    FileTooLarge = "file-too-large", Error, true,
        "The file is larger than `[limits] max_file_size`.";
    YamlLimits = "yaml-limits", Error, true,
        "The YAML nests too deep or expands to too many nodes.";
    UnreadableFile = "unreadable-file", Error, true,
        "The file could not be read (permissions, removed while reading, ...).";
    MissingField = "missing-field", Error, false,
        "A required key is absent.";
    UnknownField = "unknown-field", Warning, false,
        "A key that no dialect knows.";
    ForeignField = "foreign-field", Warning, false,
        "A key of another harness's dialect.";
    UnquotedColon = "unquoted-colon", Warning, false,
        "A plain one-line value containing `: `, accepted in the Claude dialect.";
    InvalidType = "invalid-type", Error, false,
        "A value of the wrong type.";
    InvalidValue = "invalid-value", Error, false,
        "A value of the right type outside its allowed range or set.";
    InvalidName = "invalid-name", Error, false,
        "An agent name that is not a valid id.";
    NameMismatch = "name-mismatch", Warning, false,
        "`name` differs from the file stem.";
    EmptyPrompt = "empty-prompt", Warning, false,
        "The definition has no system prompt.";
    DuplicateName = "duplicate-name", Error, false,
        "Two files of one scope define the same agent.";
    UnknownProvider = "unknown-provider", Error, false,
        "A provider id that is neither a preset nor configured.";
    UnknownModel = "unknown-model", Error, false,
        "A model that the provider does not declare.";
    UnknownAgent = "unknown-agent", Error, false,
        "An agent name that is not defined.";
    MissingModel = "missing-model", Error, false,
        "A provider was chosen but nothing names its model.";
    AliasCycle = "alias-cycle", Error, false,
        "Model aliases that refer to each other.";
    UnknownTool = "unknown-tool", Warning, false,
        "A tool outside the vocabulary.";
    UnknownRole = "unknown-role", Warning, false,
        "A role close to, but not matching, a configured `[roles]` table.";
    FallbackRedundant = "fallback-redundant", Warning, false,
        "A fallback entry equal to the primary route or repeated.";
    ImplicitInherit = "implicit-inherit", Error, false,
        "An agent would inherit its route while the policy requires explicit routes.";
    CapabilityMismatch = "capability-mismatch", Error, false,
        "The agent requires a capability the model lacks.";
    SecretInDefinition = "secret-in-definition", Error, true,
        "A literal credential in a definition or config.";
    CredentialHostMismatch = "credential-host-mismatch", Error, true,
        "A well-known key variable sent to another vendor's host.";
    UntrustedProvider = "untrusted-provider", Warning, false,
        "A project provider that would send a key off the machine and is not trusted.";
    SymlinkEscape = "symlink-escape", Warning, false,
        "A symlink that leaves the project root.";
    SkippedPath = "skipped-path", Warning, false,
        "A file or folder agentc should read but cannot: a loop, no permission, or the wrong kind of file.";
    ConfigSyntax = "config-syntax", Error, true,
        "`agentc.toml` is not valid TOML.";
    TomlSyntax = "toml-syntax", Error, true,
        "A TOML agent file (a Codex role) is not valid TOML.";
    ConfigInvalid = "config-invalid", Error, false,
        "A config key or value that agentc does not accept.";
    OverrideNotAllowed = "override-not-allowed", Error, false,
        "A run-time override outside `[policy] allowed_models`.";
    ProviderUnreachable = "provider-unreachable", Warning, false,
        "A provider endpoint that did not answer.";
    ModelNotFound = "model-not-found", Error, false,
        "A routed model the reachable provider does not serve.";
    ModelNotLoaded = "model-not-loaded", Info, false,
        "A routed model the provider serves but has not loaded.";
    MissingCredential = "missing-credential", Error, false,
        "A routed provider whose key variable is unset.";
    UnusedSuppression = "unused-suppression", Warning, false,
        "An `# agentc: ignore[...]` comment that suppresses nothing.";
    InvalidSuppression = "invalid-suppression", Warning, false,
        "A suppression comment that is malformed, names an unknown or fixed rule, or gives no reason.";
}

/// The whole rules reference, one `## code` section per rule.
pub const RULES_MD: &str = include_str!("../../docs/rules.md");

impl Rule {
    /// This rule's section of `docs/rules.md`, heading included.
    pub fn docs(self) -> Option<&'static str> {
        let heading = format!("## `{}`", self.code());
        let start = RULES_MD.find(&format!("\n{heading}\n"))? + 1;
        let rest = &RULES_MD[start..];
        let end = rest[heading.len()..]
            .find("\n## ")
            .map_or(rest.len(), |i| i + heading.len() + 1);
        Some(rest[..end].trim_end())
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_kebab_case() {
        for &rule in Rule::ALL {
            assert_eq!(Rule::from_code(rule.code()), Some(rule));
            assert!(
                rule.code()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-'),
                "{rule}"
            );
        }
    }

    #[test]
    fn every_rule_is_documented_with_an_example() {
        for &rule in Rule::ALL {
            let docs = rule
                .docs()
                .unwrap_or_else(|| panic!("docs/rules.md has no section for `{rule}`"));
            assert!(docs.contains("```"), "`{rule}` has no example");
            assert!(
                docs.contains(rule.default_severity().as_str()),
                "`{rule}` docs do not state its severity"
            );
        }
    }

    #[test]
    fn docs_have_no_section_for_an_unknown_rule() {
        for line in RULES_MD.lines() {
            if let Some(code) = line.strip_prefix("## `") {
                let code = code.trim_end_matches('`');
                assert!(
                    Rule::from_code(code).is_some(),
                    "unknown rule `{code}` in docs"
                );
            }
        }
    }
}
