//! guidebook: publish an illustrated guidebook from structured data.
//!
//! The pipeline runs in one direction: [`load`] reads `chapters/` into the [`model`],
//! [`render`] merges it into an edition's MiniJinja templates, [`world`] hands the
//! generated Typst to the embedded compiler, and [`pdf`] exports the pages.

pub mod citations;
pub mod diagnostics;
pub mod edition;
pub mod epub;
pub mod escape;
pub mod figures;
pub mod geo;
pub mod load;
pub mod maps;
pub mod markdown;
pub mod model;
pub mod pdf;
pub mod render;
pub mod templates;
pub mod watch;
pub mod world;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use typst::foundations::Datetime;

use crate::diagnostics::{Diagnostic, Error, Result};
use crate::edition::Edition;
use crate::model::Book;
use crate::render::BookDate;
use crate::world::{BookWorld, Fonts};

/// What kind of file a build writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Epub,
}

/// A project folder with its content and fonts loaded once.
pub struct Project {
    pub root: PathBuf,
    pub book: Book,
    pub fonts: Fonts,
    pub date: BuildDate,
}

/// The moment a build claims to be made, from `SOURCE_DATE_EPOCH` or the clock.
#[derive(Debug, Clone, Copy)]
pub struct BuildDate {
    pub datetime: Datetime,
    pub book: BookDate,
}

impl BuildDate {
    /// Read `SOURCE_DATE_EPOCH` when set (it must be a whole number of seconds), else now.
    pub fn from_env() -> Result<Self> {
        let seconds = match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(value) => value.trim().parse::<i64>().ok().filter(|s| (0..=253_402_300_799).contains(s)).ok_or_else(|| {
                Error::msg(format!(
                    "SOURCE_DATE_EPOCH must be a number of seconds since 1970 (0 to 253402300799), not `{value}`"
                ))
            })?,
            Err(_) => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0),
        };
        Ok(Self::from_unix(seconds))
    }

    /// The build time as `YYYY-MM-DDThh:mm:ssZ` (EPUB `dcterms:modified`).
    pub fn modified(&self) -> String {
        let d = &self.datetime;
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            d.year().unwrap_or(1970),
            d.month().unwrap_or(1),
            d.day().unwrap_or(1),
            d.hour().unwrap_or(0),
            d.minute().unwrap_or(0),
            d.second().unwrap_or(0)
        )
    }

    /// The date and time of a Unix timestamp, in UTC.
    pub fn from_unix(seconds: i64) -> Self {
        let days = seconds.div_euclid(86_400);
        let secs = seconds.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        let datetime = Datetime::from_ymd_hms(
            year,
            month,
            day,
            (secs / 3600) as u8,
            ((secs % 3600) / 60) as u8,
            (secs % 60) as u8,
        )
        .expect("a validated timestamp is a valid date");
        Self {
            datetime,
            book: BookDate { year, month, day },
        }
    }
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i32, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    (year, month, day)
}

impl Project {
    /// Load the book and the fonts of the project at `root`.
    pub fn open(root: &Path) -> Result<Self> {
        let fonts = Fonts::load(&root.join("fonts"))?;
        Self::open_with_fonts(root, fonts)
    }

    /// Load the book at `root`, reusing fonts already loaded (watch mode reloads content
    /// on every change but fonts only when `fonts/` changes).
    pub fn open_with_fonts(root: &Path, fonts: Fonts) -> Result<Self> {
        let date = BuildDate::from_env()?;
        if !root.join("chapters").is_dir() {
            return Err(Error::msg(format!(
                "{} has no chapters/ folder: run guidebook in a book project (or pass --root)",
                root.display()
            )));
        }
        let book = load::load_book(root)?;
        Ok(Self {
            root: root.to_path_buf(),
            book,
            fonts,
            date,
        })
    }

    /// Resolve an edition by name.
    pub fn edition(&self, name: &str) -> Result<Edition> {
        edition::load(&self.root, name, &self.fonts, &self.book)
    }

    /// Every edition under `layouts/`.
    pub fn edition_names(&self) -> Result<Vec<String>> {
        edition::list(&self.root)
    }

    /// Render an edition's Typst sources without compiling them (used by `check`).
    pub fn render(&self, edition: &Edition) -> Result<render::Generated> {
        let figures = figures::build(&self.root, &self.book, &edition.fonts.sans)?;
        render::render_edition(&self.root, &self.book, edition, &self.date.book, &figures)
    }

    /// Build an edition's PDF in memory.
    pub fn build_pdf(&self, edition: &Edition) -> Result<BuiltPdf> {
        let mut world = self.world()?;
        self.build_pdf_in(&mut world, edition, None)
    }

    /// A fresh compilation environment for this project.
    pub fn world(&self) -> Result<BookWorld> {
        BookWorld::new(
            &self.root,
            self.fonts.clone(),
            self.date.datetime,
            render::MAIN,
        )
    }

    /// Build an edition's PDF in an existing world: sources the world has parsed before are
    /// updated in place and comemo reuses the layout of whatever did not change.
    /// With a `cache`, maps and charts are drawn again only when their data changed.
    pub fn build_pdf_in(
        &self,
        world: &mut BookWorld,
        edition: &Edition,
        cache: Option<&mut figures::FigureCache>,
    ) -> Result<BuiltPdf> {
        let started = std::time::Instant::now();
        let generated = match cache {
            Some(cache) => {
                let figures = cache.get(&self.root, &self.book, &edition.fonts.sans)?;
                render::render_edition(&self.root, &self.book, edition, &self.date.book, figures)?
            }
            None => self.render(edition)?,
        };
        let render = started.elapsed();
        world.set_generated(generated.files.clone());
        let (document, mut warnings) = pdf::compile(world, &generated.origins)?;
        let compile = started.elapsed() - render;
        let ident = format!("{}/{}", self.book.meta.identifier, edition.name);
        let mut bytes = pdf::export(
            world,
            &document,
            &ident,
            edition.standard,
            &generated.origins,
        )?;
        if edition.page.bleed > 0.0 || edition.page.crop_marks {
            bytes = pdf::set_bleed_box(bytes, edition.page.bleed)?;
        }
        warnings.extend(generated.warnings);
        let timings = Timings {
            render,
            compile,
            export: started.elapsed() - render - compile,
        };
        Ok(BuiltPdf {
            bytes,
            pages: document.pages().len(),
            warnings,
            timings,
        })
    }

    /// Build the EPUB of the whole book in memory, with generated `figures` (maps, charts).
    pub fn build_epub(&self, figures: &[epub::Figure]) -> Result<epub::BuiltEpub> {
        epub::build(
            &self.root,
            &self.book,
            &self.date.book,
            &self.date.modified(),
            figures,
        )
    }

    /// The file name of the book's EPUB, e.g. `friendship-years.epub`.
    pub fn epub_name(&self) -> String {
        format!("{}.epub", self.book.meta.slug)
    }

    /// The output file name of an edition.
    pub fn output_name(&self, edition: &str, format: Format) -> String {
        let ext = match format {
            Format::Pdf => "pdf",
            Format::Epub => "epub",
        };
        format!("{}-{edition}.{ext}", self.book.meta.slug)
    }
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
}

/// The PDF of an edition.
pub struct PdfOutput<'a>(pub &'a Edition);

impl Output for PdfOutput<'_> {
    fn file_name(&self, project: &Project) -> String {
        project.output_name(&self.0.name, Format::Pdf)
    }

    fn build(&self, project: &Project) -> Result<Built> {
        let built = project.build_pdf(self.0)?;
        Ok(Built {
            bytes: built.bytes,
            pages: Some(built.pages),
            warnings: built.warnings,
        })
    }
}

/// The EPUB of the whole book, with generated figures (maps) when there are any.
pub struct EpubOutput<'a>(pub &'a [epub::Figure]);

impl Output for EpubOutput<'_> {
    fn file_name(&self, project: &Project) -> String {
        project.epub_name()
    }

    fn build(&self, project: &Project) -> Result<Built> {
        let built = project.build_epub(self.0)?;
        Ok(Built {
            bytes: built.bytes,
            pages: None,
            warnings: built.warnings,
        })
    }
}

/// A PDF built in memory, not yet written.
pub struct BuiltPdf {
    pub bytes: Vec<u8>,
    pub pages: usize,
    pub warnings: Vec<Diagnostic>,
    pub timings: Timings,
}

/// Where the time of a PDF build went.
#[derive(Debug, Clone, Copy, Default)]
pub struct Timings {
    /// Templates and Markdown (and the figures) into Typst.
    pub render: std::time::Duration,
    /// Typst compilation and layout.
    pub compile: std::time::Duration,
    /// PDF export (and the bleed boxes of print editions).
    pub export: std::time::Duration,
}

/// Write a file atomically: a temporary file in the same folder, renamed over the target.
/// A failure leaves any earlier file untouched.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir)
        .map_err(|e| Error::msg(format!("cannot create {}: {e}", dir.display())))?;
    let fail = |e: std::io::Error| Error::msg(format!("cannot write {}: {e}", path.display()));
    let mut temp = tempfile::Builder::new()
        .prefix(".guidebook-")
        .tempfile_in(dir)
        .map_err(fail)?;
    temp.write_all(bytes).map_err(fail)?;
    temp.as_file().sync_all().map_err(fail)?;
    temp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// Write `manifest.json` in the output folder: the SHA-256 and size of every output of the
/// book there (files named `<slug>-*.pdf` and `<slug>*.epub`), sorted by name.
pub fn write_manifest(out: &Path, slug: &str) -> Result<()> {
    use sha2::{Digest, Sha256};
    let Ok(entries) = fs::read_dir(out) else {
        return Ok(());
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
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
/// generated files under `gen/`, with the bibliography and images they use copied beside
/// them, so that `typst compile --root DIR --font-path fonts DIR/gen/book.typ` compiles the
/// very same document (used to compare with the Typst CLI).
pub fn emit_typst_project(project: &Project, edition: &Edition, dir: &Path) -> Result<()> {
    let generated = project.render(edition)?;
    for (path, text) in &generated.files {
        write_atomic(&dir.join(path.trim_start_matches('/')), text.as_bytes())?;
    }
    let mut data: Vec<String> = project
        .book
        .bibliography
        .iter()
        .map(|b| b.path.clone())
        .collect();
    if let Ok(images) = fs::read_dir(project.root.join("chapters/images")) {
        let mut names: Vec<String> = images
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect();
        names.sort();
        data.extend(names.into_iter().map(|n| format!("chapters/images/{n}")));
    }
    for relative in data {
        let bytes = fs::read(project.root.join(&relative))
            .map_err(|e| Error::msg(format!("cannot read {relative}: {e}")))?;
        write_atomic(&dir.join(&relative), &bytes)?;
    }
    Ok(())
}
