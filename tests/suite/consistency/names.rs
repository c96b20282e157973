//! The transliteration rules of "A note on names" (`chapters/00-names.md`) as a lint: no soft
//! signs written as apostrophes, ё as ë, no pinyin tone marks in running text, tone marks in
//! every `pinyin` field, romanised names that match the Cyrillic printed beside them.

use std::collections::BTreeMap;

use regex::Regex;

use super::corpus::{Corpus, Finding, Passage};
use super::index::{self, GENERIC_RUSSIAN, Script};
use super::spelling::{TONE_MARKS, edit_distance, is_cyrillic, romanise, words};

/// Conventional English forms of famous Russian names, which the note on names puts before
/// strict romanisation: (Cyrillic word, the form the book writes).
pub const CONVENTIONAL: [(&str, &str); 11] = [
    ("иосиф", "joseph"),
    ("хрущёв", "khrushchev"),
    ("горбачёв", "gorbachev"),
    ("александр", "alexander"),
    ("алексей", "alexei"),
    ("андрей", "andrei"),
    ("сергей", "sergei"),
    ("юрий", "yuri"),
    ("николай", "nikolai"),
    ("соловьёв", "solovyov"),
    ("седой", "sedoi"),
];

/// Words written with yo for ё by convention: Solovyov(-Sedoi) and Muravyov.
const YO_CONVENTIONAL: [&str; 2] = ["Solovyov", "Muravyov"];

/// Words of running text that may carry a letter the pinyin tone marks share: French and
/// English loanwords, and names spelled so.
const ACCENTED_WORDS: [&str; 9] = [
    "café",
    "cafés",
    "émigré",
    "émigrés",
    "communiqué",
    "communiqués",
    "Billé",
    "Itō",
    "Sōryōjikan",
];

/// The worked examples of tone-marked pinyin in the note on names.
const TONE_EXAMPLES: [&str; 3] = ["Luòyáng", "Jiànxī", "Dōngfānghóng"];

/// People in `people.toml` whose `ru` is a Russian transcription of a Chinese or Korean name,
/// not their own name in Cyrillic.
pub const NOT_RUSSIAN: [&str; 7] = [
    "Mao Zedong",
    "Zhou Enlai",
    "Liu Shaoqi",
    "Deng Xiaoping",
    "Gao Gang",
    "Chiang Kai-shek",
    "Kim Il-sung",
];

/// Whether a passage is linted: prose and names, not ids, keys, pinyin or quotations.
fn linted(passage: &Passage) -> bool {
    passage.field != "quote.text"
        && (index::is_prose(passage) || ["name", "en", "aliases"].contains(&passage.key()))
}

/// Rules 1 and 2: an apostrophe inside or at the end of a word is a soft or hard sign, which
/// the book omits; pinyin separates syllables with an apostrophe only before a, o or e, and
/// English has its contractions and possessives.
pub fn check_soft_signs(corpus: &Corpus) -> Vec<Finding> {
    let quoted = Regex::new(r"(?:^|[^\p{L}\p{N}])('[^'\n]+')").expect("valid regex");
    let contraction = Regex::new(r"^(?:s|t|re|ll|ve|d|m)\b").expect("valid regex");
    let mut findings = Vec::new();
    for passage in corpus.passages.iter().filter(|p| linted(p)) {
        let mut text = passage.plain.clone();
        // Straight single quotes used as quotation marks: 'national form'.
        for span in quoted
            .captures_iter(&passage.plain)
            .filter_map(|c| c.get(1))
        {
            let after = passage.plain[span.end()..].chars().next();
            if !after.is_some_and(char::is_alphanumeric) {
                text.replace_range(span.start()..span.start() + 1, " ");
                text.replace_range(span.end() - 1..span.end(), " ");
            }
        }
        for (at, mark) in text.match_indices(['\'', '’']) {
            let before = text[..at].chars().next_back();
            let after = &text[at + mark.len()..];
            let next = after.chars().next();
            let Some(before) = before.filter(|c| c.is_alphabetic()) else {
                continue;
            };
            let word = word_at(&text, at);
            if next.is_some_and(char::is_alphabetic) {
                let pinyin = next.is_some_and(|c| "aoeAOEāáǎàēéěèōóǒòĀÁǍÀĒÉĚÈŌÓǑÒ".contains(c));
                if !pinyin && !contraction.is_match(after) {
                    findings.push(passage.finding(
                        at,
                        format!(
                            "“{word}”: an apostrophe inside a word is a soft or hard sign, which \
                             the book omits (pinyin uses one only before a, o or e)"
                        ),
                    ));
                }
            } else if !matches!(before, 's' | 'S')
                && "bcdfghjklmnpqrtvwxz".contains(before.to_ascii_lowercase())
            {
                findings.push(passage.finding(
                    at,
                    format!("“{word}”: a soft sign at the end of a word, which the book omits"),
                ));
            }
        }
    }
    findings
}

/// The word around a byte offset, for messages.
fn word_at(text: &str, at: usize) -> &str {
    let is_part = |c: char| c.is_alphanumeric() || matches!(c, '\'' | '’' | '-');
    let start = text[..at].rfind(|c| !is_part(c)).map_or(0, |i| {
        i + text[i..].chars().next().map_or(1, char::len_utf8)
    });
    let end = text[at..]
        .find(|c| !is_part(c))
        .map_or(text.len(), |i| at + i);
    &text[start..end]
}

/// Rule 3: ё is ë. A capitalised word with yo (other than the pinyin you and yong) writes ё as
/// yo, unless it is one of the conventional forms.
pub fn check_yo(corpus: &Corpus) -> Vec<Finding> {
    let word = Regex::new(r"\b\p{Lu}\p{L}*yo\p{L}*\b").expect("valid regex");
    let mut findings = Vec::new();
    for passage in corpus.passages.iter().filter(|p| linted(p)) {
        for m in word.find_iter(&passage.plain) {
            let w = m.as_str();
            let russian_yo = w.match_indices("yo").any(|(i, _)| {
                let rest = &w[i + 2..];
                i > 0 && !rest.starts_with('u') && !rest.starts_with("ng")
            });
            if russian_yo && !YO_CONVENTIONAL.contains(&w) {
                findings.push(passage.finding(
                    m.start(),
                    format!(
                        "“{w}” writes ё as yo; the note on names writes it ë (“{}”)",
                        w.replacen("yo", "ë", 1)
                    ),
                ));
            }
        }
    }
    findings
}

/// Rule 7: running text writes pinyin without tone marks (except the worked examples of the
/// note on names and a few loanwords), and every `pinyin` field carries them.
pub fn check_tone_marks(corpus: &Corpus) -> Vec<Finding> {
    let word = Regex::new(r"[\p{L}\p{M}]+").expect("valid regex");
    let mut findings = Vec::new();
    for passage in &corpus.passages {
        if passage.key() == "pinyin" {
            if !passage.text().chars().any(|c| TONE_MARKS.contains(c)) {
                findings.push(
                    passage.finding(0, format!("pinyin “{}” has no tone marks", passage.text())),
                );
            }
            continue;
        }
        if !linted(passage) {
            continue;
        }
        let examples = passage.file.name.ends_with("00-names.md");
        for m in word.find_iter(&passage.plain) {
            let w = m.as_str();
            let allowed = ACCENTED_WORDS
                .iter()
                .any(|a| a.to_lowercase() == w.to_lowercase())
                || examples && TONE_EXAMPLES.contains(&w);
            if !allowed && w.chars().any(|c| TONE_MARKS.contains(c)) {
                findings.push(passage.finding(
                    m.start(),
                    format!("“{w}”: running text writes pinyin without tone marks"),
                ));
            }
        }
    }
    findings
}

/// How a romanised word compares with the word it romanises.
fn word_problem(cyrillic: &str, roman: &[String], strict: bool) -> Option<String> {
    let lower = cyrillic.to_lowercase();
    if GENERIC_RUSSIAN.contains(&lower.as_str()) || cyrillic.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let latin = romanise(cyrillic);
    let accepted = |r: &String| {
        *r == latin
            || latin
                .strip_suffix("iy")
                .is_some_and(|stem| *r == format!("{stem}y"))
            || (!strict && latin.starts_with(r.as_str()) && latin.len() - r.len() <= 2)
            || CONVENTIONAL.contains(&(lower.as_str(), r.as_str()))
    };
    if roman.iter().any(accepted) {
        return None;
    }
    let (distance, best) = roman.iter().map(|r| (edit_distance(&latin, r), r)).min()?;
    let close = distance <= (latin.chars().count() / 3).max(1);
    (strict || close).then(|| {
        format!(
            "“{best}” romanises “{cyrillic}”, which BGN/PCGN without soft signs gives as “{latin}”"
        )
    })
}

/// The words of a romanised phrase as compared with romanised Cyrillic: lowercase, ë kept,
/// apostrophes dropped.
fn roman_words(phrase: &str) -> Vec<String> {
    words(&phrase.replace('-', " "))
        .iter()
        .map(|w| w.to_lowercase().replace(['\'', '’'], ""))
        .collect()
}

/// Rule 4: a romanised name followed by the Cyrillic it stands for must be that Cyrillic in
/// BGN/PCGN. Words far from every romanised word are translations ("Private" for Рядовой)
/// and are left alone.
pub fn check_romanised_pairs(corpus: &Corpus) -> Vec<Finding> {
    let mut findings = Vec::new();
    for passage in corpus.passages.iter().filter(|p| linted(p)) {
        for gloss in index::glosses(passage) {
            if gloss.script != Script::Cyrillic {
                continue;
            }
            let roman = roman_words(&gloss.roman);
            for word in words(&gloss.key.replace('-', " ")) {
                if let Some(problem) = word_problem(word, &roman, false) {
                    findings.push(passage.finding(gloss.roman_at, problem));
                }
            }
        }
    }
    findings
}

/// Rule 5: each Russian in `people.toml` is named as BGN/PCGN romanises their `ru`, or by a
/// conventional form; each alias is part of the name or romanises it as well.
pub fn check_people(corpus: &Corpus) -> Vec<Finding> {
    let mut people: BTreeMap<usize, Vec<&Passage>> = BTreeMap::new();
    for p in corpus.in_file("people.toml") {
        people.entry(p.record).or_default().push(p);
    }
    let mut findings = Vec::new();
    for fields in people.values() {
        let field = |key: &str| fields.iter().find(|p| p.key() == key).copied();
        let (Some(name), Some(ru)) = (field("name"), field("ru")) else {
            continue;
        };
        if NOT_RUSSIAN.contains(&name.text()) || !ru.text().chars().any(is_cyrillic) {
            continue;
        }
        let name_words = roman_words(name.text());
        for word in words(&ru.text().replace('-', " ")) {
            if let Some(problem) = word_problem(word, &name_words, true) {
                findings.push(name.finding(0, problem));
            }
        }
        for alias in fields.iter().filter(|p| p.key() == "aliases") {
            let alias_words = roman_words(alias.text());
            let part = name_words
                .windows(alias_words.len().max(1))
                .any(|w| w == alias_words);
            if !part {
                findings.push(alias.finding(
                    0,
                    format!(
                        "alias “{}” is not part of the name “{}”",
                        alias.text(),
                        name.text()
                    ),
                ));
            }
        }
    }
    findings
}

/// Rule 6: one English name, one Cyrillic form. Names glossed or entered with Russian must
/// give the same Russian wherever the same English name stands, up to case endings.
pub fn check_one_cyrillic_per_name(corpus: &Corpus) -> Vec<Finding> {
    let mut by_name: BTreeMap<String, Vec<(Finding, String)>> = BTreeMap::new();
    for entry in index::entries(corpus) {
        if !entry.key.chars().any(is_cyrillic) {
            continue;
        }
        for form in &entry.forms {
            by_name
                .entry(form.to_lowercase())
                .or_default()
                .push((entry.place.clone(), stem(&entry.key)));
        }
    }
    let mut findings = Vec::new();
    for (name, mut russian) in by_name {
        russian.sort();
        let Some((first_place, first)) = russian.first().cloned() else {
            continue;
        };
        for (place, other) in &russian[1..] {
            if *other != first {
                findings.push(Finding {
                    message: format!(
                        "“{name}” is Russian “{other}” here but “{first}” at {}",
                        first_place.place()
                    ),
                    ..place.clone()
                });
            }
        }
    }
    findings
}

/// A Russian name without its case endings: each word shortened by two letters.
fn stem(key: &str) -> String {
    key.split([' ', '-'])
        .map(|w| {
            let letters: Vec<char> = w.chars().collect();
            let keep = if letters.len() > 4 {
                letters.len() - 2
            } else {
                letters.len()
            };
            letters[..keep].iter().collect::<String>()
        })
        .collect::<Vec<_>>()
        .join(" ")
}
