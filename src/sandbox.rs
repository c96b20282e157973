//! The one door to the file system: every file the program reads or copies is resolved
//! against the project root after following links, must be a regular file inside it, and is
//! size-checked before a byte is read.
//!
//! Editors and designers are trusted to write content and layouts, not to reach the rest of
//! the machine: a symlink that leads out of the project, a FIFO or a device named like a
//! chapter, or a path with `..` that climbs out, is refused here with a reason the user can
//! act on. The Typst world, the content loader, the templates, the fonts and the EPUB packer
//! all read through [`Sandbox`].

use std::fmt;
use std::fs;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use crate::diagnostics::{Diagnostic, Error, Result, Sink, SourceFile};

/// Largest content or layout text file accepted; guards against runaway inputs.
pub const MAX_TEXT_BYTES: u64 = 4 * 1024 * 1024;

/// Largest binary file (image, font, geodata) accepted.
pub const MAX_BINARY_BYTES: u64 = 64 * 1024 * 1024;

/// Why a file was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    /// Nothing is at that path.
    NotFound,
    /// The path, or a link along it, leads outside the project.
    Outside,
    /// Something is there, but it is not a regular file (a folder, a FIFO, a device …).
    NotAFile(&'static str),
    /// The file is larger than the limit for its kind.
    TooLarge { size: u64, limit: u64 },
    /// The path is not a plain relative path inside the project.
    BadPath,
    /// The operating system refused (permissions and the like).
    Io(String),
}

impl fmt::Display for Denied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFound => f.write_str("no such file"),
            Self::Outside => f.write_str("it leads outside the project (a link?); access denied"),
            Self::NotAFile(kind) => write!(f, "it is {kind}, not a regular file"),
            Self::TooLarge { size, limit } => write!(
                f,
                "it is {size} bytes; files larger than {} are refused",
                human_limit(*limit)
            ),
            Self::BadPath => f.write_str("the path must be relative and stay inside the project"),
            Self::Io(reason) => f.write_str(reason),
        }
    }
}

fn human_limit(limit: u64) -> String {
    if limit >= 1024 * 1024 {
        format!("{} MiB", limit / 1024 / 1024)
    } else {
        format!("{} KiB", limit / 1024)
    }
}

/// The project folder, canonicalised once; every read goes through it.
#[derive(Debug, Clone)]
pub struct Sandbox {
    root: PathBuf,
}

impl Sandbox {
    /// A sandbox over the project folder `root` (which must exist).
    pub fn new(root: &Path) -> Result<Self> {
        let root = root.canonicalize().map_err(|e| {
            Error::msg(format!(
                "cannot open the project folder {}: {}",
                root.display(),
                io_reason(&e)
            ))
        })?;
        if !root.is_dir() {
            return Err(Error::msg(format!("{} is not a folder", root.display())));
        }
        Ok(Self { root })
    }

    /// The canonical project folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Resolve a project-relative path to a real path inside the project, following links.
    /// The result may be a file or a folder; use [`Sandbox::file`] for files.
    pub fn resolve(&self, relative: &str) -> Result<PathBuf, Denied> {
        let relative = Path::new(relative);
        if relative.components().any(|c| {
            matches!(
                c,
                Component::RootDir | Component::Prefix(_) | Component::ParentDir
            )
        }) {
            return Err(Denied::BadPath);
        }
        let joined = self.root.join(relative);
        let canonical = match joined.canonicalize() {
            Ok(path) => path,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // A dangling link still tells whether it points out of the project.
                return Err(match fs::symlink_metadata(&joined) {
                    Ok(_) => Denied::Outside,
                    Err(_) => Denied::NotFound,
                });
            }
            Err(e) => return Err(Denied::Io(io_reason(&e))),
        };
        if !canonical.starts_with(&self.root) {
            return Err(Denied::Outside);
        }
        Ok(canonical)
    }

    /// Resolve a project-relative path that must be a regular file.
    pub fn file(&self, relative: &str) -> Result<PathBuf, Denied> {
        let path = self.resolve(relative)?;
        let metadata = fs::metadata(&path).map_err(|e| Denied::Io(io_reason(&e)))?;
        check_kind(&metadata)?;
        Ok(path)
    }

    /// Whether something (even something that would be refused) is at a relative path.
    pub fn exists(&self, relative: &str) -> bool {
        fs::symlink_metadata(self.root.join(relative)).is_ok()
    }

    /// Read a regular file of the project, refusing it when it is larger than `limit`.
    pub fn read(&self, relative: &str, limit: u64) -> Result<Vec<u8>, Denied> {
        let path = self.file(relative)?;
        read_limited(&path, limit)
    }

    /// Read a text file of the project: size-limited, UTF-8, no forbidden control characters.
    pub fn read_text(&self, relative: &str) -> Result<SourceFile> {
        let bytes = self
            .read(relative, MAX_TEXT_BYTES)
            .map_err(|denied| Error::msg(format!("cannot read {relative}: {denied}")))?;
        decode_text(relative, bytes)
    }

    /// The names of the entries of a project folder, sorted; names that are not UTF-8 are
    /// left out. The folder itself must lie inside the project.
    pub fn list(&self, relative: &str) -> Result<Vec<String>, Denied> {
        let path = self.resolve(relative)?;
        let entries = fs::read_dir(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotADirectory => Denied::NotAFile("not a folder"),
            _ => Denied::Io(io_reason(&e)),
        })?;
        let mut names: Vec<String> = entries
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .collect();
        names.sort();
        Ok(names)
    }
}

/// Refuse anything but a regular file.
fn check_kind(metadata: &fs::Metadata) -> Result<(), Denied> {
    let kind = metadata.file_type();
    if kind.is_file() {
        return Ok(());
    }
    Err(Denied::NotAFile(if kind.is_dir() {
        "a folder"
    } else {
        special_kind(&kind)
    }))
}

#[cfg(unix)]
fn special_kind(kind: &fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &fs::FileType) -> &'static str {
    "a special file"
}

/// Open without blocking (a FIFO swapped in after the check must not hang the build),
/// check the opened file's kind and size, and read at most `limit` bytes.
fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, Denied> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW);
    }
    let file = options.open(path).map_err(|e| Denied::Io(io_reason(&e)))?;
    let metadata = file.metadata().map_err(|e| Denied::Io(io_reason(&e)))?;
    check_kind(&metadata)?;
    if metadata.len() > limit {
        return Err(Denied::TooLarge {
            size: metadata.len(),
            limit,
        });
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Denied::Io(io_reason(&e)))?;
    if bytes.len() as u64 > limit {
        return Err(Denied::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// A short reason for an I/O error, without the OS error number.
pub fn io_reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => error.to_string(),
    }
}

/// Turn a file's bytes into text, or explain precisely why they are not acceptable text.
pub fn decode_text(name: &str, bytes: Vec<u8>) -> Result<SourceFile> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Error::msg(format!(
            "{name} is encoded as UTF-16; save it as UTF-8"
        )));
    }
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let offset = error.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let file = SourceFile::new(name, lossy);
            let offset = file
                .text
                .char_indices()
                .nth(prefix_chars(error.as_bytes(), offset))
                .map_or(0, |(i, _)| i);
            return Err(
                Diagnostic::error("invalid UTF-8: the file must be saved as UTF-8")
                    .at(&file, offset..offset + 1)
                    .into(),
            );
        }
    };
    let file = SourceFile::new(name, text);
    check_characters(&file)?;
    Ok(file)
}

fn prefix_chars(bytes: &[u8], valid_up_to: usize) -> usize {
    std::str::from_utf8(&bytes[..valid_up_to]).map_or(0, |s| s.chars().count())
}

/// Refuse characters that are invisible, break lines unexpectedly or are forbidden in XML.
fn check_characters(file: &SourceFile) -> Result<()> {
    let mut sink = Sink::default();
    for (offset, c) in file.text.char_indices() {
        let problem = match c {
            '\n' | '\t' | '\r' => None,
            '\0' => Some("NUL character".to_string()),
            '\u{2028}' | '\u{2029}' => {
                Some(format!("line or paragraph separator U+{:04X}", c as u32))
            }
            '\u{FEFF}' => Some("byte order mark inside the text".to_string()),
            '\u{FFFE}' | '\u{FFFF}' => Some(format!("non-character U+{:04X}", c as u32)),
            c if c.is_control() => Some(format!("control character U+{:04X}", c as u32)),
            _ => None,
        };
        if let Some(problem) = problem {
            sink.push(
                Diagnostic::error(format!("forbidden {problem}"))
                    .at(file, offset..offset + c.len_utf8())
                    .with_note("remove it, or replace it with an ordinary space or line break"),
            );
            if sink.diagnostics.len() >= 10 {
                break;
            }
        }
    }
    sink.finish().map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> (tempfile::TempDir, Sandbox) {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("chapters")).unwrap();
        fs::write(dir.path().join("chapters/a.md"), "text").unwrap();
        let sandbox = Sandbox::new(dir.path()).unwrap();
        (dir, sandbox)
    }

    #[test]
    fn files_inside_are_read() {
        let (_dir, sandbox) = project();
        assert_eq!(sandbox.read("chapters/a.md", 100).unwrap(), b"text");
        assert_eq!(sandbox.list("chapters").unwrap(), vec!["a.md"]);
    }

    #[test]
    fn paths_and_links_out_of_the_project_are_refused() {
        let (dir, sandbox) = project();
        assert_eq!(sandbox.read("../etc/passwd", 100), Err(Denied::BadPath));
        assert_eq!(sandbox.read("/etc/passwd", 100), Err(Denied::BadPath));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/etc/passwd", dir.path().join("chapters/b.md")).unwrap();
            std::os::unix::fs::symlink("/nowhere", dir.path().join("chapters/c.md")).unwrap();
            std::os::unix::fs::symlink("/etc", dir.path().join("linked")).unwrap();
        }
        assert_eq!(sandbox.read("chapters/b.md", 100), Err(Denied::Outside));
        assert_eq!(sandbox.read("chapters/c.md", 100), Err(Denied::Outside));
        assert_eq!(sandbox.list("linked"), Err(Denied::Outside));
        assert_eq!(sandbox.read("chapters/none.md", 100), Err(Denied::NotFound));
    }

    #[test]
    fn folders_large_files_and_fifos_are_refused() {
        let (dir, sandbox) = project();
        assert_eq!(
            sandbox.read("chapters", 100),
            Err(Denied::NotAFile("a folder"))
        );
        assert!(matches!(
            sandbox.read("chapters/a.md", 2),
            Err(Denied::TooLarge { size: 4, limit: 2 })
        ));
        #[cfg(unix)]
        {
            let fifo = dir.path().join("chapters/fifo.md");
            let path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
            // SAFETY: a valid NUL-terminated path and mode.
            assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o644) }, 0);
            assert_eq!(
                sandbox.read("chapters/fifo.md", 100),
                Err(Denied::NotAFile("a FIFO"))
            );
        }
    }
}
