//! End-to-end tests of the ecosystem commands with the real binary in
//! temporary projects: init/add/new, export/import (and the round trip over
//! the real-world corpus), check --fix/--diff/--statistics, suppressions,
//! completions, the man page and the frontmatter schema.

// Test helpers outside #[test] functions may unwrap too: a failure is a
// failed test.
#![allow(clippy::unwrap_used)]

mod eco {
    pub mod common;
    mod convert;
    mod fix;
    mod integration;
    mod scaffold;
    mod suppress;
}
