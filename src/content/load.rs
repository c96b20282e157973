//! Read `chapters/` into the model, keeping every file's text so errors can point into it.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use serde::de::DeserializeOwned;
use toml::Spanned;

use crate::content::images::ImageStore;
use crate::content::model::{
    Bibliography, Book, BookMeta, Chapter, FrontMatter, GlossaryFile, IndexFile, Landmark,
    LandmarkFile, MapsFile, Part, PeopleFile, TimelineFile,
};
use crate::date;
use crate::diagnostics::{Diagnostic, Error, Result, Sink, SourceFile};
use crate::sandbox::Sandbox;

/// Deserialize TOML, turning a parse or schema error into a located diagnostic.
pub fn parse_toml<T: DeserializeOwned>(file: &SourceFile, text: &str, offset: usize) -> Result<T> {
    toml::from_str(text).map_err(|error| {
        let range = error.span().unwrap_or(0..0);
        let range = range.start + offset..range.end + offset;
        Diagnostic::error(error.message().trim_end().to_string())
            .at(file, range)
            .into()
    })
}

/// Byte range of a spanned value inside a file whose TOML started at `offset`.
pub fn span_of<T>(value: &Spanned<T>, offset: usize) -> Range<usize> {
    let span = value.span();
    span.start + offset..span.end + offset
}

/// Load the book under `root/chapters`.
pub fn load_book(sandbox: &Sandbox) -> Result<Book> {
    let meta_file = sandbox.read_text("chapters/book.toml")?;
    let meta: BookMeta = parse_toml(&meta_file, &meta_file.text, 0)?;

    let mut sink = Sink::default();
    let mut chapter_files = discover_chapters(sandbox, &mut sink)?;

    let mut seen = HashSet::new();
    let mut take = |slug: &Spanned<String>, sink: &mut Sink| -> Option<Chapter> {
        if !seen.insert(slug.get_ref().clone()) {
            sink.push(
                Diagnostic::error(format!("chapter `{}` is listed twice", slug.get_ref()))
                    .at(&meta_file, span_of(slug, 0)),
            );
            return None;
        }
        match chapter_files.remove(slug.get_ref()) {
            Some(path) => match load_chapter(sandbox, &path, slug.get_ref()) {
                Ok(chapter) => Some(chapter),
                Err(error) => {
                    sink.diagnostics.extend(error.diagnostics);
                    None
                }
            },
            None => {
                sink.push(
                    Diagnostic::error(format!(
                        "no chapter file for `{}` (expected chapters/NN-{}.md)",
                        slug.get_ref(),
                        slug.get_ref()
                    ))
                    .at(&meta_file, span_of(slug, 0)),
                );
                None
            }
        }
    };

    let front: Vec<Chapter> = meta
        .front
        .iter()
        .filter_map(|slug| take(slug, &mut sink))
        .collect();
    let parts: Vec<Part> = meta
        .parts
        .iter()
        .map(|part| Part {
            title: part.title.clone(),
            summary: part.summary.clone(),
            chapters: part
                .chapters
                .iter()
                .filter_map(|slug| take(slug, &mut sink))
                .collect(),
        })
        .collect();
    for (slug, path) in &chapter_files {
        sink.push(Diagnostic::warning(format!(
            "{path} is not listed in chapters/book.toml; chapter `{slug}` is left out"
        )));
    }

    let landmarks_file = sandbox.read_text("chapters/landmarks.toml")?;
    let landmarks: LandmarkFile = parse_toml(&landmarks_file, &landmarks_file.text, 0)?;
    let timeline_file = sandbox.read_text("chapters/timeline.toml")?;
    let timeline: TimelineFile = parse_toml(&timeline_file, &timeline_file.text, 0)?;
    let (glossary, glossary_file) =
        match optional_toml::<GlossaryFile>(sandbox, "chapters/glossary.toml")? {
            Some((glossary, file)) => (glossary.terms, Some(file)),
            None => (vec![], None),
        };
    let people = optional_toml::<PeopleFile>(sandbox, "chapters/people.toml")?
        .map(|(people, _)| people.people)
        .unwrap_or_default();
    let (index, index_file) = match optional_toml::<IndexFile>(sandbox, "chapters/index.toml")? {
        Some((index, file)) => (index, Some(file)),
        None => (IndexFile::default(), None),
    };
    let bibliography = match &meta.bibliography {
        Some(name) => Some(load_bibliography(sandbox, name)?),
        None => None,
    };

    let railways = optional_toml(sandbox, "chapters/railways.toml")?;
    let projects = optional_toml(sandbox, "chapters/projects-156.toml")?;
    let maps = optional_toml::<MapsFile>(sandbox, "chapters/maps.toml")?
        .map(|(maps, _)| maps)
        .unwrap_or_default();

    let book = Book {
        meta,
        meta_file,
        front,
        parts,
        landmarks: landmarks.landmarks,
        landmarks_file,
        events: timeline.events,
        timeline_file,
        glossary,
        glossary_file,
        people,
        index,
        index_file,
        bibliography,
        railways,
        projects,
        maps,
        warnings: vec![],
        images: ImageStore::new(sandbox.clone()),
    };
    check_references(&book, &mut sink);
    let warnings = sink.finish()?;
    Ok(Book { warnings, ..book })
}

/// Read and parse a data file that a book may leave out.
fn optional_toml<T: DeserializeOwned>(
    sandbox: &Sandbox,
    relative: &str,
) -> Result<Option<(T, SourceFile)>> {
    if !sandbox.exists(relative) {
        return Ok(None);
    }
    let file = sandbox.read_text(relative)?;
    let data = parse_toml(&file, &file.text, 0)?;
    Ok(Some((data, file)))
}

/// Map every `chapters/NN-slug.md` file to its slug.
fn discover_chapters(sandbox: &Sandbox, sink: &mut Sink) -> Result<BTreeMap<String, String>> {
    let names: Vec<String> = sandbox
        .list("chapters")
        .map_err(|denied| Error::msg(format!("cannot read chapters/: {denied}")))?
        .into_iter()
        .filter(|name| name.ends_with(".md"))
        .collect();
    let mut chapters = BTreeMap::new();
    for name in names {
        let stem = &name[..name.len() - 3];
        let slug = stem
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .trim_start_matches('-');
        if slug.is_empty() || !is_id(slug) {
            sink.push(Diagnostic::warning(format!(
                "chapters/{name} is ignored: chapter files are named NN-slug.md with a lowercase slug"
            )));
            continue;
        }
        let path = format!("chapters/{name}");
        if let Some(previous) = chapters.insert(slug.to_string(), path.clone()) {
            sink.push(Diagnostic::error(format!(
                "{previous} and {path} both define chapter `{slug}`"
            )));
        }
    }
    Ok(chapters)
}

/// Whether a string is a valid id: lowercase ASCII letters, digits and hyphens.
pub fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
}

/// Split a chapter file into its TOML front matter and Markdown body.
pub fn load_chapter(sandbox: &Sandbox, path: &str, slug: &str) -> Result<Chapter> {
    let file = sandbox.read_text(path)?;
    let (meta, meta_offset, body_offset) = split_front_matter(&file)?;
    Ok(Chapter {
        meta_offset,
        slug: slug.to_string(),
        body: file.text[body_offset..].to_string(),
        file,
        meta,
        body_offset,
    })
}

/// Split a chapter's text into its front matter and the byte offsets of the TOML and of the
/// Markdown body.
pub fn split_front_matter(file: &SourceFile) -> Result<(FrontMatter, usize, usize)> {
    let text = &file.text;
    let Some(after_open) = text
        .strip_prefix("+++\n")
        .or_else(|| text.strip_prefix("+++\r\n"))
    else {
        return Err(Diagnostic::error(
            "a chapter starts with TOML front matter between `+++` lines",
        )
        .at(file, 0..text.find('\n').unwrap_or(text.len()))
        .into());
    };
    let start = text.len() - after_open.len();
    let mut offset = start;
    for line in after_open.split_inclusive('\n') {
        if line.trim_end() == "+++" {
            let meta = parse_toml(file, &text[start..offset], start)?;
            return Ok((meta, start, offset + line.len()));
        }
        offset += line.len();
    }
    Err(
        Diagnostic::error("the front matter is not closed: add a line `+++` after it")
            .at(file, 0..3)
            .into(),
    )
}

fn load_bibliography(sandbox: &Sandbox, name: &str) -> Result<Bibliography> {
    let path = format!("chapters/{name}");
    let file = sandbox.read_text(&path)?;
    let library = hayagriva::io::from_yaml_str(&file.text).map_err(|error| {
        let diagnostic = Diagnostic::error(format!("bibliography: {error}"));
        match error.location() {
            Some(location) => diagnostic.at(&file, location.index()..location.index() + 1),
            None => diagnostic.in_file(&file),
        }
    })?;
    check_bibliography_math(&file)?;
    let keys = library.keys().map(|k| k.to_string()).collect();
    Ok(Bibliography { path, keys })
}

/// In Hayagriva strings `$…$` is mathematics, which the book does not typeset (it has no
/// math font, and a bibliography is data). A dollar sign is written `\$`.
fn check_bibliography_math(file: &SourceFile) -> Result<()> {
    let mut sink = Sink::default();
    let mut offset = 0;
    for line in file.text.split_inclusive('\n') {
        if !line.trim_start().starts_with('#') {
            let mut previous = ' ';
            for (i, c) in line.char_indices() {
                if c == '$' && previous != '\\' {
                    sink.push(
                        Diagnostic::error("`$` starts mathematics in a bibliography field")
                            .at(file, offset + i..offset + i + 1)
                            .with_note("write \\$ for a dollar sign (\\\\$ inside double quotes)"),
                    );
                }
                previous = c;
            }
        }
        offset += line.len();
    }
    sink.finish().map(|_| ())
}

/// Cross-check ids: unique landmarks, known cite keys, known landmarks in chapters.
fn check_references(book: &Book, sink: &mut Sink) {
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

fn check_chapter(book: &Book, chapter: &Chapter, keys: &Keys<'_>, sink: &mut Sink) {
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
