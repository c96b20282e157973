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
pub mod sandbox;
pub mod templates;

use std::path::Path;
use std::time::Instant;

use typst::foundations::Datetime;

use crate::content::model::Book;
use crate::date::BuildDate;
use crate::diagnostics::{Error, Result};
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

    /// Resolve an edition by name.
    pub fn edition(&self, name: &str) -> Result<Edition> {
        edition::load(&self.sandbox, name, &self.fonts, &self.book)
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
        let ident = format!("{}/{}", self.book.meta.identifier, edition.name);
        pdf::build(world, generated, edition, &ident, started)
    }

    /// How the EPUB's figures are drawn: the base layout's palette and font.
    pub fn epub_figure_style(&self) -> Style {
        let palette = self.edition_base_palette().unwrap_or_default();
        Style::new(
            figures::DEFAULT_FONT,
            &palette,
            figures::projection(&self.book),
        )
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

    /// Build the EPUB of the whole book in memory, with its maps and charts.
    pub fn build_epub(&self) -> Result<BuiltEpub> {
        let figures = figures::build(&self.sandbox, &self.book, &self.epub_figure_style())?;
        output::epub::build(&self.sandbox, &self.book, &self.date, &figures)
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
