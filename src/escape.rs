//! Escaping of content values into Typst markup, Typst string literals and XML text: the
//! security boundary.

/// Text already written in a template's output language by this program (Markdown converted
/// by the walk, citations, colour expressions, quoted string literals): the only values a
/// template writes without escaping. Strings a template makes, including output it captures
/// and filters applied to anything, are always escaped.
#[derive(Debug, Clone)]
pub struct Trusted(pub String);

impl Trusted {
    /// Wrap pre-escaped text as a template value.
    pub fn value(text: String) -> minijinja::Value {
        minijinja::Value::from_object(Self(text))
    }
}

impl minijinja::value::Object for Trusted {
    fn is_true(self: &std::sync::Arc<Self>) -> bool {
        !self.0.is_empty()
    }

    fn render(self: &std::sync::Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Escape text so that Typst markup shows it literally and nothing in it is interpreted.
///
/// Every character with a meaning in markup (code `#`, emphasis, raw, math, labels,
/// references, brackets, headings and lists at line starts, comments, shorthands such as
/// `--`, `...` and `~`, and bare URLs via `:`) is backslash-escaped. Straight quotes are
/// left to Typst's smart quotes, which only ever print a quotation mark. Line
/// breaks become spaces so that a value can never start a new markup line; other control
/// characters are dropped (the loader already refuses them with a located message).
pub fn markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '\\' | '/' | '[' | ']' | '{' | '}' | '#' | '*' | '_' | '+' | '=' | '-' | '~' | '`'
            | '$' | '<' | '>' | '@' | ':' | '.' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}' => out.push(' '),
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Quote text as a Typst string literal, e.g. for `image("…")` or `label("…")`.
pub fn string_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether XML 1.0 allows a character in a document (and it is not a discouraged control).
pub fn xml_allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (!c.is_control() && !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
}

/// Escape text for XML content and attribute values; characters XML forbids are dropped.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // A parser turns a carriage return into a line feed: kept as a reference, the
            // text reads back as written.
            '\r' => out.push_str("&#13;"),
            c if xml_allowed(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// Escape text for an XML attribute value: as [`xml`], with tabs and line feeds as
/// references too, since a parser turns them into spaces in an attribute.
pub fn xml_attribute(text: &str) -> String {
    xml(text).replace('\t', "&#9;").replace('\n', "&#10;")
}

/// Straight quotes to typographic ones, as Typst's smart quotes set them in the PDF: a
/// quote after a space, an opening bracket or a dash opens, any other closes (so `'` after
/// a letter is an apostrophe).
pub fn smart_quotes(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut previous: Option<char> = None;
    for c in text.chars() {
        let opens = previous
            .is_none_or(|p| p.is_whitespace() || "([{<\u{2010}\u{2013}\u{2014}-/".contains(p));
        out.push(match (c, opens) {
            ('"', true) => '\u{201C}',
            ('"', false) => '\u{201D}',
            ('\'', true) => '\u{2018}',
            ('\'', false) => '\u{2019}',
            (c, _) => c,
        });
        previous = Some(c);
    }
    out
}

/// Drop the characters XML forbids from text that is already escaped.
pub fn xml_clean(text: &str) -> String {
    text.chars().filter(|&c| xml_allowed(c)).collect()
}

/// Label of the page anchors in Typst: each marks where a block of the book begins, so that
/// the EPUB can give the page numbers of a print edition.
pub const PAGE_ANCHOR_LABEL: &str = "page-anchor";

/// Element name of a page anchor in XHTML until the EPUB places its page breaks; `<` never
/// survives escaping, so content cannot forge one.
pub const PAGE_ANCHOR_ELEMENT: &str = "guidebook-page-anchor";

/// A page anchor named `key`, in Typst markup: invisible metadata whose position the
/// compiler records.
pub fn page_anchor_typst(key: &str) -> String {
    format!("#metadata({})<{PAGE_ANCHOR_LABEL}>", string_literal(key))
}

/// A page anchor named `key`, in XHTML: a marker the EPUB replaces by a page break or
/// removes.
pub fn page_anchor_xml(key: &str) -> String {
    format!("<{PAGE_ANCHOR_ELEMENT} key=\"{}\"/>", xml(key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use typst_syntax::{SyntaxKind, SyntaxNode};

    /// Reassemble the literal text a markup tree shows, failing on anything but text.
    fn shown_text(node: &SyntaxNode, out: &mut String) -> Result<(), SyntaxKind> {
        match node.kind() {
            SyntaxKind::Markup => {
                for child in node.children() {
                    shown_text(child, out)?;
                }
                Ok(())
            }
            SyntaxKind::Text => {
                out.push_str(node.leaf_text());
                Ok(())
            }
            SyntaxKind::Space | SyntaxKind::SmartQuote => {
                out.push_str(node.leaf_text());
                Ok(())
            }
            SyntaxKind::Escape => {
                out.push_str(&node.leaf_text()[1..]);
                Ok(())
            }
            kind => Err(kind),
        }
    }

    fn round_trip(input: &str) -> Result<String, SyntaxKind> {
        let escaped = markup(input);
        let root = typst_syntax::parse(&escaped);
        assert!(
            root.errors_and_warnings().0.is_empty(),
            "{input:?} -> {escaped:?} has parse errors"
        );
        let mut shown = String::new();
        shown_text(&root, &mut shown)?;
        Ok(shown)
    }

    fn expected(input: &str) -> String {
        input
            .chars()
            .filter_map(|c| match c {
                '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}' | '\u{85}' => Some(' '),
                c if c.is_control() => None,
                c => Some(c),
            })
            .collect()
    }

    #[test]
    fn hostile_strings_stay_text() {
        for input in [
            "#read(\"/etc/passwd\")",
            "]",
            "$x$",
            "`x`",
            "<l>",
            "@l",
            "= heading",
            "// comment",
            "/* comment",
            "trailing \\",
            "- list",
            "+ enum",
            "/ term: x",
            "1. first",
            "a -- b --- c ... d ~ e",
            "https://example.com",
            "*strong* _emph_",
            "#{ panic() }",
            "\\u{41}",
            "'quoted' \"double\"",
        ] {
            assert_eq!(round_trip(input), Ok(expected(input)), "{input:?}");
        }
    }

    #[test]
    fn xml_text_is_escaped_and_cleaned() {
        assert_eq!(
            xml("<a href=\"x\">&'\u{0}\u{7}\u{FFFE}ok</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;ok&lt;/a&gt;"
        );
        assert_eq!(xml("中文\tРусский\n"), "中文\tРусский\n");
    }

    #[test]
    fn quotes_become_typographic() {
        assert_eq!(
            smart_quotes(r#"The "eight hundred" and Harbin's 'old' town"#),
            "The \u{201C}eight hundred\u{201D} and Harbin\u{2019}s \u{2018}old\u{2019} town"
        );
    }

    proptest::proptest! {
        #[test]
        fn any_string_round_trips(input in "\\PC*") {
            proptest::prop_assert_eq!(round_trip(&input), Ok(expected(&input)));
        }

        #[test]
        fn any_ascii_round_trips(input in "[ -~\\n\\t]*") {
            proptest::prop_assert_eq!(round_trip(&input), Ok(expected(&input)));
        }

        #[test]
        fn string_literals_parse_back(input in "\\PC*") {
            let code = format!("#{}", string_literal(&input));
            let root = typst_syntax::parse(&code);
            proptest::prop_assert!(root.errors_and_warnings().0.is_empty());
            let literal = root.children().find_map(|n| n.cast::<typst_syntax::ast::Str>());
            proptest::prop_assert!(literal.is_some());
        }
    }
}
