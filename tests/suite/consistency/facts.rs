//! Recurring facts: the registry `chapters/facts.toml` gives each count or measure the book
//! states in several places one value, and ties each dated event to its timeline entry, whose
//! date every sentence about the event must carry.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use guidebook::diagnostics::SourceFile;
use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use super::corpus::{Corpus, Finding, Passage};
use super::index::is_prose;

/// `chapters/facts.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Registry {
    #[serde(default, rename = "fact")]
    facts: Vec<Fact>,
    #[serde(default, rename = "event")]
    events: Vec<DatedEvent>,
}

/// A count or measure: its value, how many places state it, and patterns that find them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fact {
    id: Spanned<String>,
    value: String,
    places: usize,
    patterns: Vec<Spanned<String>>,
    /// Phrases that look like the fact but state another, stepped over.
    #[serde(default)]
    except: Vec<Spanned<String>>,
}

/// An event with a timeline entry, and the phrases of sentences that speak of it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DatedEvent {
    timeline: Spanned<String>,
    places: usize,
    phrases: Vec<Spanned<String>>,
}

/// Number words the book spells out, and their values.
const NUMBER_WORDS: [(&str, u32); 28] = [
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fifty", 50),
    ("sixty", 60),
    ("seventy", 70),
    ("eighty", 80),
    ("ninety", 90),
    ("hundred", 100),
];

/// The regex `{number}` stands for in a pattern: figures ("8,357", "0.74") or words
/// ("thirty-one"), captured as `value`.
fn number_pattern() -> String {
    let words: Vec<&str> = NUMBER_WORDS.iter().map(|(w, _)| *w).collect();
    let word = words.join("|");
    format!(r"(?P<value>\d[\d,]*(?:\.\d+)?|(?i:(?:{word})(?:-(?:{word}))?))")
}

/// The value of a figure or number words, if it is one.
fn number(text: &str) -> Option<f64> {
    let digits: String = text.chars().filter(|c| *c != ',').collect();
    if let Ok(n) = digits.parse::<f64>() {
        return Some(n);
    }
    let mut total = 0.0;
    for part in text.to_lowercase().split('-') {
        let (_, n) = NUMBER_WORDS.iter().find(|(w, _)| *w == part)?;
        total += f64::from(*n);
    }
    Some(total)
}

/// Whether two statements of a value agree: as numbers when both are, else as text.
fn same_value(a: &str, b: &str) -> bool {
    let strip = |s: &str| s.trim_start_matches("US$").to_string();
    match (number(&strip(a)), number(&strip(b))) {
        (Some(x), Some(y)) => (x - y).abs() < 1e-9,
        _ => a.to_lowercase() == b.to_lowercase(),
    }
}

/// A finding at a span of the registry.
fn in_registry(file: &SourceFile, span: std::ops::Range<usize>, message: String) -> Finding {
    Finding::at(file, span.start, message)
}

/// Check the registry against the book. `timeline` lists each event's date and title.
pub fn check(corpus: &Corpus, registry: &SourceFile, timeline: &[(&str, &str)]) -> Vec<Finding> {
    let parsed: Registry = match toml::from_str(&registry.text) {
        Ok(parsed) => parsed,
        Err(error) => {
            let at = error.span().map_or(0, |s| s.start);
            return vec![Finding::at(
                registry,
                at,
                format!("facts: {}", error.message()),
            )];
        }
    };
    let prose: Vec<&Passage> = corpus.passages.iter().filter(|p| is_prose(p)).collect();
    let entry_dates: BTreeMap<(String, usize), Date> = corpus
        .passages
        .iter()
        .filter(|p| p.field == "event.date")
        .filter_map(|p| Some(((p.file.name.clone(), p.record), Date::parse(p.text())?)))
        .collect();
    let mut findings = Vec::new();
    for fact in &parsed.facts {
        check_fact(fact, &prose, registry, &mut findings);
    }
    for event in &parsed.events {
        let context = EventContext {
            prose: &prose,
            registry,
            timeline,
            entry_dates: &entry_dates,
        };
        check_event(event, &context, &mut findings);
    }
    findings
}

/// Compile a pattern of the registry, or report it.
fn compile(
    pattern: &Spanned<String>,
    registry: &SourceFile,
    findings: &mut Vec<Finding>,
) -> Option<Regex> {
    let source = pattern.get_ref().replace("{number}", &number_pattern());
    match Regex::new(&source) {
        Ok(re) => Some(re),
        Err(error) => {
            findings.push(in_registry(
                registry,
                pattern.span(),
                format!("not a valid pattern: {error}"),
            ));
            None
        }
    }
}

/// Every statement a fact's patterns find carries its value, and they find `places` of them.
fn check_fact(fact: &Fact, prose: &[&Passage], registry: &SourceFile, findings: &mut Vec<Finding>) {
    let id = fact.id.get_ref();
    let mut places = BTreeMap::new();
    let except: Vec<Regex> = fact
        .except
        .iter()
        .filter_map(|p| compile(p, registry, findings))
        .collect();
    for pattern in &fact.patterns {
        let Some(re) = compile(pattern, registry, findings) else {
            continue;
        };
        if re.capture_names().all(|n| n != Some("value")) {
            findings.push(in_registry(
                registry,
                pattern.span(),
                "a pattern needs {number} or a group (?P<value>…)".into(),
            ));
            continue;
        }
        for passage in prose {
            let skipped: Vec<std::ops::Range<usize>> = except
                .iter()
                .flat_map(|e| e.find_iter(&passage.plain).map(|m| m.range()))
                .collect();
            for c in re.captures_iter(&passage.plain) {
                let value = c.name("value").expect("the pattern has a value group");
                if skipped.iter().any(|r| r.contains(&value.start())) {
                    continue;
                }
                let place = passage.finding(value.start(), "");
                if !same_value(value.as_str(), &fact.value) {
                    findings.push(Finding {
                        message: format!(
                            "{} here, but the book states “{id}” as {} (chapters/facts.toml:{})",
                            value.as_str(),
                            fact.value,
                            registry.line_col(fact.id.span().start).0
                        ),
                        ..place.clone()
                    });
                }
                places.insert(
                    (passage.file.name.clone(), passage.start + value.start()),
                    place,
                );
            }
        }
    }
    if places.len() != fact.places {
        let list: Vec<String> = places.values().map(Finding::place).collect();
        findings.push(in_registry(
            registry,
            fact.id.span(),
            format!(
                "“{id}” is stated in {} places, but the registry says {}: {}",
                places.len(),
                fact.places,
                list.join(", ")
            ),
        ));
    }
}

/// A date of the timeline: year, and month and day when known.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Date {
    year: u32,
    month: Option<u32>,
    day: Option<u32>,
}

impl Date {
    /// A timeline date: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    fn parse(text: &str) -> Option<Self> {
        let mut parts = text.split('-').map(|p| p.parse::<u32>().ok());
        Some(Self {
            year: parts.next()??,
            month: parts.next().flatten(),
            day: parts.next().flatten(),
        })
    }
}

/// The months, for reading dates in prose.
pub const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A date as the text writes it: a day or range of days in a month (with or without a year),
/// a month and year, or a year.
#[derive(Debug, Clone, PartialEq)]
enum Written {
    Days {
        first: u32,
        last: u32,
        month: u32,
        year: Option<u32>,
    },
    Month {
        month: u32,
        year: u32,
    },
    /// A month without a year ("in October"), which takes its year from the context.
    MonthOnly(u32),
    Year(u32),
}

/// A day or range of days of a month, with or without its year: "2 March 1969", "14–15
/// March", "31 July to 3 August 1958".
pub static DAY_DATE: LazyLock<Regex> = LazyLock::new(|| {
    let months = MONTHS.join("|");
    Regex::new(&format!(
        r"\b(\d{{1,2}})(?:\s*(?:–|-|to|and)\s*(\d{{1,2}}))?\s+({months})\b(?:,?\s+(\d{{4}})\b)?"
    ))
    .expect("valid regex")
});

/// A month and year: "March 1969".
static MONTH_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"\b({})\s+(\d{{4}})\b", MONTHS.join("|"))).expect("valid regex")
});

/// A month without its year: "in October", "early May".
static BARE_MONTH: LazyLock<Regex> = LazyLock::new(|| {
    let months = MONTHS.join("|");
    Regex::new(&format!(
        r"\b(?:in|early|late|mid-|by|from|until|since)\s+({months})\b"
    ))
    .expect("valid regex")
});

/// A year of the book's span.
pub static YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(1[89]\d\d|20\d\d)\b").expect("valid regex"));

/// The number of a month's name.
fn month_number(name: &str) -> Option<u32> {
    MONTHS.iter().position(|n| *n == name).map(|i| i as u32 + 1)
}

/// The dates a sentence writes, and how each was written.
fn written_dates(sentence: &str) -> Vec<(Written, String)> {
    let (days, month_year, year) = (&*DAY_DATE, &*MONTH_YEAR, &*YEAR);
    let mut text = sentence.to_string();
    let mut out = Vec::new();
    for c in days.captures_iter(sentence) {
        let first: u32 = c[1].parse().expect("digits");
        out.push((
            Written::Days {
                first,
                last: c
                    .get(2)
                    .map_or(first, |d| d.as_str().parse().expect("digits")),
                month: month_number(&c[3]).expect("a month"),
                year: c.get(4).map(|y| y.as_str().parse().expect("digits")),
            },
            c[0].to_string(),
        ));
        let m = c.get(0).expect("the match");
        text.replace_range(m.range(), &" ".repeat(m.len()));
    }
    let masked = text.clone();
    for c in month_year.captures_iter(&masked) {
        let month = month_number(&c[1]).expect("a month");
        out.push((
            Written::Month {
                month,
                year: c[2].parse().expect("digits"),
            },
            c[0].to_string(),
        ));
        let m = c.get(0).expect("the match");
        text.replace_range(m.range(), &" ".repeat(m.len()));
    }
    let masked = text.clone();
    for c in BARE_MONTH.captures_iter(&masked) {
        out.push((
            Written::MonthOnly(month_number(&c[1]).expect("a month")),
            c[0].to_string(),
        ));
        let m = c.get(0).expect("the match");
        text.replace_range(m.range(), &" ".repeat(m.len()));
    }
    for c in year.captures_iter(&text) {
        out.push((
            Written::Year(c[1].parse().expect("digits")),
            c[0].to_string(),
        ));
    }
    out
}

/// Whether a written date agrees with a timeline date, taking a missing year from the
/// paragraph's years.
fn agrees(written: &Written, date: Date, paragraph_years: &[u32]) -> bool {
    let month_ok = |m: u32| date.month.is_none_or(|dm| dm == m);
    match *written {
        Written::Days {
            first,
            last,
            month,
            year,
        } => {
            let year_ok = match year {
                Some(y) => y == date.year,
                None => paragraph_years.contains(&date.year),
            };
            year_ok && month_ok(month) && date.day.is_none_or(|d| (first..=last).contains(&d))
        }
        Written::Month { month, year } => year == date.year && month_ok(month),
        Written::MonthOnly(month) => paragraph_years.contains(&date.year) && month_ok(month),
        Written::Year(year) => year == date.year,
    }
}

/// Sentences of a text, each with the text of its paragraph: paragraphs are lines, and a
/// sentence ends at a full stop, question or exclamation mark before a space (not after an
/// abbreviation or an initial).
pub fn sentences(text: &str) -> Vec<(usize, &str, &str)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for paragraph in text.split_inclusive('\n') {
        let mut start = 0;
        for (i, c) in paragraph.char_indices() {
            let next = paragraph[i + c.len_utf8()..].chars().next();
            if !matches!(c, '.' | '?' | '!') || !next.is_some_and(char::is_whitespace) {
                continue;
            }
            let word = paragraph[..i]
                .rsplit(|c: char| !c.is_alphanumeric())
                .next()
                .unwrap_or("");
            let abbreviation = ["St", "No", "p", "pp", "c", "Mr", "Dr", "vs"].contains(&word)
                || (word.chars().count() == 1 && word.chars().all(char::is_uppercase));
            if !abbreviation {
                out.push((offset + start, &paragraph[start..=i], paragraph));
                start = i + 1;
            }
        }
        if !paragraph[start..].trim().is_empty() {
            out.push((offset + start, &paragraph[start..], paragraph));
        }
        offset += paragraph.len();
    }
    out
}

/// What an event is checked against.
struct EventContext<'a> {
    prose: &'a [&'a Passage],
    registry: &'a SourceFile,
    timeline: &'a [(&'a str, &'a str)],
    /// The date of each timeline entry, by file and record, for the timeline's own sentences.
    entry_dates: &'a BTreeMap<(String, usize), Date>,
}

/// The nearest Markdown heading before the end of a text that names a year, or "".
fn heading_with_year<'a>(before: &'a str, year: &Regex) -> &'a str {
    before
        .lines()
        .rev()
        .find(|line| line.starts_with('#') && year.is_match(line))
        .unwrap_or("")
}

/// A timeline date as a written date.
fn as_written(date: Date) -> Written {
    match (date.month, date.day) {
        (Some(month), Some(day)) => Written::Days {
            first: day,
            last: day,
            month,
            year: Some(date.year),
        },
        (Some(month), None) => Written::Month {
            month,
            year: date.year,
        },
        _ => Written::Year(date.year),
    }
}

/// A written date without its day, to compare at the month.
fn to_month(written: &Written, paragraph_years: &[u32]) -> Written {
    match *written {
        Written::Days { month, year, .. } => match year.or(paragraph_years.first().copied()) {
            Some(year) => Written::Month { month, year },
            None => written.clone(),
        },
        ref other => other.clone(),
    }
}

/// Every sentence with one of the event's phrases carries the timeline's date, and `places`
/// sentences have one.
fn check_event(event: &DatedEvent, context: &EventContext, findings: &mut Vec<Finding>) {
    let title = event.timeline.get_ref();
    let Some((date_text, date)) = context
        .timeline
        .iter()
        .find(|(_, t)| t == title)
        .and_then(|(d, _)| Some((*d, Date::parse(d)?)))
    else {
        findings.push(in_registry(
            context.registry,
            event.timeline.span(),
            format!("no timeline entry “{title}”"),
        ));
        return;
    };
    let phrases: Vec<Regex> = event
        .phrases
        .iter()
        .filter_map(|p| compile(p, context.registry, findings))
        .collect();
    let year = &*YEAR;
    let mut places = BTreeMap::new();
    for passage in context.prose {
        let entry_date = context
            .entry_dates
            .get(&(passage.file.name.clone(), passage.record));
        for (at, sentence, paragraph) in sentences(&passage.plain) {
            let Some(m) = phrases.iter().find_map(|re| re.find(sentence)) else {
                continue;
            };
            let place = passage.finding(at + m.start(), "");
            let heading = heading_with_year(&passage.plain[..at], year);
            let years: Vec<u32> = year
                .find_iter(paragraph)
                .chain(year.find_iter(heading))
                .filter_map(|y| y.as_str().parse().ok())
                .collect();
            let mut written: Vec<Written> = written_dates(sentence)
                .into_iter()
                .map(|(w, _)| w)
                .collect();
            written.extend(entry_date.map(|d| as_written(*d)));
            let agreed = if written.is_empty() {
                written_dates(paragraph)
                    .iter()
                    .any(|(w, _)| agrees(&to_month(w, &years), Date { day: None, ..date }, &years))
            } else {
                written.iter().any(|w| agrees(w, date, &years))
            };
            if !agreed {
                let said: Vec<String> = written_dates(sentence)
                    .into_iter()
                    .map(|(_, s)| s)
                    .collect();
                let said = if said.is_empty() {
                    "no date".to_string()
                } else {
                    said.join(", ")
                };
                findings.push(Finding {
                    message: format!(
                        "“{}” is dated {date_text} in the timeline (“{title}”), but this sentence gives {said}",
                        m.as_str()
                    ),
                    ..place.clone()
                });
            }
            places.insert((passage.file.name.clone(), passage.start + at), place);
        }
    }
    if places.len() != event.places {
        let list: Vec<String> = places.values().map(Finding::place).collect();
        findings.push(in_registry(
            context.registry,
            event.timeline.span(),
            format!(
                "“{title}” is spoken of in {} sentences, but the registry says {}: {}",
                places.len(),
                event.places,
                list.join(", ")
            ),
        ));
    }
}
