//! The views both outputs render: the book, its chapters, landmark entries, itineraries,
//! timeline and glossary as templates see them, with Markdown already converted into the
//! output's language by the converter they are built with.

use std::collections::{HashMap, HashSet};

use minijinja::Value;

use crate::escape::Trusted;
use minijinja::value::Serde;
use serde::Serialize;

use crate::content::markdown::{self, Converter, IndexTerms, Origin, Targets};
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
    /// Index marks for the names its caption mentions (Typst), placed inside the figure so
    /// that they float with it.
    pub marks: Value,
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
            marks: Trusted::value(String::new()),
        }
    }

    /// The figure with index marks for what its caption names.
    fn indexed(mut self, converter: &Converter<'_>) -> Self {
        self.marks = Trusted::value(converter.index_marks(&self.caption));
        self
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
            marks: Trusted::value(converter.index_marks(&event.title)),
            date: date::display(event.date.get_ref()),
            year: event.date.get_ref().chars().take(4).collect(),
            decade: decade(event.date.get_ref()),
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

/// Everything the index records where the text names it: people with their other names,
/// places (the landmarks' cities and provinces, and the places of `chapters/index.toml`),
/// landmarks with the other names the index file gives them, and subjects.
pub fn index_terms(book: &Book) -> IndexTerms {
    let mut entries: Vec<(&'static str, String, Vec<String>)> = book
        .people
        .iter()
        .map(|p| ("person", p.name.clone(), p.aliases.clone()))
        .collect();
    for (name, aliases) in places(book) {
        entries.push(("place", name, aliases));
    }
    for landmark in &book.landmarks {
        let aliases = book
            .index
            .landmarks
            .iter()
            .filter(|a| a.id.get_ref() == landmark.id.get_ref())
            .flat_map(|a| a.aliases.iter().cloned())
            .collect();
        entries.push(("landmark", landmark.name.clone(), aliases));
    }
    for term in book.index.terms.iter().filter(|t| t.see.is_none()) {
        entries.push(("subject", term.name.get_ref().clone(), term.aliases.clone()));
    }
    IndexTerms::new(
        entries,
        book.landmarks
            .iter()
            .map(|l| (l.id.get_ref().clone(), l.name.clone())),
    )
}

/// The places of the index with their other names: every city and province a landmark lies
/// in, and the places `chapters/index.toml` adds.
fn places(book: &Book) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut places: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for landmark in &book.landmarks {
        places.entry(landmark.city.clone()).or_default();
        places.entry(landmark.province.clone()).or_default();
    }
    for place in &book.index.places {
        places
            .entry(place.name.get_ref().clone())
            .or_default()
            .extend(place.aliases.iter().cloned());
    }
    places
}

/// One entry of the index as templates see it; the template collects its pages.
#[derive(Debug, Clone, Serialize)]
pub struct IndexEntry {
    /// `kind:term`, as the marks in the text record it.
    pub key: String,
    /// As printed: people with a surname alias are inverted ("Khrushchev, Nikita").
    pub heading: String,
    /// Names in other scripts, or the city of a landmark.
    pub extra: String,
    /// The letter group it is printed under ("A" … "Z", or "0–9").
    pub letter: String,
    /// A cross-entry only: the heading it sends the reader to.
    pub see: Option<String>,
    /// Related entries, `(key, heading)`: printed when they have pages.
    pub see_also: Vec<(String, String)>,
    #[serde(skip)]
    sort: String,
}

/// Every entry the back-of-book index may list, in alphabetical order; the index prints
/// those the text marks (and the cross-entries). `subjects` are the terms `index:` links
/// named, which need no entry in `chapters/index.toml`.
pub fn index_view(book: &Book, subjects: &[String]) -> Vec<IndexEntry> {
    let mut entries: Vec<IndexEntry> = Vec::new();
    for person in &book.people {
        // The name in its own script: Russian for a name the index inverts (a European
        // name), Chinese for the others.
        let heading = inverted(&person.name, &person.aliases);
        let own = if heading != person.name {
            &person.ru
        } else {
            &person.zh
        };
        let extra = own
            .clone()
            .or_else(|| person.zh.clone())
            .unwrap_or_default();
        entries.push(IndexEntry::new("person", &person.name, heading, extra));
    }
    for (name, _) in places(book) {
        entries.push(IndexEntry::new("place", &name, name.clone(), String::new()));
    }
    for landmark in &book.landmarks {
        let extra = landmark.city.clone();
        entries.push(IndexEntry::new(
            "landmark",
            &landmark.name,
            landmark.name.clone(),
            extra,
        ));
    }
    let mut named: Vec<&str> = Vec::new();
    for term in &book.index.terms {
        let name = term.name.get_ref();
        named.push(name);
        let mut entry = IndexEntry::new("subject", name, name.clone(), String::new());
        entry.see = term.see.as_ref().map(|s| s.get_ref().clone());
        entries.push(entry);
    }
    for term in subjects.iter().filter(|t| !named.contains(&t.as_str())) {
        entries.push(IndexEntry::new(
            "subject",
            term,
            term.clone(),
            String::new(),
        ));
    }
    resolve_cross_entries(book, &mut entries);
    entries.sort_by(|a, b| a.sort.cmp(&b.sort).then_with(|| a.key.cmp(&b.key)));
    entries.dedup_by(|a, b| a.key == b.key);
    entries
}

/// "See" and "see also" name entries as editors know them (a person's full name); print
/// them as the index heads them, and find the key of each related entry.
fn resolve_cross_entries(book: &Book, entries: &mut [IndexEntry]) {
    let by_name: HashMap<String, (String, String)> = entries
        .iter()
        .map(|e| {
            let name = e.key.split_once(':').map_or("", |(_, n)| n).to_string();
            (name, (e.key.clone(), e.heading.clone()))
        })
        .collect();
    let also: HashMap<&str, Vec<&str>> = book
        .index
        .terms
        .iter()
        .map(|t| (t.name.get_ref().as_str(), &t.see_also))
        .chain(
            book.index
                .places
                .iter()
                .map(|p| (p.name.get_ref().as_str(), &p.see_also)),
        )
        .map(|(name, list)| (name, list.iter().map(|s| s.get_ref().as_str()).collect()))
        .collect();
    for entry in entries.iter_mut() {
        if let Some(see) = &entry.see {
            entry.see = Some(
                by_name
                    .get(see)
                    .map_or_else(|| see.clone(), |(_, h)| h.clone()),
            );
        }
        let name = entry.key.split_once(':').map_or("", |(_, n)| n);
        if let Some(list) = also.get(name) {
            entry.see_also = list
                .iter()
                .filter_map(|n| by_name.get(*n).cloned())
                .collect();
        }
    }
}

impl IndexEntry {
    /// An entry of `kind` for `term` (as marked), printed as `heading`.
    fn new(kind: &str, term: &str, heading: String, extra: String) -> Self {
        let sort: String = deunicode::deunicode(&heading)
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == ',')
            .collect();
        let letter = match sort.chars().next() {
            Some(c) if c.is_ascii_digit() => "0–9".to_string(),
            Some(c) => c.to_uppercase().to_string(),
            None => String::new(),
        };
        Self {
            key: format!("{kind}:{term}"),
            heading,
            extra,
            letter,
            see: None,
            see_also: Vec::new(),
            sort,
        }
    }
}

/// A name as an index heads it: surname first when the data gives the surname alone as an
/// other name and it is the last word ("Nikita Khrushchev", also "Khrushchev" →
/// "Khrushchev, Nikita"); Chinese names, surname first already, stay as they are.
fn inverted(name: &str, aliases: &[String]) -> String {
    match name.rsplit_once(' ') {
        Some((given, surname)) if aliases.iter().any(|a| a == surname) => {
            format!("{surname}, {given}")
        }
        _ => name.to_string(),
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
    /// The build date, as a book prints a date.
    pub date: String,
    /// The publication date the copyright page prints.
    pub published: String,
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
            // The publication date when the book gives one (access dates in the
            // bibliography must not lie after it), else the build date.
            published: meta
                .published
                .as_ref()
                .map_or_else(|| date.long(), |p| date::display(p.get_ref())),
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
    /// The title without what follows a colon or its dates ("The Split"), for the index's
    /// sub-entries.
    pub short_title: String,
    /// Index marks (Typst) for the names its title, subtitle, period and summary mention.
    pub marks: Value,
    /// Subjects the whole chapter treats (front matter `index`).
    pub index_terms: Vec<String>,
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
        let body = Trusted::value(converter.convert_body(
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
                let title = s.title.get_ref();
                let at = Origin {
                    file,
                    offset: in_meta(s.title.span().start)
                        + leading_quote_len(
                            &file.text[in_meta(s.title.span().start).min(file.text.len())..],
                        ),
                };
                minijinja::context! {
                    kind => Serde(s.kind),
                    label => s.kind.label(),
                    // Plain text where markup cannot go (an attribute, a bookmark) …
                    title => markdown::plain(title),
                    // … and the title with its italics (a film's name) where it can.
                    title_markup => Trusted::value(converter.inline(title, at)),
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
                    marks => Trusted::value(converter.index_marks(&format!("{}\n{}", q.text, q.attribution))),
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
        let opener_text = [
            Some(&meta.title),
            meta.subtitle.as_ref(),
            meta.period.as_ref(),
            meta.summary.as_ref(),
        ]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join("\n");
        Self {
            slug: chapter.slug.clone(),
            label: markdown::chapter_label(&chapter.slug),
            short_title: short_title(&meta.title),
            marks: Trusted::value(converter.index_marks(&opener_text)),
            index_terms: meta.index.iter().map(|t| t.get_ref().clone()).collect(),
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
                        .map(|figure| figure.indexed(converter))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

/// A chapter title as a sub-entry of the index names it: "The Northeast: Shenyang, …" is
/// "The Northeast", "The Split, 1956–1969" is "The Split".
fn short_title(title: &str) -> String {
    let title = title.split(": ").next().unwrap_or(title);
    match title.rsplit_once(", ") {
        Some((head, tail)) if tail.starts_with(|c: char| c.is_ascii_digit()) => head.to_string(),
        _ => title.to_string(),
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
                marks => Trusted::value(converter.index_marks(&landmark.name)),
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
    let marks = converter.index_marks(&format!("{}\n{}", itinerary.title, itinerary.city));
    minijinja::context! {
        title => &itinerary.title,
        marks => Trusted::value(marks),
        city => &itinerary.city,
        mode => Serde(itinerary.mode),
        intro => markup(converter, itinerary.intro.get_ref(), file, in_meta(itinerary.intro.span().start)),
        stops => stops,
        total_km => format_km(total),
        map => Serde(map.map(|m| m.indexed(converter))),
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
    /// Index marks (Typst) for the names its name, city, province, address, dates, designer
    /// and style mention; the template marks the entry itself.
    pub marks: Value,
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
            marks: Trusted::value(
                converter.index_marks(
                    &[
                        l.name.as_str(),
                        &l.city,
                        &l.province,
                        &l.address,
                        &l.built,
                        l.designer.as_deref().unwrap_or(""),
                        &l.style,
                    ]
                    .join("\n"),
                ),
            ),
        }
    }
}

/// The decade of a date, as a heading: "1950s".
fn decade(date: &str) -> String {
    let year: String = date.chars().take(3).collect();
    format!("{year}0s")
}

/// An event of the timeline.
#[derive(Debug, Serialize)]
pub struct EventView {
    pub date: String,
    pub year: String,
    /// The decade it falls in ("1950s"), for the timeline's heads.
    pub decade: String,
    /// Index marks (Typst) for the names its title mentions.
    pub marks: Value,
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
