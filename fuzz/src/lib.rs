//! What the fuzz targets share: the parse-stack worker thread and the span
//! invariants every finding must keep (inside its file, on char boundaries).

use agentc::diagnostic::{Diagnostic, Span};
use agentc::syntax::yaml::{PARSE_STACK, YNode, YValue};
use std::sync::mpsc::{self, Sender};
use std::sync::{Mutex, OnceLock};

type Job = Box<dyn FnOnce() + Send>;

/// Runs `f` on one long-lived thread with the stack that agentc's own parsing
/// threads get ([`PARSE_STACK`]); libFuzzer calls targets on the main thread,
/// whose stack is smaller. A panic there aborts the process, which libFuzzer
/// reports as a crash with the input.
pub fn on_parse_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    static WORKER: OnceLock<Mutex<Sender<Job>>> = OnceLock::new();
    let worker = WORKER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("fuzz-parse".into())
            .stack_size(PARSE_STACK)
            .spawn(move || {
                for job in rx {
                    job();
                }
            })
            .expect("the parse thread starts");
        Mutex::new(tx)
    });
    let (reply, answer) = mpsc::sync_channel(1);
    worker
        .lock()
        .expect("the worker lock is never poisoned")
        .send(Box::new(move || {
            let _ = reply.send(f());
        }))
        .expect("the parse thread is alive");
    answer.recv().expect("the parse thread answers")
}

/// The fuzz input as text. Invalid UTF-8 is replaced rather than skipped so
/// that every input exercises the parsers (agentc reads files the same way:
/// a lossy copy plus an `invalid-encoding` finding).
pub fn text_of(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// `start..end` lies inside `text` and on char boundaries.
pub fn assert_range(text: &str, start: usize, end: usize, what: &dyn std::fmt::Debug) {
    assert!(
        start <= end && end <= text.len(),
        "range {start}..{end} outside the text ({} bytes): {what:?}",
        text.len()
    );
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "range {start}..{end} not on char boundaries: {what:?}"
    );
}

fn assert_span(files: &[&str], span: Span, what: &dyn std::fmt::Debug) {
    let text = files
        .get(span.file.0 as usize)
        .unwrap_or_else(|| panic!("span in unknown file {:?}: {what:?}", span.file));
    assert_range(text, span.start, span.end, what);
}

/// Every finding has a span, and it, its labels and its fix edits lie inside
/// their file (`files[FileId]`) on char boundaries.
pub fn assert_diagnostics(diagnostics: &[Diagnostic], files: &[&str]) {
    for d in diagnostics {
        let span = d
            .span
            .unwrap_or_else(|| panic!("finding in a file without a location: {d:?}"));
        assert_span(files, span, d);
        for label in &d.labels {
            assert_span(files, label.span, d);
        }
        if let Some(fix) = &d.fix {
            assert!(!fix.edits.is_empty(), "fix without edits: {d:?}");
            for edit in &fix.edits {
                assert_span(files, edit.span, d);
            }
        }
    }
}

/// Every node of a parsed YAML tree lies inside `file` on char boundaries.
pub fn assert_tree(node: &YNode, file: &str) {
    assert_range(file, node.span.start, node.span.end, node);
    match &node.value {
        YValue::Seq(items) => items.iter().for_each(|i| assert_tree(i, file)),
        YValue::Map(entries) => entries.iter().for_each(|(k, v)| {
            assert_tree(k, file);
            assert_tree(v, file);
        }),
        _ => {}
    }
}
