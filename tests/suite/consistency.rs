//! The book agrees with itself: itinerary distances against the map, the transliteration rules
//! of the note on names, one spelling and one name per person or place, and one value for every
//! recurring fact. Each check is a function over text held in memory, run here on the shipped
//! book and, in the `negative` tests, on snippets made to fail.

mod corpus;
mod dates;
mod facts;
mod index;
mod legs;
mod names;
mod negative;
mod spelling;

use guidebook::content::model::Book;
use guidebook::diagnostics::SourceFile;
use guidebook::figures::geo::{EARTH_RADIUS_KM, LonLat};

use crate::common::*;
use corpus::{Corpus, assert_clean};

/// The shipped book, loaded as the binary loads it.
fn book() -> Book {
    load_book(&repo()).expect("the default book loads")
}

/// Every string of the shipped book, with the bibliography.
fn shipped_corpus(book: &Book) -> Corpus {
    let path = repo().join("chapters/references.yml");
    let text = std::fs::read_to_string(path).expect("the bibliography is readable");
    Corpus::of_book(book, SourceFile::new("chapters/references.yml", text))
}

/// Check (a) on the shipped book: every leg, stop note, introduction and route length.
#[test]
fn itinerary_legs_agree_with_the_map_and_the_text() {
    // The straight lines are measured on the sphere of the IUGG mean radius.
    assert_eq!(EARTH_RADIUS_KM, 6371.0088);
    let book = book();
    let lonlat = |id: &str| {
        book.landmark(id)
            .map(|l| LonLat::new(*l.lon.get_ref(), *l.lat.get_ref()))
    };
    let mut findings = Vec::new();
    for chapter in book.chapters() {
        let report = legs::check_itineraries(chapter, lonlat);
        for warning in &report.warnings {
            eprintln!("warning: {warning}");
        }
        findings.extend(report.findings);
    }
    assert_clean("itineraries", findings);
}

/// Check (b) on the shipped book: the rules of the note on names.
#[test]
fn names_follow_the_transliteration_rules() {
    let corpus = shipped_corpus(&book());
    let mut findings = names::check_soft_signs(&corpus);
    findings.extend(names::check_yo(&corpus));
    findings.extend(names::check_tone_marks(&corpus));
    findings.extend(names::check_romanised_pairs(&corpus));
    findings.extend(names::check_people(&corpus));
    findings.extend(names::check_one_cyrillic_per_name(&corpus));
    assert_clean("transliteration (chapters/00-names.md)", findings);
}

/// Check (c) on the shipped book: the name index.
#[test]
fn each_person_and_place_has_one_name_and_one_spelling() {
    let corpus = shipped_corpus(&book());
    let mut findings = index::check_one_name_per_key(&corpus);
    findings.extend(index::check_one_spelling_per_name(&corpus));
    findings.extend(index::check_synonym_names(&corpus));
    assert_clean("name index", findings);
}

/// Check (d) on the shipped book: every fact and dated event of `chapters/facts.toml`.
#[test]
fn recurring_facts_carry_one_value() {
    let book = book();
    let corpus = shipped_corpus(&book);
    let path = repo().join("chapters/facts.toml");
    let text = std::fs::read_to_string(path).expect("the registry of facts is readable");
    let registry = SourceFile::new("chapters/facts.toml", text);
    let timeline: Vec<(&str, &str)> = book
        .events
        .iter()
        .map(|e| (e.date.get_ref().as_str(), e.title.as_str()))
        .collect();
    let mut findings = facts::check(&corpus, &registry, &timeline);
    findings.extend(dates::check_landmark_dates(&corpus));
    assert_clean("facts (chapters/facts.toml)", findings);
}

/// The railway map's stations stand where their landmark entries do, one place per station.
#[test]
fn railway_stations_agree_with_the_landmarks() {
    let book = book();
    let (railways, file) = book.railways.as_ref().expect("the book has a railway map");
    let landmark = |name: &str| {
        book.landmarks
            .iter()
            .find(|l| l.name == name)
            .map(|l| LonLat::new(*l.lon.get_ref(), *l.lat.get_ref()))
    };
    assert_clean(
        "railway stations",
        legs::check_stations(railways, file, landmark),
    );
}
