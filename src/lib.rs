//! guidebook: publish an illustrated guidebook from structured data.
//!
//! The pipeline runs in one direction, and modules import only from those before them:
//! [`diagnostics`], [`escape`], [`sandbox`], [`date`] and [`fonts`] → [`content`] (model,
//! load, markdown, view) → [`figures`] (geo, maps, charts) → [`edition`] and [`templates`] →
//! [`output`] (pdf with its world and page boxes; epub with its citations) → [`Project`]
//! and [`incremental`] → the binary.

pub mod content;
pub mod date;
pub mod diagnostics;
pub mod edition;
pub mod escape;
pub mod figures;
pub mod fonts;
pub mod incremental;
pub mod output;
pub mod preview;
pub mod sandbox;
pub mod templates;

use std::path::Path;
use std::time::Instant;

use typst::foundations::Datetime;

use crate::content::model::Book;
use crate::date::BuildDate;
use crate::diagnostics::{Diagnostic, Error, Result};
use crate::edition::Edition;
use crate::figures::style::Style;
use crate::figures::{FigureCache, Figures};
use crate::fonts::Fonts;
use crate::output::Format;
use crate::output::epub::BuiltEpub;
use crate::output::pdf::render::{self, Generated};
use crate::output::pdf::world::BookWorld;
use crate::output::pdf::{self, BuiltPdf};
use crate::sandbox::Sandbox;

/// A project folder with its content and fonts loaded once.
pub struct Project {
    /// The project folder; every file is read through it.
    pub sandbox: Sandbox,
    pub book: Book,
    pub fonts: Fonts,
    pub date: BuildDate,
}

impl Project {
    /// Load the book and the fonts of the project at `root`.
    pub fn open(root: &Path) -> Result<Self> {
        let sandbox = open_sandbox(root)?;
        let fonts = Fonts::load(&sandbox)?;
        Self::open_with_fonts(&sandbox, fonts)
    }

    /// Load the book, reusing fonts already loaded (watch mode reloads content on every
    /// change but fonts only when `fonts/` changes).
    pub fn open_with_fonts(sandbox: &Sandbox, fonts: Fonts) -> Result<Self> {
        let date = BuildDate::from_env()?;
        let book = content::load::load_book(sandbox)?;
        Ok(Self {
            sandbox: sandbox.clone(),
            book,
            fonts,
            date,
        })
    }

    /// Characters the content uses that no font in `fonts/` has, each at its first use (what
    /// a compile would find, found without compiling; comments in TOML are not printed and
    /// not checked).
    pub fn missing_characters(&self) -> Vec<Diagnostic> {
        let mut seen = std::collections::HashSet::new();
        let mut found = Vec::new();
        let book = &self.book;
        let mut files: Vec<(&diagnostics::SourceFile, usize)> =
            book.chapters().map(|c| (&c.file, c.body_offset)).collect();
        for file in [&book.meta_file, &book.landmarks_file, &book.timeline_file] {
            files.push((file, file.text.len()));
        }
        files.extend(book.glossary_file.iter().map(|f| (f, f.text.len())));
        files.extend(book.people_file.iter().map(|f| (f, f.text.len())));
        for (file, toml_end) in files {
            let mut offset = 0;
            for line in file.text.split_inclusive('\n') {
                let comment = offset < toml_end && line.trim_start().starts_with('#');
                for (i, c) in line.char_indices() {
                    if comment || c.is_whitespace() || c.is_control() || self.fonts.covers(c) {
                        continue;
                    }
                    if seen.insert(c) {
                        let at = offset + i;
                        found.push(
                            Diagnostic::error(format!(
                                "no font in fonts/ has the character `{c}` (U+{:04X})",
                                c as u32
                            ))
                            .at(file, at..at + c.len_utf8())
                            .with_note("add a font that covers it to fonts/, or write the text differently"),
                        );
                    }
                }
                offset += line.len();
            }
        }
        found
    }

    /// Resolve an edition by name.
    pub fn edition(&self, name: &str) -> Result<Edition> {
        edition::load(&self.sandbox, name, &self.fonts, &self.book)
    }

    /// The edition `name`, or the book's default edition when none is named.
    pub fn edition_or_default(&self, name: Option<&str>) -> Result<Edition> {
        self.edition(name.unwrap_or(self.book.meta.default_edition.get_ref()))
    }

    /// Every edition under `layouts/`.
    pub fn edition_names(&self) -> Result<Vec<String>> {
        edition::list(&self.sandbox)
    }

    /// How an edition's figures are drawn: its sans font and its palette.
    pub fn figure_style(&self, edition: &Edition) -> Style {
        Style::new(
            &edition.fonts.sans,
            &edition.figure_colours,
            figures::projection(&self.book),
        )
        .with_opaque(edition.print.is_some())
    }

    /// Every figure of the book, drawn for an edition.
    pub fn figures(&self, edition: &Edition) -> Result<Figures> {
        figures::build(&self.sandbox, &self.book, &self.figure_style(edition))
    }

    /// Render an edition's Typst sources without compiling them (used by `check`).
    pub fn render(&self, edition: &Edition) -> Result<Generated> {
        let figures = self.figures(edition)?;
        render::render_edition(&self.sandbox, &self.book, edition, &self.date, &figures)
    }

    /// Build an edition's PDF in memory.
    pub fn build_pdf(&self, edition: &Edition) -> Result<BuiltPdf> {
        let mut world = self.world();
        self.build_pdf_in(&mut world, edition, None)
    }

    /// Compile an edition into laid-out pages without exporting them, for the page lint
    /// ([`output::pdf::lint`]) and anything else that reads the layout.
    pub fn document(&self, edition: &Edition) -> Result<typst_layout::PagedDocument> {
        let generated = self.render(edition)?;
        let mut world = self.world();
        world.set_generated(generated.files, &generated.images);
        pdf::compile(&world, &generated.origins).map(|(document, _)| document)
    }

    /// A fresh compilation environment for this project.
    pub fn world(&self) -> BookWorld {
        BookWorld::new(
            &self.sandbox,
            self.fonts.clone(),
            typst_datetime(&self.date),
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
        cache: Option<&mut FigureCache>,
    ) -> Result<BuiltPdf> {
        let started = Instant::now();
        let generated = match cache {
            Some(cache) => {
                let style = self.figure_style(edition);
                let figures = cache.get(&self.sandbox, &self.book, &style)?;
                render::render_edition(&self.sandbox, &self.book, edition, &self.date, figures)?
            }
            None => self.render(edition)?,
        };
        let ident = format!("{}/{}", self.book.meta.identifier.get_ref(), edition.name);
        let profile = match &edition.print {
            Some(print) => Some(
                self.sandbox
                    .read(&print.output_intent, sandbox::MAX_BINARY_BYTES)
                    .map_err(|denied| {
                        Error::msg(format!(
                            "cannot read the output intent {}: {denied}",
                            print.output_intent
                        ))
                    })?,
            ),
            None => None,
        };
        let style_source = generated
            .files
            .iter()
            .find(|(path, _)| path == "/gen/style.typ")
            .map(|(_, text)| text.clone());
        let mut built = pdf::build(
            world,
            generated,
            edition,
            &ident,
            profile.as_deref(),
            started,
        )?;
        if let (Some(print), Some(profile), Some(style)) = (&edition.print, &profile, style_source)
        {
            let cover = pdf::cover::CoverView::new(&self.book, edition, print, built.pages);
            let sources = pdf::cover::render(
                &self.sandbox,
                &self.book,
                edition,
                &self.date,
                &cover,
                &style,
            )?;
            let mut cover_world = BookWorld::new(
                &self.sandbox,
                self.fonts.clone(),
                typst_datetime(&self.date),
                pdf::cover::MAIN,
            );
            built.cover = Some(pdf::build_cover(
                &mut cover_world,
                sources,
                edition,
                &format!("{ident}/cover"),
                profile,
            )?);
        }
        if let Some(print) = &edition.print {
            let warnings = self.preflight(edition, print, &built)?;
            built.warnings.extend(warnings);
        }
        Ok(built)
    }

    /// Check a print edition's own files as a printer's prepress will; a failure stops the
    /// build before anything is written, and says which rule failed where. Warnings come
    /// back one per rule, with how often and where.
    fn preflight(
        &self,
        edition: &Edition,
        print: &edition::Print,
        built: &BuiltPdf,
    ) -> Result<Vec<Diagnostic>> {
        use crate::output::pdf::preflight;
        let mut problems = Vec::new();
        let mut warnings = Vec::new();
        let files = [
            ("the interior", Some(&built.bytes), false),
            ("the cover", built.cover.as_ref(), true),
        ];
        for (what, bytes, cover) in files {
            let Some(bytes) = bytes else { continue };
            let rules = preflight_rules(print, cover);
            let report = preflight::check(bytes, &rules)
                .map_err(|e| Error::msg(format!("cannot check {what}: {e}")))?;
            for finding in report
                .findings
                .iter()
                .filter(|f| f.severity == preflight::Severity::Fail)
            {
                let page = finding
                    .page
                    .map(|p| format!("p. {p}: "))
                    .unwrap_or_default();
                problems.push(
                    Diagnostic::error(format!(
                        "{what} fails preflight ({}): {page}{}",
                        finding.rule, finding.message
                    ))
                    .in_file(&self.edition_file(edition)),
                );
            }
            let mut by_rule: std::collections::BTreeMap<&str, Vec<&preflight::Finding>> =
                std::collections::BTreeMap::new();
            for finding in report
                .findings
                .iter()
                .filter(|f| f.severity == preflight::Severity::Warn)
            {
                by_rule.entry(finding.rule).or_default().push(finding);
            }
            for (rule, findings) in by_rule {
                let pages: std::collections::BTreeSet<usize> =
                    findings.iter().filter_map(|f| f.page).collect();
                let first = findings[0];
                let page = first.page.map(|p| format!("p. {p}: ")).unwrap_or_default();
                warnings.push(
                    Diagnostic::warning(format!(
                        "{what} preflight ({rule}){}: {page}{}",
                        match pages.len() {
                            0 => String::new(),
                            1 => " on 1 page".to_string(),
                            n => format!(" on {n} pages, first"),
                        },
                        first.message
                    ))
                    .with_note("`guidebook preflight FILE --details` lists every finding"),
                );
            }
        }
        if problems.is_empty() {
            Ok(warnings)
        } else {
            problems.truncate(20);
            Err(Error::from(problems))
        }
    }

    /// The `edition.toml` of an edition, for messages about what it produces.
    fn edition_file(&self, edition: &Edition) -> diagnostics::SourceFile {
        let path = format!("layouts/{}/edition.toml", edition.name);
        self.sandbox
            .read_text(&path)
            .unwrap_or_else(|_| diagnostics::SourceFile::new(path, ""))
    }

    /// How the EPUB's figures are drawn: the base layout's palette and font, for screens
    /// (words and symbols large enough for a phone, fonts to fall back on).
    pub fn epub_figure_style(&self) -> Style {
        let palette = self.edition_base_palette().unwrap_or_default();
        Style::new(
            figures::DEFAULT_FONT,
            &palette,
            figures::projection(&self.book),
        )
        .for_screens()
    }

    /// The RGB colours of `layouts/base/edition.toml`, which the EPUB's figures use.
    fn edition_base_palette(&self) -> Option<std::collections::BTreeMap<String, String>> {
        let file = self.sandbox.read_text("layouts/base/edition.toml").ok()?;
        let settings: edition::EditionFile =
            content::load::parse_toml(&file, &file.text, 0).ok()?;
        Some(
            settings
                .palette
                .into_iter()
                .filter_map(|(name, colour)| match colour.into_inner() {
                    edition::Colour::Rgb(r, g, b) => {
                        Some((name.into_inner(), format!("#{r:02x}{g:02x}{b:02x}")))
                    }
                    edition::Colour::Cmyk(_) => None,
                })
                .collect(),
        )
    }

    /// Build the EPUB of the whole book in memory, with its maps and charts and a cover
    /// image drawn from the front cover of the book's default edition.
    pub fn build_epub(&self) -> Result<BuiltEpub> {
        let figures = figures::build(&self.sandbox, &self.book, &self.epub_figure_style())?;
        let cover = self.cover_image()?;
        let pages = self.page_source()?;
        output::epub::build(
            &self.sandbox,
            &self.book,
            &self.date,
            &figures,
            &cover,
            pages.as_ref(),
        )
    }

    /// The page numbers the EPUB carries: those of the print edition `epub_page_numbers`
    /// in `book.toml` names (by default `trade`, if the project has it), laid out by Typst.
    pub fn page_source(&self) -> Result<Option<output::epub::pages::PageSource>> {
        let chosen = self.book.meta.epub_page_numbers.as_ref();
        let name = chosen.map_or("trade", |n| n.get_ref().as_str());
        if name == "none" {
            return Ok(None);
        }
        let names = self.edition_names()?;
        if !names.iter().any(|n| n == name) {
            return match chosen {
                Some(chosen) => Err(Diagnostic::error(format!(
                    "epub_page_numbers `{name}` is not an edition under layouts/ (editions: {})",
                    names.join(", ")
                ))
                .at(&self.book.meta_file, content::load::span_of(chosen, 0))
                .with_note("name a print edition, or \"none\" for an EPUB without page numbers")
                .into()),
                None => Ok(None),
            };
        }
        let edition = self.edition(name)?;
        let document = self.document(&edition)?;
        let meta = &self.book.meta;
        let description = match meta.isbn.as_ref() {
            Some(isbn) => format!("urn:isbn:{}", isbn.get_ref().replace(['-', ' '], "")),
            None if edition.title_suffix.is_empty() => meta.title.clone(),
            None => format!("{}, {}", meta.title, edition.title_suffix),
        };
        Ok(Some(output::epub::pages::PageSource::from_document(
            &document,
            description,
        )))
    }

    /// The front cover as a PNG of 1600 × 2560 pixels, in the default edition's design.
    pub fn cover_image(&self) -> Result<Vec<u8>> {
        let edition = self.edition(self.book.meta.default_edition.get_ref())?;
        let generated = self.render(&edition)?;
        let style = generated
            .files
            .iter()
            .find(|(path, _)| path == "/gen/style.typ")
            .map(|(_, text)| text.clone())
            .unwrap_or_default();
        let sources =
            pdf::cover::render_image(&self.sandbox, &self.book, &edition, &self.date, &style)?;
        let mut world = BookWorld::new(
            &self.sandbox,
            self.fonts.clone(),
            typst_datetime(&self.date),
            pdf::cover::IMAGE_MAIN,
        );
        pdf::cover::draw_image(&mut world, sources)
    }

    /// The file name of the book's EPUB, e.g. `friendship-years.epub`.
    pub fn epub_name(&self) -> String {
        format!("{}.epub", self.book.slug())
    }

    /// The output file name of an edition.
    pub fn output_name(&self, edition: &str, format: Format) -> String {
        let ext = match format {
            Format::Pdf => "pdf",
            Format::Epub => "epub",
        };
        format!("{}-{edition}.{ext}", self.book.slug())
    }
}

/// The prepress rules of a print edition's interior or cover.
fn preflight_rules(print: &edition::Print, cover: bool) -> output::pdf::preflight::Rules {
    use crate::output::pdf::preflight::{Rules, Service};
    let rules = match (print.target, print.service) {
        (edition::PrintTarget::Offset, _) => Rules::offset(),
        (edition::PrintTarget::Pod, None) => Rules::pod(),
        (edition::PrintTarget::Pod, Some(service)) => Rules::for_service(match service {
            edition::PrintService::Kdp => Service::Kdp,
            edition::PrintService::Ingramspark => Service::IngramSpark,
            edition::PrintService::Lulu => Service::Lulu,
        }),
    };
    if cover { rules.cover() } else { rules }
}

/// The sandbox over a project folder, which must hold `chapters/`.
fn open_sandbox(root: &Path) -> Result<Sandbox> {
    let sandbox = Sandbox::new(root)?;
    if sandbox.resolve("chapters").is_err() {
        return Err(Error::msg(format!(
            "{} has no chapters/ folder: run guidebook in a book project (or pass --root)",
            root.display()
        )));
    }
    Ok(sandbox)
}

/// The build date as Typst's `datetime.today()` and the PDF timestamp see it.
fn typst_datetime(date: &BuildDate) -> Datetime {
    let m = date.moment;
    Datetime::from_ymd_hms(
        m.year(),
        u8::from(m.month()),
        m.day(),
        m.hour(),
        m.minute(),
        m.second(),
    )
    .unwrap_or_else(|| Datetime::from_ymd(1970, 1, 1).expect("a valid date"))
}
