//! Back matter set as a publisher would: the book's date is its publication date and no
//! source was consulted after it; the glossary prints no empty column; the timeline runs
//! under decade heads.

use crate::common;
use crate::pages;

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` as (year, month, day); a missing part is `None`.
fn parts(date: &str) -> (i32, Option<u8>, Option<u8>) {
    let mut parts = date.split('-');
    let year = parts.next().unwrap().parse().unwrap();
    let month = parts.next().map(|m| m.parse().unwrap());
    let day = parts.next().map(|d| d.parse().unwrap());
    (year, month, day)
}

#[test]
fn no_source_is_consulted_after_the_book_is_published() {
    let book = common::load_book(&common::repo()).unwrap();
    let published = book
        .meta
        .published
        .as_ref()
        .expect("book.toml gives the publication date")
        .get_ref()
        .clone();
    let (year, month, day) = parts(&published);
    let text = std::fs::read_to_string(common::repo().join("chapters/references.yml")).unwrap();
    let library = hayagriva::io::from_yaml_str(&text).unwrap();
    let mut late = Vec::new();
    for entry in library.iter() {
        let Some(visited) = entry.url().and_then(|u| u.visit_date.as_ref()) else {
            continue;
        };
        // Compared at the precision the publication date is given in.
        let visited_month = visited.month.map(|m| m + 1);
        let visited_day = visited.day.map(|d| d + 1);
        let after = (
            visited.year,
            visited_month.filter(|_| month.is_some()),
            visited_day.filter(|_| day.is_some()),
        ) > (year, month, day);
        if after {
            late.push(format!("{}: {visited:?}", entry.key()));
        }
    }
    assert!(late.is_empty(), "consulted after {published}: {late:?}");
    // The copyright page of every edition prints that date, not the build date.
    let shipped = common::shipped();
    for compiled in pages::compiled() {
        let text = common::pdf_text(&shipped.pdf(&compiled.name));
        assert!(
            text.contains("December 2026."),
            "{}: the copyright page does not give the publication date",
            compiled.name
        );
    }
}

#[test]
fn the_glossary_and_the_timeline_read_as_a_publisher_sets_them() {
    let shipped = common::shipped();
    for compiled in pages::compiled() {
        let Some(layer) = pages::text_layer(&shipped.pdf(&compiled.name)) else {
            return;
        };
        let text: Vec<String> = layer
            .iter()
            .map(|page| {
                page.iter()
                    .map(|(_, t)| t.as_str())
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .collect();
        // A glossary of entries: no table head, no dash standing for a missing Russian term.
        let glossary: Vec<&String> = text
            .iter()
            .filter(|p| p.lines().take(3).any(|l| l == "Glossary"))
            .collect();
        assert!(!glossary.is_empty(), "{}: no glossary", compiled.name);
        for page in &glossary {
            assert!(
                !page.contains("English Chinese Russian") && !page.lines().any(|l| l == "—"),
                "{}: the glossary is set as a table",
                compiled.name
            );
        }
        // The timeline under decade heads.
        for decade in ["1940s", "1950s", "1960s", "1970s", "1980s", "1990s"] {
            assert!(
                text.iter().any(|p| p.lines().any(|l| l == decade)),
                "{}: no timeline head {decade}",
                compiled.name
            );
        }
    }
}
