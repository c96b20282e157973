//! Read `chapters/` into the model, keeping every file's text so errors can point into it.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::ops::Range;
use std::path::Path;

use serde::de::DeserializeOwned;
use toml::Spanned;

use crate::diagnostics::{Diagnostic, Error, Result, Sink, SourceFile};
use crate::model::{Bibliography, Landmark};
use crate::model::{
    Book, BookMeta, Chapter, FrontMatter, GlossaryFile, LandmarkFile, Part, TimelineFile,
};

/// Largest content or layout file accepted; guards against runaway inputs.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Read a text file of the project: size-limited, UTF-8, no forbidden control characters.
pub fn read_text(root: &Path, relative: &str) -> Result<SourceFile> {
    let path = root.join(relative);
    let metadata = fs::metadata(&path)
        .map_err(|e| Error::msg(format!("cannot read {relative}: {}", io_reason(&e))))?;
    if metadata.len() > MAX_FILE_BYTES {
        return Err(Error::msg(format!(
            "{relative} is {} bytes; files larger than {} MiB are refused",
            metadata.len(),
            MAX_FILE_BYTES / 1024 / 1024
        )));
    }
    let bytes = fs::read(&path)
        .map_err(|e| Error::msg(format!("cannot read {relative}: {}", io_reason(&e))))?;
    decode_text(relative, bytes)
}

fn io_reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => error.to_string(),
    }
}

/// Turn a file's bytes into text, or explain precisely why they are not acceptable text.
pub fn decode_text(name: &str, bytes: Vec<u8>) -> Result<SourceFile> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Error::msg(format!(
            "{name} is encoded as UTF-16; save it as UTF-8"
        )));
    }
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let offset = error.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let file = SourceFile::new(name, lossy);
            let offset = file
                .text
                .char_indices()
                .nth(prefix_chars(error.as_bytes(), offset))
                .map_or(0, |(i, _)| i);
            return Err(
                Diagnostic::error("invalid UTF-8: the file must be saved as UTF-8")
                    .at(&file, offset..offset + 1)
                    .into(),
            );
        }
    };
    let file = SourceFile::new(name, text);
    check_characters(&file)?;
    Ok(file)
}

fn prefix_chars(bytes: &[u8], valid_up_to: usize) -> usize {
    std::str::from_utf8(&bytes[..valid_up_to]).map_or(0, |s| s.chars().count())
}

/// Refuse characters that are invisible, break lines unexpectedly or are forbidden in XML.
fn check_characters(file: &SourceFile) -> Result<()> {
    let mut sink = Sink::default();
    for (offset, c) in file.text.char_indices() {
        let problem = match c {
            '\n' | '\t' | '\r' => None,
            '\0' => Some("NUL character".to_string()),
            '\u{2028}' | '\u{2029}' => {
                Some(format!("line or paragraph separator U+{:04X}", c as u32))
            }
            '\u{FEFF}' => Some("byte order mark inside the text".to_string()),
            '\u{FFFE}' | '\u{FFFF}' => Some(format!("non-character U+{:04X}", c as u32)),
            c if c.is_control() => Some(format!("control character U+{:04X}", c as u32)),
            _ => None,
        };
        if let Some(problem) = problem {
            sink.push(
                Diagnostic::error(format!("forbidden {problem}"))
                    .at(file, offset..offset + c.len_utf8())
                    .with_note("remove it, or replace it with an ordinary space or line break"),
            );
            if sink.diagnostics.len() >= 10 {
                break;
            }
        }
    }
    sink.finish().map(|_| ())
}

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
pub fn load_book(root: &Path) -> Result<Book> {
    let meta_file = read_text(root, "chapters/book.toml")?;
    let meta: BookMeta = parse_toml(&meta_file, &meta_file.text, 0)?;

    let mut sink = Sink::default();
    let mut chapter_files = discover_chapters(root, &mut sink)?;

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
            Some(path) => match load_chapter(root, &path, slug.get_ref()) {
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

    let landmarks_file = read_text(root, "chapters/landmarks.toml")?;
    let landmarks: LandmarkFile = parse_toml(&landmarks_file, &landmarks_file.text, 0)?;
    let timeline_file = read_text(root, "chapters/timeline.toml")?;
    let timeline: TimelineFile = parse_toml(&timeline_file, &timeline_file.text, 0)?;
    let (glossary, glossary_file) = if root.join("chapters/glossary.toml").exists() {
        let file = read_text(root, "chapters/glossary.toml")?;
        let glossary: GlossaryFile = parse_toml(&file, &file.text, 0)?;
        (glossary.terms, Some(file))
    } else {
        (vec![], None)
    };
    let people = if root.join("chapters/people.toml").exists() {
        let file = read_text(root, "chapters/people.toml")?;
        parse_toml::<crate::model::PeopleFile>(&file, &file.text, 0)?.people
    } else {
        vec![]
    };
    let bibliography = match &meta.bibliography {
        Some(name) => Some(load_bibliography(root, name)?),
        None => None,
    };

    let railways = optional_toml(root, "chapters/railways.toml")?;
    let projects = optional_toml(root, "chapters/projects-156.toml")?;

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
        bibliography,
        railways,
        projects,
        warnings: vec![],
    };
    check_references(&book, &mut sink);
    let warnings = sink.finish()?;
    Ok(Book { warnings, ..book })
}

/// Read and parse a data file that a book may leave out.
fn optional_toml<T: DeserializeOwned>(
    root: &Path,
    relative: &str,
) -> Result<Option<(T, SourceFile)>> {
    if !root.join(relative).exists() {
        return Ok(None);
    }
    let file = read_text(root, relative)?;
    let data = parse_toml(&file, &file.text, 0)?;
    Ok(Some((data, file)))
}

/// Map every `chapters/NN-slug.md` file to its slug.
fn discover_chapters(root: &Path, sink: &mut Sink) -> Result<BTreeMap<String, String>> {
    let dir = root.join("chapters");
    let entries = fs::read_dir(&dir)
        .map_err(|e| Error::msg(format!("cannot read chapters/: {}", io_reason(&e))))?;
    let mut names: Vec<String> = entries
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| name.ends_with(".md"))
        .collect();
    names.sort();
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
pub fn load_chapter(root: &Path, path: &str, slug: &str) -> Result<Chapter> {
    let file = read_text(root, path)?;
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

fn load_bibliography(root: &Path, name: &str) -> Result<Bibliography> {
    let path = format!("chapters/{name}");
    let file = read_text(root, &path)?;
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
    let mut ids = HashSet::new();
    let keys: HashSet<&str> = book
        .bibliography
        .iter()
        .flat_map(|b| b.keys.iter().map(String::as_str))
        .collect();
    let check_key = |key: &Spanned<String>, file: &SourceFile, offset: usize, sink: &mut Sink| {
        if !keys.contains(key.get_ref().as_str()) {
            sink.push(
                Diagnostic::error(format!("unknown bibliography key `{}`", key.get_ref()))
                    .at(file, span_of(key, offset))
                    .with_note("every source must be an entry of the bibliography file"),
            );
        }
    };
    if let Some((railways, file)) = &book.railways {
        for line in &railways.lines {
            line.sources
                .iter()
                .for_each(|k| check_key(k, file, 0, sink));
            if line.stations.len() < 2 {
                sink.push(
                    Diagnostic::error("a railway line needs at least two stations")
                        .at(file, span_of(&line.id, 0)),
                );
            }
            for station in &line.stations {
                let (lat, lon) = (*station.lat.get_ref(), *station.lon.get_ref());
                if !(-90.0..=90.0).contains(&lat) {
                    sink.push(
                        Diagnostic::error("latitude must be between -90 and 90")
                            .at(file, span_of(&station.lat, 0)),
                    );
                }
                if !(-180.0..=180.0).contains(&lon) {
                    sink.push(
                        Diagnostic::error("longitude must be between -180 and 180")
                            .at(file, span_of(&station.lon, 0)),
                    );
                }
            }
        }
    }
    if let Some((projects, file)) = &book.projects {
        projects
            .sources
            .iter()
            .for_each(|k| check_key(k, file, 0, sink));
    }
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
        for key in &landmark.sources {
            check_key(key, lf, 0, sink);
        }
    }
    let tf = &book.timeline_file;
    for event in &book.events {
        if !is_valid_date(event.date.get_ref()) {
            sink.push(
                Diagnostic::error(format!(
                    "`{}` is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD",
                    event.date.get_ref()
                ))
                .at(tf, span_of(&event.date, 0)),
            );
        }
        for key in &event.sources {
            check_key(key, tf, 0, sink);
        }
    }
    for chapter in book.chapters() {
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
        for key in &chapter.meta.sources {
            check_key(key, &chapter.file, offset, sink);
        }
        for quote in &chapter.meta.quotes {
            if let Some(key) = &quote.source {
                check_key(key, &chapter.file, offset, sink);
            }
        }
    }
}

fn check_coordinates(landmark: &Landmark, file: &SourceFile, sink: &mut Sink) {
    let lat = *landmark.lat.get_ref();
    let lon = *landmark.lon.get_ref();
    if !(-90.0..=90.0).contains(&lat) {
        sink.push(
            Diagnostic::error(format!("latitude {lat} is outside -90..90"))
                .at(file, span_of(&landmark.lat, 0)),
        );
    }
    if !(-180.0..=180.0).contains(&lon) {
        sink.push(
            Diagnostic::error(format!("longitude {lon} is outside -180..180"))
                .at(file, span_of(&landmark.lon, 0)),
        );
    }
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` with a real month and day.
pub fn is_valid_date(date: &str) -> bool {
    let parts: Vec<&str> = date.split('-').collect();
    let number = |s: &str, len: usize| {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    match parts.as_slice() {
        [y] => number(y, 4).is_some(),
        [y, m] => number(y, 4).is_some() && number(m, 2).is_some_and(|m| (1..=12).contains(&m)),
        [y, m, d] => {
            number(y, 4).is_some()
                && number(m, 2).is_some_and(|m| (1..=12).contains(&m))
                && number(d, 2).is_some_and(|d| (1..=31).contains(&d))
        }
        _ => false,
    }
}
