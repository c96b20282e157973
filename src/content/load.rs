//! Read `chapters/` into the model, keeping every file's text so errors can point into it.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use serde::de::DeserializeOwned;
use toml::Spanned;

use crate::content::images::ImageStore;
use crate::content::links;
use crate::content::model::{
    Bibliography, Book, BookMeta, Chapter, FrontMatter, GlossaryFile, IndexFile, LandmarkFile,
    MapsFile, Part, PeopleFile, TimelineFile,
};
use crate::content::validate;
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
    let (people, people_file) = match optional_toml::<PeopleFile>(sandbox, "chapters/people.toml")?
    {
        Some((people, file)) => (people.people, Some(file)),
        None => (vec![], None),
    };
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
        people_file,
        index,
        index_file,
        bibliography,
        railways,
        projects,
        maps,
        warnings: vec![],
        images: ImageStore::new(sandbox.clone()),
    };
    validate::check_book(&book, &mut sink);
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
    check_duplicate_keys(&file)?;
    let library = hayagriva::io::from_yaml_str(&file.text).map_err(|error| {
        let diagnostic = Diagnostic::error(format!("bibliography: {error}"));
        match error.location() {
            Some(location) => diagnostic.at(&file, location.index()..location.index() + 1),
            None => diagnostic.in_file(&file),
        }
    })?;
    check_bibliography_math(&file)?;
    check_bibliography_urls(&file, &library)?;
    let keys = library.keys().map(|k| k.to_string()).collect();
    Ok(Bibliography { path, keys })
}

/// Top-level keys of the YAML bibliography appear once: a second entry under one key would
/// be reported by the YAML reader without a place.
fn check_duplicate_keys(file: &SourceFile) -> Result<()> {
    let mut sink = Sink::default();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut offset = 0;
    for line in file.text.split_inclusive('\n') {
        let top_level = !line.starts_with([' ', '\t', '#', '-', '\n', '\r']);
        if let Some(key) = line
            .split_once(':')
            .map(|(k, _)| k.trim())
            .filter(|_| top_level)
            && !key.is_empty()
            && !seen.insert(key)
        {
            sink.push(
                Diagnostic::error(format!("bibliography key `{key}` is defined twice"))
                    .at(file, offset..offset + key.len()),
            );
        }
        offset += line.len();
    }
    sink.finish().map(|_| ())
}

/// Every address in the bibliography becomes a link in the PDF: it must pass the book's one
/// URL policy.
fn check_bibliography_urls(file: &SourceFile, library: &hayagriva::Library) -> Result<()> {
    let mut sink = Sink::default();
    let mut entries: Vec<&hayagriva::Entry> = library.iter().collect();
    while let Some(entry) = entries.pop() {
        entries.extend(entry.parents());
        let Some(url) = entry.url() else { continue };
        let text = url.value.as_str();
        if let Err(problem) = links::check_url(text) {
            // The parsed URL may be normalised: point at the entry's `url` line.
            let key = format!("{}:", entry.key());
            let entry_at = if file.text.starts_with(&key) {
                Some(0)
            } else {
                file.text.find(&format!("\n{key}")).map(|i| i + 1)
            };
            let at = entry_at
                .and_then(|start| file.text[start..].find("url").map(|i| start + i))
                .map_or(0..0, |i| i..i + 3);
            sink.push(
                Diagnostic::error(format!("bibliography `{}`: {problem}", entry.key()))
                    .at(file, at),
            );
        }
    }
    sink.finish().map(|_| ())
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
