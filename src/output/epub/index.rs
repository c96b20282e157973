//! The index of the EPUB: the marks the XHTML writer and the templates leave where the text
//! names an entry, collected with the print page in force where each stands, and grouped as
//! the printed index groups them (ranges of pages, sub-entries by chapter).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::content::markdown::INDEX_MARKER;
use crate::content::view::IndexEntry;
use crate::output::epub::pages::PageSource;

/// The most locators an entry lists on one line, as in print; one with more is split into
/// sub-entries, one for each chapter or section it occurs in.
const SUB_ENTRIES_AFTER: usize = 10;

/// One place an entry is named: where to go, the print pages it covers, its section.
#[derive(Debug, Clone)]
struct Reference {
    href: String,
    pages: Option<(u64, u64)>,
    section: String,
    main: bool,
}

/// The references of every entry, by key (`kind:term`), in reading order.
#[derive(Debug, Default)]
pub struct References(BTreeMap<String, Vec<Reference>>);

impl References {
    /// Replace every index mark in `documents` (file name and XHTML, in reading order) by an
    /// anchor, and record it with the print page in force there (after the page breaks are
    /// placed) and the section of its file (`sections`: file name to section title).
    /// A mark that says where it stands in the text takes its page from `source`, exactly.
    pub fn collect(
        documents: &mut [(String, String)],
        sections: &HashMap<String, String>,
        source: Option<&PageSource>,
    ) -> Self {
        let mut references: BTreeMap<String, Vec<Reference>> = BTreeMap::new();
        let mut open: HashMap<String, (String, Option<u64>)> = HashMap::new();
        let mut page = None;
        let mut count = 0;
        let marker = format!("<{INDEX_MARKER} ");
        let page_break = "role=\"doc-pagebreak\" id=\"page-";
        for (name, text) in documents.iter_mut() {
            let section = sections.get(name.as_str()).cloned().unwrap_or_default();
            let mut out = String::with_capacity(text.len());
            let mut rest = text.as_str();
            loop {
                let next_mark = rest.find(&marker);
                let next_break = rest.find(page_break);
                match (next_mark, next_break) {
                    (_, Some(b)) if next_mark.is_none_or(|m| b < m) => {
                        let after = &rest[b + page_break.len()..];
                        let digits: String =
                            after.chars().take_while(char::is_ascii_digit).collect();
                        page = digits.parse().ok().or(page);
                        let end = b + page_break.len() + digits.len();
                        out.push_str(&rest[..end]);
                        rest = &rest[end..];
                    }
                    (Some(m), _) => {
                        out.push_str(&rest[..m]);
                        let Some(close) = rest[m..].find("/>") else {
                            break;
                        };
                        let tag = &rest[m..m + close];
                        rest = &rest[m + close + 2..];
                        let Some(key) = attribute(tag, "key") else {
                            continue;
                        };
                        count += 1;
                        let id = format!("ix-{count}");
                        out.push_str(&format!("<span id=\"{id}\"></span>"));
                        let href = format!("{name}#{id}");
                        let reference = match attribute(tag, "edge").as_deref() {
                            Some("start") => {
                                open.insert(key, (href, page));
                                continue;
                            }
                            Some("end") => match open.remove(&key) {
                                Some((start, from)) => Reference {
                                    href: start,
                                    pages: from.zip(page).or(page.map(|p| (p, p))),
                                    section: section.clone(),
                                    main: false,
                                },
                                None => continue,
                            },
                            _ => Reference {
                                href,
                                pages: attribute(tag, "at")
                                    .and_then(|at| source?.mark(&at))
                                    .or(page)
                                    .map(|p| (p, p)),
                                section: section.clone(),
                                main: attribute(tag, "main").is_some(),
                            },
                        };
                        references.entry(key).or_default().push(reference);
                    }
                    _ => break,
                }
            }
            out.push_str(rest);
            *text = out;
        }
        Self(references)
    }

    /// Whether an entry is named anywhere.
    fn has(&self, key: &str) -> bool {
        self.0.get(key).is_some_and(|r| !r.is_empty())
    }
}

/// The value of an attribute in a marker's tag, unescaped.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')? + start;
    Some(
        tag[start..end]
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&"),
    )
}

/// A link of an entry: a page or range of pages in print, or a section without them.
#[derive(Debug, Clone, Serialize)]
pub struct Locator {
    pub label: String,
    pub href: String,
    pub main: bool,
}

/// An entry's references within one section.
#[derive(Debug, Clone, Serialize)]
pub struct SubEntry {
    pub section: String,
    pub locators: Vec<Locator>,
}

/// One entry as the index template sees it.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub heading: String,
    pub extra: String,
    pub landmark: bool,
    pub see: Option<String>,
    pub see_also: Vec<String>,
    pub locators: Vec<Locator>,
    pub sub_entries: Vec<SubEntry>,
}

/// The entries under one letter.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub letter: String,
    pub entries: Vec<Entry>,
}

/// The index: the `entries` the book may list (in order), those it names grouped by letter.
pub fn groups(entries: &[IndexEntry], references: &References) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for entry in entries {
        let refs = references.0.get(&entry.key).map_or(&[][..], Vec::as_slice);
        if refs.is_empty() && entry.see.is_none() {
            continue;
        }
        let locators = locators(refs);
        let mut sections: Vec<&str> = Vec::new();
        for r in refs {
            if !sections.contains(&r.section.as_str()) {
                sections.push(&r.section);
            }
        }
        let split = locators.len() > SUB_ENTRIES_AFTER && sections.len() > 1;
        let sub_entries = if split {
            sections
                .iter()
                .map(|section| SubEntry {
                    section: if section.is_empty() {
                        "front matter".to_string()
                    } else {
                        section.to_string()
                    },
                    locators: locators_of(refs.iter().filter(|r| r.section == *section)),
                })
                .collect()
        } else {
            Vec::new()
        };
        let view = Entry {
            heading: entry.heading.clone(),
            extra: entry.extra.clone(),
            landmark: entry.key.starts_with("landmark:"),
            see: entry.see.clone(),
            see_also: entry
                .see_also
                .iter()
                .filter(|(key, _)| references.has(key))
                .map(|(_, heading)| heading.clone())
                .collect(),
            locators: if split { Vec::new() } else { locators },
            sub_entries,
        };
        match groups.last_mut() {
            Some(group) if group.letter == entry.letter => group.entries.push(view),
            _ => groups.push(Group {
                letter: entry.letter.clone(),
                entries: vec![view],
            }),
        }
    }
    groups
}

/// The locators of some references.
fn locators_of<'r>(refs: impl Iterator<Item = &'r Reference>) -> Vec<Locator> {
    let refs: Vec<Reference> = refs.cloned().collect();
    locators(&refs)
}

/// Pages joined into ranges where consecutive ("45–47"), each linked to its first place;
/// without print pages, one link per section.
fn locators(refs: &[Reference]) -> Vec<Locator> {
    let mut ranges: Vec<(u64, u64, &Reference, bool)> = Vec::new();
    let mut sections: Vec<Locator> = Vec::new();
    for r in refs {
        match r.pages {
            Some((from, to)) => match ranges.last_mut() {
                Some(last) if from >= last.0 && from <= last.1 + 1 => {
                    last.1 = last.1.max(to);
                    last.3 |= r.main;
                }
                _ => ranges.push((from, to, r, r.main)),
            },
            None => match sections.last_mut() {
                Some(last) if last.label == r.section => last.main |= r.main,
                _ => sections.push(Locator {
                    label: r.section.clone(),
                    href: r.href.clone(),
                    main: r.main,
                }),
            },
        }
    }
    let mut out: Vec<Locator> = ranges
        .into_iter()
        .map(|(from, to, r, main)| Locator {
            label: if from == to {
                from.to_string()
            } else {
                format!("{from}–{to}")
            },
            href: r.href.clone(),
            main,
        })
        .collect();
    out.extend(sections);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::markdown::index_marker;

    fn page(n: u64) -> String {
        format!(
            "<span epub:type=\"pagebreak\" role=\"doc-pagebreak\" id=\"page-{n}\" aria-label=\"{n}\"></span>"
        )
    }

    #[test]
    fn marks_become_anchors_with_the_page_in_force_and_pages_join_into_ranges() {
        let harbin = index_marker("place", "Harbin", false, None);
        let mut documents = vec![
            (
                "a.xhtml".to_string(),
                format!(
                    "{}<p>Harbin{harbin}</p>{}<p>Harbin{harbin} and {}</p>",
                    page(4),
                    page(5),
                    index_marker("subject", "the split", false, Some("start"))
                ),
            ),
            (
                "b.xhtml".to_string(),
                format!(
                    "{}<p>Harbin{harbin}</p>{}",
                    page(9),
                    index_marker("subject", "the split", false, Some("end"))
                ),
            ),
        ];
        let sections = HashMap::from([
            ("a.xhtml".to_string(), "Harbin".to_string()),
            ("b.xhtml".to_string(), "The split".to_string()),
        ]);
        let references = References::collect(&mut documents, &sections, None);
        assert!(!documents[0].1.contains(INDEX_MARKER));
        assert!(documents[0].1.contains("<span id=\"ix-1\"></span>"));
        let harbin = locators(&references.0["place:Harbin"]);
        let labels: Vec<&str> = harbin.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(labels, ["4–5", "9"]);
        assert_eq!(harbin[1].href, "b.xhtml#ix-4");
        let split = locators(&references.0["subject:the split"]);
        assert_eq!(split[0].label, "5–9");
        assert_eq!(split[0].href, "a.xhtml#ix-3");
    }

    #[test]
    fn without_pages_an_entry_links_to_each_section_once() {
        let mark = index_marker("person", "Mao Zedong", false, None);
        let mut documents = vec![
            ("a.xhtml".to_string(), format!("{mark}{mark}")),
            ("b.xhtml".to_string(), mark.clone()),
        ];
        let sections = HashMap::from([
            ("a.xhtml".to_string(), "One".to_string()),
            ("b.xhtml".to_string(), "Two".to_string()),
        ]);
        let references = References::collect(&mut documents, &sections, None);
        let labels: Vec<String> = locators(&references.0["person:Mao Zedong"])
            .into_iter()
            .map(|l| l.label)
            .collect();
        assert_eq!(labels, ["One", "Two"]);
    }
}
