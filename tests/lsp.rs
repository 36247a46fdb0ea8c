//! The language server in-process, over an in-memory connection: the
//! analysis of unsaved buffers is the checker's, cross-file findings follow
//! edits, and ranges are in the negotiated encoding.
#![allow(clippy::unwrap_used)]

mod support;

use agentc::lsp::{Options, serve};
use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use support::TempProject;

struct Client {
    conn: Connection,
    /// The last diagnostics published for each URI.
    latest: std::cell::RefCell<std::collections::HashMap<String, Vec<Value>>>,
    thread: Option<std::thread::JoinHandle<()>>,
    next: i32,
}

impl Client {
    fn start(p: &TempProject, encodings: &[&str]) -> Client {
        let (server, conn) = Connection::memory();
        let env = p.env();
        let options = Options {
            project_root: Some(p.root()),
            probe: false,
            debounce: Duration::from_millis(5),
            ..Options::default()
        };
        let thread = std::thread::spawn(move || {
            serve(server, options, env).unwrap();
        });
        let mut c = Client {
            conn,
            latest: Default::default(),
            thread: Some(thread),
            next: 0,
        };
        let init = c.request(
            "initialize",
            json!({"capabilities": {"general": {"positionEncodings": encodings}}}),
        );
        assert!(init["capabilities"]["positionEncoding"].is_string());
        c.notify("initialized", json!({}));
        c
    }

    fn notify(&self, method: &str, params: Value) {
        self.conn
            .sender
            .send(Message::Notification(Notification::new(
                method.into(),
                params,
            )))
            .unwrap();
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = RequestId::from(self.next);
        self.conn
            .sender
            .send(Message::Request(Request::new(
                id.clone(),
                method.into(),
                params,
            )))
            .unwrap();
        loop {
            match self
                .conn
                .receiver
                .recv_timeout(Duration::from_secs(30))
                .unwrap()
            {
                Message::Response(r) if r.id == id => return r.result.unwrap_or(Value::Null),
                Message::Notification(n) if n.method == "textDocument/publishDiagnostics" => {
                    let d = n.params["diagnostics"].as_array().unwrap().clone();
                    let from = n.params["uri"].as_str().unwrap().to_string();
                    self.latest.borrow_mut().insert(from, d);
                }
                _ => {}
            }
        }
    }

    /// Waits for diagnostics of `uri` that satisfy `pred`.
    fn diagnostics(&self, uri: &str, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(30);
        if let Some(d) = self.latest.borrow().get(uri)
            && pred(d)
        {
            return d.clone();
        }
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = self.conn.receiver.recv_timeout(left).unwrap_or_else(|_| {
                panic!("no matching diagnostics for {uri}");
            });
            if let Message::Notification(n) = msg
                && n.method == "textDocument/publishDiagnostics"
            {
                let d = n.params["diagnostics"].as_array().unwrap().clone();
                let from = n.params["uri"].as_str().unwrap().to_string();
                self.latest.borrow_mut().insert(from.clone(), d.clone());
                if from == uri && pred(&d) {
                    return d;
                }
            }
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
    }
}

fn uri(p: &TempProject, rel: &str) -> String {
    url::Url::from_file_path(p.root().join(rel))
        .unwrap()
        .to_string()
}

fn open(c: &Client, uri: &str, text: &str) {
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}}),
    );
}

fn change(c: &Client, uri: &str, version: i32, range: [u32; 4], text: &str) {
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"range": {
                "start": {"line": range[0], "character": range[1]},
                "end": {"line": range[2], "character": range[3]}}, "text": text}]
        }),
    );
}

fn codes(d: &[Value]) -> Vec<&str> {
    d.iter().map(|d| d["code"].as_str().unwrap()).collect()
}

#[test]
fn unsaved_buffers_are_checked_like_files_and_cross_file_findings_follow() {
    let p = TempProject::with(&[
        (".agents/alpha.md", "---\ndescription: A.\n---\nA.\n"),
        (
            ".agents/beta.md",
            "---\ndescription: B.\nprovider: lm-studo\n---\nB.\n",
        ),
    ]);
    let c = Client::start(&p, &[]);
    let (a, b) = (uri(&p, ".agents/alpha.md"), uri(&p, ".agents/beta.md"));
    // The initial publish is `check`'s finding, with its message and help.
    let d = c.diagnostics(&b, |d| !d.is_empty());
    let loaded = p.load();
    assert_eq!(loaded.diagnostics.len(), 1);
    assert_eq!(
        d[0]["message"],
        format!(
            "{}\nhelp: {}",
            loaded.diagnostics[0].message,
            loaded.diagnostics[0].help.as_deref().unwrap()
        )
    );
    assert_eq!(
        d[0]["range"],
        json!({"start": {"line": 2, "character": 10}, "end": {"line": 2, "character": 18}})
    );
    open(
        &c,
        &b,
        "---\ndescription: B.\nprovider: lm-studo\n---\nB.\n",
    );
    // The buffer claims alpha's name: both files are marked.
    change(&c, &b, 2, [2, 0, 3, 0], "name: alpha\n");
    let db = c.diagnostics(&b, |d| codes(d).contains(&"duplicate-name"));
    let da = c.diagnostics(&a, |d| codes(d).contains(&"duplicate-name"));
    assert_eq!(da[0]["relatedInformation"][0]["location"]["uri"], b);
    assert!(codes(&db).contains(&"name-mismatch"));
    // Nothing was written to disk.
    assert!(
        std::fs::read_to_string(p.root().join(".agents/beta.md"))
            .unwrap()
            .contains("lm-studo")
    );
    change(&c, &b, 3, [2, 6, 2, 11], "beta");
    c.diagnostics(&a, |d| d.is_empty());
    c.diagnostics(&b, |d| d.is_empty());
}

#[test]
fn utf8_is_used_when_the_client_offers_it() {
    let text = "---\ndescription: é🦀\ntools: [mcp__é🦀__x, grpe]\n---\nB.\n";
    let p = TempProject::with(&[(".agents/w.md", text)]);
    let at = "tools: [mcp__é🦀__x, ".len() as u32;
    for (offered, character) in [(vec!["utf-8"], at), (vec![], at - 3)] {
        let c = Client::start(&p, &offered);
        let d = c.diagnostics(&uri(&p, ".agents/w.md"), |d| !d.is_empty());
        assert_eq!(d[0]["code"], "unknown-tool");
        assert_eq!(d[0]["range"]["start"]["character"], character);
    }
}
