//! The book's text as editors wrote it: every string of the content files, located by file
//! and byte offset, with Markdown markup blanked out so that checks read plain prose.

use std::fmt;

use guidebook::content::model::Book;
use guidebook::diagnostics::SourceFile;

/// A problem found in the book, located like `check --message-format short` locates errors.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    /// Path relative to the project root, e.g. `chapters/05-split.md`.
    pub file: String,
    /// One-based line number.
    pub line: usize,
    pub message: String,
}

impl Finding {
    /// A finding at a byte offset of a file.
    pub fn at(file: &SourceFile, offset: usize, message: impl Into<String>) -> Self {
        Self {
            file: file.name.clone(),
            line: file.line_col(offset).0,
            message: message.into(),
        }
    }

    /// `file:line`, for messages that point at a second place.
    pub fn place(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }
}

impl fmt::Display for Finding {
    /// `file:line: message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// Fail with every finding listed, one per line, sorted by place.
pub fn assert_clean(what: &str, mut findings: Vec<Finding>) {
    findings.sort();
    findings.dedup();
    let list: Vec<String> = findings.iter().map(ToString::to_string).collect();
    assert!(
        findings.is_empty(),
        "{what}: {} problem(s)\n{}",
        findings.len(),
        list.join("\n")
    );
}

/// One string of a content file: a TOML value, a YAML field or a chapter's Markdown body.
#[derive(Debug, Clone)]
pub struct Passage {
    pub file: SourceFile,
    /// Byte range of the string's contents in the file.
    pub start: usize,
    pub end: usize,
    /// Table and key, e.g. `landmark.description`, `itinerary.stop.note`; `body` for Markdown.
    pub field: String,
    /// Byte offset of the TOML table or YAML entry the string belongs to.
    pub record: usize,
    /// The text with Markdown markup (emphasis, link targets, citations) replaced by spaces,
    /// so that byte offsets match the file.
    pub plain: String,
}

impl Passage {
    /// A passage of a file, with its plain text computed.
    fn new(file: &SourceFile, start: usize, end: usize, field: &str, record: usize) -> Self {
        Self {
            plain: plain(&file.text[start..end]),
            file: file.clone(),
            start,
            end,
            field: field.to_string(),
            record,
        }
    }

    /// The string as written.
    pub fn text(&self) -> &str {
        &self.file.text[self.start..self.end]
    }

    /// The key of the field (`note` for `itinerary.stop.note`).
    pub fn key(&self) -> &str {
        self.field.rsplit('.').next().unwrap_or(&self.field)
    }

    /// A finding at a byte offset inside the passage.
    pub fn finding(&self, offset: usize, message: impl Into<String>) -> Finding {
        Finding::at(&self.file, self.start + offset, message)
    }
}

/// Every string of the book's content files.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    pub passages: Vec<Passage>,
}

impl Corpus {
    /// The strings of every file the loader read, and of the bibliography.
    pub fn of_book(book: &Book, bibliography: SourceFile) -> Self {
        let mut files: Vec<SourceFile> = book.chapters().map(|c| c.file.clone()).collect();
        files.push(book.landmarks_file.clone());
        files.push(book.timeline_file.clone());
        files.extend(book.glossary_file.clone());
        files.extend(book.people_file.clone());
        files.extend(book.railways.as_ref().map(|(_, file)| file.clone()));
        files.push(bibliography);
        Self::of_files(&files)
    }

    /// The strings of files given by name and text: `.md` files are chapters, `.yml` the
    /// bibliography, anything else TOML.
    pub fn of_files(files: &[SourceFile]) -> Self {
        let mut passages = Vec::new();
        for file in files {
            if file.name.ends_with(".md") {
                scan_chapter(file, &mut passages);
            } else if file.name.ends_with(".yml") {
                scan_bibliography(file, &mut passages);
            } else {
                scan_toml(file, 0, file.text.len(), &mut passages);
            }
        }
        Self { passages }
    }

    /// Passages of files whose name ends with `suffix`.
    pub fn in_file<'a>(&'a self, suffix: &'a str) -> impl Iterator<Item = &'a Passage> + 'a {
        self.passages
            .iter()
            .filter(move |p| p.file.name.ends_with(suffix))
    }
}

/// A chapter: its front matter's strings, then its body.
fn scan_chapter(file: &SourceFile, out: &mut Vec<Passage>) {
    let text = &file.text;
    let Some(rest) = text.strip_prefix("+++\n") else {
        out.push(Passage::new(file, 0, text.len(), "body", 0));
        return;
    };
    let start = text.len() - rest.len();
    let close = rest.find("\n+++\n").map_or(text.len(), |i| start + i + 1);
    scan_toml(file, start, close, out);
    let body = (close + 4).min(text.len());
    out.push(Passage::new(file, body, text.len(), "body", body));
}

/// The string values of a TOML document between two byte offsets, with their table and key.
fn scan_toml(file: &SourceFile, from: usize, to: usize, out: &mut Vec<Passage>) {
    let text = &file.text[..to];
    let (mut table, mut record) = (String::new(), from);
    let mut at = from;
    while at < to {
        let line_end = text[at..].find('\n').map_or(to, |i| at + i);
        let line = &text[at..line_end];
        let trimmed = line.trim_start();
        if let Some(header) = trimmed.strip_prefix('[') {
            table = header
                .trim_matches(|c| c == '[' || c == ']')
                .trim()
                .to_string();
            record = at;
        } else if !trimmed.starts_with('#')
            && let Some(eq) = line.find('=')
        {
            let key = line[..eq].trim();
            let field = if table.is_empty() {
                key.to_string()
            } else {
                format!("{table}.{key}")
            };
            let after = scan_value(file, text, at + eq + 1, &field, record, out);
            at = after.max(at);
            let rest_end = text[at..].find('\n').map_or(to, |i| at + i);
            at = rest_end + 1;
            continue;
        }
        at = line_end + 1;
    }
}

/// Scan one TOML value starting at `at` (strings, arrays of strings), returning where it ends.
fn scan_value(
    file: &SourceFile,
    text: &str,
    at: usize,
    field: &str,
    record: usize,
    out: &mut Vec<Passage>,
) -> usize {
    let start = at + (text[at..].len() - text[at..].trim_start().len());
    let rest = &text[start..];
    for quote in ["\"\"\"", "'''"] {
        if let Some(inner) = rest.strip_prefix(quote) {
            let inner_start = start + quote.len();
            let close = inner.find(quote).map_or(text.len(), |i| inner_start + i);
            let skip_newline = usize::from(text[inner_start..].starts_with('\n'));
            out.push(Passage::new(
                file,
                inner_start + skip_newline,
                close,
                field,
                record,
            ));
            return (close + quote.len()).min(text.len());
        }
    }
    if let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let inner_start = start + 1;
        let mut escaped = false;
        for (i, c) in text[inner_start..].char_indices() {
            if c == quote && !escaped {
                out.push(Passage::new(
                    file,
                    inner_start,
                    inner_start + i,
                    field,
                    record,
                ));
                return inner_start + i + 1;
            }
            escaped = quote == '"' && c == '\\' && !escaped;
        }
        return text.len();
    }
    if rest.starts_with('[') {
        let mut at = start + 1;
        loop {
            let skipped = text[at..].trim_start_matches(|c: char| c.is_whitespace() || c == ',');
            at = text.len() - skipped.len();
            if skipped.starts_with(']') || skipped.is_empty() {
                return at + 1;
            }
            if skipped.starts_with('#') {
                at += skipped.find('\n').unwrap_or(skipped.len());
                continue;
            }
            let next = scan_value(file, text, at, field, record, out);
            at = if next > at { next } else { at + 1 };
        }
    }
    start
}

/// The bibliography's strings the book writes itself: every `publisher`, and the `title` of
/// films (`type: video`), whose English titles are the book's translations. Titles of other
/// works, and authors and editors, are cited as published.
fn scan_bibliography(file: &SourceFile, out: &mut Vec<Passage>) {
    let text = &file.text;
    let mut entry: Vec<(String, usize, usize)> = Vec::new();
    let (mut record, mut is_video) = (0, false);
    let mut at = 0;
    let mut flush = |entry: &mut Vec<(String, usize, usize)>, record, is_video| {
        for (key, start, end) in entry.drain(..) {
            if key == "publisher" || (key == "title" && is_video) {
                out.push(Passage::new(
                    file,
                    start,
                    end,
                    &format!("reference.{key}"),
                    record,
                ));
            }
        }
    };
    for line in text.split_inclusive('\n') {
        let content = line.trim_end();
        if !content.starts_with([' ', '#']) && content.ends_with(':') {
            flush(&mut entry, record, is_video);
            (record, is_video) = (at, false);
        } else if let Some(field) = content.strip_prefix("  ")
            && !field.starts_with(' ')
            && let Some((key, value)) = field.split_once(": ")
        {
            is_video |= key == "type" && value.trim() == "video";
            let value_start = at + 2 + key.len() + 2;
            let quoted = value.starts_with('"') && value.ends_with('"') && value.len() >= 2;
            let (start, end) = if quoted {
                (value_start + 1, value_start + value.len() - 1)
            } else {
                (value_start, value_start + value.len())
            };
            entry.push((key.to_string(), start, end));
        }
        at += line.len();
    }
    flush(&mut entry, record, is_video);
}

/// Markdown markup replaced by spaces, keeping every byte offset: emphasis marks, link
/// brackets and targets, citations, code spans and image paths.
pub fn plain(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'*' | b'`' | b'[' => bytes[i] = b' ',
            b']' if bytes.get(i + 1) == Some(&b'(') => {
                let close = text[i..].find(')').map_or(bytes.len(), |j| i + j + 1);
                bytes[i..close].fill(b' ');
                i = close;
                continue;
            }
            b'!' if bytes.get(i + 1) == Some(&b'[') => bytes[i] = b' ',
            _ => {}
        }
        i += 1;
    }
    String::from_utf8(bytes).expect("only ASCII bytes were replaced")
}
