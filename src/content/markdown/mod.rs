//! Markdown bodies to Typst markup and to XHTML: one walk over pulldown-cmark events with one
//! link and image resolution, and two writers that escape every text node for their language.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use aho_corasick::{AhoCorasick, MatchKind};
use pulldown_cmark::{Alignment, CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::content::images::{self, ImageStore};
use crate::content::links;
use crate::diagnostics::{Diagnostic, Sink, SourceFile};
use crate::escape;

mod typst;
mod xhtml;

use self::typst::Typst;
pub use self::xhtml::{INDEX_MARKER, Xhtml, fill_citations, index_marker};

/// Everything a Markdown link may point at, for resolving `landmark:`, `chapter:`, `figure:`
/// and `cite:` links.
#[derive(Debug, Default)]
pub struct Targets {
    /// Every id in the data, by scheme: a link to anything else is an error.
    pub known: HashMap<&'static str, HashSet<String>>,
    /// Ids printed in this edition, by scheme: links to known but unprinted targets
    /// (a chapter the edition leaves out) keep their text and lose the link.
    pub printed: HashMap<&'static str, HashSet<String>>,
}

impl Targets {
    fn is(&self, map: &HashMap<&'static str, HashSet<String>>, scheme: &str, id: &str) -> bool {
        map.get(scheme).is_some_and(|set| set.contains(id))
    }
}

/// Names the index records wherever the text mentions them.
#[derive(Debug, Default, Clone)]
pub struct IndexTerms {
    /// `(form in the text, kind, index entry)`, longest form first.
    forms: Vec<(String, &'static str, String)>,
    /// Every form at once, so that a text is read once rather than once per form.
    searcher: Option<AhoCorasick>,
    /// Landmark id to its name, for indexing links to landmarks.
    pub landmark_names: HashMap<String, String>,
}

impl IndexTerms {
    /// Index terms from `(kind, entry, other forms)` and landmarks by `(id, name)`. A form
    /// with an apostrophe also matches the typographic one smart punctuation writes, and a
    /// subject written in lower case also matches with a capital (at the start of a sentence).
    pub fn new(
        entries: impl IntoIterator<Item = (&'static str, String, Vec<String>)>,
        landmarks: impl IntoIterator<Item = (String, String)>,
    ) -> Self {
        let mut forms: Vec<(String, &'static str, String)> = Vec::new();
        for (kind, entry, aliases) in entries {
            for form in std::iter::once(entry.clone()).chain(aliases) {
                let mut variants = vec![form.clone(), form.replace('\'', "\u{2019}")];
                if kind == "subject" && form.starts_with(|c: char| c.is_lowercase()) {
                    let mut chars = form.chars();
                    let first = chars.next().map(|c| c.to_uppercase().to_string());
                    variants.push(first.unwrap_or_default() + chars.as_str());
                }
                variants.sort();
                variants.dedup();
                forms.extend(variants.into_iter().map(|v| (v, kind, entry.clone())));
            }
        }
        forms.sort_by(|a, b| {
            b.0.len()
                .cmp(&a.0.len())
                .then_with(|| a.0.cmp(&b.0))
                .then_with(|| a.1.cmp(b.1))
        });
        forms.dedup();
        // Overlapping matches, so that every occurrence of every form is seen, as a search
        // for each form alone would see it.
        let searcher = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(forms.iter().map(|(form, ..)| form.as_str()))
            .ok();
        Self {
            forms,
            searcher,
            landmark_names: landmarks.into_iter().collect(),
        }
    }

    /// Every occurrence of each form, form by form in the order of `forms` (longest first)
    /// and left to right within a form, without overlaps between occurrences of one form:
    /// what `str::match_indices` gives for each form in turn.
    fn occurrences(&self, text: &str) -> Vec<(usize, usize, usize)> {
        let Some(searcher) = &self.searcher else {
            return Vec::new();
        };
        let mut all: Vec<(usize, usize, usize)> = searcher
            .find_overlapping_iter(text)
            .map(|m| (m.pattern().as_usize(), m.start(), m.end()))
            .collect();
        all.sort_unstable();
        let mut last: Option<(usize, usize)> = None;
        all.retain(|&(form, start, end)| {
            let fresh = last.is_none_or(|(f, e)| f != form || start >= e);
            if fresh {
                last = Some((form, end));
            }
            fresh
        });
        all
    }

    /// Where entries are named in a text: `(end, kind, entry)`, in order of their end. Forms
    /// of one kind never overlap (the longest wins); forms of different kinds may, so that a
    /// city is indexed inside a landmark's name.
    fn find<'t>(&'t self, text: &str) -> Vec<(usize, &'static str, &'t str)> {
        let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '-');
        let mut found: Vec<(usize, usize, &'static str, &str)> = Vec::new();
        for (index, start, end) in self.occurrences(text) {
            let (_, kind, entry) = &self.forms[index];
            let before = text[..start].chars().next_back();
            let after = text[end..].chars().next();
            let overlaps = found
                .iter()
                .any(|(s, e, k, _)| k == kind && start < *e && *s < end);
            if !is_word(before) && !is_word(after) && !overlaps {
                found.push((start, end, kind, entry.as_str()));
            }
        }
        found.sort_by_key(|(start, end, ..)| (*end, *start));
        found
            .into_iter()
            .map(|(_, end, kind, entry)| (end, kind, entry))
            .collect()
    }

    /// Typst marks for every entry a plain text names, to place beside it.
    pub fn marks(&self, text: &str) -> String {
        self.find(text)
            .into_iter()
            .map(|(_, kind, entry)| index_mark(kind, entry, None))
            .collect()
    }
}

/// Typst that records an index entry at this point of the text; `at` names the point so
/// that the EPUB can find its page.
pub fn index_mark(kind: &str, term: &str, at: Option<&str>) -> String {
    format!(
        "#index-mark({}, {}{});",
        escape::string_literal(kind),
        escape::string_literal(term),
        at.map(|at| format!(", at: {}", escape::string_literal(at)))
            .unwrap_or_default()
    )
}

/// The name of an index mark that ends at byte `end` of a text beginning at `at`.
fn mark_at(at: &str, end: usize) -> String {
    format!("{at}+{end}")
}

/// Where a piece of Markdown sits: its file and byte offset, for located diagnostics.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    pub file: &'a SourceFile,
    pub offset: usize,
}

/// Options every Markdown text of the book is parsed with.
fn options() -> Options {
    Options::ENABLE_FOOTNOTES | Options::ENABLE_TABLES | Options::ENABLE_SMART_PUNCTUATION
}

/// Label names used for cross-references in the generated Typst (and ids in the XHTML).
pub fn landmark_label(id: &str) -> String {
    format!("landmark-{id}")
}

/// Label of a chapter heading.
pub fn chapter_label(slug: &str) -> String {
    format!("chapter-{slug}")
}

/// Label of a figure.
pub fn figure_label(id: &str) -> String {
    format!("figure-{id}")
}

/// Id of a bibliography entry in the XHTML.
pub fn reference_id(key: &str) -> String {
    format!("ref-{key}")
}

/// Where a resolved link leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// An entry of the book: `scheme` is landmark, chapter or figure. `in_parentheses`: the
    /// link closes a parenthesis, as in "(see [the split](chapter:split))", so a page
    /// reference joins it with a comma rather than opening parentheses of its own.
    Internal {
        scheme: &'static str,
        id: String,
        in_parentheses: bool,
    },
    /// A subject of the index, marked where the link's text stands.
    Index(String),
    /// An `https:` address.
    Url(String),
    /// A bibliography key; the link text, if any, is the locator.
    Cite(String),
    /// A rejected or unprinted target: its text is still shown.
    Plain,
}

/// A container the walk opens and closes; the writers turn it into their language.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Paragraph,
    Heading(usize),
    Quote,
    List(Option<u64>),
    Item,
    Table(Vec<Alignment>),
    TableHead,
    TableRow,
    TableCell,
    Emphasis,
    Strong,
    Strike,
}

/// A language Markdown is written into. The walk resolves and checks; a writer only writes,
/// escaping every text it is handed.
trait Writer {
    /// A text; `at` names where it begins in the book (`file:offset`), so that an index
    /// mark in it can be told apart from every other in both outputs.
    fn text(&mut self, out: &mut String, text: &str, at: &str);
    fn inline_code(&mut self, out: &mut String, code: &str);
    fn code_block(&mut self, out: &mut String, lang: Option<&str>, code: &str);
    fn soft_break(&mut self, out: &mut String);
    fn hard_break(&mut self, out: &mut String);
    fn rule(&mut self, out: &mut String);
    fn open(&mut self, out: &mut String, block: &Block);
    fn close(&mut self, out: &mut String, block: &Block);
    /// A footnote reference whose note, already written, is `note`.
    fn footnote(&mut self, out: &mut String, note: &str);
    /// A link around `text` (written) whose plain text is `plain`.
    fn link(&mut self, out: &mut String, link: &Link, text: &str, plain: &str);
    /// An image at a project path (`/chapters/images/…`); `alt` is plain text.
    fn image(&mut self, out: &mut String, path: &str, alt: &str, caption: &str);
    /// End of a top-level text: where pending notes go.
    fn finish(&mut self, _out: &mut String) {}
    /// The walk enters (`true`) or leaves a footnote's text.
    fn in_note(&mut self, _inside: bool) {}
    /// A page anchor named `key` where a top-level block begins (`heading`: a heading).
    fn anchor(&mut self, out: &mut String, key: &str, heading: bool);
}

/// The name of the page anchor of a block that begins at byte `offset` of `file`: the same
/// in every output, since both walk the same text.
pub fn page_anchor_key(file: &SourceFile, offset: usize) -> String {
    format!("{}:{offset}", file.name)
}

/// A block or inline container being walked.
enum Frame {
    Block(Block),
    Link {
        link: Link,
        start: usize,
        plain: String,
        range: Range<usize>,
    },
    Image {
        path: Option<String>,
        title: String,
        start: usize,
        plain: String,
        range: Range<usize>,
    },
    CodeBlock {
        lang: Option<String>,
        code: String,
    },
    Other,
}

/// Where an event starts: the text it is in, its range there, and whether the text right
/// after it closes a parenthesis.
#[derive(Clone, Copy)]
struct Place<'a> {
    origin: Origin<'a>,
    range: &'a Range<usize>,
    closes_parenthesis: bool,
}

/// A link target with `%XX` escapes decoded (an index term may be written with `%20` for
/// its spaces); `None` when the escapes are not UTF-8.
fn percent_decoded(target: &str) -> Option<String> {
    let bytes = target.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Link and image resolution against the book, with the diagnostics it finds.
struct Resolver<'a> {
    targets: &'a Targets,
    images: &'a ImageStore,
    /// Project paths (`/chapters/images/…`) of the images used, in order of first use.
    used_images: Vec<String>,
    /// Print editions: the pixel width an image needs to reach 300 ppi at the text width.
    min_image_px: Option<u32>,
    /// Subjects marked with `index:` links, in order of first use.
    subjects: Vec<String>,
    /// Whether top-level blocks get page anchors (not in a one-line title).
    anchors: bool,
    sink: Sink,
}

/// Converts Markdown to Typst or XHTML for one book, collecting diagnostics as it goes.
pub struct Converter<'a> {
    resolver: Resolver<'a>,
    typst: Typst<'a>,
    xhtml: Option<Xhtml>,
}

impl<'a> Converter<'a> {
    /// A converter resolving links against `targets` and images in `images`.
    pub fn new(targets: &'a Targets, images: &'a ImageStore) -> Self {
        Self {
            resolver: Resolver {
                targets,
                images,
                used_images: Vec::new(),
                min_image_px: None,
                subjects: Vec::new(),
                anchors: true,
                sink: Sink::default(),
            },
            typst: Typst {
                index: None,
                in_heading: 0,
                pending: String::new(),
                flow: false,
                depth: 0,
            },
            xhtml: None,
        }
    }

    /// Record index entries (people named, landmarks linked) in the text written.
    pub fn with_index(mut self, index: &'a IndexTerms) -> Self {
        self.typst.index = Some(index);
        if let Some(xhtml) = &mut self.xhtml {
            xhtml.index = Some(index.clone());
        }
        self
    }

    /// Warn about images narrower than `pixels` (300 ppi at the text width of a print edition).
    pub fn with_min_image_px(mut self, pixels: Option<u32>) -> Self {
        self.resolver.min_image_px = pixels;
        self
    }

    /// A converter that writes XHTML; `hrefs` maps `(scheme, id)` to the file and fragment
    /// each internal target lives at.
    pub fn xhtml(
        targets: &'a Targets,
        images: &'a ImageStore,
        hrefs: HashMap<(&'static str, String), String>,
    ) -> Self {
        let mut converter = Self::new(targets, images);
        converter.xhtml = Some(Xhtml::new(hrefs));
        converter
    }

    /// Project paths of the images the converted texts use, in order of first use.
    pub fn images_used(&self) -> &[String] {
        &self.resolver.used_images
    }

    /// Subjects marked with `index:` links in the texts converted so far.
    pub fn subjects_used(&self) -> &[String] {
        &self.resolver.subjects
    }

    /// Index marks for the names a plain text (a title, a caption, a field) mentions, to be
    /// placed beside it, in this converter's language; nothing when it does not index.
    pub fn index_marks(&self, text: &str) -> String {
        match (&self.xhtml, self.typst.index) {
            (None, Some(index)) => index.marks(text),
            (Some(xhtml), _) => xhtml.index.as_ref().map_or(String::new(), |index| {
                index
                    .find(text)
                    .into_iter()
                    .map(|(_, kind, entry)| index_marker(kind, entry, false, None))
                    .collect()
            }),
            _ => String::new(),
        }
    }

    /// Convert one line of Markdown (a title) into inline text of this converter's language,
    /// without the paragraph around it.
    pub fn inline(&mut self, markdown: &str, origin: Origin<'_>) -> String {
        self.resolver.anchors = false;
        let text = self.convert(markdown, origin);
        self.resolver.anchors = true;
        let text = text.trim();
        let text = text.strip_prefix("<p>").unwrap_or(text);
        text.strip_suffix("</p>").unwrap_or(text).trim().to_string()
    }

    /// Diagnostics found so far.
    pub fn take_diagnostics(&mut self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.resolver.sink.diagnostics)
    }

    /// Convert a Markdown text to this converter's language.
    pub fn convert(&mut self, markdown: &str, origin: Origin<'_>) -> String {
        match &mut self.xhtml {
            Some(xhtml) => walk(&mut self.resolver, xhtml, markdown, origin),
            None => walk(&mut self.resolver, &mut self.typst, markdown, origin),
        }
    }

    /// Convert a chapter's body, which the page's flow holds directly: in Typst, the space
    /// between its paragraphs may stretch (see `stretch` in the base layout's style).
    pub fn convert_body(&mut self, markdown: &str, origin: Origin<'_>) -> String {
        self.typst.flow = true;
        let out = self.convert(markdown, origin);
        self.typst.flow = false;
        out
    }

    /// Convert a Markdown text to Typst markup.
    pub fn to_typst(&mut self, markdown: &str, origin: Origin<'_>) -> String {
        walk(&mut self.resolver, &mut self.typst, markdown, origin)
    }

    /// A citation of a bibliography key, outside Markdown (sources lists, epigraphs).
    pub fn cite(&mut self, key: &str) -> String {
        let mut out = String::new();
        let link = Link::Cite(key.to_string());
        match &mut self.xhtml {
            Some(xhtml) => xhtml.link(&mut out, &link, "", ""),
            None => self.typst.link(&mut out, &link, "", ""),
        }
        out
    }

    /// How many notes the XHTML written so far holds.
    pub fn notes(&self) -> usize {
        self.xhtml.as_ref().map_or(0, |x| x.note_id)
    }

    /// XHTML output so far: the citations made and the images used.
    pub fn xhtml_state(&self) -> Option<&Xhtml> {
        self.xhtml.as_ref()
    }
}

/// Walk one Markdown text: footnote definitions first, then the body with notes in place.
fn walk(
    resolver: &mut Resolver<'_>,
    writer: &mut dyn Writer,
    markdown: &str,
    origin: Origin<'_>,
) -> String {
    let events: Vec<(Event<'_>, Range<usize>)> = Parser::new_ext(markdown, options())
        .into_offset_iter()
        .collect();
    if let Err((message, range)) = check_limits(&events) {
        resolver.error(message, origin, &range);
        return String::new();
    }
    let mut footnotes = HashMap::new();
    let mut body = Vec::with_capacity(events.len());
    let mut iter = events.into_iter();
    while let Some((event, range)) = iter.next() {
        if let Event::Start(Tag::FootnoteDefinition(name)) = &event {
            let mut inner = Vec::new();
            let mut depth = 1;
            for (event, range) in iter.by_ref() {
                match &event {
                    Event::Start(Tag::FootnoteDefinition(_)) => depth += 1,
                    Event::End(TagEnd::FootnoteDefinition) => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    break;
                }
                inner.push((event, range));
            }
            writer.in_note(true);
            let text = resolver.render(writer, inner, None, markdown, origin);
            writer.in_note(false);
            footnotes.insert(name.to_string(), text.trim_end().to_string());
        } else {
            body.push((event, range));
        }
    }
    resolver.check_footnote_references(markdown, &footnotes, origin);
    let mut out = resolver.render(writer, body, Some(&footnotes), markdown, origin);
    writer.finish(&mut out);
    out
}

/// Deepest nesting of blocks and inline containers a text may have (quotes in lists in
/// quotes …); far more than any book needs, far less than would exhaust a parser.
const MAX_DEPTH: usize = 32;

/// Most footnotes one text may have.
const MAX_FOOTNOTES: usize = 1000;

/// Refuse texts nested too deeply or with too many notes, at the place they go too far.
fn check_limits(events: &[(Event<'_>, Range<usize>)]) -> Result<(), (String, Range<usize>)> {
    let (mut depth, mut notes) = (0usize, 0usize);
    for (event, range) in events {
        match event {
            Event::Start(_) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err((
                        format!("Markdown nested more than {MAX_DEPTH} levels deep"),
                        range.clone(),
                    ));
                }
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::FootnoteReference(_) => {
                notes += 1;
                if notes > MAX_FOOTNOTES {
                    return Err((
                        format!("more than {MAX_FOOTNOTES} footnotes in one text"),
                        range.clone(),
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

impl Resolver<'_> {
    /// CommonMark prints a reference to an undefined footnote as plain text; an editor
    /// almost always meant a footnote, so say so.
    fn check_footnote_references(
        &mut self,
        markdown: &str,
        defined: &HashMap<String, String>,
        origin: Origin<'_>,
    ) {
        for (start, _) in markdown.match_indices("[^") {
            let rest = &markdown[start + 2..];
            let Some(end) = rest.find(']') else { continue };
            let label = &rest[..end];
            let is_definition = rest[end + 1..].starts_with(':');
            if label.is_empty() || label.contains(char::is_whitespace) || is_definition {
                continue;
            }
            if !defined.contains_key(label) {
                let range = start..start + end + 3;
                self.error(
                    format!("footnote `[^{label}]` has no definition"),
                    origin,
                    &range,
                );
            }
        }
    }

    fn error(&mut self, message: impl Into<String>, origin: Origin<'_>, range: &Range<usize>) {
        let at = origin.offset + range.start..origin.offset + range.end;
        self.sink
            .push(Diagnostic::error(message).at(origin.file, at));
    }

    fn render(
        &mut self,
        writer: &mut dyn Writer,
        events: Vec<(Event<'_>, Range<usize>)>,
        footnotes: Option<&HashMap<String, String>>,
        markdown: &str,
        origin: Origin<'_>,
    ) -> String {
        let mut out = String::new();
        let mut stack: Vec<Frame> = Vec::new();
        for (event, range) in events {
            match event {
                Event::Start(tag) => {
                    let block = matches!(
                        tag,
                        Tag::Paragraph
                            | Tag::Heading { .. }
                            | Tag::BlockQuote(_)
                            | Tag::List(_)
                            | Tag::Table(_)
                            | Tag::CodeBlock(_)
                    );
                    if self.anchors && block && stack.is_empty() && footnotes.is_some() {
                        let key = page_anchor_key(origin.file, origin.offset + range.start);
                        let heading = matches!(tag, Tag::Heading { .. });
                        writer.anchor(&mut out, &key, heading);
                    }
                    let closes_parenthesis = markdown
                        .get(range.end..)
                        .is_some_and(|rest| rest.starts_with(')'));
                    let at = Place {
                        origin,
                        range: &range,
                        closes_parenthesis,
                    };
                    let frame = self.open(writer, tag, &mut out, at);
                    stack.push(frame);
                }
                Event::End(end) => {
                    let frame = stack.pop().unwrap_or(Frame::Other);
                    self.close(writer, end, frame, &mut out, origin);
                }
                Event::Text(text) => {
                    for frame in stack.iter_mut() {
                        if let Frame::Link { plain, .. } | Frame::Image { plain, .. } = frame {
                            plain.push_str(&text);
                        }
                    }
                    match stack.last_mut() {
                        Some(Frame::CodeBlock { code, .. }) => code.push_str(&text),
                        _ => {
                            let at = format!("{}:{}", origin.file.name, origin.offset + range.start);
                            writer.text(&mut out, &text, &at);
                        }
                    }
                }
                Event::Code(code) => {
                    for frame in stack.iter_mut() {
                        if let Frame::Link { plain, .. } | Frame::Image { plain, .. } = frame {
                            plain.push_str(&code);
                        }
                    }
                    writer.inline_code(&mut out, &code);
                }
                Event::SoftBreak => {
                    for frame in stack.iter_mut() {
                        if let Frame::Link { plain, .. } | Frame::Image { plain, .. } = frame {
                            plain.push(' ');
                        }
                    }
                    writer.soft_break(&mut out);
                }
                Event::HardBreak => writer.hard_break(&mut out),
                Event::Rule => writer.rule(&mut out),
                Event::FootnoteReference(name) => match footnotes.map(|f| f.get(name.as_ref())) {
                    Some(Some(text)) => writer.footnote(&mut out, text),
                    Some(None) => self.error(
                        format!("footnote `[^{name}]` has no definition"),
                        origin,
                        &range,
                    ),
                    None => self.error(
                        format!("a footnote cannot hold another footnote (`[^{name}]`); put both notes in the text"),
                        origin,
                        &range,
                    ),
                },
                Event::Html(_) | Event::InlineHtml(_) => {
                    self.error(
                        "raw HTML is not allowed in content; use Markdown",
                        origin,
                        &range,
                    );
                }
                Event::InlineMath(_) | Event::DisplayMath(_) | Event::TaskListMarker(_) => {
                    self.error("this Markdown extension is not supported", origin, &range);
                }
            }
        }
        out
    }

    fn open(
        &mut self,
        writer: &mut dyn Writer,
        tag: Tag<'_>,
        out: &mut String,
        at: Place<'_>,
    ) -> Frame {
        let Place { origin, range, .. } = at;
        let block = match tag {
            Tag::Paragraph => Block::Paragraph,
            Tag::Heading { level, .. } => Block::Heading(match level {
                HeadingLevel::H1 => {
                    self.error(
                        "use `##` for sections: the chapter title comes from the front matter",
                        origin,
                        range,
                    );
                    2
                }
                other => other as usize,
            }),
            Tag::BlockQuote(_) => Block::Quote,
            Tag::CodeBlock(kind) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(lang) if !lang.is_empty() => Some(lang.to_string()),
                    _ => None,
                };
                return Frame::CodeBlock {
                    lang,
                    code: String::new(),
                };
            }
            Tag::List(start) => Block::List(start),
            Tag::Item => Block::Item,
            Tag::Table(alignments) => Block::Table(alignments),
            Tag::TableHead => Block::TableHead,
            Tag::TableRow => Block::TableRow,
            Tag::TableCell => Block::TableCell,
            Tag::Emphasis => Block::Emphasis,
            Tag::Strong => Block::Strong,
            Tag::Strikethrough => Block::Strike,
            Tag::Link { dest_url, .. } => {
                let link = self.resolve_link(&dest_url, at);
                return Frame::Link {
                    link,
                    start: out.len(),
                    plain: String::new(),
                    range: range.clone(),
                };
            }
            Tag::Image {
                dest_url, title, ..
            } => {
                let path = self.resolve_image(&dest_url, origin, range);
                return Frame::Image {
                    path,
                    title: title.to_string(),
                    start: out.len(),
                    plain: String::new(),
                    range: range.clone(),
                };
            }
            Tag::FootnoteDefinition(_) => return Frame::Other,
            Tag::HtmlBlock => {
                self.error(
                    "raw HTML is not allowed in content; use Markdown",
                    origin,
                    range,
                );
                return Frame::Other;
            }
            Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::Superscript
            | Tag::Subscript
            | Tag::MetadataBlock(_) => {
                self.error("this Markdown extension is not supported", origin, range);
                return Frame::Other;
            }
        };
        writer.open(out, &block);
        Frame::Block(block)
    }

    fn close(
        &mut self,
        writer: &mut dyn Writer,
        _end: TagEnd,
        frame: Frame,
        out: &mut String,
        origin: Origin<'_>,
    ) {
        match frame {
            Frame::Block(block) => writer.close(out, &block),
            Frame::CodeBlock { lang, code } => writer.code_block(out, lang.as_deref(), &code),
            Frame::Link {
                link,
                start,
                plain,
                range,
            } => {
                if plain.trim().is_empty() && !matches!(link, Link::Cite(_)) {
                    self.error(
                        "a link needs text a reader can see: write [words](target)",
                        origin,
                        &range,
                    );
                }
                let text = out.split_off(start);
                writer.link(out, &link, text.trim(), plain.trim());
            }
            Frame::Image {
                path,
                title,
                start,
                plain,
                range,
            } => {
                // The alt text is kept as plain text; its markup is not shown.
                out.truncate(start);
                let alt = plain.trim();
                if alt.is_empty() {
                    self.error(
                        "image without alt text: describe it for readers who cannot see it, as `![what it shows](images/…)`",
                        origin,
                        &range,
                    );
                    return;
                }
                if let Some(path) = path {
                    let caption = if title.is_empty() { alt } else { title.trim() };
                    writer.image(out, &path, alt, caption);
                }
            }
            Frame::Other => {}
        }
    }

    fn resolve_link(&mut self, dest: &str, at: Place<'_>) -> Link {
        let Place { origin, range, .. } = at;
        let Some((scheme, target)) = dest.split_once(':') else {
            self.error(
                format!(
                    "link `{dest}` has no scheme: use landmark:, chapter:, figure:, cite:, index: or https:"
                ),
                origin,
                range,
            );
            return Link::Plain;
        };
        let targets = self.targets;
        let known = targets.is(&targets.known, scheme, target);
        let printed = targets.is(&targets.printed, scheme, target);
        match scheme {
            "landmark" | "chapter" | "figure" if known && !printed => Link::Plain,
            "landmark" | "chapter" | "figure" if known => Link::Internal {
                scheme: match scheme {
                    "landmark" => "landmark",
                    "chapter" => "chapter",
                    _ => "figure",
                },
                id: target.to_string(),
                in_parentheses: at.closes_parenthesis,
            },
            "index" => match percent_decoded(target) {
                Some(term) if !term.trim().is_empty() => {
                    let term = term.trim().to_string();
                    if !self.subjects.contains(&term) {
                        self.subjects.push(term.clone());
                    }
                    Link::Index(term)
                }
                _ => {
                    self.error(
                        format!("`{dest}` names no index term: write [text](index:Term) or [text](<index:Term in words>)"),
                        origin,
                        range,
                    );
                    Link::Plain
                }
            },
            "cite" if known => Link::Cite(target.to_string()),
            "landmark" | "chapter" | "figure" => {
                self.error(format!("unknown {scheme} `{target}`"), origin, range);
                Link::Plain
            }
            "cite" => {
                self.error(
                    format!("unknown bibliography key `{target}`"),
                    origin,
                    range,
                );
                Link::Plain
            }
            "https" | "http" | "mailto" => match links::check_url(dest) {
                Ok(()) => Link::Url(dest.to_string()),
                Err(problem) => {
                    self.error(format!("link {problem}"), origin, range);
                    Link::Plain
                }
            },
            _ => {
                self.error(
                    format!("links with the scheme `{scheme}:` are not allowed; use https:, http:, mailto: or an internal link"),
                    origin,
                    range,
                );
                Link::Plain
            }
        }
    }

    /// Check an image reference and the image itself (read through the sandbox, decoded or
    /// sanitized); returns its project path.
    fn resolve_image(
        &mut self,
        dest: &str,
        origin: Origin<'_>,
        range: &Range<usize>,
    ) -> Option<String> {
        let checked = images::image_path(dest)
            .and_then(|path| self.images.get(&path).map(|image| (path, image)));
        match checked {
            Ok((path, image)) => {
                self.check_resolution(dest, &image, origin, range);
                if !self.used_images.contains(&path) {
                    self.used_images.push(path.clone());
                }
                Some(path)
            }
            Err(message) => {
                self.error(message, origin, range);
                None
            }
        }
    }

    /// Warn when a print edition would print an image below 300 ppi at the text width.
    fn check_resolution(
        &mut self,
        dest: &str,
        image: &images::Image,
        origin: Origin<'_>,
        range: &Range<usize>,
    ) {
        let Some(min) = self.min_image_px.filter(|_| image.is_raster()) else {
            return;
        };
        if image.width < min {
            let ppi = f64::from(image.width) / f64::from(min) * 300.0;
            let at = origin.offset + range.start..origin.offset + range.end;
            self.sink.push(
                Diagnostic::warning(format!(
                    "image `{dest}` is {} px wide: about {ppi:.0} ppi at the text width of this print edition, below 300 ppi (it needs {min} px)",
                    image.width
                ))
                .at(origin.file, at),
            );
        }
    }
}

pub(crate) fn alignment(a: Alignment) -> &'static str {
    match a {
        Alignment::None | Alignment::Left => "left",
        Alignment::Center => "center",
        Alignment::Right => "right",
    }
}
impl Converter<'_> {
    /// Start numbering notes from 1 again (at the start of a chapter).
    pub fn restart_notes(&mut self) {
        if let Some(xhtml) = &mut self.xhtml {
            xhtml.note_number = 0;
        }
    }
}

/// The text of one line of Markdown without its markup, for places that take plain text
/// (an attribute, a bookmark).
pub fn plain(markdown: &str) -> String {
    Parser::new_ext(markdown, options())
        .filter_map(|event| match event {
            Event::Text(text) | Event::Code(text) => Some(text.to_string()),
            Event::SoftBreak | Event::HardBreak => Some(" ".to_string()),
            _ => None,
        })
        .collect()
}
