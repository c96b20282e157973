//! Merge the book into an edition's Typst templates: one virtual `.typ` file per chapter,
//! plus the style, the main file, the figures and the images they use.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use minijinja::Value;

use crate::escape::Trusted;
use minijinja::value::Serde;

use crate::content::images::Image;
use crate::content::markdown::Converter;
use crate::content::model::{Book, Chapter, FigureKind};
use crate::content::view::{self, FigureCatalogue, Views};
use crate::date::BuildDate;
use crate::diagnostics::{Diagnostic, Error, Result, Severity, Sink, SourceFile};
use crate::edition::Edition;
use crate::figures::{self, Figures};
use crate::sandbox::Sandbox;
use crate::templates::{Language, Templates};

/// Path of the generated main file inside the Typst world.
pub const MAIN: &str = "/gen/book.typ";

/// The Typst sources generated for one edition, and where each came from.
#[derive(Debug, Clone)]
pub struct Generated {
    /// `(virtual path, Typst source)` in a stable order.
    pub files: Vec<(String, String)>,
    /// The validated images the sources use, served to Typst from memory.
    pub images: Vec<Arc<Image>>,
    /// Which template and content file produced each generated file.
    pub origins: Origins,
    /// Warnings found while rendering (e.g. links to chapters this edition leaves out).
    pub warnings: Vec<Diagnostic>,
}

/// Where generated code came from, to point Typst's diagnostics back at what a user wrote.
#[derive(Debug, Clone, Default)]
pub struct Origins {
    /// For each virtual path: the template and the content file that produced it.
    pub files: HashMap<String, String>,
    /// Every template the edition rendered (with those they include).
    pub templates: Vec<SourceFile>,
    /// The content files the sources were made from, to find what a user wrote.
    pub content: Vec<SourceFile>,
}

/// Render every generated Typst file of an edition.
pub fn render_edition(
    sandbox: &Sandbox,
    book: &Book,
    edition: &Edition,
    date: &BuildDate,
    figures: &Figures,
) -> Result<Generated> {
    let included: Vec<&Chapter> = book
        .chapters()
        .filter(|c| !edition.exclude.contains(&c.slug))
        .collect();
    let mut sink = Sink::default();
    figures::check_placements(book, figures, &mut sink);
    check_excluded_figures(edition, figures, &mut sink);
    // Links to a figure the edition leaves out keep their text, like links to left-out chapters.
    let known_figures: HashSet<String> = figures.list.iter().map(|f| f.id.clone()).collect();
    let kept = figures.without(
        &edition
            .exclude_figures
            .iter()
            .map(|(id, ..)| id.as_str())
            .collect::<Vec<_>>(),
    );
    let figures = &kept;
    let with_timeline = edition.back_matter.iter().any(|b| b == "timeline");
    let placed = placed_figures(figures, &included, with_timeline);
    let mut targets = view::targets(book, &included, &[]);
    targets.known.insert("figure", known_figures);
    targets.printed.insert("figure", placed.clone());
    let index = view::index_terms(book);
    let mut converter = Converter::new(&targets, &book.images)
        .with_index(&index)
        .with_min_image_px(edition.min_image_px());
    let views = view::views(
        book,
        &included,
        &mut converter,
        date,
        Some(figures as &dyn FigureCatalogue),
        &|slug| format!("/gen/chapters/{slug}.typ"),
    );
    let mut writer = SourceWriter {
        templates: Templates::new(sandbox, edition.template_dirs.clone(), Language::Typst),
        files: Vec::new(),
        origins: HashMap::new(),
        diagnostics: Vec::new(),
    };
    let edition_view = edition_view(edition);
    for (chapter, (reference, view)) in included.iter().zip(&views.chapters) {
        let context = minijinja::context! { book => Serde(&views.book), edition => &edition_view, chapter => Value::from(Serde(view)) };
        writer.render(
            "chapter.typ",
            reference.path.clone(),
            &chapter.file.name,
            context,
        );
    }
    let index = view::index_view(book, converter.subjects_used());
    let context = book_context(&views, &index, &edition_view, edition, figures, &placed);
    writer.render(
        "style.typ",
        "/gen/style.typ".into(),
        "the edition's style",
        context.clone(),
    );
    writer.render("book.typ", MAIN.into(), "the book", context);
    for figure in figures.list.iter().filter(|f| placed.contains(&f.id)) {
        writer
            .origins
            .insert(figure.path(), format!("the generated figure {}", figure.id));
        writer.files.push((figure.path(), figure.drawn.svg.clone()));
    }
    let images = converter
        .images_used()
        .iter()
        .filter_map(|path| book.images.get(path).ok())
        .collect();
    let mut diagnostics = writer.diagnostics;
    diagnostics.extend(sink.diagnostics);
    diagnostics.extend(converter.take_diagnostics());
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        return Err(Error::from(diagnostics));
    }
    Ok(Generated {
        files: writer.files,
        images,
        origins: Origins {
            files: writer.origins,
            templates: writer.templates.files.all(),
            content: content_files(book, &included),
        },
        warnings: diagnostics,
    })
}

/// The content files an edition prints from: its chapters, then the data files.
fn content_files(book: &Book, included: &[&Chapter]) -> Vec<SourceFile> {
    let mut files: Vec<SourceFile> = included.iter().map(|c| c.file.clone()).collect();
    files.extend([book.landmarks_file.clone(), book.timeline_file.clone()]);
    files.extend(book.glossary_file.iter().cloned());
    files.extend(book.people_file.iter().cloned());
    files.push(book.meta_file.clone());
    files
}

/// Renders templates into generated files, remembering where each came from.
struct SourceWriter {
    templates: Templates,
    files: Vec<(String, String)>,
    origins: HashMap<String, String>,
    diagnostics: Vec<Diagnostic>,
}

impl SourceWriter {
    /// Render template `name` into the generated file `path`; a failure is kept.
    fn render(&mut self, name: &str, path: String, origin: &str, context: Value) {
        match self.templates.render(name, &context) {
            Ok(text) => {
                let template = self
                    .templates
                    .files
                    .get(name)
                    .map_or_else(|| name.to_string(), |f| f.name);
                self.origins
                    .insert(path.clone(), format!("{template} for {origin}"));
                self.files.push((path, text));
            }
            Err(error) => self.diagnostics.extend(error.diagnostics),
        }
    }
}

/// Figures an edition leaves out that the book does not have: a warning, not an error,
/// because shipped layouts serve other books with other figures.
fn check_excluded_figures(edition: &Edition, figures: &Figures, sink: &mut Sink) {
    for (id, file, range) in &edition.exclude_figures {
        if figures.get(id).is_none() {
            sink.push(
                Diagnostic::warning(format!("this book has no figure `{id}` to leave out"))
                    .at(file, range.clone()),
            );
        }
    }
}

/// The edition as templates see it; palette entries are Typst colour expressions checked
/// when the edition was resolved.
pub(crate) fn edition_view(edition: &Edition) -> Value {
    let palette: BTreeMap<String, Value> = edition
        .palette
        .iter()
        .map(|(k, v)| (k.clone(), Trusted::value(v.clone())))
        .collect();
    minijinja::context! { palette => palette, ..Value::from(Serde(edition)) }
}

/// What `style.typ` and `book.typ` see: the book, its parts, back matter and figures.
fn book_context(
    views: &Views,
    index: &[view::IndexEntry],
    edition_view: &Value,
    edition: &Edition,
    figures: &Figures,
    placed: &HashSet<String>,
) -> Value {
    let with_timeline = edition.back_matter.iter().any(|b| b == "timeline");
    let placed_kind = |kind: FigureKind| {
        figures
            .list
            .iter()
            .any(|f| f.kind == kind && placed.contains(&f.id))
    };
    minijinja::context! {
        book => Serde(&views.book),
        edition => edition_view,
        front => Serde(&views.front),
        parts => Serde(&views.parts),
        timeline => Serde(&views.timeline),
        glossary => &views.glossary,
        back_matter => &edition.back_matter,
        index => Serde(index),
        timeline_figure => Serde(with_timeline.then(|| figures.figure(figures::TIMELINE_CHART)).flatten()),
        has_maps => placed_kind(FigureKind::Map),
        has_charts => placed_kind(FigureKind::Chart),
    }
}

/// Ids of the figures an edition prints: those its chapters list, the city maps of their
/// itineraries, and the timeline chart when the timeline is printed.
fn placed_figures(
    figures: &Figures,
    included: &[&Chapter],
    with_timeline: bool,
) -> HashSet<String> {
    let mut placed = HashSet::new();
    for chapter in included {
        placed.extend(chapter.meta.figures.iter().map(|id| id.get_ref().clone()));
        for index in 0..chapter.meta.itineraries.len() {
            if let Some(id) = figures.itinerary_maps.get(&(chapter.slug.clone(), index)) {
                placed.insert(id.clone());
            }
        }
    }
    if with_timeline && figures.get(figures::TIMELINE_CHART).is_some() {
        placed.insert(figures::TIMELINE_CHART.to_string());
    }
    placed
}
