//! The name index: every English name the book glosses with Chinese characters or Cyrillic,
//! and every name in the landmarks, glossary and people files, so that one person or place
//! is not spelled or named two ways.

use std::collections::{BTreeMap, HashMap, HashSet};

use regex::Regex;

use super::corpus::{Corpus, Finding, Passage};
use super::spelling::{fold, is_cyrillic, is_han, romanise, variant_fold, words};

/// Different names that are meant: historical, Russian and Chinese names of one place, or
/// the Chinese and the original title of one film. A name containing the first may stand
/// where another source has a name containing the second.
pub const DIFFERENT_NAMES: [(&str, &str); 14] = [
    ("Port Arthur", "Lüshun"),
    ("Dalny", "Dalian"),
    ("Dairen", "Dalian"),
    ("Mukden", "Shenyang"),
    ("Xinjing", "Changchun"),
    ("Damansky", "Zhenbao"),
    ("Pristan", "Daoli"),
    ("Kitayskaya", "Central Street"),
    ("Pogranichnaya", "Suifenhe"),
    // Wang Bing's film takes its title from the district.
    ("West of the Tracks", "Tiexi"),
    // Lukov's film was released in China as "An Ordinary Soldier" (普通一兵).
    ("An Ordinary Soldier", "Private Alexander Matrosov"),
    // The Sino-Soviet Friendship Building's names of 1968 and of 1984.
    ("Shanghai Exhibition Hall", "Shanghai Exhibition Centre"),
    // Two streets: Lüshun's Stalin Road and Changchun's Stalin Avenue.
    ("Stalin Road", "Stalin Avenue"),
    // Two streets: Wuhan's Jiefang Avenue and Tacheng's Jiefang Road.
    ("Jiefang Avenue", "Jiefang Road"),
];

/// Chinese and Russian names that several places bear: generic names of Soviet memorials.
pub const SHARED_NAMES: [&str; 2] = ["苏联红军烈士纪念塔", "памятник советским воинам"];

/// Spellings that fold together but are different names: other people, other places.
pub const DIFFERENT_SPELLINGS: [&[&str]; 7] = [
    // Nikolai Ostrovsky and Nikolai Kradin; Nikolay Muravyov, as he is usually spelled in
    // English; Nicolai Volland, as he spells himself.
    &["Nicolai", "Nikolai", "Nikolay"],
    // Søren Clausen and Sören Urbansky, as each spells himself.
    &["Sören", "Søren"],
    // Franck Billé and Frank Dikötter.
    &["Franck", "Frank"],
    // Two provinces.
    &["Shaanxi", "Shanxi"],
    // T. V. Soong and Soong Ching-ling, with the pinyin Song given once.
    &["Song", "Soong"],
    // The Kuban Cossacks and the Cuban missile crisis.
    &["Cuban", "Kuban"],
    // Wang Bing's film Tie Xi Qu, titled so, and the district of Tiexi.
    &["Tie Xi", "Tiexi"],
];

/// Russian words that name a kind of place and have no counterpart in a romanised name.
pub const GENERIC_RUSSIAN: [&str; 14] = [
    "остров",
    "улица",
    "озеро",
    "город",
    "станция",
    "река",
    "площадь",
    "лейтенант",
    "в",
    "и",
    "на",
    "о",
    "с",
    "по",
];

/// Words that stand for one another in names, so that a name with one word swapped for its
/// synonym is the same place under a second name.
const SYNONYMS: [&[&str]; 12] = [
    &["Hall", "Centre", "Center"],
    &["Agricultural", "Farming", "Agriculture"],
    &["Street", "Avenue", "Road", "Boulevard", "Lane"],
    &["Tower", "Monument", "Memorial", "Obelisk", "Column"],
    &["Works", "Factory", "Plant", "Mill"],
    &["Cemetery", "Graveyard"],
    &["Square", "Plaza"],
    &["Museum", "Gallery"],
    &["Park", "Garden"],
    &["Hotel", "Guesthouse"],
    &["Railway", "Railroad"],
    &["University", "Institute", "College"],
];

/// Which script a gloss is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    Han,
    Cyrillic,
}

/// An English name glossed in the text with Chinese or Russian: `Zhenbao Island (珍宝岛)`.
#[derive(Debug, Clone)]
pub struct Gloss {
    pub roman: String,
    /// Byte offset of the English name in the passage.
    pub roman_at: usize,
    pub key: String,
    pub script: Script,
}

/// One name of the index: a key in Chinese or Russian, the English forms it may take, and
/// where it stands.
#[derive(Debug, Clone)]
pub struct Entry {
    pub key: String,
    pub forms: Vec<String>,
    pub place: Finding,
}

/// The glosses of a passage: every parenthesis holding Chinese or Cyrillic after an English
/// name, and Cyrillic followed by its English in parentheses.
pub fn glosses(passage: &Passage) -> Vec<Gloss> {
    let text = &passage.plain;
    let mut out = Vec::new();
    for (open, _) in text.match_indices('(') {
        let close = text[open..].find(')').map_or(text.len(), |i| open + i);
        let inside = &text[open + 1..close];
        // A gloss may hold commas ("Договор о дружбе, союзе и взаимной помощи"): a part between
        // semicolons is split at commas only when it mixes scripts.
        let clean = |p: &str| {
            p.trim()
                .trim_matches(|c| "\"“”«»'".contains(c))
                .trim()
                .to_string()
        };
        let parts: Vec<String> = inside
            .split([';', '；'])
            .flat_map(|part| {
                let pieces: Vec<Option<Script>> = part
                    .split([',', '，'])
                    .map(|p| script_of(&clean(p)))
                    .collect();
                if pieces[0].is_some() && pieces.iter().all(|s| *s == pieces[0]) {
                    vec![clean(part)]
                } else {
                    part.split([',', '，']).map(clean).collect()
                }
            })
            .collect();
        let (roman, roman_at) = name_before(text, open);
        if !roman.is_empty() {
            for part in &parts {
                if let Some(script) = script_of(part) {
                    out.push(Gloss {
                        roman: roman.clone(),
                        roman_at,
                        key: part.to_string(),
                        script,
                    });
                }
            }
            continue;
        }
        let (cyrillic, at) = cyrillic_before(text, open);
        let first = parts.first().map_or("", String::as_str);
        if !cyrillic.is_empty() && first.starts_with(|c: char| c.is_ascii_uppercase()) {
            out.push(Gloss {
                roman: first.to_string(),
                roman_at: at,
                key: cyrillic,
                script: Script::Cyrillic,
            });
        }
    }
    out
}

/// Whether a gloss is all Chinese characters or all Cyrillic (with spaces, hyphens, digits).
fn script_of(part: &str) -> Option<Script> {
    let letters = || part.chars().filter(|c| c.is_alphabetic());
    if part.is_empty() || letters().next().is_none() {
        None
    } else if letters().all(|c| is_han(c) || c == '·') {
        Some(Script::Han)
    } else if letters().all(is_cyrillic) {
        Some(Script::Cyrillic)
    } else {
        None
    }
}

/// Lowercase words that may stand inside an English name.
const CONNECTORS: [&str; 7] = ["of", "the", "and", "in", "for", "on", "de"];

/// The capitalised English name that ends just before a byte offset, with its start; empty
/// when the words before are not a name.
pub fn name_before(text: &str, end: usize) -> (String, usize) {
    let mut tokens: Vec<(usize, &str)> = Vec::new();
    let mut at = end;
    while tokens.len() < 8 {
        let before = text[..at].trim_end();
        let start = before.rfind(char::is_whitespace).map_or(0, |i| {
            i + before[i..].chars().next().map_or(1, char::len_utf8)
        });
        let raw = &before[start..];
        let token = raw.trim_matches(|c| "\"“”‘'".contains(c));
        let ends_clause = !tokens.is_empty()
            && (token.ends_with([',', ';', ':', ')', '(', '—'])
                || token.ends_with('.') && token != "St.");
        let possessive =
            (token.ends_with("'s") || token.ends_with("’s")) && !token.starts_with("People");
        let capital = token
            .starts_with(|c: char| (c.is_uppercase() && !is_cyrillic(c)) || c.is_ascii_digit());
        let connector = CONNECTORS.contains(&token) && !tokens.is_empty();
        if token.is_empty()
            || ends_clause
            || possessive
            || !(capital || connector)
            || raw.contains('(')
        {
            break;
        }
        let quote = raw.len() - raw.trim_start_matches(['"', '“']).len();
        tokens.push((start + quote, token));
        at = start;
        // An opening quotation mark starts the name: "Moscow Nights".
        if start == 0 || quote > 0 {
            break;
        }
    }
    tokens.reverse();
    // "the" belongs to a name only after "of": "Museum of the Chinese People's Revolution".
    if let Some(cut) = (0..tokens.len())
        .rev()
        .find(|&i| tokens[i].1 == "the" && (i == 0 || tokens[i - 1].1 != "of"))
    {
        tokens.drain(..=cut);
    }
    while tokens
        .first()
        .is_some_and(|t| CONNECTORS.contains(&t.1.to_lowercase().as_str()))
    {
        tokens.remove(0);
    }
    while tokens.last().is_some_and(|t| CONNECTORS.contains(&t.1)) {
        tokens.pop();
    }
    let Some(&(start, _)) = tokens.first() else {
        return (String::new(), end);
    };
    let name: Vec<&str> = tokens.iter().map(|t| t.1).collect();
    (name.join(" "), start)
}

/// The run of Cyrillic words that ends just before a byte offset, with its start.
fn cyrillic_before(text: &str, end: usize) -> (String, usize) {
    let before = text[..end].trim_end();
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_cyrillic(*c) || *c == ' ' || *c == '-')
        .last()
        .map_or(before.len(), |(i, _)| i);
    let run = before[start..].trim();
    if run.chars().any(is_cyrillic) {
        (
            run.to_string(),
            start + (before[start..].len() - before[start..].trim_start().len()),
        )
    } else {
        (String::new(), end)
    }
}

/// The forms an English name of the data files may take: "Zhenbao (Damansky) Island" is also
/// "Zhenbao Island", "Damansky Island" and "Damansky"; "Central Street (former Kitayskaya
/// Street)" is also "Kitayskaya Street"; "Friendship Hotel (Beijing)" is "Friendship Hotel".
pub fn name_forms(name: &str) -> Vec<String> {
    let mut forms = vec![name.to_string()];
    if let (Some(open), Some(close)) = (name.find(['(', '（']), name.rfind([')', '）'])) {
        let before = name[..open].trim();
        let inside = name[open..close].trim_start_matches(['(', '（']).trim();
        let after = name[close..].trim_start_matches([')', '）']).trim();
        let inside = ["former ", "moved from ", "now "]
            .iter()
            .find_map(|p| inside.strip_prefix(p))
            .unwrap_or(inside);
        forms.push(format!("{before} {after}").trim().to_string());
        forms.push(inside.to_string());
        if !after.is_empty() {
            forms.push(format!("{inside} {after}"));
        }
    }
    for form in forms.clone() {
        forms.extend(form.split(", ").map(str::to_string));
    }
    forms.retain(|f| !f.is_empty());
    forms
}

/// The keys a Chinese or Russian name of the data files stands for: the name, and each of its
/// parenthesised parts without 原 ("former").
pub fn name_keys(name: &str) -> Vec<String> {
    let mut keys = vec![normalise_key(name)];
    for part in name.split(['(', ')', '（', '）']) {
        let part = part.trim().trim_start_matches('原');
        if !part.is_empty() {
            keys.push(normalise_key(part));
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

/// A key in comparable form: Cyrillic lowercased, without guillemets and generic words.
pub fn normalise_key(key: &str) -> String {
    if !key.chars().any(is_cyrillic) {
        return key.chars().filter(|c| !c.is_whitespace()).collect();
    }
    key.split_whitespace()
        .map(|w| w.trim_matches(['«', '»']).to_lowercase())
        .filter(|w| !GENERIC_RUSSIAN.contains(&w.as_str()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a romanised phrase renders a Russian one letter for letter, with the conventional
/// forms the note on names allows: "Damansky" for Даманский, "Lake Zhalanashkol" for
/// Жаланашколь.
pub fn romanises(roman: &str, cyrillic: &str) -> bool {
    let roman: Vec<String> = words(roman).iter().map(|w| variant_fold(w)).collect();
    words(cyrillic)
        .iter()
        .filter(|w| !GENERIC_RUSSIAN.contains(&w.to_lowercase().as_str()))
        .all(|w| {
            let latin = variant_fold(&romanise(w));
            roman.iter().any(|r| {
                *r == latin
                    || r.starts_with(&latin)
                    || latin.starts_with(r.as_str()) && latin.len() - r.len() <= 2
            })
        })
}

/// Whether two English forms name the same thing: one's words are a run of the other's, or
/// the pair is a declared different name.
pub fn compatible(a: &str, b: &str) -> bool {
    let (fa, fb) = (folded_words(a), folded_words(b));
    contains_run(&fa, &fb)
        || contains_run(&fb, &fa)
        || DIFFERENT_NAMES.iter().any(|(x, y)| {
            let (fx, fy) = (folded_words(x), folded_words(y));
            (contains_run(&fa, &fx) && contains_run(&fb, &fy))
                || (contains_run(&fa, &fy) && contains_run(&fb, &fx))
        })
}

/// Words of a phrase, folded, with hyphens as spaces.
fn folded_words(phrase: &str) -> Vec<String> {
    fold(&phrase.replace(['-', '–'], " "))
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether `needle` occurs as a contiguous run of `haystack`.
fn contains_run(haystack: &[String], needle: &[String]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every entry of the index: names of landmarks, glossary terms and people with their keys,
/// and every gloss in the text that is a translation rather than a romanisation.
pub fn entries(corpus: &Corpus) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut pinyin: HashMap<String, Vec<String>> = HashMap::new();
    let mut records: BTreeMap<(String, usize), Vec<&Passage>> = BTreeMap::new();
    for passage in &corpus.passages {
        let table = passage.field.split('.').next().unwrap_or_default();
        if ["landmark", "term", "person"].contains(&table) {
            records
                .entry((passage.file.name.clone(), passage.record))
                .or_default()
                .push(passage);
        }
    }
    for fields in records.values() {
        let get = |key: &'static str| fields.iter().filter(move |p| p.key() == key);
        let Some(name) = get("name").chain(get("en")).next() else {
            continue;
        };
        let mut forms = name_forms(name.text());
        forms.extend(get("aliases").map(|a| a.text().to_string()));
        let keys = get("name_zh")
            .chain(get("zh"))
            .chain(get("name_ru"))
            .chain(get("ru"));
        for key in keys.flat_map(|k| name_keys(k.text())) {
            for p in get("pinyin") {
                pinyin
                    .entry(key.clone())
                    .or_default()
                    .push(variant_fold(p.text()));
            }
            out.push(Entry {
                key,
                forms: forms.clone(),
                place: name.finding(0, ""),
            });
        }
    }
    for passage in corpus.passages.iter().filter(|p| is_prose(p)) {
        for gloss in glosses(passage) {
            let key = normalise_key(&gloss.key);
            let romanised = match gloss.script {
                Script::Cyrillic => romanises(&gloss.roman, &gloss.key),
                Script::Han => pinyin
                    .get(&key)
                    .is_some_and(|all| all.iter().any(|p| p.contains(&variant_fold(&gloss.roman)))),
            };
            if !romanised {
                out.push(Entry {
                    key,
                    forms: vec![gloss.roman.clone()],
                    place: passage.finding(gloss.roman_at, ""),
                });
            }
        }
    }
    out
}

/// Whether a passage is text the book prints as prose (not ids, keys, names or pinyin).
pub fn is_prose(passage: &Passage) -> bool {
    !matches!(
        passage.key(),
        "id" | "sources"
            | "landmarks"
            | "figures"
            | "source"
            | "landmark"
            | "pinyin"
            | "name"
            | "name_zh"
            | "name_ru"
            | "en"
            | "zh"
            | "ru"
            | "aliases"
            | "date"
            | "mode"
            | "kind"
            | "precision"
            | "status"
            | "network"
    ) || passage.field == "reference.title"
}

/// Check 1: one key, one English name. Every pair of entries with the same Chinese or Russian
/// key must give compatible English forms.
pub fn check_one_name_per_key(corpus: &Corpus) -> Vec<Finding> {
    let mut by_key: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    for entry in entries(corpus) {
        if !SHARED_NAMES.iter().any(|s| normalise_key(s) == entry.key) {
            by_key.entry(entry.key.clone()).or_default().push(entry);
        }
    }
    let mut findings = Vec::new();
    for (key, mut list) in by_key {
        list.sort_by(|a, b| a.place.cmp(&b.place));
        for (j, later) in list.iter().enumerate() {
            let clash = list[..j].iter().find(|earlier| {
                !earlier
                    .forms
                    .iter()
                    .any(|a| later.forms.iter().any(|b| compatible(a, b)))
            });
            if let Some(earlier) = clash {
                findings.push(Finding {
                    message: format!(
                        "{key} is called “{}” here but “{}” at {}",
                        later.forms[0],
                        earlier.forms[0],
                        earlier.place.place()
                    ),
                    ..later.place.clone()
                });
            }
        }
    }
    findings
}

/// Spellings of capitalised words, grouped by their variant fold, and every word the prose
/// writes in lower case.
#[derive(Default)]
struct Spellings {
    /// Each spelling with its first place and how often it is written.
    groups: BTreeMap<String, BTreeMap<String, (Finding, usize)>>,
    lower: HashSet<String>,
    /// Two capitalised words in a row ("Jiao Tong"), with where they stand.
    pairs: Vec<(String, Finding)>,
}

/// Collect the spellings of a corpus, leaving out the note on names, which shows variants on
/// purpose, words with tone marks, and strings that are not prose or names.
fn spellings(corpus: &Corpus) -> Spellings {
    let word = Regex::new(r"[\p{L}\p{N}][\p{L}\p{N}'’\-]*[\p{L}\p{N}]").expect("valid regex");
    let mut out = Spellings::default();
    for passage in &corpus.passages {
        let mut previous: Option<(usize, usize, String)> = None;
        for m in word.find_iter(&passage.plain) {
            let w = m.as_str().trim_end_matches("'s").trim_end_matches("’s");
            if w.starts_with(char::is_lowercase) && is_prose(passage) {
                out.lower.insert(w.to_lowercase());
            }
            let skip = passage.file.name.ends_with("00-names.md")
                || !w.starts_with(char::is_uppercase)
                || w.chars().any(|c| super::spelling::TONE_MARKS.contains(c))
                || w.chars().any(|c| is_han(c) || is_cyrillic(c))
                || !is_prose(passage) && !["name", "en", "aliases"].contains(&passage.key());
            if skip {
                previous = None;
                continue;
            }
            let acronym = w.chars().all(|c| c.is_uppercase());
            if let Some((start, end, first)) = previous.take()
                && end + 1 == m.start()
                && !acronym
            {
                out.pairs
                    .push((format!("{first} {w}"), passage.finding(start, "")));
            }
            previous = (!acronym).then(|| (m.start(), m.end(), w.to_string()));
            let folded = variant_fold(w);
            if folded.chars().count() >= 4 {
                out.groups
                    .entry(folded)
                    .or_default()
                    .entry(w.to_string())
                    .or_insert_with(|| (passage.finding(m.start(), ""), 0))
                    .1 += 1;
            }
        }
    }
    out
}

/// Check 2: one spelling per name. Capitalised words that fold together over the variants
/// of romanisation (apostrophes, ë/yo/e, y/i, c/k, hyphens) are one name spelled two ways,
/// and so are two words that another place writes as one ("Jiao Tong" and "Jiaotong"),
/// unless they are listed as different names. Ordinary words (those the text also writes in
/// lower case) are left out.
pub fn check_one_spelling_per_name(corpus: &Corpus) -> Vec<Finding> {
    let Spellings {
        mut groups,
        lower,
        pairs,
    } = spellings(corpus);
    for (pair, place) in pairs {
        let Some(group) = groups.get_mut(&variant_fold(&pair)) else {
            continue;
        };
        // A compound written with a hyphen ("Russian-language") is a word, not a name.
        if group.keys().any(|w| !w.contains('-')) {
            group.entry(pair).or_insert((place, 0)).1 += 1;
        }
    }
    let mut findings = Vec::new();
    for variants in groups.values() {
        let names: Vec<&String> = variants
            .keys()
            .filter(|w| !lower.contains(&w.to_lowercase()))
            .collect();
        let distinct: HashSet<String> = names.iter().map(|w| w.to_lowercase()).collect();
        let declared = DIFFERENT_SPELLINGS
            .iter()
            .any(|set| names.iter().all(|w| set.contains(&w.as_str())));
        if distinct.len() < 2 || declared {
            continue;
        }
        // The spelling written most often stands; the others are reported.
        let first = names
            .iter()
            .max_by_key(|w| (variants[**w].1, std::cmp::Reverse(**w)))
            .expect("two spellings");
        for other in names.iter().filter(|w| *w != first) {
            let place = &variants[*other].0;
            findings.push(Finding {
                message: format!(
                    "“{other}” and “{first}” ({}, {} times) spell one name two ways",
                    variants[*first].0.place(),
                    variants[*first].1
                ),
                ..place.clone()
            });
        }
    }
    findings
}

/// Check 3: one name per place. Capitalised names that differ only by a word and its synonym
/// ("Beijing Exhibition Centre" and "Beijing Exhibition Hall", "Dongfanghong Agricultural
/// Museum" and "Dongfanghong Farming Museum", "People's Avenue" and "People's Street") name one
/// place two ways, unless they are listed as different names.
pub fn check_synonym_names(corpus: &Corpus) -> Vec<Finding> {
    let run = Regex::new(
        r"[\p{Lu}\p{N}][\p{L}\p{N}'’\-]*(?:\s+(?:\p{Lu}[\p{L}\p{N}'’\-]*|of|and|in|the|de))*",
    )
    .expect("valid regex");
    let mut by_form: BTreeMap<String, BTreeMap<String, Finding>> = BTreeMap::new();
    for passage in corpus
        .passages
        .iter()
        .filter(|p| is_prose(p) || p.key() == "name" || p.key() == "en")
    {
        for m in run.find_iter(&passage.plain) {
            let (name, offset) = trim_name(m.as_str());
            let parts: Vec<&str> = name.split_whitespace().collect();
            let group = |w: &str| SYNONYMS.iter().position(|g| g.contains(&w));
            let distinctive = parts
                .iter()
                .any(|w| group(w).is_none() && *w != "Exhibition");
            if parts.len() < 2 || !distinctive || parts.iter().all(|w| group(w).is_none()) {
                continue;
            }
            let key: Vec<String> = parts
                .iter()
                .map(|w| group(w).map_or_else(|| fold(w), |g| format!("#{g}")))
                .collect();
            by_form
                .entry(key.join(" "))
                .or_default()
                .entry(parts.join(" "))
                .or_insert_with(|| passage.finding(m.start() + offset, ""));
        }
    }
    let mut findings = Vec::new();
    for names in by_form.values() {
        let mut list: Vec<(&String, &Finding)> = names.iter().collect();
        list.sort_by(|a, b| a.1.cmp(b.1));
        for (j, (later, place)) in list.iter().enumerate() {
            let clash = list[..j]
                .iter()
                .find(|(earlier, _)| !compatible(earlier, later));
            if let Some((earlier, first)) = clash {
                findings.push(Finding {
                    message: format!(
                        "“{later}” and “{earlier}” ({}) name one place two ways",
                        first.place()
                    ),
                    ..(*place).clone()
                });
            }
        }
    }
    findings
}

/// A run of capitalised words cut to the name it holds: "the" only after "of", no leading or
/// trailing connectors. Returns the name and its byte offset in the run.
fn trim_name(run: &str) -> (String, usize) {
    let mut tokens: Vec<(usize, &str)> = run
        .split_whitespace()
        .map(|t| (t.as_ptr() as usize - run.as_ptr() as usize, t))
        .collect();
    if let Some(cut) = (0..tokens.len())
        .rev()
        .find(|&i| tokens[i].1 == "the" && (i == 0 || tokens[i - 1].1 != "of"))
    {
        tokens.drain(..=cut);
    }
    while tokens
        .first()
        .is_some_and(|t| CONNECTORS.contains(&t.1.to_lowercase().as_str()))
    {
        tokens.remove(0);
    }
    while tokens.last().is_some_and(|t| CONNECTORS.contains(&t.1)) {
        tokens.pop();
    }
    let offset = tokens.first().map_or(0, |t| t.0);
    let name: Vec<&str> = tokens.iter().map(|t| t.1).collect();
    (name.join(" "), offset)
}
