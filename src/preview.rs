//! A live preview of one edition for designers: compiled again and again in the same
//! compiler state (as `watch` does) but never exported to PDF; each page is drawn as SVG,
//! and after a change only the pages whose laid-out frame changed are drawn again.

use std::sync::Arc;

use serde::Serialize;
use typst::foundations::Label;
use typst::introspection::Introspector;
use typst_layout::{Page, PagedDocument};

use crate::Project;
use crate::diagnostics::{self, Diagnostic, Result};
use crate::figures::FigureCache;
use crate::fonts::Fonts;
use crate::output::pdf::world::BookWorld;
use crate::output::pdf::{self, render};
use crate::sandbox::Sandbox;

/// One page as the preview shows it.
#[derive(Debug, Clone)]
struct PreviewPage {
    /// Hash of the laid-out frame: equal hashes, equal pages.
    hash: u128,
    /// Bumped whenever the page is drawn again, so a browser knows to fetch it.
    version: u64,
    svg: Arc<str>,
    /// The page's text, line by line, for the browser's text layer (find, screen readers).
    text: Arc<str>,
    /// The page lint's findings on this page: found when the page is drawn, since a page
    /// whose frame did not change has the same findings.
    lint: Arc<[LintMark]>,
}

/// What the browser needs to lay out the pages: sizes, versions, the chapters' first pages,
/// the current problems.
#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    pub edition: String,
    pub editions: Vec<String>,
    pub two_sided: bool,
    /// Trim size, bleed and the slug beyond it (for crop marks), in points.
    pub width: f64,
    pub height: f64,
    pub bleed: f64,
    pub slug: f64,
    pub pages: Vec<u64>,
    pub chapters: Vec<(String, usize)>,
    /// Page lint findings: page (1-based), rectangle in points from the trim's top left,
    /// the text and the problem.
    pub lint: Vec<LintMark>,
    pub errors: Vec<ErrorView>,
}

/// A page lint finding to outline on a page.
#[derive(Debug, Clone, Serialize)]
pub struct LintMark {
    pub page: usize,
    pub rect: [f64; 4],
    pub problem: String,
    pub text: String,
}

/// A problem as the overlay shows it: where, what, and the terminal's rendering.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorView {
    pub position: Option<String>,
    pub message: String,
    pub rendered: String,
}

/// What a rebuild changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The pages (0-based) drawn again, and how many pages there are now.
    Updated { changed: Vec<usize>, pages: usize },
    /// The build failed; the last good pages stay.
    Failed,
}

/// The preview of one edition.
pub struct Preview {
    sandbox: Sandbox,
    fonts: Fonts,
    edition: Option<String>,
    world: Option<BookWorld>,
    figures: FigureCache,
    pages: Vec<PreviewPage>,
    version: u64,
    snapshot: Snapshot,
}

impl Preview {
    /// A preview of `edition` (or the book's default) of the project behind `sandbox`.
    pub fn new(sandbox: &Sandbox, edition: Option<String>) -> Result<Self> {
        Ok(Self {
            sandbox: sandbox.clone(),
            fonts: Fonts::load(sandbox)?,
            edition,
            world: None,
            figures: FigureCache::default(),
            pages: Vec::new(),
            version: 0,
            snapshot: Snapshot {
                edition: String::new(),
                editions: Vec::new(),
                two_sided: false,
                width: 0.0,
                height: 0.0,
                bleed: 0.0,
                slug: 0.0,
                pages: Vec::new(),
                chapters: Vec::new(),
                lint: Vec::new(),
                errors: Vec::new(),
            },
        })
    }

    /// Show another edition from the next rebuild on (its compiler state starts afresh).
    pub fn switch(&mut self, edition: &str) {
        self.edition = Some(edition.to_string());
        self.world = None;
        self.pages.clear();
    }

    /// Read the fonts again (after `fonts/` changed).
    pub fn reload_fonts(&mut self) -> Result<()> {
        self.fonts = Fonts::load(&self.sandbox)?;
        self.world = None;
        Ok(())
    }

    /// Load, render and compile again; draw the pages whose frames changed.
    pub fn rebuild(&mut self) -> Outcome {
        match self.compile() {
            Ok((project, document, name)) => {
                let changed = self.draw(&document);
                self.describe(&project, &document, &name);
                self.snapshot.errors.clear();
                Outcome::Updated {
                    changed,
                    pages: self.pages.len(),
                }
            }
            Err(error) => {
                self.snapshot.errors = error.diagnostics.iter().map(error_view).collect();
                Outcome::Failed
            }
        }
    }

    fn compile(&mut self) -> Result<(Project, PagedDocument, String)> {
        let project = Project::open_with_fonts(&self.sandbox, self.fonts.clone())?;
        let edition = project.edition_or_default(self.edition.as_deref())?;
        let style = project.figure_style(&edition);
        let figures = self.figures.get(&self.sandbox, &project.book, &style)?;
        let generated = render::render_edition(
            &self.sandbox,
            &project.book,
            &edition,
            &project.date,
            figures,
        )?;
        let world = match &mut self.world {
            Some(world) => world,
            None => self.world.insert(project.world()),
        };
        world.set_generated(generated.files, &generated.images);
        let compiled = pdf::compile(world, &generated.origins);
        comemo::evict(10);
        let (document, _) = compiled?;
        self.snapshot.two_sided = edition.page.two_sided;
        self.snapshot.width = edition.page.width;
        self.snapshot.height = edition.page.height;
        self.snapshot.bleed = edition.page.bleed;
        self.snapshot.slug = edition.page.slug;
        Ok((project, document, edition.name))
    }

    /// Draw the pages whose frame hash changed; returns them (0-based). Unchanged pages keep
    /// their drawing, text and findings: after a small edit only a page or two is read.
    fn draw(&mut self, document: &PagedDocument) -> Vec<usize> {
        let mut changed = Vec::new();
        self.version += 1;
        let mut pages = Vec::with_capacity(document.pages().len());
        for (i, page) in document.pages().iter().enumerate() {
            let hash = typst::utils::hash128(page);
            match self.pages.get(i).filter(|p| p.hash == hash) {
                Some(same) => pages.push(same.clone()),
                None => {
                    changed.push(i);
                    pages.push(draw_page(page, i, hash, self.version));
                }
            }
        }
        self.pages = pages;
        changed
    }

    /// Record what the browser needs: versions, chapters, lint findings.
    fn describe(&mut self, project: &Project, document: &PagedDocument, name: &str) {
        let snapshot = &mut self.snapshot;
        snapshot.edition = name.to_string();
        snapshot.editions = project.edition_names().unwrap_or_default();
        snapshot.pages = self.pages.iter().map(|p| p.version).collect();
        let introspector = document.introspector();
        snapshot.chapters = project
            .book
            .chapters()
            .filter_map(|chapter| {
                let label = Label::new(typst::utils::PicoStr::intern(
                    &crate::content::markdown::chapter_label(&chapter.slug),
                ))?;
                let location = introspector.query_label(label).ok()?.location()?;
                let page = introspector.position(location)?.page.get();
                Some((chapter.meta.title.clone(), page))
            })
            .collect();
        snapshot.lint = self
            .pages
            .iter()
            .flat_map(|p| p.lint.iter().cloned())
            .collect();
    }

    /// The SVG of a page (0-based), if there is such a page.
    pub fn page_svg(&self, index: usize) -> Option<Arc<str>> {
        self.pages.get(index).map(|p| p.svg.clone())
    }

    /// The text of a page (0-based), if there is such a page.
    pub fn page_text(&self, index: usize) -> Option<Arc<str>> {
        self.pages.get(index).map(|p| p.text.clone())
    }

    /// The state the browser lays out from.
    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }
}

/// One page (0-based `index`) as SVG, with its text and its page lint findings.
fn draw_page(page: &Page, index: usize, hash: u128, version: u64) -> PreviewPage {
    let options = typst_svg::SvgOptions {
        render_bleed: true,
        pretty: false,
    };
    let text = pdf::lint::page_text(page);
    let lines: Vec<&str> = text.lines.iter().map(|l| l.text.as_str()).collect();
    let lint = pdf::lint::check_page(index + 1, &text)
        .into_iter()
        .map(|f| LintMark {
            page: f.page,
            rect: [f.rect.x0, f.rect.y0, f.rect.x1, f.rect.y1],
            problem: format!("{:?}", f.problem),
            text: f.text,
        })
        .collect();
    PreviewPage {
        hash,
        version,
        svg: Arc::from(typst_svg::svg(page, &options)),
        text: Arc::from(lines.join("\n")),
        lint,
    }
}

fn error_view(diagnostic: &Diagnostic) -> ErrorView {
    ErrorView {
        position: diagnostic.position(),
        message: diagnostics::terminal_safe(&diagnostic.message),
        rendered: diagnostics::render_plain(diagnostic),
    }
}
