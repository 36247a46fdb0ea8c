//! Files on disk, read and written safely. Reading: one bounded reader
//! for every file and stream agentc takes in, which opens only regular
//! files (a FIFO, a device or a folder where a file is expected is an error,
//! never a hang) and never reads past a limit. Writing: atomically (a
//! temporary file in the same folder, then a rename, so a reader never sees
//! half a file and a failure leaves the old one in place), with the
//! permissions the umask gives, and for project files never outside the
//! project root.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Why a bounded read failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// More than the limit; only the limit and one byte were read.
    #[error("it is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    /// A folder, FIFO, socket or device where a file is expected.
    #[error("it is {0}, not a regular file")]
    NotAFile(&'static str),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

fn kind_of(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() { "a folder" } else { "not a file" }
}

/// Opens `path` for reading only if it is a regular file. The file is
/// opened without blocking and its type checked on the open handle, so a
/// FIFO swapped in after a check cannot make the open or the read hang.
pub fn open_regular(path: &Path) -> Result<std::fs::File, ReadError> {
    open_regular_with_meta(path).map(|(file, _)| file)
}

/// [`open_regular`], with the metadata read from the open handle.
fn open_regular_with_meta(path: &Path) -> Result<(std::fs::File, std::fs::Metadata), ReadError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadError::NotAFile(kind_of(meta.file_type())));
    }
    Ok((file, meta))
}

/// Reads at most `limit` bytes from `reader`; more is [`ReadError::TooLarge`].
pub fn read_bounded_from(reader: impl Read, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

/// The whole of the regular file `path`, if it holds at most `limit` bytes.
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let (file, meta) = open_regular_with_meta(path)?;
    let len = meta.len();
    if len > limit {
        return Err(ReadError::TooLarge { limit });
    }
    // Room for the size the handle reports and one byte more: the file is
    // read in one call, the end found by the next, and the buffer is never
    // grown (a file that grew meanwhile still reads whole, up to `limit`).
    let mut bytes = Vec::with_capacity(usize::try_from(len).map_or(0, |n| n.saturating_add(1)));
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

/// Like [`read_bounded`], as UTF-8 text.
pub fn read_bounded_text(path: &Path, limit: u64) -> Result<String, ReadError> {
    let bytes = read_bounded(path, limit)?;
    String::from_utf8(bytes).map_err(|_| {
        ReadError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "it is not UTF-8",
        ))
    })
}

/// Limits for what agentc reads besides agent files (which have
/// `[limits] max_file_size`).
pub mod limits {
    /// `agentc.toml`.
    pub const CONFIG: u64 = 4 * 1024 * 1024;
    /// The trust store.
    pub const TRUST_STORE: u64 = 4 * 1024 * 1024;
    /// A plan file (`plan --check FILE`).
    pub const PLAN: u64 = 64 * 1024 * 1024;
    /// A batch file or a batch from stdin (`run --batch`).
    pub const BATCH: u64 = 64 * 1024 * 1024;
    /// A prompt from stdin.
    pub const PROMPT: u64 = 16 * 1024 * 1024;
}

/// Whether `path` (which need not exist yet) lies inside `root` once every
/// symlink on the way is followed. `None` when that cannot be known (a
/// dangling link or a loop): the caller then reads or writes nothing.
pub fn resolves_inside(path: &Path, root: &Path) -> Option<bool> {
    let root = root.canonicalize().ok()?;
    Some(real_path(path)?.starts_with(&root))
}

/// `path` with every symlink resolved, for a path whose last components
/// may not exist yet (they are appended to the deepest existing folder).
pub fn real_path(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = path.canonicalize() {
        return Some(p);
    }
    // A link that points nowhere: never written through.
    if std::fs::symlink_metadata(path).is_ok() {
        return None;
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path.file_name()?;
    if name == ".." {
        return None;
    }
    Some(real_path(parent)?.join(name))
}

/// Why a project file was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("`{0}` leads outside the project root through a symlink; nothing was written")]
    OutsideRoot(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Where writing to `path`, a file of the project at `root`, really lands:
/// the target of a symlink inside the root (the link stays a link), never
/// a place outside the root.
pub fn destination_in_root(root: &Path, path: &Path) -> Result<PathBuf, WriteError> {
    let outside = || WriteError::OutsideRoot(slash(path));
    let root = root.canonicalize()?;
    let real = real_path(path).ok_or_else(outside)?;
    if !real.starts_with(&root) {
        return Err(outside());
    }
    Ok(real)
}

/// Writes (or replaces) the project file `path` atomically, inside `root`.
pub fn write_in_root(root: &Path, path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let real = destination_in_root(root, path)?;
    write_atomic(&real, bytes)?;
    Ok(())
}

/// Writes the new project file `path` inside `root`; never replaces one.
pub fn write_new_in_root(root: &Path, path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let real = destination_in_root(root, path)?;
    write_new_atomic(&real, bytes)?;
    Ok(())
}

pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// Like [`write_atomic`], with the content streamed by `write` (through a
/// buffer) instead of held whole in memory.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    replace_atomic(path, true, write)
}

/// Replaces `path` atomically: readers see the old file or the new one,
/// never a part. With `durable`, the new content is flushed to the disk
/// before the rename, so that it survives a power loss; without it, a
/// crash may leave the old file, or on some file systems an empty one.
/// Only for files agentc writes again anyway (the watcher's plan, rewritten
/// on every generation).
pub fn replace_atomic(
    path: &Path,
    durable: bool,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut tmp = temp_beside(path)?;
    {
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, tmp.as_file_mut());
        write(&mut buffered)?;
        buffered.flush()?;
    }
    if durable {
        tmp.as_file().sync_all()?;
    }
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(tmp.path(), meta.permissions());
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Like [`write_atomic`], readable by its owner only whatever the umask
/// (the trust store).
pub fn write_private_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = temp_with_mode(path, 0o600)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Writes a new file atomically; fails with `AlreadyExists` rather than
/// replace a file that is there.
pub fn write_new_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = temp_beside(path)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist_noclobber(path).map_err(|e| e.error)?;
    Ok(())
}

/// A temporary file in `path`'s folder (created if missing), so that it
/// can be renamed over `path`. It is created with mode 0666 less the
/// umask, as an editor or git would create the file (0644 under umask 022).
fn temp_beside(path: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    temp_with_mode(path, 0o666)
}

fn temp_with_mode(path: &Path, mode: u32) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".agentc-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    builder.tempfile_in(dir)
}

/// Why a file or folder could not be read, in the words findings use.
pub(crate) fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "it was removed while agentc was reading".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// A path with `/` separators whatever the platform.
pub fn slash(path: &Path) -> String {
    let s = path.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        s.into_owned()
    } else {
        s.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_the_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/plan.json");
        super::write_atomic(&p, b"one").unwrap();
        super::write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "two");
        super::replace_atomic(&p, false, |w| w.write_all(b"three")).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "three");
        let leftovers: Vec<_> = std::fs::read_dir(p.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1);
    }

    #[test]
    fn new_files_never_replace_one() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        super::write_new_atomic(&p, b"one").unwrap();
        let e = super::write_new_atomic(&p, b"two").unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "one");
    }
}
