//! Integrity of the default book's content: fields, coordinates, names, sources, order, size.

use std::collections::{BTreeMap, HashSet};

use guidebook::content::model::Book;

use crate::common::*;

fn book() -> Book {
    load_book(&repo()).expect("the default book loads")
}

fn has_han(text: &str) -> bool {
    text.chars()
        .any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c))
}

fn has_cyrillic(text: &str) -> bool {
    text.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c))
}

fn words(text: &str) -> usize {
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

#[test]
fn landmarks_are_complete_and_real() {
    let book = book();
    assert!(
        book.landmarks.len() >= 50,
        "{} landmarks",
        book.landmarks.len()
    );
    let mut ids = HashSet::new();
    let mut cities = BTreeMap::<&str, usize>::new();
    for l in &book.landmarks {
        let id = l.id.get_ref();
        assert!(ids.insert(id.clone()), "duplicate id {id}");
        assert!(
            has_han(&l.name_zh),
            "{id}: name_zh has no Chinese characters"
        );
        assert!(
            !l.pinyin.trim().is_empty() && !has_han(&l.pinyin),
            "{id}: pinyin"
        );
        if let Some(ru) = &l.name_ru {
            assert!(has_cyrillic(ru), "{id}: name_ru is not Cyrillic");
        }
        for (field, value) in [
            ("name", &l.name),
            ("city", &l.city),
            ("province", &l.province),
            ("built", &l.built),
            ("style", &l.style),
            ("address", &l.address),
        ] {
            assert!(!value.trim().is_empty(), "{id}: empty {field}");
        }
        // China and the Russian Far East, where the guide's places lie.
        let (lat, lon) = (*l.lat.get_ref(), *l.lon.get_ref());
        assert!(
            (18.0..=54.0).contains(&lat) && (73.0..=135.5).contains(&lon),
            "{id}: {lat}, {lon} is outside China"
        );
        let description = words(l.description.get_ref());
        assert!(
            (60..=230).contains(&description),
            "{id}: description has {description} words"
        );
        assert!(!l.sources.is_empty(), "{id}: no sources");
        *cities.entry(l.city.as_str()).or_default() += 1;
    }
    assert!(
        cities.len() >= 12,
        "only {} cities: {cities:?}",
        cities.len()
    );
}

#[test]
fn every_printed_landmark_belongs_to_one_chapter() {
    let book = book();
    let mut seen = HashSet::new();
    for chapter in book.chapters() {
        for id in &chapter.meta.landmarks {
            assert!(
                book.landmark(id.get_ref()).is_some(),
                "{}: unknown landmark {}",
                chapter.slug,
                id.get_ref()
            );
            assert!(
                seen.insert(id.get_ref().clone()),
                "landmark {} printed twice",
                id.get_ref()
            );
        }
    }
    for l in &book.landmarks {
        assert!(
            seen.contains(l.id.get_ref()),
            "landmark {} is in no chapter",
            l.id.get_ref()
        );
    }
}

#[test]
fn timeline_is_dated_sourced_and_in_order() {
    let book = book();
    assert!(book.events.len() >= 60, "{} events", book.events.len());
    let dates: Vec<&String> = book.events.iter().map(|e| e.date.get_ref()).collect();
    for pair in dates.windows(2) {
        // `1956-04` contains `1956-04-05`: compare at the coarser precision.
        let n = pair[0].len().min(pair[1].len());
        assert!(
            pair[0][..n] <= pair[1][..n],
            "timeline out of order: {} before {}",
            pair[0],
            pair[1]
        );
    }
    assert!(dates.first().unwrap().as_str() >= "1945" && dates.last().unwrap().as_str() >= "1991");
    for event in &book.events {
        assert!(!event.sources.is_empty(), "{}: no source", event.title);
    }
}

#[test]
fn the_book_is_long_enough_and_structured() {
    let book = book();
    let chapters: Vec<_> = book.parts.iter().flat_map(|p| &p.chapters).collect();
    assert!(chapters.len() >= 12, "{} chapters", chapters.len());
    let total: usize = book
        .chapters()
        .map(|c| {
            words(&c.body)
                + c.meta
                    .sidebars
                    .iter()
                    .map(|s| words(s.text.get_ref()))
                    .sum::<usize>()
        })
        .sum();
    assert!(total >= 30_000, "{total} words of prose");
    let itinerary_cities: HashSet<&str> = book
        .chapters()
        .flat_map(|c| c.meta.itineraries.iter().map(|i| i.city.as_str()))
        .collect();
    assert!(
        itinerary_cities.len() >= 6,
        "itineraries for {itinerary_cities:?}"
    );
    for chapter in book.chapters() {
        for itinerary in &chapter.meta.itineraries {
            assert!(
                itinerary.stops.len() >= 2,
                "{}: an itinerary needs stops",
                itinerary.title
            );
            assert!(
                itinerary
                    .stops
                    .iter()
                    .skip(1)
                    .all(|s| s.distance_km.is_some()),
                "{}: a stop lacks its distance",
                itinerary.title
            );
        }
    }
    assert!(book.bibliography.as_ref().unwrap().keys.len() >= 25);
    assert!(book.glossary.len() >= 40);
    assert!(book.glossary.iter().all(|t| has_han(&t.zh)));
}

#[test]
fn every_citation_key_is_defined() {
    // The loader already refuses unknown keys in data fields; this checks the Markdown bodies.
    let book = book();
    let keys: HashSet<&str> = book
        .bibliography
        .as_ref()
        .unwrap()
        .keys
        .iter()
        .map(String::as_str)
        .collect();
    for chapter in book.chapters() {
        for (i, _) in chapter.body.match_indices("(cite:") {
            let rest = &chapter.body[i + 6..];
            let key = &rest[..rest.find(')').unwrap()];
            assert!(
                keys.contains(key),
                "{}: unknown cite key {key}",
                chapter.slug
            );
        }
    }
}

#[test]
fn references_print_as_a_publisher_would_set_them() {
    let text = std::fs::read_to_string(repo().join("chapters/references.yml")).unwrap();
    let library = hayagriva::io::from_yaml_str(&text).expect("the bibliography parses");
    for entry in library.iter() {
        let key = entry.key();
        let title = entry.title().map(|t| t.to_string()).unwrap_or_default();
        // Title case is for English: a Russian or Chinese title must say its language, or
        // the style capitalises every Russian word.
        let wanted = if has_cyrillic(&title) {
            Some("ru")
        } else if has_han(&title) {
            Some("zh")
        } else {
            None
        };
        if let Some(wanted) = wanted {
            let language = entry.language().map(|l| l.to_string()).unwrap_or_default();
            assert!(
                language.starts_with(wanted),
                "{key}: title in `{wanted}` but language is `{language}`"
            );
        }
        // The bibliography is set from these strings as they are (no smart quotes).
        assert!(
            !title.contains('\'') && !title.contains('"'),
            "{key}: straight quotes in the title; use ’ ‘ “ ”"
        );
        // A URL is printed in full: keep it to a couple of lines.
        if let Some(url) = entry.url() {
            let url = url.value.as_str();
            assert!(url.len() <= 160, "{key}: {}-character URL", url.len());
        }
        // A work with no author is sorted by its quoted title, ahead of every name: each
        // needs an author, editor or publisher to be filed under. And hayagriva drops a
        // name it reads as a particle ("Wikipedia contributors"), so none may come out empty.
        assert!(
            entry.authors().is_some() || entry.editors().is_some() || entry.publisher().is_some(),
            "{key}: no author, editor or publisher to file it under"
        );
        for person in entry.authors().unwrap_or_default() {
            assert!(
                !person.name.trim().is_empty(),
                "{key}: an author's name reads as empty"
            );
        }
        // hayagriva prints a book known only by its editors with initials first
        // ("O. A. Westad 1998"): edited volumes are entered with the editors as authors.
        assert!(
            !(entry.authors().is_none() && entry.editors().is_some() && entry.parents().is_empty()),
            "{key}: editors but no authors"
        );
    }
}
