//! Content is data, never code: hostile strings in every kind of field are printed
//! literally and none of them runs.

use crate::common::*;
use lopdf::Document;

/// Strings that would be code, markup, comments or template syntax if they reached Typst
/// or MiniJinja unescaped.
pub const HOSTILE: [&str; 36] = [
    "#read(\"/etc/passwd\")",
    "a ] b",
    "$x$",
    "`x`",
    "<l>",
    "@l",
    "= heading",
    "// not a comment",
    "/* nor this",
    "back\\",
    "#set page(width: 1cm)",
    "*not bold*",
    "_not emph_",
    "#{ panic(\"boom\") }",
    "#import \"/etc/passwd\"",
    "#include \"x.typ\"",
    "#image(\"/etc/passwd\")",
    "- list item",
    "+ enum item",
    "/ term: desc",
    "1. first",
    "\\u{41}",
    "a -- b --- c",
    "a ... b",
    "x ~ y",
    "https://example.com",
    "#let x = 1",
    "{{ book.title }}",
    "{% include \"chapter.typ\" %}",
    "]#read(\"x\")[",
    "#\"string\"",
    "'single' \"double\"",
    "#sys.inputs",
    "<!-- comment -->",
    "&amp; <b>bold</b>",
    "#(1 + 1)",
];

/// The strings joined, each numbered so that every one can be found.
fn joined() -> String {
    HOSTILE
        .iter()
        .enumerate()
        .map(|(i, s)| format!("H{i}: {s}"))
        .collect::<Vec<_>>()
        .join(" ¦ ")
}

/// The same, escaped so that Markdown shows it literally (backslash before punctuation).
fn markdown_literal() -> String {
    joined()
        .chars()
        .flat_map(|c| {
            let escape = c.is_ascii_punctuation() && c != '¦';
            escape.then_some('\\').into_iter().chain(std::iter::once(c))
        })
        .collect()
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Compare ignoring whitespace, hyphenation and typographic quotes.
fn normalise(text: &str) -> String {
    squeeze(text)
        .replace(['“', '”'], "\"")
        .replace(['‘', '’'], "'")
        .replace(['-', '\u{ad}'], "")
}

#[test]
fn hostile_strings_in_every_field_appear_literally() {
    let fixture = Fixture::new();
    let plain = toml_string(&joined());
    let markdown = markdown_literal();
    let markdown_toml = toml_string(&markdown);

    fixture.write(
        "chapters/book.toml",
        &BOOK_TOML.replace("title = \"Fixture Guide\"", &format!("title = {plain}")),
    );
    let chapter = format!(
        "+++\ntitle = {plain}\nsubtitle = {plain}\nsummary = {plain}\nlandmarks = [\"harbin-st-sophia\", \"harbin-station\"]\n\
         [[sidebar]]\nkind = \"people\"\ntitle = {markdown_toml}\ntext = {markdown_toml}\n\
         [[quote]]\ntext = {plain}\nattribution = {plain}\n\
         [[itinerary]]\ntitle = {plain}\ncity = {plain}\nmode = \"walk\"\nintro = {markdown_toml}\n\
         [[itinerary.stop]]\nlandmark = \"harbin-station\"\nnote = {markdown_toml}\n\
         [[itinerary.stop]]\nlandmark = \"harbin-st-sophia\"\nnote = {markdown_toml}\ndistance_km = 1.0\n\
         +++\n\n{markdown}\n\nA footnote.[^1]\n\n| Cell |\n|---|\n| {cell} |\n\n[^1]: {markdown}\n",
        cell = markdown.replace('|', "\\|"),
    );
    fixture.write("chapters/01-harbin.md", &chapter);
    let landmarks = LANDMARKS
        .replacen(
            "name = \"St. Sophia Cathedral\"",
            &format!("name = {plain}"),
            1,
        )
        .replacen(
            "address = \"Toulong Street\"",
            &format!("address = {plain}"),
            1,
        )
        .replacen(
            "style = \"Russian Byzantine revival\"",
            &format!("style = {plain}\ndesigner = {plain}"),
            1,
        )
        .replacen(
            "description = \"A church.\"",
            &format!("description = {markdown_toml}"),
            1,
        );
    fixture.write("chapters/landmarks.toml", &landmarks);
    fixture.write(
        "chapters/timeline.toml",
        &TIMELINE.replace("title = \"Treaty signed\"", &format!("title = {plain}")),
    );
    fixture.write(
        "chapters/glossary.toml",
        &format!("[[term]]\nen = {plain}\nzh = \"中东铁路\"\npinyin = {plain}\nru = {plain}\nnote = {plain}\n"),
    );
    // Hayagriva's own escapes make its control characters literal.
    let hayagriva_literal: String = joined()
        .chars()
        .flat_map(|c| {
            matches!(c, '\\' | '{' | '}' | '$')
                .then_some('\\')
                .into_iter()
                .chain(std::iter::once(c))
        })
        .collect();
    let json = serde_json::to_string(&hayagriva_literal).unwrap();
    fixture.write(
        "chapters/references.yml",
        &REFERENCES.replace(
            "title: \"Creating a Chinese Harbin\"",
            &format!("title: {json}"),
        ),
    );

    let output = fixture.build();
    assert_success(&output);
    let document = Document::load(fixture.pdf_path()).unwrap();
    // `#set page(width: 1cm)` did not run: pages keep the edition's A5 width.
    let first = *document.get_pages().values().next().unwrap();
    let media = document
        .get_dictionary(first)
        .unwrap()
        .get(b"MediaBox")
        .unwrap()
        .as_array()
        .unwrap()
        .clone();
    assert!((media[2].as_float().unwrap() - 419.53).abs() < 0.5);

    let text = normalise(&pdf_text(&fixture.pdf_path()));
    let mut missing = Vec::new();
    for (i, hostile) in HOSTILE.iter().enumerate() {
        let expected = normalise(&format!("H{i}: {hostile}"));
        let count = text.matches(&expected).count();
        // Title (several places), subtitle, summary, sidebar title and text, quote, attribution,
        // itinerary title, city, intro and notes, body, footnote, table, landmark name, address,
        // style, designer, description, timeline, glossary (4 fields), bibliography.
        if count < 20 {
            missing.push(format!("{hostile:?} appears {count} times"));
        }
    }
    assert!(
        missing.is_empty(),
        "not literal everywhere:\n{}",
        missing.join("\n")
    );
}
