//! Path globs as `[lint] per_file` writes them.

/// A `[lint] per_file` glob: `*` stays within one folder, `**` crosses them.
pub fn compile_glob(pattern: &str) -> Result<globset::GlobMatcher, globset::Error> {
    Ok(globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()?
        .compile_matcher())
}
