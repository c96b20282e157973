//! Markdown bodies to Typst markup by walking pulldown-cmark events, escaping every text node.

use std::collections::{HashMap, HashSet};
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

/// Names the index records wherever the text mentions them.
#[derive(Debug, Default)]
pub struct IndexTerms {
    /// `(form in the text, index entry)`, longest form first.
    pub people: Vec<(String, String)>,
    /// Landmark id to its name, for indexing links to landmarks.
    pub landmark_names: HashMap<String, String>,
}

impl IndexTerms {
    /// Index terms for a list of people and landmarks.
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

impl Targets {
    fn is(&self, map: &HashMap<&'static str, HashSet<String>>, scheme: &str, id: &str) -> bool {
        map.get(scheme).is_some_and(|set| set.contains(id))
    }
}

/// Where a piece of Markdown sits: its file and byte offset, for located diagnostics.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    pub file: &'a SourceFile,
    pub offset: usize,
}

/// Converts Markdown to Typst for one book, collecting diagnostics as it goes.
pub struct Converter<'a> {
    targets: &'a Targets,
    index: &'a IndexTerms,
    root: &'a Path,
    /// How many headings enclose the current text (no index entries inside headings,
    /// which are repeated in running heads and the outline).
    in_heading: usize,
    pub sink: Sink,
    /// Pixel width below which an image printed at the text width is under 300 ppi
    /// (print editions only): such images are reported as warnings.
    pub min_image_px: Option<u32>,
}

/// Options every Markdown text of the book is parsed with.
fn options() -> Options {
    Options::ENABLE_FOOTNOTES | Options::ENABLE_TABLES | Options::ENABLE_SMART_PUNCTUATION
}

/// Label names used for cross-references in the generated Typst.
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

/// A link being rendered: what to wrap its text in once the text is known.
enum LinkKind {
    Label(String),
    Landmark(String),
    Url(String),
    Cite(String),
    /// A rejected link: its text is still shown.
    Plain,
}

/// A block or inline container being rendered.
enum Frame {
    Link {
        kind: LinkKind,
        start: usize,
    },
    Image {
        path: Option<String>,
        title: String,
        start: usize,
    },
    CodeBlock {
        start: usize,
    },
    Other,
}

impl<'a> Converter<'a> {
    /// A converter resolving links against `targets` and images against the project `root`.
    pub fn new(targets: &'a Targets, index: &'a IndexTerms, root: &'a Path) -> Self {
        Self {
            targets,
            index,
            root,
            in_heading: 0,
            sink: Sink::default(),
            min_image_px: None,
        }
    }

    /// Convert a Markdown text to Typst markup.
    pub fn to_typst(&mut self, markdown: &str, origin: Origin<'_>) -> String {
        let events: Vec<(Event<'_>, Range<usize>)> = Parser::new_ext(markdown, options())
            .into_offset_iter()
            .collect();

        // Footnote definitions are rendered first, then inlined where they are referenced.
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
                let text = self.render(inner, &HashMap::new(), origin);
                footnotes.insert(name.to_string(), text.trim_end().to_string());
            } else {
                body.push((event, range));
            }
        }
        self.check_footnote_references(markdown, &footnotes, origin);
        self.render(body, &footnotes, origin)
    }

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

    /// Escaped text with an index entry after every person it names.
    fn indexed_text(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + 16);
        let mut at = 0;
        for (_, end, name) in self.index.find_people(text) {
            out.push_str(&escape::markup(&text[at..end]));
            out.push_str(&index_mark("person", name));
            at = end;
        }
        out.push_str(&escape::markup(&text[at..]));
        out
    }

    fn error(&mut self, message: impl Into<String>, origin: Origin<'_>, range: &Range<usize>) {
        let at = origin.offset + range.start..origin.offset + range.end;
        self.sink
            .push(Diagnostic::error(message).at(origin.file, at));
    }

    fn render(
        &mut self,
        events: Vec<(Event<'_>, Range<usize>)>,
        footnotes: &HashMap<String, String>,
        origin: Origin<'_>,
    ) -> String {
        let mut out = String::new();
        let mut stack: Vec<Frame> = Vec::new();
        let mut table_alignments: Vec<Alignment> = Vec::new();
        for (event, range) in events {
            match event {
                Event::Start(tag) => {
                    let frame = self.open(tag, &mut out, origin, &range, &mut table_alignments);
                    stack.push(frame);
                }
                Event::End(end) => {
                    let frame = stack.pop().unwrap_or(Frame::Other);
                    self.close(end, frame, &mut out, &table_alignments);
                }
                Event::Text(text) => {
                    if matches!(stack.last(), Some(Frame::CodeBlock { .. })) {
                        out.push_str(&text);
                    } else if self.in_heading > 0 {
                        out.push_str(&escape::markup(&text));
                    } else {
                        out.push_str(&self.indexed_text(&text));
                    }
                }
                Event::Code(code) => {
                    out.push_str(&format!("#raw({});", escape::string_literal(&code)));
                }
                Event::SoftBreak => out.push('\n'),
                Event::HardBreak => out.push_str("#linebreak();\n"),
                Event::Rule => out.push_str("\n#line(length: 100%);\n\n"),
                Event::FootnoteReference(name) => match footnotes.get(name.as_ref()) {
                    Some(text) => out.push_str(&format!("#footnote[{text}];")),
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
        tag: Tag<'_>,
        out: &mut String,
        origin: Origin<'_>,
        range: &Range<usize>,
        table_alignments: &mut Vec<Alignment>,
    ) -> Frame {
        match tag {
            Tag::Paragraph => {}
            Tag::Heading { level, .. } => {
                let level = match level {
                    HeadingLevel::H1 => {
                        self.error(
                            "use `##` for sections: the chapter title comes from the front matter",
                            origin,
                            range,
                        );
                        2
                    }
                    other => other as usize,
                };
                self.in_heading += 1;
                out.push_str(&format!("\n#heading(level: {level})["));
            }
            Tag::BlockQuote(_) => out.push_str("#quote(block: true)["),
            Tag::CodeBlock(kind) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(lang) if !lang.is_empty() => {
                        format!("lang: {}, ", escape::string_literal(&lang))
                    }
                    _ => String::new(),
                };
                out.push_str(&format!("#raw(block: true, {lang}"));
                return Frame::CodeBlock { start: out.len() };
            }
            Tag::List(None) => out.push_str("#list("),
            Tag::List(Some(start)) => out.push_str(&format!("#enum(start: {start}, ")),
            Tag::Item => out.push('['),
            Tag::Table(alignments) => {
                let columns = alignments.len();
                let align: Vec<&str> = alignments
                    .iter()
                    .map(|a| match a {
                        Alignment::None | Alignment::Left => "left",
                        Alignment::Center => "center",
                        Alignment::Right => "right",
                    })
                    .collect();
                out.push_str(&format!(
                    "#table(columns: {columns}, align: ({},), ",
                    align.join(", ")
                ));
                *table_alignments = alignments;
            }
            Tag::TableHead => out.push_str("table.header("),
            Tag::TableRow => {}
            Tag::TableCell => out.push('['),
            Tag::Emphasis => out.push_str("#emph["),
            Tag::Strong => out.push_str("#strong["),
            Tag::Strikethrough => out.push_str("#strike["),
            Tag::Link { dest_url, .. } => {
                let kind = self.resolve_link(&dest_url, origin, range);
                return Frame::Link {
                    kind,
                    start: out.len(),
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
                };
            }
            Tag::FootnoteDefinition(_) => {}
            Tag::HtmlBlock => {
                self.error(
                    "raw HTML is not allowed in content; use Markdown",
                    origin,
                    range,
                );
            }
            Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::Superscript
            | Tag::Subscript
            | Tag::MetadataBlock(_) => {
                self.error("this Markdown extension is not supported", origin, range);
            }
        }
        Frame::Other
    }

    fn close(&mut self, end: TagEnd, frame: Frame, out: &mut String, _alignments: &[Alignment]) {
        match (end, frame) {
            (TagEnd::Paragraph, _) => out.push_str("\n\n"),
            (TagEnd::Heading(_), _) => {
                self.in_heading = self.in_heading.saturating_sub(1);
                out.push_str("];\n\n");
            }
            (TagEnd::BlockQuote(_), _) => out.push_str("];\n\n"),
            (TagEnd::CodeBlock, Frame::CodeBlock { start }) => {
                let code = out.split_off(start);
                out.push_str(&escape::string_literal(&code));
                out.push_str(");\n\n");
            }
            (TagEnd::List(_), _) => out.push_str(");\n\n"),
            (TagEnd::Item, _) => out.push_str("], "),
            (TagEnd::Table, _) => out.push_str(");\n\n"),
            (TagEnd::TableHead, _) => out.push_str("), "),
            (TagEnd::TableCell, _) => out.push_str("], "),
            (TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough, _) => out.push_str("];"),
            (TagEnd::Link, Frame::Link { kind, start }) => {
                let text = out.split_off(start);
                let text = text.trim();
                out.push_str(&match kind {
                    LinkKind::Label(label) => {
                        format!("#link(label({}))[{text}];", escape::string_literal(&label))
                    }
                    LinkKind::Landmark(id) => {
                        let mark = match self.index.landmark_names.get(&id) {
                            Some(name) if self.in_heading == 0 => index_mark("landmark", name),
                            _ => String::new(),
                        };
                        format!(
                            "#link(label({}))[{text}];{mark}",
                            escape::string_literal(&landmark_label(&id))
                        )
                    }
                    LinkKind::Url(url) => {
                        format!("#link({})[{text}];", escape::string_literal(&url))
                    }
                    LinkKind::Cite(key) if text.is_empty() => {
                        format!("#cite(label({}));", escape::string_literal(&key))
                    }
                    LinkKind::Cite(key) => format!(
                        "#cite(label({}), supplement: [{text}]);",
                        escape::string_literal(&key)
                    ),
                    LinkKind::Plain => text.to_string(),
                });
            }
            (TagEnd::Image, Frame::Image { path, title, start }) => {
                let alt = out.split_off(start);
                if let Some(path) = path {
                    let caption = if title.is_empty() {
                        alt.clone()
                    } else {
                        escape::markup(&title)
                    };
                    out.push_str(&format!(
                        "#figure(image({}, alt: {}, width: 100%), caption: [{caption}]);",
                        escape::string_literal(&path),
                        escape::string_literal(&unescape_markup(&alt)),
                    ));
                }
            }
            _ => {}
        }
    }

    fn resolve_link(&mut self, dest: &str, origin: Origin<'_>, range: &Range<usize>) -> LinkKind {
        let Some((scheme, target)) = dest.split_once(':') else {
            self.error(
                format!(
                    "link `{dest}` has no scheme: use landmark:, chapter:, figure:, cite: or https:"
                ),
                origin,
                range,
            );
            return LinkKind::Plain;
        };
        let targets = self.targets;
        let known = targets.is(&targets.known, scheme, target);
        let printed = targets.is(&targets.printed, scheme, target);
        match scheme {
            "landmark" | "chapter" | "figure" if known && !printed => LinkKind::Plain,
            "landmark" if known => LinkKind::Landmark(target.to_string()),
            "chapter" if known => LinkKind::Label(chapter_label(target)),
            "figure" if known => LinkKind::Label(figure_label(target)),
            "cite" if known => LinkKind::Cite(target.to_string()),
            "landmark" | "chapter" | "figure" => {
                self.error(format!("unknown {scheme} `{target}`"), origin, range);
                LinkKind::Plain
            }
            "cite" => {
                self.error(
                    format!("unknown bibliography key `{target}`"),
                    origin,
                    range,
                );
                LinkKind::Plain
            }
            "https" => LinkKind::Url(dest.to_string()),
            _ => {
                self.error(
                    format!("links with the scheme `{scheme}:` are not allowed; use https: or an internal link"),
                    origin,
                    range,
                );
                LinkKind::Plain
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

impl Converter<'_> {
    /// Warn when an image would print below 300 ppi at the text width.
    fn check_resolution(&mut self, dest: &str, origin: Origin<'_>, range: &Range<usize>) {
        let Some(min) = self.min_image_px else {
            return;
        };
        let full = self.root.join("chapters").join(dest);
        if dest.ends_with(".svg") {
            return;
        }
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

/// Undo [`escape::markup`] for alt text, which is rendered to markup before it is known to be alt.
fn unescape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(markdown: &str) -> (String, Vec<Diagnostic>) {
        let targets = Targets::default();
        let index = IndexTerms::new([("Mao Zedong", &["Mao".to_string()][..])], []);
        let root = Path::new("/nonexistent-guidebook-root");
        let mut converter = Converter::new(&targets, &index, root);
        let file = SourceFile::new("test.md", markdown);
        let out = converter.to_typst(
            markdown,
            Origin {
                file: &file,
                offset: 0,
            },
        );
        (out, converter.sink.diagnostics)
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
