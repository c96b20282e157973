//! Every value an editor can get wrong, checked after loading and reported at its file, line
//! and column: ids and references, coordinates, dates, distances, names, the book's metadata.

use std::collections::HashSet;

use toml::Spanned;

use crate::content::load::{is_id, span_of};
use crate::content::model::{Book, Chapter, Landmark};
use crate::date;
use crate::diagnostics::{Diagnostic, Sink, SourceFile};

/// Longest single-line text field (titles, names): PDF metadata strings and bookmarks
/// must stay far below the format's limits.
const MAX_LINE_CHARS: usize = 1000;

/// Longest stop list of an itinerary; a walk longer than this is a list, not a route.
const MAX_STOPS: usize = 40;

/// Check the whole book: metadata, ids, references, values.
pub fn check_book(book: &Book, sink: &mut Sink) {
    check_meta(book, sink);
    check_people(book, sink);
    let keys = Keys::of(book);
    check_railways(book, &keys, sink);
    if let Some((projects, file)) = &book.projects {
        keys.check_all(&projects.sources, file, 0, sink);
    }
    check_landmarks(book, &keys, sink);
    check_timeline(book, &keys, sink);
    check_index(book, sink);
    check_published(book, sink);
    for chapter in book.chapters() {
        check_chapter(book, chapter, &keys, sink);
    }
    check_printed_once(book, sink);
}

/// A landmark entry is printed by one chapter: its label (and its page) must be unique.
fn check_printed_once(book: &Book, sink: &mut Sink) {
    let mut printed: std::collections::HashMap<&str, &str> = Default::default();
    for chapter in book.chapters() {
        for id in &chapter.meta.landmarks {
            if let Some(first) = printed.insert(id.get_ref(), &chapter.slug) {
                sink.push(
                    Diagnostic::error(format!(
                        "landmark `{}` is already printed by chapter `{first}`",
                        id.get_ref()
                    ))
                    .at(&chapter.file, span_of(id, chapter.meta_offset))
                    .with_note("an entry is printed once; link to it elsewhere with [its name](landmark:ID)"),
                );
            }
        }
    }
}

/// The bibliography keys a source list may name.
struct Keys<'a>(HashSet<&'a str>);

impl<'a> Keys<'a> {
    fn of(book: &'a Book) -> Self {
        Self(
            book.bibliography
                .iter()
                .flat_map(|b| b.keys.iter().map(String::as_str))
                .collect(),
        )
    }

    /// Report a key that is not in the bibliography, at its place in `file`.
    fn check(&self, key: &Spanned<String>, file: &SourceFile, offset: usize, sink: &mut Sink) {
        if !self.0.contains(key.get_ref().as_str()) {
            sink.push(
                Diagnostic::error(format!("unknown bibliography key `{}`", key.get_ref()))
                    .at(file, span_of(key, offset))
                    .with_note("every source must be an entry of the bibliography file"),
            );
        }
    }

    fn check_all(
        &self,
        keys: &[Spanned<String>],
        file: &SourceFile,
        offset: usize,
        sink: &mut Sink,
    ) {
        for key in keys {
            self.check(key, file, offset, sink);
        }
    }
}

fn check_railways(book: &Book, keys: &Keys<'_>, sink: &mut Sink) {
    let Some((railways, file)) = &book.railways else {
        return;
    };
    for line in &railways.lines {
        keys.check_all(&line.sources, file, 0, sink);
        if !railways
            .networks
            .iter()
            .any(|n| n.id.get_ref() == line.network.get_ref())
        {
            sink.push(
                Diagnostic::error(format!(
                    "unknown railway network `{}`",
                    line.network.get_ref()
                ))
                .at(file, span_of(&line.network, 0))
                .with_note("name a network of the file's [[network]] tables"),
            );
        }
        if line.stations.len() < 2 {
            sink.push(
                Diagnostic::error("a railway line needs at least two stations")
                    .at(file, span_of(&line.id, 0)),
            );
        }
        for station in &line.stations {
            check_position(&station.lat, &station.lon, file, sink);
        }
    }
}

fn check_landmarks(book: &Book, keys: &Keys<'_>, sink: &mut Sink) {
    let mut ids = HashSet::new();
    let lf = &book.landmarks_file;
    for landmark in &book.landmarks {
        let id = landmark.id.get_ref();
        if !is_id(id) {
            sink.push(
                Diagnostic::error(format!(
                    "landmark id `{id}` must be lowercase letters, digits and hyphens"
                ))
                .at(lf, span_of(&landmark.id, 0)),
            );
        }
        if !ids.insert(id.as_str()) {
            sink.push(
                Diagnostic::error(format!("duplicate landmark id `{id}`"))
                    .at(lf, span_of(&landmark.id, 0)),
            );
        }
        check_coordinates(landmark, lf, sink);
        check_line("landmark name", &landmark.name, lf, sink);
        if landmark.sources.is_empty() {
            sink.push(
                Diagnostic::error(format!("landmark `{id}` names no sources"))
                    .at(lf, span_of(&landmark.id, 0)),
            );
        }
        keys.check_all(&landmark.sources, lf, 0, sink);
    }
}

fn check_timeline(book: &Book, keys: &Keys<'_>, sink: &mut Sink) {
    let tf = &book.timeline_file;
    for event in &book.events {
        if !date::is_valid(event.date.get_ref()) {
            sink.push(
                Diagnostic::error(format!(
                    "`{}` is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD (a day that exists)",
                    event.date.get_ref()
                ))
                .at(tf, span_of(&event.date, 0)),
            );
        }
        keys.check_all(&event.sources, tf, 0, sink);
    }
}

/// `book.toml`: an output name that stays in the output folder, an identifier that is an
/// ISBN or a UUID, a real language tag and citation style, text fields of sane length.
fn check_meta(book: &Book, sink: &mut Sink) {
    let meta = &book.meta;
    let file = &book.meta_file;
    let slug = meta.slug.get_ref();
    if !is_id(slug) || slug.len() > 64 {
        sink.push(
            Diagnostic::error(format!(
                "slug `{slug}` must be 1 to 64 lowercase letters, digits and hyphens: it names the output files"
            ))
            .at(file, span_of(&meta.slug, 0)),
        );
    }
    if let Err(problem) = check_identifier(meta.identifier.get_ref()) {
        sink.push(
            Diagnostic::error(problem)
                .at(file, span_of(&meta.identifier, 0))
                .with_note("write an ISBN-13 (978-…) or urn:uuid: followed by a UUID"),
        );
    }
    if let Some(isbn) = &meta.isbn
        && let Err(problem) = crate::content::isbn::Isbn13::parse(isbn.get_ref())
    {
        sink.push(Diagnostic::error(format!("isbn: {problem}")).at(file, span_of(isbn, 0)));
    }
    let language = meta.language.get_ref();
    if icu_locale_core::LanguageIdentifier::try_from_str(language).is_err() || language.is_empty() {
        sink.push(
            Diagnostic::error(format!("`{language}` is not a BCP 47 language tag"))
                .at(file, span_of(&meta.language, 0))
                .with_note("for example en, en-GB, zh-Hans, ru"),
        );
    }
    let style = meta.citation_style.get_ref();
    if hayagriva::archive::ArchivedStyle::by_name(style).is_none() {
        sink.push(
            Diagnostic::error(format!(
                "citation_style `{style}` is not a style Typst and hayagriva know"
            ))
            .at(file, span_of(&meta.citation_style, 0))
            .with_note(
                "for example chicago-author-date, chicago-notes, apa, harvard-cite-them-right",
            ),
        );
    }
    for (what, text) in [
        ("title", Some(&meta.title)),
        ("subtitle", meta.subtitle.as_ref()),
    ] {
        if let Some(text) = text {
            check_line(what, text, file, sink);
        }
    }
    if meta.authors.iter().any(|a| a.trim().is_empty()) || meta.authors.is_empty() {
        sink.push(
            Diagnostic::error("the book needs its authors, each a non-empty name").in_file(file),
        );
    }
}

/// A single-line text field: not empty, not longer than [`MAX_LINE_CHARS`].
fn check_line(what: &str, text: &str, file: &SourceFile, sink: &mut Sink) {
    let chars = text.chars().count();
    if text.trim().is_empty() || chars > MAX_LINE_CHARS {
        let at = file
            .text
            .find(text)
            .map_or(0..0, |i| i..i + text.len().min(80));
        sink.push(
            Diagnostic::error(format!(
                "the {what} must be 1 to {MAX_LINE_CHARS} characters, not {chars}"
            ))
            .at(file, at),
        );
    }
}

/// An ISBN-13 with a right check digit, or `urn:uuid:` with a UUID.
fn check_identifier(identifier: &str) -> Result<(), String> {
    if let Some(uuid) = identifier.strip_prefix("urn:uuid:") {
        let groups: Vec<&str> = uuid.split('-').collect();
        let lengths: Vec<usize> = groups.iter().map(|g| g.len()).collect();
        let hex = groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()));
        return (lengths == [8, 4, 4, 4, 12] && hex)
            .then_some(())
            .ok_or_else(|| format!("`{uuid}` is not a UUID"));
    }
    if crate::content::isbn::Isbn13::looks_like(identifier) {
        return crate::content::isbn::Isbn13::parse(identifier)
            .map(|_| ())
            .map_err(|e| format!("identifier `{identifier}`: {e}"));
    }
    Err(format!(
        "identifier `{identifier}` is neither an ISBN-13 nor urn:uuid:…"
    ))
}

/// People the index lists: a name, and aliases that are not empty.
fn check_people(book: &Book, sink: &mut Sink) {
    let Some(file) = &book.people_file else {
        return;
    };
    for person in &book.people {
        if person.name.trim().is_empty() || person.aliases.iter().any(|a| a.trim().is_empty()) {
            let at = file
                .text
                .find(&format!("name = \"{}\"", person.name))
                .map_or(0..0, |i| i..i + 6);
            sink.push(
                Diagnostic::error(
                    "a person needs a name, and every alias must be a non-empty name",
                )
                .at(file, at),
            );
        }
    }
}

fn check_chapter(book: &Book, chapter: &Chapter, keys: &Keys<'_>, sink: &mut Sink) {
    check_itineraries(chapter, sink);
    check_line("chapter title", &chapter.meta.title, &chapter.file, sink);
    let offset = chapter.meta_offset;
    let check_landmark = |id: &Spanned<String>, sink: &mut Sink| {
        if book.landmark(id.get_ref()).is_none() {
            sink.push(
                Diagnostic::error(format!("unknown landmark `{}`", id.get_ref()))
                    .at(&chapter.file, span_of(id, offset)),
            );
        }
    };
    for id in &chapter.meta.landmarks {
        check_landmark(id, sink);
    }
    for itinerary in &chapter.meta.itineraries {
        for stop in &itinerary.stops {
            check_landmark(&stop.landmark, sink);
        }
    }
    keys.check_all(&chapter.meta.sources, &chapter.file, offset, sink);
    for quote in &chapter.meta.quotes {
        if let Some(key) = &quote.source {
            keys.check(key, &chapter.file, offset, sink);
        }
    }
}

/// Itineraries: one to [`MAX_STOPS`] stops, and distances that are real lengths.
fn check_itineraries(chapter: &Chapter, sink: &mut Sink) {
    let offset = chapter.meta_offset;
    let file = &chapter.file;
    for itinerary in &chapter.meta.itineraries {
        let at = span_of(&itinerary.intro, offset);
        if itinerary.stops.is_empty() || itinerary.stops.len() > MAX_STOPS {
            sink.push(
                Diagnostic::error(format!(
                    "the itinerary `{}` has {} stops; an itinerary has 1 to {MAX_STOPS}",
                    itinerary.title,
                    itinerary.stops.len()
                ))
                .at(file, at.clone()),
            );
        }
        for stop in &itinerary.stops {
            let Some(km) = stop.distance_km else { continue };
            if !km.is_finite() || !(0.0..=5000.0).contains(&km) {
                let place = span_of(&stop.landmark, offset);
                sink.push(
                    Diagnostic::error(format!(
                        "distance_km {km} of the stop `{}` is not a distance (0 to 5000 km)",
                        stop.landmark.get_ref()
                    ))
                    .at(file, place),
                );
            }
        }
    }
}

fn check_coordinates(landmark: &Landmark, file: &SourceFile, sink: &mut Sink) {
    check_position(&landmark.lat, &landmark.lon, file, sink);
}

/// A latitude and longitude in range.
fn check_position(lat: &Spanned<f64>, lon: &Spanned<f64>, file: &SourceFile, sink: &mut Sink) {
    let (lat_value, lon_value) = (*lat.get_ref(), *lon.get_ref());
    if !(-90.0..=90.0).contains(&lat_value) {
        sink.push(
            Diagnostic::error(format!("latitude {lat_value} is outside -90..90"))
                .at(file, span_of(lat, 0)),
        );
    }
    if !(-180.0..=180.0).contains(&lon_value) {
        sink.push(
            Diagnostic::error(format!("longitude {lon_value} is outside -180..180"))
                .at(file, span_of(lon, 0)),
        );
    }
}

/// The publication date, when given, is a date.
fn check_published(book: &Book, sink: &mut Sink) {
    if let Some(published) = &book.meta.published
        && !date::is_valid(published.get_ref())
    {
        sink.push(
            Diagnostic::error(format!(
                "`{}` is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD",
                published.get_ref()
            ))
            .at(&book.meta_file, span_of(published, 0)),
        );
    }
}

/// `chapters/index.toml`: landmarks it gives other names exist, and every "see" and "see
/// also" leads to an entry of the index.
fn check_index(book: &Book, sink: &mut Sink) {
    let Some(file) = &book.index_file else {
        return;
    };
    let index = &book.index;
    for landmark in &index.landmarks {
        if book.landmark(landmark.id.get_ref()).is_none() {
            sink.push(
                Diagnostic::error(format!("unknown landmark `{}`", landmark.id.get_ref()))
                    .at(file, span_of(&landmark.id, 0)),
            );
        }
    }
    let mut names: HashSet<&str> = book.people.iter().map(|p| p.name.as_str()).collect();
    names.extend(book.landmarks.iter().map(|l| l.name.as_str()));
    names.extend(book.landmarks.iter().map(|l| l.city.as_str()));
    names.extend(book.landmarks.iter().map(|l| l.province.as_str()));
    names.extend(index.terms.iter().map(|t| t.name.get_ref().as_str()));
    names.extend(index.places.iter().map(|p| p.name.get_ref().as_str()));
    let targets = index
        .terms
        .iter()
        .flat_map(|t| t.see.iter().chain(&t.see_also))
        .chain(index.places.iter().flat_map(|p| &p.see_also));
    for target in targets {
        if !names.contains(target.get_ref().as_str()) {
            sink.push(
                Diagnostic::error(format!(
                    "`{}` is not an entry of the index",
                    target.get_ref()
                ))
                .at(file, span_of(target, 0))
                .with_note(
                    "name a person, place, landmark or [[term]] exactly as the index prints it",
                ),
            );
        }
    }
}
