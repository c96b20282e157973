//! The language of every run of text: a finished XHTML document is scanned, and each run of
//! Chinese characters, Cyrillic, or pinyin with tone marks that is not already inside an
//! element of that language is wrapped in a `span` with `lang` and `xml:lang`, so a screen
//! reader switches voices and a reading system picks fonts (WCAG 3.1.2, language of parts).
//! Editors never tag by hand.

/// The script of a character, as far as language tagging cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Han,
    Cyrillic,
    /// Spaces, digits and punctuation: they belong to whatever run surrounds them.
    Neutral,
    Other,
}

fn script(c: char) -> Script {
    match c {
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{20000}'..='\u{2A6DF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{3000}'..='\u{303F}'
        | '\u{FF00}'..='\u{FFEF}' => Script::Han,
        '\u{0400}'..='\u{052F}' => Script::Cyrillic,
        c if c.is_whitespace() || c.is_ascii_digit() || c.is_ascii_punctuation() => Script::Neutral,
        '\u{2010}'..='\u{2027}' | '\u{00A0}' | '\u{00B7}' | '\u{2030}'..='\u{205E}' => {
            Script::Neutral
        }
        _ => Script::Other,
    }
}

/// The language tag of a script's runs.
fn tag(script: Script) -> &'static str {
    match script {
        Script::Han => "zh-Hans",
        Script::Cyrillic => "ru",
        _ => "",
    }
}

/// Vowels with the tone marks pinyin uses and English and French loanwords do not.
const PINYIN_MARKS: &str = "āáǎēěīíǐìōóǒòūúǔùǖǘǚǜĀÁǍĒĚĪÍǏÌŌÓǑÒŪÚǓÙǕǗǙǛ";

/// Whether a word is pinyin written with tone marks.
fn is_pinyin(word: &str) -> bool {
    word.chars().any(|c| PINYIN_MARKS.contains(c))
        && word
            .chars()
            .all(|c| c.is_alphabetic() && script(c) == Script::Other || "'’".contains(c))
}

/// Elements whose text cannot hold a `span`.
const NO_SPANS: [&str; 6] = ["head", "title", "style", "script", "svg", "math"];

/// Wrap every untagged run of Han, Cyrillic or toned pinyin in `text`, an XHTML document.
pub fn tag_languages(xhtml: &str) -> String {
    let mut out = String::with_capacity(xhtml.len() + xhtml.len() / 16);
    // Open elements: name, and the language they declare (or inherit).
    let mut stack: Vec<(String, String)> = Vec::new();
    let mut rest = xhtml;
    while let Some(open) = rest.find('<') {
        let text = &rest[..open];
        tag_text(text, &stack, &mut out);
        let end = rest[open..].find('>').map_or(rest.len(), |i| open + i + 1);
        let markup = &rest[open..end];
        out.push_str(markup);
        track(markup, &mut stack);
        rest = &rest[end..];
    }
    tag_text(rest, &stack, &mut out);
    out
}

/// Follow the element stack through one piece of markup.
fn track(markup: &str, stack: &mut Vec<(String, String)>) {
    if markup.starts_with("<?") || markup.starts_with("<!") {
        return;
    }
    if let Some(name) = markup.strip_prefix("</") {
        let name = name.trim_end_matches('>').trim();
        if let Some(at) = stack.iter().rposition(|(n, _)| n == name) {
            stack.truncate(at);
        }
        return;
    }
    if markup.ends_with("/>") {
        return;
    }
    let name: String = markup[1..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
        .collect();
    let declared = attribute(markup, "xml:lang").or_else(|| attribute(markup, "lang"));
    let inherited = stack.last().map(|(_, l)| l.clone()).unwrap_or_default();
    stack.push((name, declared.unwrap_or(inherited)));
}

/// The value of an attribute in a start tag.
fn attribute(markup: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = markup.find(&key)? + key.len();
    let end = markup[start..].find('"')? + start;
    Some(markup[start..end].to_string())
}

/// Write a text node, wrapping the runs whose language differs from the element's.
fn tag_text(text: &str, stack: &[(String, String)], out: &mut String) {
    if text.is_empty() || stack.iter().any(|(n, _)| NO_SPANS.contains(&n.as_str())) {
        out.push_str(text);
        return;
    }
    let language = stack.last().map_or("", |(_, l)| l.as_str());
    let mut at = 0;
    for (start, end, run) in runs(text) {
        let wanted = if run == Script::Other {
            "zh-Latn-pinyin"
        } else {
            tag(run)
        };
        if language_matches(language, wanted) {
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(&format!(
            "<span lang=\"{wanted}\" xml:lang=\"{wanted}\">{}</span>",
            &text[start..end]
        ));
        at = end;
    }
    out.push_str(&text[at..]);
}

/// Whether text in `inherited` already declares the language `wanted`.
fn language_matches(inherited: &str, wanted: &str) -> bool {
    let primary = |l: &str| l.split('-').next().unwrap_or("").to_ascii_lowercase();
    match wanted {
        "zh-Latn-pinyin" => inherited.eq_ignore_ascii_case(wanted),
        _ => primary(inherited) == primary(wanted) && !inherited.contains("Latn"),
    }
}

/// Byte ranges of the runs to tag: Han and Cyrillic runs (neutral characters inside a run
/// belong to it, at its edges they do not), and words of toned pinyin.
fn runs(text: &str) -> Vec<(usize, usize, Script)> {
    let mut found = Vec::new();
    let mut current: Option<(usize, usize, Script)> = None;
    let mut word_start: Option<usize> = None;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (i, &(offset, c)) in chars.iter().enumerate() {
        let kind = script(c);
        let end = offset + c.len_utf8();
        match (kind, current) {
            (Script::Han | Script::Cyrillic, Some((s, _, k))) if k == kind => {
                current = Some((s, end, k))
            }
            (Script::Han | Script::Cyrillic, previous) => {
                found.extend(previous);
                current = Some((offset, end, kind));
            }
            (Script::Neutral, _) => {}
            (Script::Other, previous) => {
                found.extend(previous);
                current = None;
            }
        }
        // Words, for pinyin: letters and apostrophes between non-letters.
        let in_word = c.is_alphabetic() && kind == Script::Other
            || (word_start.is_some() && "'’".contains(c));
        match (in_word, word_start) {
            (true, None) => word_start = Some(offset),
            (false, Some(start)) => {
                if is_pinyin(&text[start..offset]) {
                    found.push((start, offset, Script::Other));
                }
                word_start = None;
            }
            _ => {}
        }
        if i + 1 == chars.len()
            && let Some(start) = word_start.filter(|_| in_word)
            && is_pinyin(&text[start..end])
        {
            found.push((start, end, Script::Other));
        }
    }
    found.extend(current);
    found.sort_by_key(|r| r.0);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tagged(body: &str) -> String {
        tag_languages(&format!(
            "<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\" xml:lang=\"en\"><head><title>哈尔滨</title></head><body>{body}</body></html>"
        ))
    }

    #[test]
    fn runs_of_other_scripts_are_tagged() {
        let out = tagged("<p>Harbin (哈尔滨, Харбин) grew.</p>");
        assert!(
            out.contains("<span lang=\"zh-Hans\" xml:lang=\"zh-Hans\">哈尔滨</span>"),
            "{out}"
        );
        assert!(
            out.contains("<span lang=\"ru\" xml:lang=\"ru\">Харбин</span>"),
            "{out}"
        );
        assert!(
            out.contains("<title>哈尔滨</title>"),
            "the head is left alone"
        );
    }

    #[test]
    fn text_already_in_its_language_is_left_alone() {
        let out = tagged(
            "<p><span lang=\"zh-Hans\">中东铁路</span> and <em lang=\"ru\">Китайская улица</em></p>",
        );
        assert_eq!(out.matches("<span").count(), 1, "{out}");
    }

    #[test]
    fn a_run_keeps_its_inner_spaces_and_punctuation() {
        let out = tagged("<p>He said «Китайская улица, 1900» then left.</p>");
        assert!(out.contains(">Китайская улица</span>"), "{out}");
    }

    #[test]
    fn toned_pinyin_is_tagged_and_french_is_not() {
        let out = tagged("<p>Luòyáng (洛阳) and a café for émigrés.</p>");
        assert!(
            out.contains(
                "<span lang=\"zh-Latn-pinyin\" xml:lang=\"zh-Latn-pinyin\">Luòyáng</span>"
            ),
            "{out}"
        );
        assert!(
            !out.contains(">café<") && !out.contains(">émigrés<"),
            "{out}"
        );
    }
}
