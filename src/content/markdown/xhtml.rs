//! The XHTML writer: Markdown as EPUB 3 XHTML, every text escaped for XML.

use std::collections::{BTreeSet, HashMap};

use pulldown_cmark::Alignment;

use super::{Block, IndexTerms, Link, Writer, alignment, mark_at, reference_id};
use crate::content::images;
use crate::escape;

/// The XHTML writer: Markdown as EPUB 3 XHTML, every text escaped for XML.
///
/// Citations are written as markers and formatted once the whole book has been walked
/// (author-date disambiguation needs every citation); see [`fill_citations`], which the EPUB calls.
#[derive(Debug, Default)]
pub struct Xhtml {
    pub(super) hrefs: HashMap<(&'static str, String), String>,
    /// Notes referenced in the current text, written at its end.
    pending_notes: Vec<(usize, usize, String)>,
    /// Unique note ids across the book.
    pub(super) note_id: usize,
    /// The number a reader sees, restarted per chapter.
    pub(super) note_number: usize,
    /// Every citation in order: key and locator (the link text, if any).
    pub cites: Vec<(String, Option<String>)>,
    /// Project paths (`/chapters/images/…`) of the images used.
    pub images: BTreeSet<String>,
    /// The names the index records, when the book has an index.
    pub(super) index: Option<IndexTerms>,
    /// Start of each open paragraph, to turn one that holds a figure into a `div`.
    paragraphs: Vec<usize>,
    table: Vec<Alignment>,
    table_head: bool,
    table_body: bool,
    column: usize,
}

/// Marker a citation leaves in XHTML until citations are formatted; `<` never survives
/// escaping, so content cannot forge one.
pub const CITE_MARKER: &str = "<guidebook-cite n=\"";

/// Element name of an index mark until the EPUB collects the index; `<` never survives
/// escaping, so content cannot forge one.
pub const INDEX_MARKER: &str = "guidebook-index";

/// An index mark of entry `kind:term` in XHTML (`main`: the entry's own place; `edge`:
/// `start` or `end` of a passage the whole of which treats the entry).
pub fn index_marker(kind: &str, term: &str, main: bool, edge: Option<&str>) -> String {
    format!(
        "<{INDEX_MARKER} key=\"{}\"{}{}/>",
        escape::xml(&format!("{kind}:{term}")),
        if main { " main=\"main\"" } else { "" },
        edge.map(|e| format!(" edge=\"{}\"", escape::xml(e)))
            .unwrap_or_default()
    )
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

impl Xhtml {
    /// A writer whose internal links go to `hrefs`: `(scheme, id)` to file and fragment.
    pub(super) fn new(hrefs: HashMap<(&'static str, String), String>) -> Self {
        Self {
            hrefs,
            ..Self::default()
        }
    }
}

impl Writer for Xhtml {
    fn text(&mut self, out: &mut String, text: &str, place: &str) {
        let Some(index) = &self.index else {
            out.push_str(&escape::xml(text));
            return;
        };
        let mut at = 0;
        for (end, kind, entry) in index.find(text) {
            out.push_str(&escape::xml(&text[at..end]));
            out.push_str(&index_marker(kind, entry, false, None).replace(
                "/>",
                &format!(" at=\"{}\"/>", escape::xml(&mark_at(place, end))),
            ));
            at = end;
        }
        out.push_str(&escape::xml(&text[at..]));
    }

    fn anchor(&mut self, out: &mut String, key: &str, _heading: bool) {
        out.push_str(&escape::page_anchor_xml(key));
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
            Link::Internal { scheme, id, .. } => {
                match self.hrefs.get(&(*scheme, id.clone())) {
                    Some(href) => out.push_str(&format!(
                        "<a class=\"xref\" href=\"{}\">{text}</a>",
                        escape::xml(href)
                    )),
                    None => out.push_str(text),
                }
                let name = self
                    .index
                    .as_ref()
                    .filter(|_| *scheme == "landmark")
                    .and_then(|index| index.landmark_names.get(id));
                if let Some(name) = name {
                    out.push_str(&index_marker("landmark", name, false, None));
                }
            }
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
            Link::Index(term) => {
                out.push_str(text);
                if self.index.is_some() {
                    out.push_str(&index_marker("subject", term, false, None));
                }
            }
            Link::Plain => out.push_str(text),
        }
    }

    fn image(&mut self, out: &mut String, path: &str, alt: &str, caption: &str) {
        self.images.insert(path.to_string());
        out.push_str(&format!(
            "<figure class=\"image\"><img src=\"{}\" alt=\"{}\"/><figcaption>{}</figcaption></figure>",
            escape::xml(&images::epub_href(path)),
            escape::xml(alt),
            escape::xml(caption)
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Converter, Origin, Targets};
    use super::fill_citations;
    use crate::diagnostics::SourceFile;
    use std::collections::HashMap;

    fn xhtml(markdown: &str) -> String {
        let targets = Targets::default();
        let images = crate::content::images::ImageStore::new(
            crate::sandbox::Sandbox::new(&std::env::temp_dir()).unwrap(),
        );
        let mut converter = Converter::xhtml(&targets, &images, HashMap::new());
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
