//! The index a reader can trust: for a sample of places and people, every page of the
//! printed text that names them (by name or by an other name in the data) is listed, as the
//! PDF's text layer shows it; and the index has subjects, ranges and sub-entries.

use std::collections::BTreeSet;
use std::ops::RangeInclusive;

use guidebook::output::pdf::lint::{self, Rect};
use typst::foundations::Label;
use typst::introspection::Introspector;
use typst::utils::PicoStr;

use crate::common;
use crate::pages::{self, Compiled, LayerPage};

/// Places and people whose every mention the index must list.
const SAMPLE_PLACES: [&str; 7] = [
    "Harbin",
    "Dalian",
    "Changchun",
    "Luoyang",
    "Lüshun",
    "Beijing",
    "Shenyang",
];
const SAMPLE_PEOPLE: [&str; 6] = [
    "Mao Zedong",
    "Zhou Enlai",
    "Joseph Stalin",
    "Nikita Khrushchev",
    "Gao Gang",
    "Liang Sicheng",
];

/// The 1-based page index where the element labelled `name` stands.
fn page_of(compiled: &Compiled, name: &str) -> usize {
    let introspector = compiled.document.introspector();
    let label = Label::new(PicoStr::intern(name)).unwrap();
    let element = introspector.query_label(label).unwrap();
    introspector
        .page(element.location().unwrap())
        .unwrap()
        .get()
}

/// The indexed text: from the preface to the end of the timeline.
fn body_pages(compiled: &Compiled) -> RangeInclusive<usize> {
    page_of(compiled, "chapter-preface")..=page_of(compiled, "back-glossary") - 1
}

/// Whether `form` stands in `text` as whole words.
fn names(text: &str, form: &str) -> bool {
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '-');
    let typographic = form.replace('\'', "\u{2019}");
    [form, typographic.as_str()].iter().any(|form| {
        text.match_indices(form).any(|(at, _)| {
            !is_word(text[..at].chars().next_back())
                && !is_word(text[at + form.len()..].chars().next())
        })
    })
}

/// A text without its citations: parentheses holding a year or "n.d." (a source named
/// after a city is not a mention of the city).
fn without_citations(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('(') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find(')') else {
            rest = &rest[open..];
            break;
        };
        let inner = &rest[open..open + close + 1];
        let year = inner
            .as_bytes()
            .windows(4)
            .any(|w| w.iter().all(u8::is_ascii_digit));
        if !(year || inner.contains("n.d.")) {
            out.push_str(inner);
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// Page numbers (as printed) of the body pages whose text names one of `forms`: running
/// heads, folios, the words inside maps and charts, citations and source lists left out.
fn pages_naming(compiled: &Compiled, layer: &[LayerPage], forms: &[String]) -> BTreeSet<u64> {
    let frames = lint::pages(&compiled.document);
    let page = &compiled.edition.page;
    let mut found = BTreeSet::new();
    for index in body_pages(compiled) {
        let text_page = &layer[index - 1];
        let offset = (text_page.width - page.width) / 2.0;
        let top = offset + page.top - 2.0;
        let foot = text_page.height - offset - page.bottom + 2.0;
        let inside_figure = |r: &Rect| {
            frames[index - 1].images.iter().any(|image| {
                let (x, y) = ((r.x0 + r.x1) / 2.0 - offset, (r.y0 + r.y1) / 2.0 - offset);
                (image.x0..=image.x1).contains(&x) && (image.y0..=image.y1).contains(&y)
            })
        };
        for block in &text_page.blocks {
            let text: Vec<&str> = block
                .iter()
                .filter(|(r, _)| r.y1 > top && r.y0 < foot && !inside_figure(r))
                .map(|(_, t)| t.as_str())
                .collect();
            let text = text.join(" ");
            if text.starts_with("Sources:") {
                continue;
            }
            let text = without_citations(&text);
            if forms.iter().any(|form| names(&text, form)) {
                found.insert(compiled.document.pages()[index - 1].number);
            }
        }
    }
    found
}

/// The lines of the printed index in reading order, each with whether it starts at its
/// column's left edge (a new entry) or is indented (a wrapped line or a sub-entry).
fn index_lines(compiled: &Compiled, layer: &[LayerPage]) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    for page in &layer[page_of(compiled, "back-index") - 1..] {
        let mut lines: Vec<&(Rect, String)> = page.blocks.iter().flatten().collect();
        let offset = (page.width - compiled.edition.page.width) / 2.0;
        let top = offset + compiled.edition.page.top - 2.0;
        let foot = page.height - offset - compiled.edition.page.bottom + 2.0;
        lines.retain(|(r, t)| r.y1 > top && r.y0 < foot && t != "Index");
        // Columns: left edges more than 40 pt apart start new columns.
        let mut edges: Vec<f64> = lines.iter().map(|(r, _)| r.x0).collect();
        edges.sort_by(f64::total_cmp);
        let mut columns: Vec<f64> = Vec::new();
        for x in edges {
            if columns.last().is_none_or(|c| x - c > 40.0) {
                columns.push(x);
            }
        }
        let column = |x: f64| columns.iter().rposition(|c| x >= c - 1.0).unwrap_or(0);
        lines.sort_by(|(a, _), (b, _)| column(a.x0).cmp(&column(b.x0)).then(a.y0.total_cmp(&b.y0)));
        for (rect, text) in lines {
            let left = rect.x0 - columns[column(rect.x0)] < 2.0;
            out.push((left, text.clone()));
        }
    }
    out
}

/// The pages the index gives for the entry headed `heading`, sub-entries included.
fn index_pages(lines: &[(bool, String)], heading: &str) -> Option<BTreeSet<u64>> {
    let is_head = |text: &str| {
        text.strip_prefix(heading).is_some_and(|rest| {
            let rest = rest.trim_start();
            !rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '(' || c == ',')
        })
    };
    let start = lines.iter().position(|(left, t)| *left && is_head(t))?;
    let mut text = lines[start].1[heading.len()..].to_string();
    for (left, line) in &lines[start + 1..] {
        if *left {
            break;
        }
        // A range broken after its dash continues on the next line.
        if !text.ends_with('–') {
            text.push(' ');
        }
        text.push_str(line);
    }
    let mut pages = BTreeSet::new();
    let numbers = text
        .split(|c: char| !c.is_ascii_digit() && c != '–')
        .filter(|t| t.starts_with(|c: char| c.is_ascii_digit()));
    for token in numbers {
        let (from, to) = token.split_once('–').unwrap_or((token, token));
        let (Ok(from), Ok(to)) = (from.parse::<u64>(), to.trim_end_matches('–').parse::<u64>())
        else {
            continue;
        };
        pages.extend(from..=to.max(from));
    }
    Some(pages)
}

#[test]
fn the_index_lists_every_page_that_names_a_sample_of_places_and_people() {
    let shipped = common::shipped();
    let book = common::load_book(&common::repo()).unwrap();
    let mut report = Vec::new();
    for compiled in pages::compiled() {
        if !compiled.edition.back_matter.iter().any(|b| b == "index") {
            continue;
        }
        let Some(layer) = pages::layer(&shipped.pdf(&compiled.name)) else {
            return;
        };
        let lines = index_lines(compiled, &layer);
        let mut samples: Vec<(String, Vec<String>)> = SAMPLE_PLACES
            .iter()
            .map(|p| (p.to_string(), vec![p.to_string()]))
            .collect();
        for name in SAMPLE_PEOPLE {
            let person = book.people.iter().find(|p| p.name == name).unwrap();
            let heading = match name.rsplit_once(' ') {
                Some((given, surname)) if person.aliases.iter().any(|a| a == surname) => {
                    format!("{surname}, {given}")
                }
                _ => name.to_string(),
            };
            let forms = std::iter::once(name.to_string())
                .chain(person.aliases.iter().cloned())
                .collect();
            samples.push((heading, forms));
        }
        for (heading, forms) in samples {
            let mentioned = pages_naming(compiled, &layer, &forms);
            let Some(listed) = index_pages(&lines, &heading) else {
                report.push(format!("{}: no index entry `{heading}`", compiled.name));
                continue;
            };
            let missing: Vec<&u64> = mentioned.difference(&listed).collect();
            if !missing.is_empty() {
                report.push(format!(
                    "{}: `{heading}` is named on pages {missing:?}, which the index does not list",
                    compiled.name
                ));
            }
            assert!(
                mentioned.len() > 1,
                "{}: `{heading}` found on {mentioned:?}",
                compiled.name
            );
        }
    }
    assert!(report.is_empty(), "{}", report.join("\n"));
}

#[test]
#[ignore = "a debugging aid"]
fn show_index_entry() {
    let shipped = common::shipped();
    let compiled = pages::compiled()
        .iter()
        .find(|c| c.name == "trade")
        .unwrap();
    let layer = pages::layer(&shipped.pdf("trade")).unwrap();
    let lines = index_lines(compiled, &layer);
    for l in lines.iter().take(60) {
        println!("{l:?}");
    }
    println!("{:?}", index_pages(&lines, "Beijing"));
}
