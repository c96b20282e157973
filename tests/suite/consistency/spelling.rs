//! Spelling helpers shared by the checks: BGN/PCGN romanisation of Russian as the note on
//! names states it, folding of spelling variants, edit distance and script tests.

/// Whether a character is a Chinese character.
pub fn is_han(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c)
}

/// Whether a character is Cyrillic.
pub fn is_cyrillic(c: char) -> bool {
    ('\u{0400}'..='\u{04FF}').contains(&c)
}

/// The pinyin tone marks (and ü with a tone), which running text does not use.
pub const TONE_MARKS: &str = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜĀÁǍÀĒÉĚÈĪÍǏÌŌÓǑÒŪÚǓÙ";

/// A letter without its accent: tone marks, umlauts, ë, and the few European accents the
/// book uses.
pub fn base_letter(c: char) -> char {
    const GROUPS: [(&str, char); 9] = [
        ("āáǎàâäå", 'a'),
        ("ēéěèêëė", 'e'),
        ("īíǐìîï", 'i'),
        ("ōóǒòôöøő", 'o'),
        ("ūúǔùûüǖǘǚǜ", 'u'),
        ("ç", 'c'),
        ("ł", 'l'),
        ("ñń", 'n'),
        ("ýÿ", 'y'),
    ];
    let lower = c.to_lowercase().next().unwrap_or(c);
    GROUPS
        .iter()
        .find(|(set, _)| set.contains(lower))
        .map_or(lower, |(_, base)| *base)
}

/// Lowercase, accents removed, apostrophes dropped: the form in which two spellings of a
/// word that differ only in diacritics or apostrophes compare equal.
pub fn fold(word: &str) -> String {
    word.chars()
        .filter(|c| !matches!(c, '\'' | '’'))
        .map(base_letter)
        .collect()
}

/// A word folded further over the variants of romanisation: apostrophes, hyphens and
/// spaces, ë/yo/ye/e, ya/a, yu/u, y/i, kh/h, x/ks, c/k, j/i and doubled letters. Two
/// different spellings of one name (Strel'nikov and Strelnikov, Democrat and Demokrat,
/// Kitaiskaya and Kitayskaya, Semyonovich and Semënovich) fold to the same string.
pub fn variant_fold(word: &str) -> String {
    let mut s: String = word
        .chars()
        .filter(|c| !matches!(c, '\'' | '’' | '-' | '–' | ' '))
        .map(|c| if c == 'ë' || c == 'Ë' { 'e' } else { c })
        .map(base_letter)
        .collect();
    for (from, to) in [
        ("yo", "e"),
        ("ye", "e"),
        ("ya", "a"),
        ("yu", "u"),
        ("iy", "i"),
        ("y", "i"),
        ("kh", "h"),
        ("x", "ks"),
        ("c", "k"),
        ("j", "i"),
    ] {
        s = s.replace(from, to);
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

/// Levenshtein distance between two strings, in characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

/// Romanise one Russian word by BGN/PCGN as the note on names gives it, without the soft and
/// hard signs: е and ё are ye and yë at the start of a word and after a vowel, й and ы are y.
pub fn romanise(word: &str) -> String {
    const VOWELS: &str = "аеёиоуыэюяйъь";
    let mut out = String::new();
    let mut previous: Option<char> = None;
    for c in word.chars() {
        let lower = c.to_lowercase().next().unwrap_or(c);
        let after_vowel = previous.is_none_or(|p| VOWELS.contains(p));
        let latin = match lower {
            'е' if after_vowel => "ye",
            'ё' if after_vowel => "yë",
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'д' => "d",
            'е' | 'э' => "e",
            'ё' => "ë",
            'ж' => "zh",
            'з' => "z",
            'и' => "i",
            'й' | 'ы' => "y",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => "kh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ъ' | 'ь' => "",
            'ю' => "yu",
            'я' => "ya",
            _ => {
                out.push(lower);
                previous = Some(lower);
                continue;
            }
        };
        out.push_str(latin);
        previous = Some(lower);
    }
    out
}

/// Words of a phrase: runs of letters, digits, apostrophes and inner hyphens.
pub fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || matches!(c, '\'' | '’' | '-')))
        .map(|w| w.trim_matches(|c| matches!(c, '\'' | '’' | '-')))
        .filter(|w| !w.is_empty())
        .collect()
}
