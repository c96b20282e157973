//! The views both outputs render: the book, its chapters, landmark entries, itineraries,
//! timeline and glossary as templates see them, with Markdown already converted into the
//! output's language by the converter they are built with.

use std::collections::{HashMap, HashSet};

use minijinja::Value;

use crate::escape::Trusted;
use minijinja::value::Serde;
use serde::Serialize;

use crate::content::markdown::{self, Converter, Origin, Targets};
use crate::content::model::{Book, Chapter, FigureKind, Itinerary, Landmark, Precision, Term};
use crate::date::{self, BuildDate};
use crate::diagnostics::SourceFile;

/// A figure as templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct FigureRef {
    pub id: String,
    /// Label of the figure in the Typst document and its id in the XHTML.
    pub label: String,
    /// Path of its drawing inside the Typst world.
    pub path: String,
    pub kind: &'static str,
    pub supplement: &'static str,
    pub caption: String,
    pub alt: String,
    /// Its number among the figures of its kind, where an output numbers them itself.
    pub number: Option<usize>,
}

impl FigureRef {
    /// The reference to a figure of this id, kind, caption and alt text.
    pub fn new(id: &str, kind: FigureKind, caption: &str, alt: &str) -> Self {
        Self {
            id: id.to_string(),
            label: markdown::figure_label(id),
            path: format!("/gen/figures/{id}.svg"),
            kind: kind.name(),
            supplement: kind.supplement(),
            caption: caption.to_string(),
            alt: alt.to_string(),
            number: None,
        }
    }
}

/// The figures views may place: the figure catalogue implements it, so that content knows
/// figures by id without knowing how they are drawn.
pub trait FigureCatalogue {
    /// The figure with this id.
    fn figure(&self, id: &str) -> Option<FigureRef>;
    /// The city map of a chapter's itinerary, by the itinerary's index in the chapter.
    fn itinerary_map(&self, chapter: &str, index: usize) -> Option<FigureRef>;
}

/// Everything the templates show, built once from the book with a converter that writes
/// the output's language (Typst or XHTML).
pub struct Views {
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
pub fn views(
    book: &Book,
    included: &[&Chapter],
    converter: &mut Converter<'_>,
    date: &BuildDate,
    figures: Option<&dyn FigureCatalogue>,
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
            date: date::display(event.date.get_ref()),
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
    let mut glossary: Vec<&Term> = book.glossary.iter().collect();
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
pub fn index_view(book: &Book, included: &[&Chapter]) -> Value {
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

/// Citations of a list of bibliography keys, pre-written in the converter's language.
fn cites(converter: &mut Converter<'_>, keys: &[toml::Spanned<String>]) -> Vec<Value> {
    keys.iter()
        .map(|k| Trusted::value(converter.cite(k.get_ref())))
        .collect()
}

/// Link targets known in the data and printed in this edition.
pub fn targets(book: &Book, included: &[&Chapter], figures: &[String]) -> Targets {
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
    Trusted::value(converter.convert(text, Origin { file, offset }))
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

#[derive(Debug, Serialize)]
pub struct BookView {
    pub title: String,
    pub subtitle: Option<String>,
    pub authors: Vec<String>,
    pub authors_line: String,
    pub language: String,
    pub identifier: String,
    pub publisher: String,
    pub rights: String,
    pub description: String,
    pub keywords: Vec<String>,
    pub credits: Vec<String>,
    pub year: i32,
    pub date: String,
    pub bibliography: Option<String>,
    pub citation_style: String,
    /// The ISBN as the editor wrote it (with its hyphens), and as thirteen digits.
    pub isbn: Option<String>,
    pub isbn_digits: Option<String>,
    pub imprint: Option<String>,
    pub edition_statement: Option<String>,
    pub printing: Option<String>,
    pub printer: Option<String>,
    /// The back cover's paragraphs.
    pub blurb: Vec<String>,
}

impl BookView {
    /// The book's metadata as templates see it, dated `date`.
    pub fn new(book: &Book, date: &BuildDate) -> Self {
        let meta = &book.meta;
        Self {
            title: meta.title.clone(),
            subtitle: meta.subtitle.clone(),
            authors: meta.authors.clone(),
            authors_line: join_names(&meta.authors),
            language: meta.language.get_ref().clone(),
            identifier: meta.identifier.get_ref().clone(),
            publisher: meta.publisher.clone(),
            rights: meta.rights.clone(),
            description: meta.description.clone(),
            keywords: meta.keywords.clone(),
            credits: meta.credits.clone(),
            year: date.day().year(),
            date: date.long(),
            bibliography: book.bibliography.as_ref().map(|b| format!("/{}", b.path)),
            citation_style: meta.citation_style.get_ref().clone(),
            isbn: meta.isbn.as_ref().map(|i| i.get_ref().trim().to_string()),
            isbn_digits: meta
                .isbn
                .as_ref()
                .and_then(|i| crate::content::isbn::Isbn13::parse(i.get_ref()).ok())
                .map(|i| i.to_string()),
            imprint: meta.imprint.clone(),
            edition_statement: meta.edition_statement.clone(),
            printing: meta.printing.clone(),
            printer: meta.printer.clone(),
            blurb: meta
                .blurb
                .as_deref()
                .unwrap_or("")
                .split("\n\n")
                .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|p| !p.is_empty())
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ChapterRef {
    pub slug: String,
    pub title: String,
    pub path: String,
    pub number: Option<usize>,
}

#[derive(Debug, Serialize)]
pub struct PartView {
    pub number: usize,
    pub roman: String,
    pub title: String,
    pub summary: Option<String>,
    pub chapters: Vec<ChapterRef>,
}

#[derive(Debug, Serialize)]
pub struct ChapterView {
    pub slug: String,
    pub label: String,
    pub number: Option<usize>,
    pub title: String,
    pub subtitle: Option<String>,
    pub period: Option<String>,
    pub summary: Option<String>,
    pub body: Value,
    pub sidebars: Vec<Value>,
    pub quotes: Vec<Value>,
    pub landmarks: Vec<LandmarkView>,
    pub itineraries: Vec<Value>,
    pub sources: Vec<String>,
    pub source_cites: Vec<Value>,
    /// Figures the chapter's front matter places (PDF editions).
    figures: Vec<FigureRef>,
}

impl ChapterView {
    fn new(
        chapter: &Chapter,
        number: Option<usize>,
        book: &Book,
        figures: Option<&dyn FigureCatalogue>,
        converter: &mut Converter<'_>,
    ) -> Self {
        let file = &chapter.file;
        let meta = &chapter.meta;
        let in_meta = |offset: usize| offset + chapter.meta_offset;
        let body = Trusted::value(converter.convert(
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
                    kind => Serde(s.kind),
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
                    cite => q.source.as_ref().map(|s| Trusted::value(converter.cite(s.get_ref()))),
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
                let map = figures.and_then(|f| f.itinerary_map(&chapter.slug, index));
                itinerary_view(chapter, itinerary, map, book, converter)
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
                        .filter_map(|id| figures.figure(id.get_ref()))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

/// An itinerary with its stops, their distances and its city map.
fn itinerary_view(
    chapter: &Chapter,
    itinerary: &Itinerary,
    map: Option<FigureRef>,
    book: &Book,
    converter: &mut Converter<'_>,
) -> Value {
    let file = &chapter.file;
    let in_meta = |offset: usize| offset + chapter.meta_offset;
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
                printed => chapter.meta.landmarks.iter().any(|l| l.get_ref() == landmark.id.get_ref()),
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
        mode => Serde(itinerary.mode),
        intro => markup(converter, itinerary.intro.get_ref(), file, in_meta(itinerary.intro.span().start)),
        stops => stops,
        total_km => format_km(total),
        map => Serde(map),
    }
}

#[derive(Debug, Serialize)]
pub struct LandmarkView {
    pub id: String,
    pub label: String,
    pub name: String,
    pub name_zh: String,
    pub pinyin: String,
    pub name_ru: Option<String>,
    pub city: String,
    pub province: String,
    pub lat: f64,
    pub lon: f64,
    pub coordinates: String,
    pub precision: Precision,
    pub built: String,
    pub designer: Option<String>,
    pub style: String,
    pub status: &'static str,
    pub address: String,
    pub visiting: Value,
    pub description: Value,
    pub sources: Vec<String>,
    pub cites: Vec<Value>,
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
pub struct EventView {
    pub date: String,
    pub year: String,
    pub title: String,
    pub text: Value,
    pub sources: Vec<String>,
    pub cites: Vec<Value>,
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
    fn names_and_numbers_read_like_a_book() {
        assert_eq!(roman(4), "IV");
        assert_eq!(
            join_names(&["A".into(), "B".into(), "C".into()]),
            "A, B and C"
        );
    }
}
