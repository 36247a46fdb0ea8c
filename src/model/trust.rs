//! The user's record of trusted project provider tables (`agentc trust`):
//! a hash of each table's id and fields, kept in the user directory. A
//! changed table hashes differently and is untrusted again.

use crate::fsutil::{ReadError, limits, read_bounded};
use crate::model::config::{ProviderTable, TrustStore};
use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub const TRUST_FILE: &str = "trusted-providers.json";

/// The hash `agentc trust` records for a provider table.
pub fn table_hash(table: &ProviderTable) -> String {
    let mut h = Sha256::new();
    h.update(table.id.as_bytes());
    h.update(b"\n");
    h.update(table.canonical.as_bytes());
    crate::source::digest::hex_digest(h)
}

/// Trusted hashes read from `$AGENTC_USER_DIR/trusted-providers.json`.
#[derive(Clone, Debug, Default)]
pub struct FileTrustStore {
    pub path: Option<PathBuf>,
    pub hashes: BTreeSet<String>,
    /// Why the file, which exists, trusts nothing: it cannot be read or is
    /// not a trust file.
    pub problem: Option<TrustFileProblem>,
}

/// A trust file that exists but cannot be used.
#[derive(Clone, Debug)]
pub struct TrustFileProblem {
    /// The file's text as far as it was read (invalid UTF-8 replaced).
    pub text: String,
    /// What is wrong, without a position.
    pub reason: String,
    /// The 1-based line and byte column where the JSON goes wrong.
    pub at: Option<(usize, usize)>,
}

#[derive(serde::Serialize, serde::Deserialize, Default)]
struct TrustFile {
    version: u32,
    #[serde(default)]
    trusted: Vec<TrustEntry>,
}

#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct TrustEntry {
    pub id: String,
    pub hash: String,
    #[serde(default)]
    pub base_url: Option<String>,
    /// The key variable's name, for `agentc trust --list`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_env: Option<String>,
    #[serde(default)]
    pub project: Option<String>,
}

/// The trust file exists but cannot be read or is not a trust file.
#[derive(Debug, thiserror::Error)]
#[error("cannot read `{path}`: {reason}")]
pub struct TrustFileError {
    pub path: String,
    pub reason: String,
}

impl FileTrustStore {
    /// Reads the store; a missing or unusable file trusts nothing, and an
    /// unusable one says why in `problem`.
    pub fn load(user_dir: Option<&Path>) -> FileTrustStore {
        let Some(dir) = user_dir else {
            return FileTrustStore::default();
        };
        let path = dir.join(TRUST_FILE);
        let problem = |text: String, reason: String, at| TrustFileProblem { text, reason, at };
        let (hashes, problem) = match read_store(&path, dir) {
            Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                (BTreeSet::new(), None)
            }
            Err(ReadError::Io(e)) => (
                BTreeSet::new(),
                Some(problem(String::new(), crate::fsutil::io_reason(&e), None)),
            ),
            Err(e) => (
                BTreeSet::new(),
                Some(problem(String::new(), e.to_string(), None)),
            ),
            Ok(bytes) => match String::from_utf8(bytes) {
                Err(e) => {
                    let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                    let reason = "it is not UTF-8".to_string();
                    (BTreeSet::new(), Some(problem(text, reason, None)))
                }
                Ok(text) => match serde_json::from_str::<TrustFile>(&text) {
                    Ok(f) => (f.trusted.into_iter().map(|e| e.hash).collect(), None),
                    Err(e) => {
                        let (line, column) = (e.line(), e.column());
                        let message = e.to_string();
                        let position = format!(" at line {line} column {column}");
                        let reason = message.strip_suffix(&position).unwrap_or(&message);
                        let at = (line > 0).then_some((line, column));
                        (BTreeSet::new(), Some(problem(text, reason.to_string(), at)))
                    }
                },
            },
        };
        FileTrustStore {
            path: Some(path),
            hashes,
            problem,
        }
    }

    /// The entries of the store file, for `agentc trust --list`.
    pub fn entries(&self) -> Vec<TrustEntry> {
        self.path
            .as_ref()
            .and_then(|p| read_store(p, p.parent()?).ok())
            .and_then(|b| serde_json::from_slice::<TrustFile>(&b).ok())
            .map(|f| f.trusted)
            .unwrap_or_default()
    }

    /// The entries, for changing them: a missing file has none, but a file
    /// that cannot be read or parsed is an error, so that saving never
    /// drops what it held.
    pub fn read_entries(&self) -> Result<Vec<TrustEntry>, TrustFileError> {
        let Some(path) = &self.path else {
            return Ok(Vec::new());
        };
        let err = |reason: String| TrustFileError {
            path: path.display().to_string(),
            reason,
        };
        let dir = path.parent().unwrap_or(path);
        let text = match read_store(path, dir) {
            Ok(t) => t,
            Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Vec::new());
            }
            Err(e) => return Err(err(e.to_string())),
        };
        serde_json::from_slice::<TrustFile>(&text)
            .map(|f| f.trusted)
            .map_err(|e| err(format!("not a trust file ({e}); fix or remove it")))
    }

    /// Writes the given entries atomically.
    pub fn save(&self, entries: &[TrustEntry]) -> std::io::Result<()> {
        let Some(path) = &self.path else {
            return Err(std::io::Error::other(
                "no user directory for the trust store",
            ));
        };
        let file = TrustFile {
            version: 1,
            trusted: entries.to_vec(),
        };
        let mut text = serde_json::to_string_pretty(&file).map_err(std::io::Error::other)?;
        text.push('\n');
        crate::fsutil::write_private_atomic(path, text.as_bytes())
    }
}

/// The store's bytes: a regular file inside the user directory, within
/// [`limits::TRUST_STORE`]. A store that is a symlink out of the directory
/// is not read (a cloned repository cannot plant one, but a stray link must
/// not decide what is trusted either).
fn read_store(path: &Path, dir: &Path) -> Result<Vec<u8>, ReadError> {
    if std::fs::symlink_metadata(path).is_ok()
        && crate::fsutil::resolves_inside(path, dir) == Some(false)
    {
        return Err(ReadError::Io(std::io::Error::other(
            "it is a symlink that leaves the user directory",
        )));
    }
    read_bounded(path, limits::TRUST_STORE)
}

impl TrustStore for FileTrustStore {
    fn is_trusted(&self, table: &ProviderTable) -> bool {
        self.hashes.contains(&table_hash(table))
    }
}

/// A store that trusts nothing and remembers what it was asked: the merge
/// asks only about tables whose trust depends on the user's record (not
/// loopback, not restating a preset, no `credential-host-mismatch`), so
/// these are exactly the tables `agentc trust` can trust.
#[derive(Debug, Default)]
pub struct AskedTables {
    asked: RefCell<Vec<ProviderTable>>,
}

impl AskedTables {
    pub fn into_tables(self) -> Vec<ProviderTable> {
        self.asked.into_inner()
    }
}

impl TrustStore for AskedTables {
    fn is_trusted(&self, table: &ProviderTable) -> bool {
        self.asked.borrow_mut().push(table.clone());
        false
    }
}

/// Adds entries not yet recorded (by hash); returns how many were added.
pub fn add_entries(entries: &mut Vec<TrustEntry>, new: Vec<TrustEntry>) -> usize {
    let mut added = 0;
    for e in new {
        if !entries.iter().any(|x| x.hash == e.hash) {
            entries.push(e);
            added += 1;
        }
    }
    added
}

/// Why `--revoke` removed nothing.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum RevokeError {
    #[error("no trusted table has the id or hash `{0}`")]
    NoMatch(String),
    #[error("`{0}` is the start of several hashes; give more of it")]
    Ambiguous(String),
}

/// Removes the entries `what` names: every entry of a provider id, else
/// the one whose hash is `what` or starts with it (at least 6 characters).
/// Returns the removed entries.
pub fn revoke(entries: &mut Vec<TrustEntry>, what: &str) -> Result<Vec<TrustEntry>, RevokeError> {
    let by_id = entries.iter().any(|e| e.id == what);
    let matches = |e: &TrustEntry| {
        if by_id {
            e.id == what
        } else {
            what.len() >= 6 && e.hash.starts_with(what)
        }
    };
    let hits: BTreeSet<&str> = entries
        .iter()
        .filter(|e| matches(e))
        .map(|e| e.hash.as_str())
        .collect();
    if hits.is_empty() {
        return Err(RevokeError::NoMatch(what.to_string()));
    }
    if !by_id && hits.len() > 1 {
        return Err(RevokeError::Ambiguous(what.to_string()));
    }
    let (removed, kept): (Vec<TrustEntry>, Vec<TrustEntry>) =
        entries.drain(..).partition(|e| matches(e));
    *entries = kept;
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, hash: &str) -> TrustEntry {
        TrustEntry {
            id: id.into(),
            hash: hash.into(),
            base_url: None,
            api_key_env: None,
            project: None,
        }
    }

    #[test]
    fn revoke_by_id_hash_and_prefix() {
        let mut e = vec![
            entry("corp", "aaaaaa11"),
            entry("corp", "aaaaaa22"),
            entry("box", "bbbbbb33"),
        ];
        assert_eq!(
            revoke(&mut e, "aaaaaa"),
            Err(RevokeError::Ambiguous("aaaaaa".into()))
        );
        assert_eq!(
            revoke(&mut e, "zzz"),
            Err(RevokeError::NoMatch("zzz".into()))
        );
        assert_eq!(revoke(&mut e, "bbbbbb33").unwrap().len(), 1);
        assert_eq!(revoke(&mut e, "corp").unwrap().len(), 2);
        assert!(e.is_empty());
    }

    #[test]
    fn adding_twice_records_once() {
        let mut e = vec![entry("corp", "h1")];
        assert_eq!(
            add_entries(&mut e, vec![entry("corp", "h1"), entry("x", "h2")]),
            1
        );
        assert_eq!(e.len(), 2);
    }

    #[test]
    fn only_tables_that_trust_can_lift_are_asked_about() {
        use crate::model::config::{Config, ScopeConfig};
        use crate::source::{FileId, Scope};
        let text = "[providers.corp]\nbase_url = \"https://llm.corp.example/v1\"\napi_key_env = \"CORP_KEY\"\n\n[providers.box]\nbase_url = \"http://127.0.0.1:9000/v1\"\napi_key_env = \"BOX_KEY\"\n\n[providers.proxy]\nbase_url = \"https://proxy.example.net/v1\"\napi_key_env = \"OPENAI_API_KEY\"\n\n[providers.deepseek]\nbase_url = \"https://api.deepseek.com/v1\"\nmodels = [\"deepseek-chat\"]\n";
        let (project, d) = crate::model::config::parse(FileId(0), text, Scope::Project);
        assert!(d.is_empty(), "{d:?}");
        let asked = AskedTables::default();
        Config::merge(
            project,
            ScopeConfig::empty(Scope::User),
            &asked,
            None,
            &mut Vec::new(),
        );
        let ids: Vec<String> = asked.into_tables().into_iter().map(|t| t.id).collect();
        assert_eq!(ids, ["corp"]);
    }

    #[test]
    fn a_broken_trust_file_is_an_error_when_changing_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(TRUST_FILE), "{not json").unwrap();
        let store = FileTrustStore::load(Some(dir.path()));
        assert!(store.hashes.is_empty());
        assert!(store.read_entries().is_err());
        let empty = tempfile::tempdir().unwrap();
        assert_eq!(
            FileTrustStore::load(Some(empty.path()))
                .read_entries()
                .unwrap(),
            vec![]
        );
    }
}
