//! Differential target for the frontmatter fast path: wherever
//! `syntax::yaml::fast` answers, its tree, spans and duplicate keys equal
//! the full parser's (`syntax::yaml::parse_full`), and the full parser
//! accepts the text too. The input is the YAML between the fences, placed
//! after an opening `---` line so that spans are absolute file offsets.
#![no_main]

use agentc::syntax::yaml::{self, YamlLimits};
use agentc_fuzz::{on_parse_stack, text_of};
use libfuzzer_sys::fuzz_target;

const FENCE: &str = "---\n";

fuzz_target!(|data: &[u8]| {
    let file = format!("{FENCE}{}", text_of(data));
    on_parse_stack(move || {
        let text = &file[FENCE.len()..];
        let limits = YamlLimits::default();
        if let Some(fast) = yaml::fast::parse(text, FENCE.len(), limits) {
            match yaml::parse_full(text, FENCE.len(), limits) {
                Ok(full) => assert_eq!(fast, full, "fast and full trees differ for {text:?}"),
                Err(e) => panic!("fast path accepted what the full parser rejects: {text:?}: {e:?}"),
            }
        }
    });
});
