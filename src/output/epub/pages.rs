//! Print page numbers in the EPUB: where each page of a print edition begins, as page
//! breaks in the text and a page list in the navigation.
//!
//! Both outputs mark the same places with the same keys (`page_anchor` in templates, and
//! every top-level block of Markdown): the compiled print edition says which page each
//! place is printed on, and the page break of a page goes before the first place in
//! reading order that lies on it (or, for a page where no place begins — a full-page map, a
//! long paragraph — before the next one that does).

use std::collections::HashMap;

use serde::Serialize;
use typst::foundations::{Label, Selector, Value};
use typst::introspection::{Introspector, MetadataElem};
use typst::utils::PicoStr;
use typst_layout::PagedDocument;

use crate::escape::{PAGE_ANCHOR_ELEMENT, PAGE_ANCHOR_LABEL};

/// The pages of a print edition, by the anchors printed on them.
#[derive(Debug, Clone, Default)]
pub struct PageSource {
    /// The page number each anchor is printed on (its first occurrence).
    anchors: HashMap<String, u64>,
    /// The page number each index mark of the text is printed on, by where it stands.
    marks: HashMap<String, u64>,
    /// What the page numbers come from, for `pageBreakSource` in the package.
    pub description: String,
}

impl PageSource {
    /// Where the anchors of a laid-out print edition fall; `description` names the edition.
    pub fn from_document(document: &PagedDocument, description: String) -> Self {
        let mut anchors = HashMap::new();
        for (value, number) in labelled(document, PAGE_ANCHOR_LABEL) {
            if let Value::Str(key) = value {
                anchors.entry(key.to_string()).or_insert(number);
            }
        }
        let mut marks = HashMap::new();
        for (value, number) in labelled(document, INDEX_LABEL) {
            if let Value::Dict(dict) = value
                && let Ok(Value::Str(at)) = dict.get("at")
            {
                marks.entry(at.to_string()).or_insert(number);
            }
        }
        Self {
            anchors,
            marks,
            description,
        }
    }

    /// The page an index mark of the text is printed on, by where it stands.
    pub fn mark(&self, at: &str) -> Option<u64> {
        self.marks.get(at).copied()
    }

    /// How many anchors the print edition holds.
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// Whether the print edition holds no anchor.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }
}

/// Label of the index marks in the base layout's style.
const INDEX_LABEL: &str = "guidebook-index";

/// The values of the metadata carrying `label`, with the page number each is printed on.
fn labelled(document: &PagedDocument, label: &str) -> Vec<(Value, u64)> {
    let Some(label) = Label::new(PicoStr::intern(label)) else {
        return Vec::new();
    };
    let introspector = document.introspector();
    let mut found = Vec::new();
    for content in introspector.query(&Selector::Label(label)).iter() {
        let Some(meta) = content.to_packed::<MetadataElem>() else {
            continue;
        };
        let Some(page) = content
            .location()
            .and_then(|location| introspector.page(location))
        else {
            continue;
        };
        let number = document
            .pages()
            .get(page.get() - 1)
            .map_or(page.get() as u64, |p| p.number);
        found.push((meta.value.clone(), number));
    }
    found
}

/// One entry of the page list: the page's number and where its page break is.
#[derive(Debug, Clone, Serialize)]
pub struct PageEntry {
    pub number: String,
    pub href: String,
}

/// An anchor found in a document: its byte range there and its key.
struct Found {
    document: usize,
    start: usize,
    end: usize,
    key: String,
}

/// Places page breaks in documents given one batch after another (the index is written once
/// the pages of the text are known), continuing the page numbers from batch to batch.
#[derive(Debug, Default)]
pub struct Placer {
    /// The next page to place.
    next: Option<u64>,
}

impl Placer {
    /// Put page breaks into `documents` (file name and XHTML, in reading order) where the
    /// pages of `source` begin, remove every anchor, and return their entries of the page
    /// list. Without a source the anchors are only removed.
    pub fn place(
        &mut self,
        documents: &mut [(String, String)],
        source: Option<&PageSource>,
    ) -> Vec<PageEntry> {
        let (entries, next) = place(documents, source, self.next);
        self.next = next.or(self.next);
        entries
    }
}

/// [`Placer::place`], from page `next` (by default the first page an anchor lies on);
/// returns the entries and the next page to place.
fn place(
    documents: &mut [(String, String)],
    source: Option<&PageSource>,
    next: Option<u64>,
) -> (Vec<PageEntry>, Option<u64>) {
    let found = find_anchors(documents);
    // The page of each anchor, never less than an earlier one's (a figure that floats ahead
    // must not send the list back).
    let mut pages: Vec<Option<u64>> = Vec::with_capacity(found.len());
    let mut highest = 0;
    for anchor in &found {
        let page = source.and_then(|s| s.anchors.get(&anchor.key)).copied();
        pages.push(page.map(|p| {
            highest = highest.max(p);
            highest
        }));
    }
    // The pages whose break goes before each anchor.
    let mut breaks: Vec<Vec<u64>> = vec![Vec::new(); found.len()];
    let first = pages.iter().flatten().copied().min();
    let mut next = next.or(first).unwrap_or(1);
    for (i, page) in pages.iter().enumerate() {
        let Some(page) = *page else { continue };
        while next <= page {
            breaks[i].push(next);
            next += 1;
        }
    }
    let mut entries = Vec::new();
    // Replace from the end of each document, so that earlier ranges stay valid.
    for (i, anchor) in found.iter().enumerate().rev() {
        let (name, text) = &mut documents[anchor.document];
        let markup: String = breaks[i]
            .iter()
            .map(|n| {
                format!(
                    "<span epub:type=\"pagebreak\" role=\"doc-pagebreak\" id=\"page-{n}\" aria-label=\"{n}\"></span>"
                )
            })
            .collect();
        for n in breaks[i].iter().rev() {
            entries.push(PageEntry {
                number: n.to_string(),
                href: format!("{name}#page-{n}"),
            });
        }
        text.replace_range(anchor.start..anchor.end, &markup);
    }
    entries.reverse();
    (entries, first.map(|_| next))
}

/// Every anchor in the documents, in reading order.
fn find_anchors(documents: &[(String, String)]) -> Vec<Found> {
    let open = format!("<{PAGE_ANCHOR_ELEMENT} key=\"");
    let mut found = Vec::new();
    for (document, (_, text)) in documents.iter().enumerate() {
        let mut from = 0;
        while let Some(at) = text[from..].find(&open) {
            let start = from + at;
            let key_start = start + open.len();
            let Some(key_len) = text[key_start..].find("\"/>") else {
                break;
            };
            let end = key_start + key_len + 3;
            found.push(Found {
                document,
                start,
                end,
                key: unescape(&text[key_start..key_start + key_len]),
            });
            from = end;
        }
    }
    found
}

/// The text of an attribute value [`xml`] escaped.
fn unescape(value: &str) -> String {
    value
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::escape::page_anchor_xml as anchor;

    fn source(pairs: &[(&str, u64)]) -> PageSource {
        PageSource {
            anchors: pairs.iter().map(|(k, p)| (k.to_string(), *p)).collect(),
            marks: HashMap::new(),
            description: "test".into(),
        }
    }

    #[test]
    fn every_page_from_the_first_anchor_to_the_last_gets_one_break_in_order() {
        let mut documents = vec![
            (
                "a.xhtml".to_string(),
                format!("{}<p>one</p>{}<p>two</p>", anchor("a"), anchor("b")),
            ),
            (
                "b.xhtml".to_string(),
                format!("{}<p>three</p>{}<p>x</p>", anchor("c"), anchor("gone")),
            ),
        ];
        // Page 4 has no anchor of its own (a full-page map): its break joins page 5's.
        let list = Placer::default().place(
            &mut documents,
            Some(&source(&[("a", 2), ("b", 3), ("c", 5)])),
        );
        let numbers: Vec<&str> = list.iter().map(|e| e.number.as_str()).collect();
        assert_eq!(numbers, ["2", "3", "4", "5"]);
        assert_eq!(list[3].href, "b.xhtml#page-5");
        assert!(documents[1].1.starts_with(
            "<span epub:type=\"pagebreak\" role=\"doc-pagebreak\" id=\"page-4\" aria-label=\"4\"></span><span"
        ));
        assert!(!documents[1].1.contains(PAGE_ANCHOR_ELEMENT));
    }

    #[test]
    fn a_figure_printed_ahead_does_not_send_the_pages_back() {
        let mut documents = vec![(
            "a.xhtml".to_string(),
            format!("{}x{}y{}z", anchor("a"), anchor("float"), anchor("b")),
        )];
        let list = Placer::default().place(
            &mut documents,
            Some(&source(&[("a", 1), ("float", 3), ("b", 2)])),
        );
        let numbers: Vec<&str> = list.iter().map(|e| e.number.as_str()).collect();
        assert_eq!(numbers, ["1", "2", "3"]);
    }

    #[test]
    fn a_later_batch_continues_the_pages() {
        let mut placer = Placer::default();
        let pages = source(&[("a", 2), ("index", 6)]);
        let mut text = vec![("a.xhtml".to_string(), anchor("a"))];
        assert_eq!(placer.place(&mut text, Some(&pages)).len(), 1);
        let mut index = vec![("index.xhtml".to_string(), anchor("index"))];
        let numbers: Vec<String> = placer
            .place(&mut index, Some(&pages))
            .into_iter()
            .map(|e| e.number)
            .collect();
        assert_eq!(numbers, ["3", "4", "5", "6"]);
    }

    #[test]
    fn without_a_source_the_anchors_go() {
        let mut documents = vec![("a.xhtml".to_string(), format!("{}<p>x</p>", anchor("a&b")))];
        assert!(Placer::default().place(&mut documents, None).is_empty());
        assert_eq!(documents[0].1, "<p>x</p>");
    }
}
