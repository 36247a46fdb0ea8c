//! Frontmatter YAML parsing with spans and budgets. The input is the YAML
//! between the fences, placed after an opening `---` line so that spans are
//! checked as absolute file offsets. Nodes and the error offset lie inside
//! the file on char boundaries, and raising the depth limit to the highest
//! `[limits]` allows never changes a tree that parsed under the default.
#![no_main]

use agentc::syntax::yaml::{self, MAX_DEPTH_LIMIT, YamlErrorKind, YamlLimits};
use agentc_fuzz::{assert_range, assert_tree, on_parse_stack, text_of};
use libfuzzer_sys::fuzz_target;

const FENCE: &str = "---\n";

fn parse_checked(file: &str, limits: YamlLimits) -> Result<String, YamlErrorKind> {
    match yaml::parse(&file[FENCE.len()..], FENCE.len(), limits) {
        Ok(parsed) => {
            assert_tree(&parsed.root, file);
            for dup in &parsed.duplicates {
                assert_range(file, dup.first.start, dup.first.end, dup);
                assert_range(file, dup.second.start, dup.second.end, dup);
            }
            Ok(format!("{:?} {:?}", parsed.root, parsed.duplicates))
        }
        Err(e) => {
            assert!(e.offset >= FENCE.len(), "error before the YAML: {e:?}");
            assert_range(file, e.offset, e.offset, &e);
            assert!(!e.message.is_empty(), "error without a message: {e:?}");
            Err(e.kind)
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let file = format!("{FENCE}{}", text_of(data));
    on_parse_stack(move || {
        let default = YamlLimits::default();
        let deepest = YamlLimits {
            max_depth: MAX_DEPTH_LIMIT,
            ..default
        };
        match parse_checked(&file, default) {
            Ok(tree) => {
                assert_eq!(
                    parse_checked(&file, deepest),
                    Ok(tree),
                    "depth limit changed the tree"
                );
            }
            Err(YamlErrorKind::Limits) => {
                let _ = parse_checked(&file, deepest);
            }
            Err(YamlErrorKind::Syntax) => {}
        }
    });
});
