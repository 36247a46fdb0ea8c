//! The module graph of `src/` has no import cycle, and no stage imports a
//! later one.
//!
//! Reads every `src/**/*.rs` (except `main.rs`, which is its own crate),
//! collects the `crate::…`, `self::…` and `super::…` paths in it (in `use`
//! trees and inline), maps each to the file of the longest module prefix it
//! names, and checks the resulting file-level graph. Code in `#[cfg(test)]`
//! modules counts too. Plain `std` only, so it runs everywhere `cargo test`
//! does. See docs/architecture.md for the pipeline the table below encodes.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Layers, lowest first: a file may import its own layer and lower ones
/// only. A module belongs to the first layer with a prefix of its path;
/// every module must match one.
const LAYERS: &[(&str, &[&str])] = &[
    // Leaves every stage may use: the rule registry, files on disk,
    // terminal-safe text.
    ("base", &["rules", "fsutil", "http", "render::escape"]),
    // Files, spans and the findings that point into them; the harness
    // vocabulary (dialects, tools) that discovery already needs.
    (
        "source",
        &["source", "diagnostic", "dialect", "discover", "syntax"],
    ),
    ("model", &["model"]),
    ("check", &["check"]),
    ("route", &["route"]),
    ("render", &["render"]),
    ("convert", &["convert"]),
    ("exec", &["exec"]),
    ("servers", &["watch", "gateway", "lsp", "mcp"]),
    ("cli", &["cli"]),
    ("root", &[""]),
];

/// Imports against the layer order that are deliberate, with the reason.
const EXCEPTIONS: &[(&str, &str, &str)] = &[(
    "mcp::tools",
    "cli::check",
    "the MCP `check` tool answers with exactly what `agentc check --format json PATH...` prints",
)];

/// Module paths (`a::b`) to the file that defines them.
fn modules(root: &Path) -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.join("src")];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let rel = path
                .strip_prefix(root.join("src"))
                .expect("a file found under src");
            let mut parts: Vec<String> = rel
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            let last = parts.pop().expect("a file has a name");
            match last.as_str() {
                "main.rs" if parts.is_empty() => continue,
                "lib.rs" if parts.is_empty() => {}
                "mod.rs" => {}
                other => parts.push(other.trim_end_matches(".rs").to_string()),
            }
            out.insert(parts.join("::"), path);
        }
    }
    out
}

/// Source text with comments, strings and char literals blanked out (kept
/// the same length so that nothing in them reads as a path or a brace).
fn strip(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for c in &mut out[from..to] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            let end = b[i..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(b.len(), |p| i + p);
            blank(&mut out, i, end);
            i = end;
        } else if b[i..].starts_with(b"/*") {
            let (mut depth, mut j) = (1, i + 2);
            while j < b.len() && depth > 0 {
                if b[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if b[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                } else {
                    j += 1;
                }
            }
            blank(&mut out, i, j);
            i = j;
        } else if b[i] == b'r'
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_'))
            && matches!(b.get(i + 1), Some(b'"') | Some(b'#'))
        {
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&b'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&b'"') {
                i += 1;
                continue;
            }
            let close: Vec<u8> = std::iter::once(b'"')
                .chain(std::iter::repeat_n(b'#', hashes))
                .collect();
            let end = b[j + 1..]
                .windows(close.len())
                .position(|w| w == close.as_slice())
                .map_or(b.len(), |p| j + 1 + p + close.len());
            blank(&mut out, i, end);
            i = end;
        } else if b[i] == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(b.len());
            blank(&mut out, i, end);
            i = end;
        } else if b[i] == b'\'' {
            // A char literal ('x', '\n', '\u{..}'); otherwise a lifetime.
            let end = if b.get(i + 1) == Some(&b'\\') {
                b[i + 2..]
                    .iter()
                    .position(|&c| c == b'\'')
                    .map(|p| i + 2 + p + 1)
            } else {
                let ch = src[i + 1..].chars().next().map_or(1, char::len_utf8);
                (b.get(i + 1 + ch) == Some(&b'\'')).then_some(i + 2 + ch)
            };
            match end {
                Some(end) => {
                    blank(&mut out, i, end);
                    i = end;
                }
                None => i += 1,
            }
        } else {
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Inline `mod name {` blocks: (start, end, name) byte ranges.
fn inline_mods(code: &str) -> Vec<(usize, usize, String)> {
    let b = code.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(p) = code[from..].find("mod ") {
        let at = from + p;
        from = at + 4;
        if at > 0 && (b[at - 1].is_ascii_alphanumeric() || b[at - 1] == b'_') {
            continue;
        }
        let rest = &code[at + 4..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let after = rest[name.len()..].trim_start();
        if name.is_empty() || !after.starts_with('{') {
            continue;
        }
        let open = at + 4 + rest.len() - after.len();
        let mut depth = 0;
        let mut end = b.len();
        for (k, &c) in b.iter().enumerate().skip(open) {
            if c == b'{' {
                depth += 1;
            } else if c == b'}' {
                depth -= 1;
                if depth == 0 {
                    end = k;
                    break;
                }
            }
        }
        out.push((open, end, name));
    }
    out
}

/// Expands a `use` tree (`a::{b, c::{d, e}}`) into full paths.
fn expand(prefix: &str, tree: &str, out: &mut Vec<String>) {
    let tree = tree.trim();
    if let Some(open) = tree.find('{') {
        let head = tree[..open].trim().trim_end_matches("::");
        let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
        let prefix = join(prefix, head);
        let (mut depth, mut start) = (0, 0);
        for (k, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand(&prefix, &inner[start..k], out);
                    start = k + 1;
                }
                _ => {}
            }
        }
        expand(&prefix, &inner[start..], out);
    } else if !tree.is_empty() {
        let item = tree.split(" as ").next().unwrap_or(tree).trim();
        out.push(join(prefix, item));
    }
}

fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{a}::{b}"),
    }
}

/// Every `crate::`/`self::`/`super::` path in the code, with its byte offset.
fn paths(code: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let b = code.as_bytes();
    // `use` trees first, then the inline paths outside them.
    let mut in_use = Vec::new();
    let mut from = 0;
    while let Some(p) = code[from..].find("use ") {
        let at = from + p;
        from = at + 4;
        if at > 0 && (b[at - 1].is_ascii_alphanumeric() || b[at - 1] == b'_') {
            continue;
        }
        let Some(semi) = code[at..].find(';') else {
            continue;
        };
        let tree = &code[at + 4..at + semi];
        let first = tree.trim_start();
        if !(first.starts_with("crate::")
            || first.starts_with("super::")
            || first.starts_with("self::"))
        {
            continue;
        }
        let mut expanded = Vec::new();
        expand("", tree, &mut expanded);
        out.extend(expanded.into_iter().map(|p| (at, p)));
        in_use.push((at, at + semi));
    }
    for root in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(p) = code[from..].find(root) {
            let at = from + p;
            from = at + root.len();
            if at > 0
                && (b[at - 1].is_ascii_alphanumeric() || b[at - 1] == b'_' || b[at - 1] == b':')
            {
                continue;
            }
            if in_use.iter().any(|&(s, e)| s <= at && at < e) {
                continue;
            }
            let path: String = code[at..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            out.push((at, path.trim_end_matches(':').to_string()));
        }
    }
    out
}

/// The module a path names, relative to the module `here`.
fn absolute(here: &[String], path: &str) -> Option<Vec<String>> {
    let mut parts = path.split("::").filter(|s| !s.is_empty());
    let mut base: Vec<String> = match parts.next()? {
        "crate" => Vec::new(),
        "self" => here.to_vec(),
        "super" => {
            let mut b = here.to_vec();
            b.pop()?;
            b
        }
        _ => return None,
    };
    let mut rest: Vec<&str> = parts.collect();
    while rest.first() == Some(&"super") {
        base.pop()?;
        rest.remove(0);
    }
    base.extend(rest.into_iter().map(str::to_string));
    Some(base)
}

/// The names lib.rs re-exports (`pub use a::b;`, `pub use a::{b as c};`),
/// each with the path it stands for.
fn root_aliases(root: &Path) -> BTreeMap<String, Vec<String>> {
    let code = strip(&fs::read_to_string(root.join("src/lib.rs")).expect("read lib.rs"));
    let mut out = BTreeMap::new();
    let mut from = 0;
    while let Some(p) = code[from..].find("pub use ") {
        let at = from + p + "pub use ".len();
        let Some(semi) = code[at..].find(';') else {
            break;
        };
        from = at + semi;
        let tree = code[at..at + semi].trim();
        let tree = tree.strip_prefix("crate::").unwrap_or(tree);
        let mut items = Vec::new();
        expand_named("", tree, &mut items);
        for (path, name) in items {
            let parts: Vec<String> = path.split("::").map(str::to_string).collect();
            out.insert(name, parts);
        }
    }
    out
}

/// Like [`expand`], keeping the name each item is visible as.
fn expand_named(prefix: &str, tree: &str, out: &mut Vec<(String, String)>) {
    let mut plain = Vec::new();
    let tree = tree.trim();
    // Split off `as` renames leaf by leaf: expand each leaf separately.
    expand(prefix, &tree.replace(" as ", " @ "), &mut plain);
    for p in plain {
        let (path, name) = match p.split_once(" @ ") {
            Some((path, name)) => (path.trim().to_string(), name.trim().to_string()),
            None => {
                let name = p.rsplit("::").next().unwrap_or(&p).to_string();
                (p, name)
            }
        };
        out.push((path, name));
    }
}

/// File-level import graph: module path -> module paths it imports.
fn graph(root: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mods = modules(root);
    let aliases = root_aliases(root);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, file) in &mods {
        edges.entry(module.clone()).or_default();
        let code = strip(&fs::read_to_string(file).expect("read source"));
        let inline = inline_mods(&code);
        let here: Vec<String> = module
            .split("::")
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        for (at, path) in paths(&code) {
            let mut scope = here.clone();
            for (s, e, name) in &inline {
                if *s <= at && at < *e {
                    scope.push(name.clone());
                }
            }
            let Some(mut target) = absolute(&scope, &path) else {
                continue;
            };
            // `crate::Name` through a `pub use` of lib.rs.
            if let Some(real) = target.first().and_then(|f| aliases.get(f)) {
                target.splice(0..1, real.iter().cloned());
            }
            // Longest prefix that is a file.
            let target = loop {
                let key = target.join("::");
                if mods.contains_key(&key) {
                    break key;
                }
                if target.pop().is_none() {
                    break String::new();
                }
            };
            if &target != module {
                edges.entry(module.clone()).or_default().insert(target);
            }
        }
    }
    edges
}

/// Strongly connected components with more than one file (Tarjan).
fn cycles(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        g: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on.insert(v);
        for w in s.g.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(lw);
            } else if s.on.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on.remove(w);
                comp.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                s.out.push(comp);
            }
        }
    }
    let mut s = State {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in g.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.out.sort();
    s.out
}

fn layer(module: &str) -> usize {
    LAYERS
        .iter()
        .position(|(_, prefixes)| {
            prefixes
                .iter()
                .any(|p| module == *p || module.starts_with(&format!("{p}::")) || p.is_empty())
        })
        .expect("every module has a layer")
}

fn display(module: &str) -> String {
    if module.is_empty() {
        "lib.rs".into()
    } else {
        module.to_string()
    }
}

#[test]
fn module_graph_has_no_cycle() {
    let g = graph(Path::new(env!("CARGO_MANIFEST_DIR")));
    let found = cycles(&g);
    let text: Vec<String> = found
        .iter()
        .map(|c| {
            // One concrete loop through the component, for the message.
            let comp: BTreeSet<&str> = c.iter().map(String::as_str).collect();
            let mut path = vec![c[0].as_str()];
            let mut seen = BTreeSet::from([c[0].as_str()]);
            loop {
                let last = *path.last().unwrap();
                let next = g[last]
                    .iter()
                    .map(String::as_str)
                    .find(|n| comp.contains(n) && (*n == c[0] || !seen.contains(n)));
                match next {
                    Some(n) if n == c[0] => {
                        path.push(n);
                        break;
                    }
                    Some(n) => {
                        seen.insert(n);
                        path.push(n);
                    }
                    None => break,
                }
            }
            format!(
                "{{{}}}: e.g. {}",
                c.iter().map(|m| display(m)).collect::<Vec<_>>().join(", "),
                path.iter()
                    .map(|m| display(m))
                    .collect::<Vec<_>>()
                    .join(" -> ")
            )
        })
        .collect();
    assert!(
        text.is_empty(),
        "import cycles between files:\n  {}",
        text.join("\n  ")
    );
}

#[test]
fn no_stage_imports_a_later_one() {
    let g = graph(Path::new(env!("CARGO_MANIFEST_DIR")));
    let mut wrong = Vec::new();
    for (from, tos) in &g {
        for to in tos {
            let excepted = EXCEPTIONS.iter().any(|(f, t, _)| f == from && t == to);
            if layer(to) > layer(from) && !excepted {
                wrong.push(format!(
                    "{} ({}) imports {} ({})",
                    display(from),
                    LAYERS[layer(from)].0,
                    display(to),
                    LAYERS[layer(to)].0
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the pipeline order:\n  {}",
        wrong.join("\n  ")
    );
}

#[test]
fn checker_reads_use_trees_and_relative_paths() {
    let mut out = Vec::new();
    expand("", "crate::{a::{B, c::D}, e as f}", &mut out);
    assert_eq!(out, ["crate::a::B", "crate::a::c::D", "crate::e"]);
    let code = strip("// crate::x\nlet s = \"crate::y\"; let c = '{'; crate::z::W");
    let found: Vec<String> = paths(&code).into_iter().map(|(_, p)| p).collect();
    assert_eq!(found, ["crate::z::W"]);
    let here = vec!["a".to_string(), "b".to_string()];
    assert_eq!(absolute(&here, "super::c::D").unwrap(), ["a", "c", "D"]);
    assert_eq!(absolute(&here, "self::c").unwrap(), ["a", "b", "c"]);
}

#[test]
fn checker_finds_a_cycle_and_names_it() {
    let root = std::env::temp_dir().join(format!("agentc-arch-{}", std::process::id()));
    fs::create_dir_all(root.join("src/b")).unwrap();
    fs::write(root.join("src/lib.rs"), "pub mod a;\npub mod b;\n").unwrap();
    fs::write(root.join("src/a.rs"), "use crate::b::c::X;\n").unwrap();
    fs::write(root.join("src/b/mod.rs"), "pub mod c;\n").unwrap();
    fs::write(root.join("src/b/c.rs"), "fn f() { super::super::a::g() }\n").unwrap();
    let found = cycles(&graph(&root));
    fs::remove_dir_all(&root).unwrap();
    assert_eq!(found, [vec!["a".to_string(), "b::c".to_string()]]);
}
