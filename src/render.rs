//! Merge the book into an edition's Typst templates: one virtual `.typ` file per chapter.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use minijinja::Value;
use serde::Serialize;

use crate::diagnostics::{Diagnostic, Error, Result, SourceFile};
use crate::edition::Edition;
use crate::figures::{self, Figure, Figures};
use crate::markdown::{self, Converter, IndexTerms, Origin, Targets};
use crate::model::{Book, Chapter, Landmark};
use crate::templates::Templates;

/// Path of the generated main file inside the Typst world.
pub const MAIN: &str = "/gen/book.typ";

/// The Typst sources generated for one edition, and where each came from.
#[derive(Debug, Clone)]
pub struct Generated {
    /// `(virtual path, Typst source)` in a stable order.
    pub files: Vec<(String, String)>,
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
    pub templates: Vec<crate::diagnostics::SourceFile>,
}

/// Render every generated Typst file of an edition.
pub fn render_edition(
    root: &Path,
    book: &Book,
    edition: &Edition,
    date: &BookDate,
    figures: &Figures,
) -> Result<Generated> {
    let templates = Templates::new(root, edition.template_dirs.clone());
    let included: Vec<&Chapter> = book
        .chapters()
        .filter(|c| !edition.exclude.contains(&c.slug))
        .collect();
    let mut figure_sink = crate::diagnostics::Sink::default();
    figures::check_placements(book, figures, &mut figure_sink);
    for (id, file, range) in &edition.exclude_figures {
        if figures.get(id).is_none() {
            // A warning, not an error: shipped layouts serve other books with other figures.
            figure_sink.push(
                Diagnostic::warning(format!("this book has no figure `{id}` to leave out"))
                    .at(file, range.clone()),
            );
        }
    }
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
    let mut targets = targets(book, &included, &[]);
    targets.known.insert("figure", known_figures);
    targets.printed.insert("figure", placed.clone());
    let index = IndexTerms::new(
        book.people
            .iter()
            .map(|p| (p.name.as_str(), p.aliases.as_slice())),
        book.landmarks
            .iter()
            .map(|l| (l.id.get_ref().clone(), l.name.clone())),
    );
    let mut converter = Converter::new(&targets, root)
        .with_index(&index)
        .with_min_image_px(edition.min_image_px());
    let views = views(
        book,
        &included,
        &mut converter,
        date,
        Some(figures),
        &|slug| format!("/gen/chapters/{slug}.typ"),
    );
    let book_view = &views.book;
    // Palette entries are Typst colour expressions checked by `edition::parse_colour`.
    let palette: BTreeMap<String, Value> = edition
        .palette
        .iter()
        .map(|(k, v)| (k.clone(), Value::from_safe_string(v.clone())))
        .collect();
    let edition_view = minijinja::context! { palette => palette, ..Value::from_serialize(edition) };
    let mut files = Vec::new();
    let mut origins = HashMap::new();
    let mut diagnostics = Vec::new();
    let mut render = |name: &str,
                      path: String,
                      origin: String,
                      context: Value,
                      out: &mut Vec<(String, String)>| {
        match templates.render(name, &context) {
            Ok(text) => {
                let template = templates
                    .files
                    .get(name)
                    .map_or_else(|| name.to_string(), |f| f.name);
                origins.insert(path.clone(), format!("{template} for {origin}"));
                out.push((path, text));
            }
            Err(error) => diagnostics.extend(error.diagnostics),
        }
    };

    for (chapter, (reference, view)) in included.iter().zip(&views.chapters) {
        let context = minijinja::context! { book => book_view, edition => &edition_view, chapter => Value::from_serialize(view) };
        render(
            "chapter.typ",
            reference.path.clone(),
            chapter.file.name.clone(),
            context,
            &mut files,
        );
    }

    let context = minijinja::context! {
        book => book_view,
        edition => &edition_view,
        front => &views.front,
        parts => &views.parts,
        timeline => &views.timeline,
        glossary => &views.glossary,
        back_matter => &edition.back_matter,
        index => index_view(book, &included),
        timeline_figure => with_timeline.then(|| figures.get(figures::TIMELINE_CHART).map(FigureView::new)).flatten(),
        has_maps => figures.list.iter().any(|f| f.kind == figures::FigureKind::Map && placed.contains(&f.id)),
        has_charts => figures.list.iter().any(|f| f.kind == figures::FigureKind::Chart && placed.contains(&f.id)),
    };
    render(
        "style.typ",
        "/gen/style.typ".into(),
        "the edition's style".into(),
        context.clone(),
        &mut files,
    );
    render(
        "book.typ",
        MAIN.into(),
        "the book".into(),
        context,
        &mut files,
    );

    for figure in figures.list.iter().filter(|f| placed.contains(&f.id)) {
        origins.insert(figure.path(), format!("the generated figure {}", figure.id));
        files.push((figure.path(), figure.drawn.svg.clone()));
    }
    diagnostics.extend(figure_sink.diagnostics);
    diagnostics.extend(converter.take_diagnostics());
    if diagnostics
        .iter()
        .any(|d| d.severity == crate::diagnostics::Severity::Error)
    {
        return Err(Error::from(diagnostics));
    }
    Ok(Generated {
        files,
        origins: Origins {
            files: origins,
            templates: templates.files.all(),
        },
        warnings: diagnostics,
    })
}

/// Everything the templates show, built once from the book with a converter that writes
/// the output's language (Typst or XHTML).
pub(crate) struct Views {
    pub book: BookView,
    /// Each included chapter, in reading order.
    pub chapters: Vec<(ChapterRef, ChapterView)>,
    pub front: Vec<ChapterRef>,
    pub parts: Vec<PartView>,
    pub timeline: Vec<EventView>,
    pub glossary: Vec<Value>,
}

/// Build the views of the `included` chapters, the parts, the timeline and the glossary.
/// `path_of` names the generated file of a chapter from its slug.
pub(crate) fn views(
    book: &Book,
    included: &[&Chapter],
    converter: &mut Converter<'_>,
    date: &BookDate,
    figures: Option<&Figures>,
    path_of: &dyn Fn(&str) -> String,
) -> Views {
    let mut chapter_number = 0;
    let mut numbers = HashMap::new();
    for part in &book.parts {
        for chapter in &part.chapters {
            if included.iter().any(|c| c.slug == chapter.slug) {
                chapter_number += 1;
                numbers.insert(chapter.slug.clone(), chapter_number);
            }
        }
    }
    let mut chapters = Vec::new();
    let mut chapter_refs = HashMap::new();
    for chapter in included {
        converter.restart_notes();
        let view = ChapterView::new(
            chapter,
            numbers.get(&chapter.slug).copied(),
            book,
            figures,
            converter,
        );
        let reference = ChapterRef {
            slug: chapter.slug.clone(),
            title: chapter.meta.title.clone(),
            path: path_of(&chapter.slug),
            number: view.number,
        };
        chapter_refs.insert(chapter.slug.clone(), reference.clone());
        chapters.push((reference, view));
    }
    let front: Vec<ChapterRef> = book
        .front
        .iter()
        .filter_map(|c| chapter_refs.get(&c.slug).cloned())
        .collect();
    let parts: Vec<PartView> = book
        .parts
        .iter()
        .enumerate()
        .map(|(i, part)| PartView {
            number: i + 1,
            roman: roman(i + 1),
            title: part.title.clone(),
            summary: part.summary.clone(),
            chapters: part
                .chapters
                .iter()
                .filter_map(|c| chapter_refs.get(&c.slug).cloned())
                .collect(),
        })
        .filter(|p| !p.chapters.is_empty())
        .collect();
    converter.restart_notes();
    let timeline: Vec<EventView> = book
        .events
        .iter()
        .map(|event| EventView {
            date: display_date(event.date.get_ref()),
            year: event.date.get_ref().chars().take(4).collect(),
            title: event.title.clone(),
            text: markup(
                converter,
                event.text.get_ref(),
                &book.timeline_file,
                event.text.span().start,
            ),
            cites: cites(converter, &event.sources),
            sources: event.sources.iter().map(|s| s.get_ref().clone()).collect(),
        })
        .collect();
    let mut glossary: Vec<&crate::model::Term> = book.glossary.iter().collect();
    glossary.sort_by_key(|t| t.en.to_lowercase());
    let glossary: Vec<Value> = glossary
        .into_iter()
        .map(|t| minijinja::context! { en => &t.en, zh => &t.zh, pinyin => &t.pinyin, ru => &t.ru, note => &t.note })
        .collect();
    Views {
        book: BookView::new(book, date),
        chapters,
        front,
        parts,
        timeline,
        glossary,
    }
}

/// The entries the back-of-book index may list, sorted; the index prints those the text
/// actually marks, with their pages.
fn index_view(book: &Book, included: &[&Chapter]) -> Value {
    let sort_key = |s: &str| s.to_lowercase();
    let mut people: Vec<Value> = book
        .people
        .iter()
        .map(|p| {
            let extra = [p.zh.as_deref(), p.ru.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · ");
            minijinja::context! { term => &p.name, extra => extra }
        })
        .collect();
    people.sort_by_key(|v| {
        sort_key(
            &v.get_attr("term")
                .map(|t| t.to_string())
                .unwrap_or_default(),
        )
    });
    let printed: HashSet<&str> = included
        .iter()
        .flat_map(|c| c.meta.landmarks.iter().map(|l| l.get_ref().as_str()))
        .collect();
    let mut landmarks: Vec<(&str, String)> = book
        .landmarks
        .iter()
        .filter(|l| printed.contains(l.id.get_ref().as_str()))
        .map(|l| (l.name.as_str(), format!("{} · {}", l.name_zh, l.city)))
        .collect();
    landmarks.sort_by_key(|(name, _)| sort_key(name));
    let mut places: Vec<&str> = book.landmarks.iter().map(|l| l.city.as_str()).collect();
    places.sort_by_key(|p| sort_key(p));
    places.dedup();
    minijinja::context! {
        people => people,
        landmarks => landmarks.into_iter().map(|(term, extra)| minijinja::context! { term => term, extra => extra }).collect::<Vec<_>>(),
        places => places.into_iter().map(|term| minijinja::context! { term => term, extra => "" }).collect::<Vec<_>>(),
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

/// A figure as templates see it.
#[derive(Debug, Clone, Serialize)]
struct FigureView {
    id: String,
    label: String,
    path: String,
    kind: &'static str,
    supplement: &'static str,
    caption: String,
    alt: String,
}

impl FigureView {
    fn new(figure: &Figure) -> Self {
        Self {
            id: figure.id.clone(),
            label: markdown::figure_label(&figure.id),
            path: figure.path(),
            kind: figure.kind.name(),
            supplement: figure.kind.supplement(),
            caption: figure.caption.clone(),
            alt: figure.alt.clone(),
        }
    }
}

/// Citations of a list of bibliography keys, pre-written in the converter's language.
fn cites(converter: &mut Converter<'_>, keys: &[toml::Spanned<String>]) -> Vec<Value> {
    keys.iter()
        .map(|k| Value::from_safe_string(converter.cite(k.get_ref())))
        .collect()
}

/// Link targets known in the data and printed in this edition.
pub(crate) fn targets(book: &Book, included: &[&Chapter], figures: &[String]) -> Targets {
    let mut targets = Targets::default();
    let all_landmarks: HashSet<String> = book
        .landmarks
        .iter()
        .map(|l| l.id.get_ref().clone())
        .collect();
    let printed_landmarks: HashSet<String> = included
        .iter()
        .flat_map(|c| c.meta.landmarks.iter().map(|l| l.get_ref().clone()))
        .collect();
    targets.known.insert("landmark", all_landmarks);
    targets.printed.insert("landmark", printed_landmarks);
    targets
        .known
        .insert("chapter", book.chapters().map(|c| c.slug.clone()).collect());
    targets
        .printed
        .insert("chapter", included.iter().map(|c| c.slug.clone()).collect());
    let figures: HashSet<String> = figures.iter().cloned().collect();
    targets.known.insert("figure", figures.clone());
    targets.printed.insert("figure", figures);
    let keys: HashSet<String> = book
        .bibliography
        .iter()
        .flat_map(|b| b.keys.iter().cloned())
        .collect();
    targets.printed.insert("cite", keys.clone());
    targets.known.insert("cite", keys);
    targets
}

/// Convert a Markdown field to a pre-escaped Typst value.
fn markup(converter: &mut Converter<'_>, text: &str, file: &SourceFile, offset: usize) -> Value {
    // A TOML multi-line string starts after its opening quotes and a newline; the span
    // covers the quotes, so point at the first content line.
    let offset = offset + leading_quote_len(&file.text[offset.min(file.text.len())..]);
    Value::from_safe_string(converter.convert(text, Origin { file, offset }))
}

fn leading_quote_len(rest: &str) -> usize {
    if rest.starts_with("\"\"\"\n") || rest.starts_with("'''\n") {
        4
    } else if rest.starts_with("\"\"\"") || rest.starts_with("'''") {
        3
    } else if rest.starts_with('"') || rest.starts_with('\'') {
        1
    } else {
        0
    }
}

/// The date a build is made, for the copyright page and metadata.
#[derive(Debug, Clone, Copy)]
pub struct BookDate {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

#[derive(Debug, Serialize)]
pub(crate) struct BookView {
    pub(crate) title: String,
    pub(crate) subtitle: Option<String>,
    pub(crate) authors: Vec<String>,
    pub(crate) authors_line: String,
    pub(crate) language: String,
    pub(crate) identifier: String,
    pub(crate) publisher: String,
    pub(crate) rights: String,
    pub(crate) description: String,
    pub(crate) keywords: Vec<String>,
    pub(crate) credits: Vec<String>,
    pub(crate) year: i32,
    pub(crate) date: String,
    pub(crate) bibliography: Option<String>,
    pub(crate) citation_style: String,
}

impl BookView {
    fn new(book: &Book, date: &BookDate) -> Self {
        let meta = &book.meta;
        Self {
            title: meta.title.clone(),
            subtitle: meta.subtitle.clone(),
            authors: meta.authors.clone(),
            authors_line: join_names(&meta.authors),
            language: meta.language.clone(),
            identifier: meta.identifier.clone(),
            publisher: meta.publisher.clone(),
            rights: meta.rights.clone(),
            description: meta.description.clone(),
            keywords: meta.keywords.clone(),
            credits: meta.credits.clone(),
            year: date.year,
            date: format!(
                "{} {} {}",
                date.day,
                month_name(date.month as usize),
                date.year
            ),
            bibliography: book.bibliography.as_ref().map(|b| format!("/{}", b.path)),
            citation_style: meta.citation_style.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ChapterRef {
    pub(crate) slug: String,
    pub(crate) title: String,
    pub(crate) path: String,
    pub(crate) number: Option<usize>,
}

#[derive(Debug, Serialize)]
pub(crate) struct PartView {
    pub(crate) number: usize,
    pub(crate) roman: String,
    pub(crate) title: String,
    pub(crate) summary: Option<String>,
    pub(crate) chapters: Vec<ChapterRef>,
}

#[derive(Debug, Serialize)]
pub(crate) struct ChapterView {
    pub(crate) slug: String,
    pub(crate) label: String,
    pub(crate) number: Option<usize>,
    pub(crate) title: String,
    pub(crate) subtitle: Option<String>,
    pub(crate) period: Option<String>,
    pub(crate) summary: Option<String>,
    pub(crate) body: Value,
    pub(crate) sidebars: Vec<Value>,
    pub(crate) quotes: Vec<Value>,
    pub(crate) landmarks: Vec<LandmarkView>,
    pub(crate) itineraries: Vec<Value>,
    pub(crate) sources: Vec<String>,
    pub(crate) source_cites: Vec<Value>,
    /// Figures the chapter's front matter places (PDF editions).
    figures: Vec<FigureView>,
}

impl ChapterView {
    fn new(
        chapter: &Chapter,
        number: Option<usize>,
        book: &Book,
        figures: Option<&Figures>,
        converter: &mut Converter<'_>,
    ) -> Self {
        let file = &chapter.file;
        let meta = &chapter.meta;
        let in_meta = |offset: usize| offset + chapter.meta_offset;
        let body = Value::from_safe_string(converter.convert(
            &chapter.body,
            Origin {
                file,
                offset: chapter.body_offset,
            },
        ));
        let sidebars = meta
            .sidebars
            .iter()
            .map(|s| {
                minijinja::context! {
                    kind => s.kind,
                    label => s.kind.label(),
                    title => &s.title,
                    text => markup(converter, s.text.get_ref(), file, in_meta(s.text.span().start)),
                }
            })
            .collect();
        let quotes = meta
            .quotes
            .iter()
            .map(|q| {
                minijinja::context! {
                    text => &q.text,
                    attribution => &q.attribution,
                    source => q.source.as_ref().map(|s| s.get_ref().clone()),
                    cite => q.source.as_ref().map(|s| Value::from_safe_string(converter.cite(s.get_ref()))),
                }
            })
            .collect();
        let landmarks: Vec<LandmarkView> = meta
            .landmarks
            .iter()
            .filter_map(|id| book.landmark(id.get_ref()))
            .map(|l| LandmarkView::new(l, book, converter))
            .collect();
        let itineraries = meta
            .itineraries
            .iter()
            .enumerate()
            .map(|(index, itinerary)| {
                let map = figures.and_then(|figures| {
                    figures
                        .itinerary_maps
                        .get(&(chapter.slug.clone(), index))
                        .and_then(|id| figures.get(id))
                        .map(FigureView::new)
                });
                let mut total = 0.0;
                let stops: Vec<Value> = itinerary
                    .stops
                    .iter()
                    .enumerate()
                    .filter_map(|(i, stop)| {
                        let landmark = book.landmark(stop.landmark.get_ref())?;
                        total += stop.distance_km.unwrap_or(0.0);
                        Some(minijinja::context! {
                            number => i + 1,
                            id => landmark.id.get_ref(),
                            label => markdown::landmark_label(landmark.id.get_ref()),
                            printed => meta.landmarks.iter().any(|l| l.get_ref() == landmark.id.get_ref()),
                            name => &landmark.name,
                            name_zh => &landmark.name_zh,
                            distance_km => stop.distance_km.map(format_km),
                            note => markup(converter, stop.note.get_ref(), file, in_meta(stop.note.span().start)),
                        })
                    })
                    .collect();
                minijinja::context! {
                    title => &itinerary.title,
                    city => &itinerary.city,
                    mode => itinerary.mode,
                    intro => markup(converter, itinerary.intro.get_ref(), file, in_meta(itinerary.intro.span().start)),
                    stops => stops,
                    total_km => format_km(total),
                    map => map,
                }
            })
            .collect();
        Self {
            slug: chapter.slug.clone(),
            label: markdown::chapter_label(&chapter.slug),
            number,
            title: meta.title.clone(),
            subtitle: meta.subtitle.clone(),
            period: meta.period.clone(),
            summary: meta.summary.clone(),
            body,
            sidebars,
            quotes,
            landmarks,
            itineraries,
            sources: meta.sources.iter().map(|s| s.get_ref().clone()).collect(),
            source_cites: cites(converter, &meta.sources),
            figures: figures
                .map(|figures| {
                    meta.figures
                        .iter()
                        .filter_map(|id| figures.get(id.get_ref()))
                        .map(FigureView::new)
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct LandmarkView {
    pub(crate) id: String,
    pub(crate) label: String,
    pub(crate) name: String,
    pub(crate) name_zh: String,
    pub(crate) pinyin: String,
    pub(crate) name_ru: Option<String>,
    pub(crate) city: String,
    pub(crate) province: String,
    pub(crate) lat: f64,
    pub(crate) lon: f64,
    pub(crate) coordinates: String,
    pub(crate) precision: crate::model::Precision,
    pub(crate) built: String,
    pub(crate) designer: Option<String>,
    pub(crate) style: String,
    pub(crate) status: &'static str,
    pub(crate) address: String,
    pub(crate) visiting: Value,
    pub(crate) description: Value,
    pub(crate) sources: Vec<String>,
    pub(crate) cites: Vec<Value>,
}

impl LandmarkView {
    fn new(l: &Landmark, book: &Book, converter: &mut Converter<'_>) -> Self {
        let file = &book.landmarks_file;
        let lat = *l.lat.get_ref();
        let lon = *l.lon.get_ref();
        Self {
            id: l.id.get_ref().clone(),
            label: markdown::landmark_label(l.id.get_ref()),
            name: l.name.clone(),
            name_zh: l.name_zh.clone(),
            pinyin: l.pinyin.clone(),
            name_ru: l.name_ru.clone(),
            city: l.city.clone(),
            province: l.province.clone(),
            lat,
            lon,
            coordinates: format!(
                "{:.4}° {}, {:.4}° {}",
                lat.abs(),
                if lat >= 0.0 { "N" } else { "S" },
                lon.abs(),
                if lon >= 0.0 { "E" } else { "W" }
            ),
            precision: l.precision,
            built: l.built.clone(),
            designer: l.designer.clone(),
            style: l.style.clone(),
            status: l.status.name(),
            address: l.address.clone(),
            visiting: markup(
                converter,
                l.visiting.get_ref(),
                file,
                l.visiting.span().start,
            ),
            description: markup(
                converter,
                l.description.get_ref(),
                file,
                l.description.span().start,
            ),
            sources: l.sources.iter().map(|s| s.get_ref().clone()).collect(),
            cites: cites(converter, &l.sources),
        }
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct EventView {
    pub(crate) date: String,
    pub(crate) year: String,
    pub(crate) title: String,
    pub(crate) text: Value,
    pub(crate) sources: Vec<String>,
    pub(crate) cites: Vec<Value>,
}

fn format_km(km: f64) -> String {
    format!("{km:.1}")
}

fn join_names(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn month_name(month: usize) -> &'static str {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    MONTHS.get(month.wrapping_sub(1)).copied().unwrap_or("")
}

/// `1950-02-14` → `14 February 1950`; `1950-02` → `February 1950`; `1950` stays.
pub fn display_date(date: &str) -> String {
    let parts: Vec<&str> = date.split('-').collect();
    match parts.as_slice() {
        [y, m, d] => format!(
            "{} {} {y}",
            d.trim_start_matches('0'),
            month_name(m.parse().unwrap_or(0))
        ),
        [y, m] => format!("{} {y}", month_name(m.parse().unwrap_or(0))),
        _ => date.to_string(),
    }
}

fn roman(n: usize) -> String {
    const TABLE: [(usize, &str); 9] = [
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut n = n;
    let mut out = String::new();
    for (value, letters) in TABLE {
        while n >= value {
            out.push_str(letters);
            n -= value;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_like_a_book() {
        assert_eq!(display_date("1950-02-14"), "14 February 1950");
        assert_eq!(display_date("1960-07"), "July 1960");
        assert_eq!(display_date("1969"), "1969");
        assert_eq!(roman(4), "IV");
        assert_eq!(
            join_names(&["A".into(), "B".into(), "C".into()]),
            "A, B and C"
        );
    }
}
