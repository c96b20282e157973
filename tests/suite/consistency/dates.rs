//! Dates a landmark entry gives, against the prose that links to the landmark: a sentence
//! that links to an entry and names a day in a month and year the entry dates must name the
//! entry's day.

use std::collections::HashMap;

use regex::Regex;

use super::corpus::{Corpus, Finding};
use super::facts::{DAY_DATE, MONTHS, YEAR, sentences};
use super::index::is_prose;

/// A day or range of days of a month and year, as written, with its byte offset.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DayDate {
    pub at: usize,
    pub first: u32,
    pub last: u32,
    pub month: u32,
    pub year: u32,
}

/// Every day written in a paragraph ("14 July 1903", "24–25 February 1956", "1 October"),
/// a day without a year taking the last year written before it in the paragraph.
pub fn day_dates(paragraph: &str) -> Vec<DayDate> {
    let (days, year) = (&*DAY_DATE, &*YEAR);
    days.captures_iter(paragraph)
        .filter_map(|c| {
            let at = c.get(0)?.start();
            let written = c.get(4).and_then(|y| y.as_str().parse().ok());
            let before = year
                .find_iter(&paragraph[..at])
                .last()
                .and_then(|y| y.as_str().parse().ok());
            let first: u32 = c[1].parse().ok()?;
            Some(DayDate {
                at,
                first,
                last: c.get(2).map_or(Some(first), |d| d.as_str().parse().ok())?,
                month: MONTHS.iter().position(|m| *m == &c[3])? as u32 + 1,
                year: written.or(before)?,
            })
        })
        .collect()
}

/// The days each landmark's description dates, by landmark id.
fn entry_dates(corpus: &Corpus) -> HashMap<String, (usize, Vec<DayDate>)> {
    let ids: HashMap<usize, String> = corpus
        .in_file("landmarks.toml")
        .filter(|p| p.field == "landmark.id")
        .map(|p| (p.record, p.text().to_string()))
        .collect();
    let mut out: HashMap<String, (usize, Vec<DayDate>)> = HashMap::new();
    for passage in corpus
        .in_file("landmarks.toml")
        .filter(|p| p.field == "landmark.description")
    {
        let Some(id) = ids.get(&passage.record) else {
            continue;
        };
        let dates = passage.plain.split('\n').flat_map(day_dates);
        out.entry(id.clone())
            .or_insert((passage.record, Vec::new()))
            .1
            .extend(dates);
    }
    out
}

/// Check every sentence that links to a landmark against the days its entry dates.
pub fn check_landmark_dates(corpus: &Corpus) -> Vec<Finding> {
    let entries = entry_dates(corpus);
    let link = Regex::new(r"\(landmark:([a-z0-9-]+)\)").expect("valid regex");
    let mut findings = Vec::new();
    for passage in corpus.passages.iter().filter(|p| is_prose(p)) {
        for (at, sentence, paragraph) in sentences(&passage.plain) {
            let raw = &passage.text()[at..at + sentence.len()];
            let in_paragraph = sentence.as_ptr() as usize - paragraph.as_ptr() as usize;
            let written: Vec<DayDate> = day_dates(paragraph)
                .into_iter()
                .filter(|d| (in_paragraph..in_paragraph + sentence.len()).contains(&d.at))
                .collect();
            for id in link.captures_iter(raw).map(|c| c[1].to_string()) {
                let Some((record, dated)) = entries.get(&id) else {
                    continue;
                };
                if passage.record == *record && passage.file.name.ends_with("landmarks.toml") {
                    continue;
                }
                for date in &written {
                    let same_month: Vec<&DayDate> = dated
                        .iter()
                        .filter(|d| d.month == date.month && d.year == date.year)
                        .collect();
                    let overlaps = same_month
                        .iter()
                        .any(|d| d.first <= date.last && date.first <= d.last);
                    if !same_month.is_empty() && !overlaps {
                        let day = same_month[0];
                        findings.push(passage.finding(
                            at + date.at - in_paragraph,
                            format!(
                                "{} {} {} here, but the entry for {id} gives {} {} {}",
                                date.first,
                                MONTHS[date.month as usize - 1],
                                date.year,
                                day.first,
                                MONTHS[day.month as usize - 1],
                                day.year
                            ),
                        ));
                    }
                }
            }
        }
    }
    findings
}
