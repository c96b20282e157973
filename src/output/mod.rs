//! What a build writes: the [`Output`] trait both outputs implement (an edition's PDF, the
//! book's EPUB), atomic writes that leave earlier files untouched, the SHA-256 manifest,
//! and the standalone Typst project `--emit-typ` writes.

pub mod epub;
pub mod pdf;

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::Project;
use crate::diagnostics::{Diagnostic, Error, Result};
use crate::edition::Edition;

/// What kind of file a build writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Epub,
}

/// One kind of file a build writes: a PDF of an edition, or the book's EPUB.
pub trait Output {
    /// The file name it is written under, e.g. `friendship-years-screen.pdf`.
    fn file_name(&self, project: &Project) -> String;
    /// Build the file in memory.
    fn build(&self, project: &Project) -> Result<Built>;
}

/// A file built in memory, not yet written.
pub struct Built {
    pub bytes: Vec<u8>,
    /// Pages of a PDF.
    pub pages: Option<usize>,
    pub warnings: Vec<Diagnostic>,
    /// Files that go with it (a print edition's cover), by file name.
    pub companions: Vec<(String, Vec<u8>)>,
}

/// The PDF of an edition.
pub struct PdfOutput<'a>(pub &'a Edition);

impl Output for PdfOutput<'_> {
    fn file_name(&self, project: &Project) -> String {
        project.output_name(&self.0.name, Format::Pdf)
    }

    fn build(&self, project: &Project) -> Result<Built> {
        let built = project.build_pdf(self.0)?;
        let companions = built
            .cover
            .map(|cover| {
                let name = format!("{}-{}-cover.pdf", project.book.slug(), self.0.name);
                vec![(name, cover)]
            })
            .unwrap_or_default();
        Ok(Built {
            bytes: built.bytes,
            pages: Some(built.pages),
            warnings: built.warnings,
            companions,
        })
    }
}

/// The EPUB of the whole book.
pub struct EpubOutput;

impl Output for EpubOutput {
    fn file_name(&self, project: &Project) -> String {
        project.epub_name()
    }

    fn build(&self, project: &Project) -> Result<Built> {
        let built = project.build_epub()?;
        Ok(Built {
            bytes: built.bytes,
            pages: None,
            warnings: built.warnings,
            companions: vec![],
        })
    }
}

/// Prefix of the temporary files atomic writes use, followed by the writer's process id.
const TEMP_PREFIX: &str = ".guidebook-";

/// Write a file atomically: a temporary file in the same folder, renamed over the target.
/// A failure leaves any earlier file untouched; the file gets the usual permissions (0666
/// less the umask), as any other program's output would.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir)
        .map_err(|e| Error::msg(format!("cannot create {}: {e}", dir.display())))?;
    let fail = |e: std::io::Error| Error::msg(format!("cannot write {}: {e}", path.display()));
    if fs::symlink_metadata(path).is_ok_and(|m| !m.is_file()) {
        return Err(Error::msg(format!(
            "cannot write {}: something that is not a regular file is in the way",
            path.display()
        )));
    }
    let prefix = format!("{TEMP_PREFIX}{}-", std::process::id());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let mut temp = builder.tempfile_in(dir).map_err(fail)?;
    temp.write_all(bytes).map_err(fail)?;
    temp.as_file().sync_all().map_err(fail)?;
    temp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// Remove temporary files that a build killed before its rename left in `dir` (those of
/// processes that no longer run).
pub fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(TEMP_PREFIX)) else {
            continue;
        };
        let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
        let alive = pid.is_some_and(process_runs);
        if !alive && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether a process with this id runs (and could still be writing its temporary file).
fn process_runs(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    #[cfg(target_os = "linux")]
    {
        Path::new("/proc").join(pid.to_string()).exists()
    }
    #[cfg(not(target_os = "linux"))]
    {
        true
    }
}

/// Write `manifest.json` in the output folder: the SHA-256 and size of every output of the
/// book there (files named `<slug>-*.pdf` and `<slug>*.epub`), sorted by name.
pub fn write_manifest(out: &Path, slug: &str) -> Result<()> {
    use sha2::{Digest, Sha256};
    let Ok(entries) = fs::read_dir(out) else {
        return Ok(());
    };
    // Only regular files: a FIFO or a device named like an output must not hang the build.
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| {
            name.starts_with(slug) && (name.ends_with(".pdf") || name.ends_with(".epub"))
        })
        .collect();
    names.sort();
    let mut files = serde_json::Map::new();
    for name in names {
        let bytes = fs::read(out.join(&name))
            .map_err(|e| Error::msg(format!("cannot read {}: {e}", out.join(&name).display())))?;
        let digest = Sha256::digest(&bytes);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        files.insert(
            name,
            serde_json::json!({ "sha256": hex, "bytes": bytes.len() }),
        );
    }
    let manifest = serde_json::json!({ "files": files });
    let text = serde_json::to_string_pretty(&manifest).expect("JSON values serialize") + "\n";
    write_atomic(&out.join("manifest.json"), text.as_bytes())
}

/// Write an edition's generated Typst sources as a standalone Typst project in `dir`: the
/// generated files under `gen/`, with the bibliography and the (validated) images they use
/// beside them, so that `typst compile --root DIR --font-path fonts DIR/gen/book.typ`
/// compiles the very same document (used to compare with the Typst CLI).
pub fn emit_typst_project(project: &Project, edition: &Edition, dir: &Path) -> Result<()> {
    let generated = project.render(edition)?;
    for (path, text) in &generated.files {
        write_atomic(&dir.join(path.trim_start_matches('/')), text.as_bytes())?;
    }
    for image in &generated.images {
        write_atomic(&dir.join(image.path.trim_start_matches('/')), &image.bytes)?;
    }
    if let Some(bibliography) = &project.book.bibliography {
        let file = project.sandbox.read_text(&bibliography.path)?;
        write_atomic(&dir.join(&bibliography.path), file.text.as_bytes())?;
    }
    Ok(())
}
