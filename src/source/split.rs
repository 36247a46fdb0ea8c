//! The frontmatter splitter: finds the `---` fences and returns byte ranges,
//! so every later span stays exact. A UTF-8 BOM before the opening fence and
//! CRLF line endings are accepted; nothing is rewritten.

use std::ops::Range;

/// The parts of an agent file, as byte ranges into its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frontmatter {
    /// The opening `---`, without its line ending.
    pub open: Range<usize>,
    /// The YAML between the fences.
    pub yaml: Range<usize>,
    /// The closing `---`, without its line ending.
    pub close: Range<usize>,
    /// Everything after the closing fence's line.
    pub body: Range<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SplitError {
    /// Line 1 is not `---`. `fence_later` is a fence-like line found further
    /// down (frontmatter that does not start at line 1).
    Missing { fence_later: Option<Range<usize>> },
    /// No closing `---`. `near_miss` is a line that looks like a closing fence
    /// but is not exactly `---` (a line of 56 dashes, `--- ` with spaces).
    Unterminated {
        open: Range<usize>,
        near_miss: Option<Range<usize>>,
    },
}

/// Lines of `text` from `start`: (content range without the line ending,
/// offset of the next line).
fn lines(text: &str, start: usize) -> impl Iterator<Item = (Range<usize>, usize)> + '_ {
    let mut pos = start;
    std::iter::from_fn(move || {
        if pos >= text.len() {
            return None;
        }
        let rest = &text[pos..];
        let (len, next) = match rest.find('\n') {
            Some(i) => (i, pos + i + 1),
            None => (rest.len(), text.len()),
        };
        let mut end = pos + len;
        if end > pos && text.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        let line = pos..end;
        pos = next;
        Some((line, next))
    })
}

/// A line that was probably meant as a fence but is not exactly `---`.
fn is_near_miss(line: &str) -> bool {
    let trimmed = line.trim();
    (trimmed == "---" && line != "---")
        || (trimmed.len() >= 4 && trimmed.bytes().all(|b| b == b'-'))
}

pub fn split(text: &str) -> Result<Frontmatter, SplitError> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut it = lines(text, start);
    let open = match it.next() {
        Some((line, _)) if &text[line.clone()] == "---" => line,
        _ => {
            let fence_later = lines(text, start)
                .take(20)
                .map(|(l, _)| l)
                .find(|l| text[l.clone()].trim() == "---");
            return Err(SplitError::Missing { fence_later });
        }
    };
    let yaml_start = (open.end..text.len())
        .find(|&i| text.as_bytes()[i] == b'\n')
        .map_or(text.len(), |i| i + 1);
    for (line, next) in lines(text, yaml_start) {
        let s = &text[line.clone()];
        if s == "---" {
            return Ok(Frontmatter {
                open,
                yaml: yaml_start..line.start,
                close: line,
                body: next..text.len(),
            });
        }
        if is_near_miss(s) {
            return Err(SplitError::Unterminated {
                open,
                near_miss: Some(line),
            });
        }
    }
    Err(SplitError::Unterminated {
        open,
        near_miss: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_lf_and_crlf_with_exact_ranges() {
        let t = "---\nname: x\n---\nbody\n";
        let fm = split(t).unwrap();
        assert_eq!(&t[fm.open.clone()], "---");
        assert_eq!(&t[fm.yaml.clone()], "name: x\n");
        assert_eq!(&t[fm.close.clone()], "---");
        assert_eq!(&t[fm.body.clone()], "body\n");

        let t = "\u{feff}---\r\nname: x\r\n---\r\nbody\r\n";
        let fm = split(t).unwrap();
        assert_eq!(fm.open, 3..6);
        assert_eq!(&t[fm.yaml.clone()], "name: x\r\n");
        assert_eq!(&t[fm.close.clone()], "---");
        assert_eq!(&t[fm.body.clone()], "body\r\n");
    }

    #[test]
    fn empty_frontmatter_and_missing_body() {
        let fm = split("---\n---").unwrap();
        assert_eq!(fm.yaml, 4..4);
        assert_eq!(fm.body, 7..7);
    }

    #[test]
    fn missing_fence_points_at_a_later_one() {
        let t = "\n    ---\nname: x\n";
        assert_eq!(
            split(t),
            Err(SplitError::Missing {
                fence_later: Some(1..8)
            })
        );
        assert_eq!(
            split("# notes\n"),
            Err(SplitError::Missing { fence_later: None })
        );
        assert!(split("").is_err());
    }

    #[test]
    fn near_miss_closing_fence_is_named() {
        let dashes = "-".repeat(56);
        let t = format!("---\nname: x\n{dashes}\nbody\n---\n");
        match split(&t) {
            Err(SplitError::Unterminated {
                open,
                near_miss: Some(l),
            }) => {
                assert_eq!(open, 0..3);
                assert_eq!(&t[l], dashes);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            split("---\nname: x\n--- \n"),
            Err(SplitError::Unterminated {
                near_miss: Some(_),
                ..
            })
        ));
        assert_eq!(
            split("---\nname: x\n"),
            Err(SplitError::Unterminated {
                open: 0..3,
                near_miss: None
            })
        );
    }
}
