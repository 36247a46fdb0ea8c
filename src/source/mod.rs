//! Source files: reading with limits, UTF-8 validation, the frontmatter
//! splitter, and the byte-offset → line/column index used when rendering.

pub mod digest;
pub mod glob;
pub mod split;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Where a definition or config comes from. Project definitions shadow user
/// ones; user config has the last word on routing.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Project,
    User,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Project => "project",
            Scope::User => "user",
        }
    }
}

/// Index of a file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// One file as read: its text and how to name it in output.
#[derive(Debug)]
pub struct SourceFile {
    /// The path on disk.
    pub path: PathBuf,
    /// How diagnostics name the file: relative to the working directory with
    /// `/`, absolute when outside it.
    pub display: String,
    /// How the plan names the file: relative to the project root, or
    /// `$AGENTC_USER_DIR/...` for the user scope.
    pub plan_path: String,
    /// The text; for a file that is not UTF-8, a lossy copy whose bytes up to
    /// the first invalid one are exact.
    pub text: String,
    /// Whether `text` is the file's start only ([`SourceFile::keep_only_to`]).
    partial: bool,
    // Boxed slices, built only when a finding is rendered: a few bytes
    // less for each of many files that have none.
    line_starts: OnceLock<Box<[usize]>>,
    /// `(byte offset, chars before it)` every [`CHAR_CHECKPOINT`] bytes.
    char_checkpoints: OnceLock<Box<[(usize, usize)]>>,
}

/// Bytes between checkpoints of the char index: a column inside a long line
/// is counted from the nearest checkpoint, not from the line's start, so a
/// long line with thousands of findings is not quadratic.
const CHAR_CHECKPOINT: usize = 4096;

impl SourceFile {
    pub fn new(path: PathBuf, display: String, plan_path: String, text: String) -> SourceFile {
        SourceFile {
            path,
            display,
            plan_path,
            text,
            partial: false,
            line_starts: OnceLock::new(),
            char_checkpoints: OnceLock::new(),
        }
    }

    /// Keeps the text up to byte `end` only (a char boundary): the rest is
    /// not needed once the file is analysed, and no finding may point past
    /// it (debug builds assert that).
    pub fn keep_only_to(&mut self, end: usize) {
        if end < self.text.len() {
            self.text.truncate(end);
            self.text.shrink_to_fit();
            self.partial = true;
        }
    }

    /// Whether the text is the file's start only.
    pub fn is_partial(&self) -> bool {
        self.partial
    }

    fn debug_assert_kept(&self, offset: usize) {
        debug_assert!(
            !self.partial || offset <= self.text.len(),
            "offset {offset} is past the kept start ({} bytes) of {}",
            self.text.len(),
            self.display
        );
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0];
            starts.extend(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| i + 1));
            starts.into_boxed_slice()
        })
    }

    /// The 1-based line of a byte offset (an offset past the end is
    /// clamped). Without the line index built, it counts the line breaks
    /// before the offset instead of indexing the whole file: the plan asks
    /// for a line or two near the top of each of thousands of files.
    pub fn line_of(&self, offset: usize) -> usize {
        self.debug_assert_kept(offset);
        let offset = offset.min(self.text.len());
        match self.line_starts.get() {
            Some(starts) => starts.partition_point(|&s| s <= offset),
            None => memchr::memchr_iter(b'\n', &self.text.as_bytes()[..offset]).count() + 1,
        }
    }

    /// 1-based line and column (in Unicode scalar values) of a byte offset.
    /// A BOM is not a column; an offset past the end is clamped.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        self.debug_assert_kept(offset);
        let offset = clamp_to_char_boundary(&self.text, offset);
        let starts = self.line_starts();
        let line = starts.partition_point(|&s| s <= offset) - 1;
        let mut start = starts[line];
        if line == 0 && self.text.starts_with('\u{feff}') {
            start = start.max(3).min(offset);
        }
        let col = if offset - start <= CHAR_CHECKPOINT {
            self.text[start..offset].chars().count()
        } else {
            self.chars_before(offset) - self.chars_before(start)
        };
        (line + 1, col + 1)
    }

    /// The number of chars before `offset`, a char boundary.
    fn chars_before(&self, offset: usize) -> usize {
        let checkpoints = self.char_checkpoints.get_or_init(|| {
            let mut checkpoints = vec![(0, 0)];
            let mut last = 0;
            for (chars, (i, _)) in self.text.char_indices().enumerate() {
                if i - last >= CHAR_CHECKPOINT {
                    checkpoints.push((i, chars));
                    last = i;
                }
            }
            checkpoints.into_boxed_slice()
        });
        let (at, chars) = checkpoints[checkpoints.partition_point(|&(b, _)| b <= offset) - 1];
        chars + self.text[at..offset].chars().count()
    }

    /// The byte offset where a 1-based line starts.
    pub fn line_start(&self, line: usize) -> usize {
        let starts = self.line_starts();
        starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(self.text.len())
    }

    /// The byte offset of a 1-based line and 1-based byte column, kept
    /// inside the text and on a char boundary.
    pub fn offset(&self, line: usize, byte_column: usize) -> usize {
        let at = self.line_start(line) + byte_column.saturating_sub(1);
        clamp_to_char_boundary(&self.text, at)
    }

    /// The text of the 1-based line, without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        let start = self.line_start(line);
        let rest = &self.text[start..];
        let end = rest.find('\n').unwrap_or(rest.len());
        rest[..end].strip_suffix('\r').unwrap_or(&rest[..end])
    }
}

fn clamp_to_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Every file read in one run, addressed by [`FileId`].
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId((self.files.len() - 1) as u32)
    }

    /// Puts `file` at `id`: replaces the file there, or adds it when `id`
    /// is past the end. A file read again keeps its id.
    pub fn set(&mut self, id: FileId, file: SourceFile) {
        let i = id.0 as usize;
        if i < self.files.len() {
            self.files[i] = file;
        } else {
            while self.files.len() < i {
                self.files.push(SourceFile::new(
                    PathBuf::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                ));
            }
            self.files.push(file);
        }
    }

    /// Makes room for `additional` more files at once, instead of growing
    /// (and copying) the map file by file.
    pub fn reserve(&mut self, additional: usize) {
        self.files.reserve_exact(additional);
    }

    /// The id the next added file will get.
    pub fn next_id(&self) -> FileId {
        FileId(self.files.len() as u32)
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }
}

/// What went wrong reading a file, before any parsing.
#[derive(Debug)]
pub enum ReadProblem {
    /// Larger than the limit; the file was not read.
    TooLarge { size: u64, limit: u64 },
    /// Not UTF-8: the byte offset and value of the first invalid byte.
    Encoding { offset: usize, byte: u8 },
    /// The operating system refused or the file vanished.
    Io(std::io::Error),
}

impl std::fmt::Display for ReadProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadProblem::TooLarge { size, limit } => {
                write!(f, "it is {size} bytes, over the limit of {limit}")
            }
            ReadProblem::Encoding { offset, byte } => {
                write!(f, "it is not UTF-8 (byte 0x{byte:02X} at offset {offset})")
            }
            ReadProblem::Io(e) => write!(f, "{e}"),
        }
    }
}

/// Reads a file, checking its size before reading it whole. On an encoding
/// problem the lossy text is still returned so the finding can be shown in
/// context.
pub fn read_limited(path: &Path, limit: u64) -> (String, Option<ReadProblem>) {
    use crate::fsutil::{ReadError, read_bounded};
    // A FIFO or device named `x.md` would block or never end: only regular
    // files are read (checked on the open handle, so nothing swapped in
    // after a check can hang the read).
    let bytes = match read_bounded(path, limit) {
        Ok(b) => b,
        Err(ReadError::TooLarge { limit }) => {
            let size = std::fs::metadata(path).map_or(limit + 1, |m| m.len().max(limit + 1));
            return (String::new(), Some(ReadProblem::TooLarge { size, limit }));
        }
        Err(ReadError::NotAFile(what)) => {
            let e = std::io::Error::other(format!("it is {what}, not a regular file"));
            return (String::new(), Some(ReadProblem::Io(e)));
        }
        Err(ReadError::Io(e)) => return (String::new(), Some(ReadProblem::Io(e))),
    };
    match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let byte = e.as_bytes()[offset];
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            (text, Some(ReadProblem::Encoding { offset, byte }))
        }
    }
}

/// Texts that stand in for files on disk: the unsaved buffers of an
/// editor (`agentc lsp`). Reading a path through it gives the buffer when
/// there is one, else the file, under the same size limit.
#[derive(Clone, Debug, Default)]
pub struct Overlay {
    texts: std::collections::HashMap<PathBuf, String>,
}

impl Overlay {
    /// Sets the text read for `path` instead of the file's.
    pub fn set(&mut self, path: PathBuf, text: String) {
        self.texts.insert(path, text);
    }

    /// Reads `path` from disk again. True when it had a text here.
    pub fn remove(&mut self, path: &Path) -> bool {
        self.texts.remove(path).is_some()
    }

    pub fn get(&self, path: &Path) -> Option<&str> {
        self.texts.get(path).map(String::as_str)
    }

    /// [`read_limited`], with the overlay's text for `path` when it has one.
    pub fn read_limited(&self, path: &Path, limit: u64) -> (String, Option<ReadProblem>) {
        match self.texts.get(path) {
            Some(text) if text.len() as u64 > limit => (
                String::new(),
                Some(ReadProblem::TooLarge {
                    size: text.len() as u64,
                    limit,
                }),
            ),
            Some(text) => (text.clone(), None),
            None => read_limited(path, limit),
        }
    }
}

/// `path` relative to `base` with `/` separators, or absolute (with `/`) when
/// it is not below `base`.
pub fn relative_display(path: &Path, base: &Path) -> String {
    let shown = match path.strip_prefix(base) {
        Ok(rel) if rel.as_os_str().is_empty() => Path::new(".").to_path_buf(),
        Ok(rel) => rel.to_path_buf(),
        Err(_) => path.to_path_buf(),
    };
    slash(&shown)
}

/// Plan paths for the user scope are written with this prefix.
pub const USER_DIR_VAR: &str = "$AGENTC_USER_DIR";

pub use crate::fsutil::slash;

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::new(
            PathBuf::from("x.md"),
            "x.md".into(),
            "x.md".into(),
            text.into(),
        )
    }

    #[test]
    fn a_file_kept_to_its_frontmatter_still_locates_it() {
        let mut f = file("---\nname: a\n---\nThe prompt.\n");
        f.keep_only_to(16);
        assert!(f.is_partial());
        assert_eq!(f.text, "---\nname: a\n---\n");
        assert_eq!(f.line_col(10), (2, 7));
        assert_eq!(f.line_of(16), 4);
        // Keeping as much as there is changes nothing.
        let mut whole = file("---\n---\n");
        whole.keep_only_to(8);
        assert!(!whole.is_partial());
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "past the kept start")]
    fn a_finding_past_the_kept_start_is_a_bug_debug_builds_catch() {
        let mut f = file("---\nname: a\n---\nThe prompt.\n");
        f.keep_only_to(16);
        f.line_col(20);
    }

    #[test]
    fn line_of_is_line_cols_line_with_and_without_the_index() {
        for text in [
            "",
            "a",
            "---\nname: x\n---\nbody\n",
            "\u{feff}---\r\nname: é x\r\n---\r\n",
            "a\rb\r\nc\n\n\u{2028}d",
        ] {
            let fresh = file(text);
            let indexed = file(text);
            for offset in 0..=text.len() + 2 {
                let want = indexed.line_col(offset).0;
                assert_eq!(fresh.line_of(offset), want, "{text:?} at {offset}");
                assert_eq!(indexed.line_of(offset), want, "{text:?} at {offset}");
            }
        }
    }

    #[test]
    fn line_col_counts_scalar_values_and_skips_the_bom() {
        let f = file("\u{feff}---\r\nname: é x\r\n");
        assert_eq!(f.line_col(3), (1, 1));
        assert_eq!(f.line_col(0), (1, 1));
        let x = f.text.find(" x").unwrap() + 1;
        assert_eq!(f.line_col(x), (2, 9));
        assert_eq!(f.line_col(f.text.len()), (3, 1));
        assert_eq!(f.line_text(2), "name: é x");
    }

    #[test]
    fn columns_in_long_lines_match_a_count_from_the_line_start() {
        let line: String = (0..3000).map(|i| ["a", "é", "€", "𝄞"][i % 4]).collect();
        let text = format!("\u{feff}{line}\n{line}\r\n{line}");
        let f = file(&text);
        let mut line_start = 0;
        for (offset, c) in text.char_indices().chain([(text.len(), '\n')]) {
            if offset % 5 == 0 || c == '\n' {
                let from = if line_start == 0 {
                    3.min(offset)
                } else {
                    line_start
                };
                let want = text[from..offset].chars().count() + 1;
                assert_eq!(f.line_col(offset).1, want, "at {offset}");
            }
            if c == '\n' {
                line_start = offset + 1;
            }
        }
    }

    #[test]
    fn offsets_inside_a_character_are_clamped() {
        let f = file("é");
        assert_eq!(f.line_col(1), (1, 1));
        assert_eq!(f.line_col(99), (1, 2));
    }

    #[test]
    fn relative_paths_use_slashes_and_fall_back_to_absolute() {
        let base = Path::new("/a/b");
        assert_eq!(relative_display(Path::new("/a/b/c/d.md"), base), "c/d.md");
        assert_eq!(relative_display(Path::new("/x/y.md"), base), "/x/y.md");
    }
}
