//! The user's record of trusted project provider tables (`agentc trust`):
//! a hash of each table's id and fields, kept in the user directory. A
//! changed table hashes differently and is untrusted again.

use crate::config::{ProviderTable, TrustStore};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub const TRUST_FILE: &str = "trusted-providers.json";

/// The hash `agentc trust` records for a provider table.
pub fn table_hash(table: &ProviderTable) -> String {
    let mut h = Sha256::new();
    h.update(table.id.as_bytes());
    h.update(b"\n");
    h.update(table.canonical.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Trusted hashes read from `$AGENTC_USER_DIR/trusted-providers.json`.
#[derive(Clone, Debug, Default)]
pub struct FileTrustStore {
    pub path: Option<PathBuf>,
    pub hashes: BTreeSet<String>,
}

#[derive(serde::Serialize, serde::Deserialize, Default)]
struct TrustFile {
    version: u32,
    #[serde(default)]
    trusted: Vec<TrustEntry>,
}

#[derive(serde::Serialize, serde::Deserialize, Clone)]
pub struct TrustEntry {
    pub id: String,
    pub hash: String,
    #[serde(default)]
    pub base_url: Option<String>,
    #[serde(default)]
    pub project: Option<String>,
}

impl FileTrustStore {
    /// Reads the store; a missing or unreadable file trusts nothing.
    pub fn load(user_dir: Option<&Path>) -> FileTrustStore {
        let Some(dir) = user_dir else {
            return FileTrustStore::default();
        };
        let path = dir.join(TRUST_FILE);
        let hashes = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| serde_json::from_str::<TrustFile>(&t).ok())
            .map(|f| f.trusted.into_iter().map(|e| e.hash).collect())
            .unwrap_or_default();
        FileTrustStore {
            path: Some(path),
            hashes,
        }
    }

    /// The entries of the store file, for `agentc trust --list`.
    pub fn entries(&self) -> Vec<TrustEntry> {
        self.path
            .as_ref()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .and_then(|t| serde_json::from_str::<TrustFile>(&t).ok())
            .map(|f| f.trusted)
            .unwrap_or_default()
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
        crate::fsutil::write_atomic(path, text.as_bytes())
    }
}

impl TrustStore for FileTrustStore {
    fn is_trusted(&self, table: &ProviderTable) -> bool {
        self.hashes.contains(&table_hash(table))
    }
}
