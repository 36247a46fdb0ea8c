//! The frontmatter splitter: any text splits or fails with ranges that lie
//! inside it, in order, on char boundaries.
#![no_main]

use agentc::source::split::{SplitError, split};
use agentc_fuzz::{assert_range, text_of};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = text_of(data);
    match split(&text) {
        Ok(fm) => {
            for r in [&fm.open, &fm.yaml, &fm.close, &fm.body] {
                assert_range(&text, r.start, r.end, &fm);
            }
            assert!(
                fm.open.end <= fm.yaml.start
                    && fm.yaml.end <= fm.close.start
                    && fm.close.end <= fm.body.start,
                "parts out of order: {fm:?}"
            );
            assert_eq!(&text[fm.open.clone()], "---");
            assert_eq!(&text[fm.close.clone()], "---");
        }
        Err(SplitError::Missing { fence_later }) => {
            if let Some(r) = fence_later {
                assert_range(&text, r.start, r.end, &r);
            }
        }
        Err(SplitError::Unterminated { open, near_miss }) => {
            assert_range(&text, open.start, open.end, &open);
            if let Some(r) = near_miss {
                assert_range(&text, r.start, r.end, &r);
                assert!(open.end <= r.start, "near miss before the fence: {r:?}");
            }
        }
    }
});
