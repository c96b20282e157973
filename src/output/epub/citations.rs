//! Citations and the bibliography outside Typst (for the EPUB): hayagriva with the same CSL
//! style from its archive that Typst uses, written as escaped XHTML.

use hayagriva::citationberg::taxonomy::Locator;
use hayagriva::citationberg::{
    self, FontStyle, FontVariant, FontWeight, IndependentStyle, TextDecoration, VerticalAlign,
};
use hayagriva::{
    BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, ElemChild,
    ElemChildren, Formatting, Library, LocatorPayload, SpecificLocator,
};

use crate::content::model::Book;
use crate::diagnostics::{Error, Result};
use crate::escape;
use crate::sandbox::Sandbox;

/// The book's bibliography and citation style, ready to format citations.
pub struct Citations {
    library: Library,
    style: IndependentStyle,
    locales: Vec<citationberg::Locale>,
}

/// Formatted citations (in the order they were requested) and the bibliography of the
/// works cited, as `(key, XHTML)` in the style's order.
pub struct Formatted {
    pub citations: Vec<String>,
    pub bibliography: Vec<(String, String)>,
}

impl Citations {
    /// Load the book's bibliography file and its citation style; `None` without a bibliography.
    pub fn load(sandbox: &Sandbox, book: &Book) -> Result<Option<Self>> {
        let Some(bibliography) = &book.bibliography else {
            return Ok(None);
        };
        let file = sandbox.read_text(&bibliography.path)?;
        let library = hayagriva::io::from_yaml_str(&file.text)
            .map_err(|e| Error::msg(format!("{}: {e}", bibliography.path)))?;
        let name = book.meta.citation_style.get_ref();
        let style = match hayagriva::archive::ArchivedStyle::by_name(name).map(|s| s.get()) {
            Some(citationberg::Style::Independent(style)) => style,
            _ => {
                return Err(Error::msg(format!(
                    "chapters/book.toml: citation_style `{name}` is not a citation style known to Typst and hayagriva"
                )));
            }
        };
        Ok(Some(Self {
            library,
            style,
            locales: hayagriva::archive::locales(),
        }))
    }

    /// Format citations of `(key, locator)` in reading order, and the bibliography of the
    /// works cited. Unknown keys (already reported by the Markdown walk) are left empty.
    pub fn format(&self, cites: &[(String, Option<String>)]) -> Formatted {
        let mut driver = BibliographyDriver::new();
        let mut known = Vec::with_capacity(cites.len());
        for (key, locator) in cites {
            let Some(entry) = self.library.get(key) else {
                known.push(false);
                continue;
            };
            known.push(true);
            let locator = locator
                .as_deref()
                .map(|l| SpecificLocator(Locator::Custom, LocatorPayload::Str(l)));
            driver.citation(CitationRequest::from_items(
                vec![CitationItem::with_locator(entry, locator)],
                &self.style,
                &self.locales,
            ));
        }
        let rendered = driver.finish(BibliographyRequest::new(&self.style, None, &self.locales));
        let mut formatted = rendered.citations.iter().map(|c| xhtml(&c.citation));
        let citations = known
            .iter()
            .map(|&k| {
                if k {
                    formatted.next().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .collect();
        let bibliography = rendered
            .bibliography
            .map(|b| {
                b.items
                    .iter()
                    .map(|item| (item.key.clone(), xhtml(&item.content)))
                    .collect()
            })
            .unwrap_or_default();
        Formatted {
            citations,
            bibliography,
        }
    }
}

/// Write hayagriva's rendered elements as XHTML, escaping every text.
fn xhtml(children: &ElemChildren) -> String {
    let mut out = String::new();
    write_children(children, &mut out);
    out
}

fn write_children(children: &ElemChildren, out: &mut String) {
    for child in &children.0 {
        match child {
            ElemChild::Text(text) => write_formatted(&text.text, &text.formatting, out),
            ElemChild::Elem(elem) => write_children(&elem.children, out),
            ElemChild::Markup(markup) => out.push_str(&escape::xml(markup)),
            // Every address the book's URL policy admits (the bibliography was checked
            // against it on loading) is a link, `http:` as much as `https:`.
            ElemChild::Link { text, url } if crate::content::links::check_url(url).is_ok() => {
                out.push_str(&format!(
                    "<a class=\"external\" href=\"{}\">",
                    escape::xml(url)
                ));
                write_formatted(&text.text, &text.formatting, out);
                out.push_str("</a>");
            }
            ElemChild::Link { text, .. } => write_formatted(&text.text, &text.formatting, out),
            ElemChild::Transparent { .. } => {}
        }
    }
}

fn write_formatted(text: &str, formatting: &Formatting, out: &mut String) {
    let mut close = Vec::new();
    let mut open = |tag: &'static str, attributes: &str, out: &mut String| {
        out.push_str(&format!("<{tag}{attributes}>"));
        close.push(tag);
    };
    if formatting.font_style == FontStyle::Italic {
        open("i", "", out);
    }
    if formatting.font_weight == FontWeight::Bold {
        open("b", "", out);
    }
    if formatting.font_variant == FontVariant::SmallCaps {
        open("span", " class=\"smallcaps\"", out);
    }
    if formatting.text_decoration == TextDecoration::Underline {
        open("u", "", out);
    }
    match formatting.vertical_align {
        VerticalAlign::Sup => open("sup", "", out),
        VerticalAlign::Sub => open("sub", "", out),
        _ => {}
    }
    out.push_str(&escape::xml(text));
    for tag in close.iter().rev() {
        out.push_str(&format!("</{tag}>"));
    }
}
