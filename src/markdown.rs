//! Markdown bodies to Typst markup and to XHTML: one walk over pulldown-cmark events with one
//! link and image resolution, and two writers that escape every text node for their language.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Range;
use std::path::Path;

use pulldown_cmark::{Alignment, CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::diagnostics::{Diagnostic, Sink, SourceFile};
use crate::escape;

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
#[derive(Debug, Default)]
pub struct IndexTerms {
    /// `(form in the text, index entry)`, longest form first.
    pub people: Vec<(String, String)>,
    /// Landmark id to its name, for indexing links to landmarks.
    pub landmark_names: HashMap<String, String>,
}

impl IndexTerms {
    /// Index terms for a list of people (name and other forms) and landmarks (id and name).
    pub fn new<'p>(
        people: impl IntoIterator<Item = (&'p str, &'p [String])>,
        landmarks: impl IntoIterator<Item = (String, String)>,
    ) -> Self {
        let mut forms: Vec<(String, String)> = people
            .into_iter()
            .flat_map(|(name, aliases)| {
                std::iter::once((name.to_string(), name.to_string()))
                    .chain(aliases.iter().map(move |a| (a.clone(), name.to_string())))
            })
            .collect();
        forms.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        Self {
            people: forms,
            landmark_names: landmarks.into_iter().collect(),
        }
    }

    /// Where people are named in a text: `(start, end, index entry)`, in order, not overlapping.
    fn find_people<'t>(&'t self, text: &str) -> Vec<(usize, usize, &'t str)> {
        let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '-');
        let mut found: Vec<(usize, usize, &str)> = Vec::new();
        for (form, name) in &self.people {
            for (start, _) in text.match_indices(form.as_str()) {
                let end = start + form.len();
                let before = text[..start].chars().next_back();
                let after = text[end..].chars().next();
                let overlaps = found.iter().any(|(s, e, _)| start < *e && *s < end);
                if !is_word(before) && !is_word(after) && !overlaps {
                    found.push((start, end, name.as_str()));
                }
            }
        }
        found.sort_by_key(|(start, ..)| *start);
        found
    }
}

/// Typst that records an index entry at this point of the text.
pub fn index_mark(kind: &str, term: &str) -> String {
    format!(
        "#index-mark({}, {});",
        escape::string_literal(kind),
        escape::string_literal(term)
    )
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
    /// An entry of the book: `scheme` is landmark, chapter or figure.
    Internal { scheme: &'static str, id: String },
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
    fn text(&mut self, out: &mut String, text: &str);
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
}

/// A block or inline container being walked.
enum Frame {
    Block(Block),
    Link {
        link: Link,
        start: usize,
        plain: String,
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

/// Link and image resolution against the book, with the diagnostics it finds.
struct Resolver<'a> {
    targets: &'a Targets,
    root: &'a Path,
    /// Print editions: the pixel width an image needs to reach 300 ppi at the text width.
    min_image_px: Option<u32>,
    sink: Sink,
}

/// Converts Markdown to Typst or XHTML for one book, collecting diagnostics as it goes.
pub struct Converter<'a> {
    resolver: Resolver<'a>,
    typst: Typst<'a>,
    xhtml: Option<Xhtml>,
}

impl<'a> Converter<'a> {
    /// A converter resolving links against `targets` and images against the project `root`.
    pub fn new(targets: &'a Targets, root: &'a Path) -> Self {
        Self {
            resolver: Resolver {
                targets,
                root,
                min_image_px: None,
                sink: Sink::default(),
            },
            typst: Typst {
                index: None,
                in_heading: 0,
            },
            xhtml: None,
        }
    }

    /// Record index entries (people named, landmarks linked) in the Typst written.
    pub fn with_index(mut self, index: &'a IndexTerms) -> Self {
        self.typst.index = Some(index);
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
        root: &'a Path,
        hrefs: HashMap<(&'static str, String), String>,
    ) -> Self {
        let mut converter = Self::new(targets, root);
        converter.xhtml = Some(Xhtml {
            hrefs,
            ..Xhtml::default()
        });
        converter
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
            let text = resolver.render(writer, inner, &HashMap::new(), origin);
            footnotes.insert(name.to_string(), text.trim_end().to_string());
        } else {
            body.push((event, range));
        }
    }
    resolver.check_footnote_references(markdown, &footnotes, origin);
    let mut out = resolver.render(writer, body, &footnotes, origin);
    writer.finish(&mut out);
    out
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
        footnotes: &HashMap<String, String>,
        origin: Origin<'_>,
    ) -> String {
        let mut out = String::new();
        let mut stack: Vec<Frame> = Vec::new();
        for (event, range) in events {
            match event {
                Event::Start(tag) => {
                    let frame = self.open(writer, tag, &mut out, origin, &range);
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
                        _ => writer.text(&mut out, &text),
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
                Event::FootnoteReference(name) => match footnotes.get(name.as_ref()) {
                    Some(text) => writer.footnote(&mut out, text),
                    None => self.error(
                        format!("footnote `[^{name}]` has no definition"),
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
        origin: Origin<'_>,
        range: &Range<usize>,
    ) -> Frame {
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
                let link = self.resolve_link(&dest_url, origin, range);
                return Frame::Link {
                    link,
                    start: out.len(),
                    plain: String::new(),
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
            Frame::Link { link, start, plain } => {
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

    fn resolve_link(&mut self, dest: &str, origin: Origin<'_>, range: &Range<usize>) -> Link {
        let Some((scheme, target)) = dest.split_once(':') else {
            self.error(
                format!(
                    "link `{dest}` has no scheme: use landmark:, chapter:, figure:, cite: or https:"
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
            "https" if !target.starts_with("//") || target.len() <= 2 => {
                self.error(
                    format!("link `{dest}` is not a web address: write https://host/path"),
                    origin,
                    range,
                );
                Link::Plain
            }
            "https"
                if dest
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || "\"<>\\^`{|}".contains(c)) =>
            {
                self.error(
                    format!("link `{dest}` has characters a web address cannot hold; percent-encode them"),
                    origin,
                    range,
                );
                Link::Plain
            }
            "https" => Link::Url(dest.to_string()),
            _ => {
                self.error(
                    format!("links with the scheme `{scheme}:` are not allowed; use https: or an internal link"),
                    origin,
                    range,
                );
                Link::Plain
            }
        }
    }

    /// Check an image path: relative, inside `chapters/images/`, existing, not leaving the root.
    fn resolve_image(
        &mut self,
        dest: &str,
        origin: Origin<'_>,
        range: &Range<usize>,
    ) -> Option<String> {
        match image_path(self.root, dest) {
            Ok(path) => {
                self.check_resolution(dest, origin, range);
                Some(path)
            }
            Err(message) => {
                self.error(message, origin, range);
                None
            }
        }
    }
}

impl Resolver<'_> {
    /// Warn when a print edition would print an image below 300 ppi at the text width.
    fn check_resolution(&mut self, dest: &str, origin: Origin<'_>, range: &Range<usize>) {
        let Some(min) = self.min_image_px else {
            return;
        };
        if dest.ends_with(".svg") {
            return;
        }
        let full = self.root.join("chapters").join(dest);
        let at = origin.offset + range.start..origin.offset + range.end;
        match imagesize::size(&full) {
            Ok(size) if (size.width as u64) < u64::from(min) => {
                let ppi = size.width as f64 / f64::from(min) * 300.0;
                self.sink.push(
                    Diagnostic::warning(format!(
                        "image `{dest}` is {} px wide: about {ppi:.0} ppi at the text width of this print edition, below 300 ppi (it needs {min} px)",
                        size.width
                    ))
                    .at(origin.file, at),
                );
            }
            Ok(_) => {}
            Err(error) => self.sink.push(
                Diagnostic::error(format!("image `{dest}` cannot be read: {error}"))
                    .at(origin.file, at),
            ),
        }
    }
}

/// The Typst writer: Markdown as Typst markup, every text escaped for markup mode, with
/// index entries after the people it names (outside headings, which running heads repeat).
struct Typst<'a> {
    index: Option<&'a IndexTerms>,
    in_heading: usize,
}

impl Writer for Typst<'_> {
    fn text(&mut self, out: &mut String, text: &str) {
        let Some(index) = self.index.filter(|_| self.in_heading == 0) else {
            out.push_str(&escape::markup(text));
            return;
        };
        let mut at = 0;
        for (_, end, name) in index.find_people(text) {
            out.push_str(&escape::markup(&text[at..end]));
            out.push_str(&index_mark("person", name));
            at = end;
        }
        out.push_str(&escape::markup(&text[at..]));
    }

    fn inline_code(&mut self, out: &mut String, code: &str) {
        out.push_str(&format!("#raw({});", escape::string_literal(code)));
    }

    fn code_block(&mut self, out: &mut String, lang: Option<&str>, code: &str) {
        let lang = lang
            .map(|l| format!("lang: {}, ", escape::string_literal(l)))
            .unwrap_or_default();
        out.push_str(&format!(
            "#raw(block: true, {lang}{});\n\n",
            escape::string_literal(code)
        ));
    }

    fn soft_break(&mut self, out: &mut String) {
        out.push('\n');
    }

    fn hard_break(&mut self, out: &mut String) {
        out.push_str("#linebreak();\n");
    }

    fn rule(&mut self, out: &mut String) {
        out.push_str("\n#line(length: 100%);\n\n");
    }

    fn open(&mut self, out: &mut String, block: &Block) {
        match block {
            Block::Paragraph | Block::TableRow => {}
            Block::Heading(level) => {
                self.in_heading += 1;
                out.push_str(&format!("\n#heading(level: {level})["));
            }
            Block::Quote => out.push_str("#quote(block: true)["),
            Block::List(None) => out.push_str("#list("),
            Block::List(Some(start)) => out.push_str(&format!("#enum(start: {start}, ")),
            Block::Item | Block::TableCell => out.push('['),
            Block::Table(alignments) => {
                let align: Vec<&str> = alignments.iter().map(|a| alignment(*a)).collect();
                out.push_str(&format!(
                    "#table(columns: {}, align: ({},), ",
                    alignments.len(),
                    align.join(", ")
                ));
            }
            Block::TableHead => out.push_str("table.header("),
            Block::Emphasis => out.push_str("#emph["),
            Block::Strong => out.push_str("#strong["),
            Block::Strike => out.push_str("#strike["),
        }
    }

    fn close(&mut self, out: &mut String, block: &Block) {
        if let Block::Heading(_) = block {
            self.in_heading = self.in_heading.saturating_sub(1);
        }
        out.push_str(match block {
            Block::Paragraph => "\n\n",
            Block::Heading(_) | Block::Quote => "];\n\n",
            Block::List(_) | Block::Table(_) => ");\n\n",
            Block::Item | Block::TableCell => "], ",
            Block::TableHead => "), ",
            Block::TableRow => "",
            Block::Emphasis | Block::Strong | Block::Strike => "];",
        });
    }

    fn footnote(&mut self, out: &mut String, note: &str) {
        out.push_str(&format!("#footnote[{note}];"));
    }

    fn link(&mut self, out: &mut String, link: &Link, text: &str, _plain: &str) {
        out.push_str(&match link {
            Link::Internal { scheme, id } => {
                let label = match *scheme {
                    "landmark" => landmark_label(id),
                    "chapter" => chapter_label(id),
                    _ => figure_label(id),
                };
                let mark = match (self.index, *scheme) {
                    (Some(index), "landmark") if self.in_heading == 0 => index
                        .landmark_names
                        .get(id)
                        .map(|name| index_mark("landmark", name))
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                format!(
                    "#link(label({}))[{text}];{mark}",
                    escape::string_literal(&label)
                )
            }
            Link::Url(url) => format!("#link({})[{text}];", escape::string_literal(url)),
            Link::Cite(key) if text.is_empty() => {
                format!("#cite(label({}));", escape::string_literal(key))
            }
            Link::Cite(key) => format!(
                "#cite(label({}), supplement: [{text}]);",
                escape::string_literal(key)
            ),
            Link::Plain => text.to_string(),
        });
    }

    /// An image is a figure like the charts: numbered with them ("Figure n") and listed with
    /// them in the list of figures, so it shares their kind.
    fn image(&mut self, out: &mut String, path: &str, alt: &str, caption: &str) {
        let kind = crate::figures::FigureKind::Chart;
        out.push_str(&format!(
            "#figure(image({}, alt: {}, width: 100%), kind: {}, supplement: [{}], caption: [{}]);",
            escape::string_literal(path),
            escape::string_literal(alt),
            escape::string_literal(kind.name()),
            escape::markup(kind.supplement()),
            escape::markup(caption),
        ));
    }
}

fn alignment(a: Alignment) -> &'static str {
    match a {
        Alignment::None | Alignment::Left => "left",
        Alignment::Center => "center",
        Alignment::Right => "right",
    }
}

/// The XHTML writer: Markdown as EPUB 3 XHTML, every text escaped for XML.
///
/// Citations are written as markers and formatted once the whole book has been walked
/// (author-date disambiguation needs every citation); see [`fill_citations`].
#[derive(Debug, Default)]
pub struct Xhtml {
    hrefs: HashMap<(&'static str, String), String>,
    /// Notes referenced in the current text, written at its end.
    pending_notes: Vec<(usize, usize, String)>,
    /// Unique note ids across the book.
    note_id: usize,
    /// The number a reader sees, restarted per chapter.
    note_number: usize,
    /// Every citation in order: key and locator (the link text, if any).
    pub cites: Vec<(String, Option<String>)>,
    /// Project paths (`/chapters/images/…`) of the images used.
    pub images: BTreeSet<String>,
    /// Start of each open paragraph, to turn one that holds a figure into a `div`.
    paragraphs: Vec<usize>,
    table: Vec<Alignment>,
    table_head: bool,
    table_body: bool,
    column: usize,
}

/// Marker a citation leaves in XHTML until citations are formatted; `<` never survives
/// escaping, so content cannot forge one.
const CITE_MARKER: &str = "<guidebook-cite n=\"";

/// Where an image of the book lives inside the EPUB, relative to the XHTML files.
pub fn epub_image_href(path: &str) -> String {
    path.trim_start_matches("/chapters/").to_string()
}

/// Replace the citation markers in XHTML by the formatted citations, in order.
pub fn fill_citations(text: &str, citations: &[String]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(CITE_MARKER) {
        out.push_str(&rest[..at]);
        let after = &rest[at + CITE_MARKER.len()..];
        let end = after.find("\"/>").unwrap_or(after.len());
        let index: usize = after[..end].parse().unwrap_or(usize::MAX);
        out.push_str(citations.get(index).map_or("", String::as_str));
        rest = after.get(end + 3..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

impl Converter<'_> {
    /// Start numbering notes from 1 again (at the start of a chapter).
    pub fn restart_notes(&mut self) {
        if let Some(xhtml) = &mut self.xhtml {
            xhtml.note_number = 0;
        }
    }
}

impl Writer for Xhtml {
    fn text(&mut self, out: &mut String, text: &str) {
        out.push_str(&escape::xml(text));
    }

    fn inline_code(&mut self, out: &mut String, code: &str) {
        out.push_str(&format!("<code>{}</code>", escape::xml(code)));
    }

    fn code_block(&mut self, out: &mut String, lang: Option<&str>, code: &str) {
        let class = lang
            .map(|l| format!(" class=\"language-{}\"", escape::xml(l)))
            .unwrap_or_default();
        out.push_str(&format!(
            "<pre><code{class}>{}</code></pre>\n",
            escape::xml(code)
        ));
    }

    fn soft_break(&mut self, out: &mut String) {
        out.push('\n');
    }

    fn hard_break(&mut self, out: &mut String) {
        out.push_str("<br/>");
    }

    fn rule(&mut self, out: &mut String) {
        out.push_str("<hr/>\n");
    }

    fn open(&mut self, out: &mut String, block: &Block) {
        match block {
            Block::Paragraph => {
                self.paragraphs.push(out.len());
                out.push_str("<p>");
            }
            Block::Heading(level) => out.push_str(&format!("<h{level}>")),
            Block::Quote => out.push_str("<blockquote>\n"),
            Block::List(None) => out.push_str("<ul>\n"),
            Block::List(Some(1)) => out.push_str("<ol>\n"),
            Block::List(Some(start)) => out.push_str(&format!("<ol start=\"{start}\">\n")),
            Block::Item => out.push_str("<li>"),
            Block::Table(alignments) => {
                self.table = alignments.clone();
                self.table_body = false;
                out.push_str("<table>\n");
            }
            Block::TableHead => {
                self.table_head = true;
                self.column = 0;
                out.push_str("<thead><tr>");
            }
            Block::TableRow => {
                if !self.table_body {
                    self.table_body = true;
                    out.push_str("<tbody>\n");
                }
                self.column = 0;
                out.push_str("<tr>");
            }
            Block::TableCell => {
                let tag = if self.table_head { "th" } else { "td" };
                match self.table.get(self.column) {
                    Some(Alignment::Center | Alignment::Right) => out.push_str(&format!(
                        "<{tag} class=\"align-{}\">",
                        alignment(self.table[self.column])
                    )),
                    _ => out.push_str(&format!("<{tag}>")),
                }
            }
            Block::Emphasis => out.push_str("<em>"),
            Block::Strong => out.push_str("<strong>"),
            Block::Strike => out.push_str("<s>"),
        }
    }

    fn close(&mut self, out: &mut String, block: &Block) {
        match block {
            Block::Paragraph => {
                let start = self.paragraphs.pop().unwrap_or(out.len());
                // A figure cannot sit inside a paragraph: such a paragraph becomes a block.
                if out[start..].contains("<figure") {
                    out.replace_range(start..start + 3, "<div class=\"figure-block\">");
                    out.push_str("</div>\n");
                } else {
                    out.push_str("</p>\n");
                }
            }
            Block::Heading(level) => out.push_str(&format!("</h{level}>\n")),
            Block::Quote => out.push_str("</blockquote>\n"),
            Block::List(None) => out.push_str("</ul>\n"),
            Block::List(Some(_)) => out.push_str("</ol>\n"),
            Block::Item => out.push_str("</li>\n"),
            Block::Table(_) => {
                if self.table_body {
                    out.push_str("</tbody>\n");
                }
                out.push_str("</table>\n");
            }
            Block::TableHead => {
                self.table_head = false;
                out.push_str("</tr></thead>\n");
            }
            Block::TableRow => out.push_str("</tr>\n"),
            Block::TableCell => {
                out.push_str(if self.table_head { "</th>" } else { "</td>" });
                self.column += 1;
            }
            Block::Emphasis => out.push_str("</em>"),
            Block::Strong => out.push_str("</strong>"),
            Block::Strike => out.push_str("</s>"),
        }
    }

    fn footnote(&mut self, out: &mut String, note: &str) {
        self.note_id += 1;
        self.note_number += 1;
        let (id, number) = (self.note_id, self.note_number);
        out.push_str(&format!(
            "<sup><a class=\"noteref\" epub:type=\"noteref\" role=\"doc-noteref\" id=\"noteref-{id}\" href=\"#note-{id}\">{number}</a></sup>"
        ));
        self.pending_notes.push((id, number, note.to_string()));
    }

    fn finish(&mut self, out: &mut String) {
        for (id, number, note) in self.pending_notes.drain(..) {
            let back = format!(
                "<a class=\"noteback\" role=\"doc-backlink\" href=\"#noteref-{id}\">{number}.</a> "
            );
            let body = match note.strip_prefix("<p>") {
                Some(rest) => format!("<p>{back}{rest}"),
                None => format!("<p>{back}</p>{note}"),
            };
            out.push_str(&format!(
                "<aside class=\"footnote\" epub:type=\"footnote\" role=\"doc-footnote\" id=\"note-{id}\">{body}</aside>\n"
            ));
        }
    }

    fn link(&mut self, out: &mut String, link: &Link, text: &str, plain: &str) {
        match link {
            Link::Internal { scheme, id } => match self.hrefs.get(&(*scheme, id.clone())) {
                Some(href) => out.push_str(&format!(
                    "<a class=\"xref\" href=\"{}\">{text}</a>",
                    escape::xml(href)
                )),
                None => out.push_str(text),
            },
            Link::Url(url) => out.push_str(&format!(
                "<a class=\"external\" href=\"{}\">{text}</a>",
                escape::xml(url)
            )),
            Link::Cite(key) => {
                let locator = (!plain.is_empty()).then(|| plain.to_string());
                let index = self.cites.len();
                self.cites.push((key.clone(), locator));
                out.push_str(&format!(
                    "<a class=\"cite\" href=\"bibliography.xhtml#{}\">{CITE_MARKER}{index}\"/></a>",
                    escape::xml(&reference_id(key))
                ));
            }
            Link::Plain => out.push_str(text),
        }
    }

    fn image(&mut self, out: &mut String, path: &str, alt: &str, caption: &str) {
        self.images.insert(path.to_string());
        out.push_str(&format!(
            "<figure class=\"image\"><img src=\"{}\" alt=\"{}\"/><figcaption>{}</figcaption></figure>",
            escape::xml(&epub_image_href(path)),
            escape::xml(alt),
            escape::xml(caption)
        ));
    }
}

/// Image formats both outputs can show (the EPUB 3 core media types Typst also reads).
pub const IMAGE_TYPES: [(&str, &str); 6] = [
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("svg", "image/svg+xml"),
    ("webp", "image/webp"),
];

/// Resolve an image reference of a chapter to its project path (`/chapters/images/…`).
pub fn image_path(root: &Path, dest: &str) -> Result<String, String> {
    if dest.contains("://") || dest.contains(':') {
        return Err(format!(
            "image `{dest}` must be a file under chapters/images/, not a URL"
        ));
    }
    if dest.starts_with('/') || dest.starts_with('\\') {
        return Err(format!(
            "image path `{dest}` is absolute; write it relative to chapters/, e.g. images/map.png"
        ));
    }
    if dest.split(['/', '\\']).any(|part| part == "..") {
        return Err(format!("image path `{dest}` leaves the chapters folder"));
    }
    if !dest.starts_with("images/") {
        return Err(format!("image `{dest}` must be inside chapters/images/"));
    }
    let extension = dest.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    if !IMAGE_TYPES
        .iter()
        .any(|(ext, _)| Some(*ext) == extension.as_deref())
    {
        return Err(format!(
            "image `{dest}` must be PNG, JPEG, GIF, SVG or WebP"
        ));
    }
    if dest
        .chars()
        .any(|c| !(c.is_ascii_alphanumeric() || "/-_.".contains(c)))
    {
        return Err(format!(
            "image file name `{dest}` may use only ASCII letters, digits, `-`, `_` and `.`"
        ));
    }
    let images = root.join("chapters/images");
    let full = root.join("chapters").join(dest);
    let (Ok(images), Ok(canonical)) = (images.canonicalize(), full.canonicalize()) else {
        return Err(format!("image `{dest}` not found in chapters/images/"));
    };
    if !canonical.starts_with(&images) {
        return Err(format!(
            "image `{dest}` is a link that leads outside chapters/images/; access denied"
        ));
    }
    Ok(format!("/chapters/{dest}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xhtml(markdown: &str) -> String {
        let targets = Targets::default();
        let root = std::env::temp_dir();
        let mut converter = Converter::xhtml(&targets, &root, HashMap::new());
        let file = SourceFile::new("test.md", markdown.to_string());
        let body = converter.convert(
            markdown,
            Origin {
                file: &file,
                offset: 0,
            },
        );
        fill_citations(&body, &[])
    }

    fn well_formed(body: &str) -> bool {
        let document = format!(
            "<div xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\">{body}</div>"
        );
        roxmltree::Document::parse(&document).is_ok()
    }

    #[test]
    fn footnotes_become_epub_notes_with_back_links() {
        let out = xhtml("Text.[^a]\n\n[^a]: The *note*.\n");
        assert!(out.contains("epub:type=\"noteref\""), "{out}");
        assert!(
            out.contains("<aside class=\"footnote\" epub:type=\"footnote\""),
            "{out}"
        );
        assert!(out.contains("href=\"#noteref-1\""), "{out}");
        assert!(well_formed(&out), "{out}");
    }

    #[test]
    fn hostile_text_stays_text_in_xhtml() {
        let out = xhtml("<script>alert(1)</script> & \"quotes\" ]]> \u{7}");
        assert!(!out.contains("<script"), "{out}");
        assert!(well_formed(&out), "{out}");
    }

    proptest::proptest! {
        #[test]
        fn any_markdown_gives_well_formed_xhtml(input in "\\PC*") {
            let out = xhtml(&input);
            proptest::prop_assert!(well_formed(&out), "{:?} -> {:?}", input, out);
        }

        #[test]
        fn markdown_syntax_gives_well_formed_xhtml(input in "([-*_#>`|\\[\\]()!:^ \\n<&a1.]){0,80}") {
            let out = xhtml(&input);
            proptest::prop_assert!(well_formed(&out), "{:?} -> {:?}", input, out);
        }
    }
}

#[cfg(test)]
mod typst_tests {
    use super::*;

    fn convert(markdown: &str) -> (String, Vec<Diagnostic>) {
        let targets = Targets::default();
        let index = IndexTerms::new([("Mao Zedong", &["Mao".to_string()][..])], []);
        let root = Path::new("/nonexistent-guidebook-root");
        let mut converter = Converter::new(&targets, root).with_index(&index);
        let file = SourceFile::new("test.md", markdown);
        let out = converter.to_typst(
            markdown,
            Origin {
                file: &file,
                offset: 0,
            },
        );
        (out, converter.take_diagnostics())
    }

    #[test]
    fn structures_become_typst() {
        let (out, errors) = convert(
            "## Section\n\n*a* **b** `c`\n\n- x\n- y\n\n| h |\n|---|\n| v |\n\nNote.[^1]\n\n[^1]: Text.\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        for part in [
            "#heading(level: 2)[Section]",
            "#emph[a]",
            "#strong[b]",
            "#raw(\"c\")",
            "#list(",
            "#table(columns: 1",
            "#footnote[Text\\.]",
        ] {
            assert!(out.contains(part), "{part} not in {out}");
        }
        assert!(typst_syntax::parse(&out).errors_and_warnings().0.is_empty());
    }

    #[test]
    fn people_are_indexed_outside_headings() {
        let (out, _) = convert("## Mao\n\nMao met Maoists and Mao Zedong.\n");
        assert_eq!(out.matches("#index-mark(").count(), 2, "{out}");
    }

    #[test]
    fn undefined_footnotes_are_errors() {
        let (_, errors) = convert("Text.[^missing]\n");
        assert!(
            errors
                .iter()
                .any(|e| e.message.contains("`[^missing]` has no definition")),
            "{errors:?}"
        );
    }

    proptest::proptest! {
        /// Whatever an editor writes, the Typst produced parses without errors.
        #[test]
        fn any_markdown_gives_valid_typst(markdown in "(\\PC|\n){0,400}") {
            let (out, _) = convert(&markdown);
            let errors = typst_syntax::parse(&out).errors_and_warnings().0;
            proptest::prop_assert!(errors.is_empty(), "{:?} -> {:?}: {:?}", markdown, out, errors);
        }

        /// Markdown built from the characters that matter most to both languages.
        #[test]
        fn markup_heavy_markdown_gives_valid_typst(markdown in "[-#*_`$<>@\\[\\]()=+/~'\"!|:.\\\\ \na-c1]{0,300}") {
            let (out, _) = convert(&markdown);
            let errors = typst_syntax::parse(&out).errors_and_warnings().0;
            proptest::prop_assert!(errors.is_empty(), "{:?} -> {:?}: {:?}", markdown, out, errors);
        }
    }
}
