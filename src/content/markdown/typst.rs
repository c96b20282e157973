//! The Typst writer: Markdown as Typst markup, every text escaped for markup mode.

use super::{
    Block, IndexTerms, Link, Writer, alignment, chapter_label, figure_label, index_mark,
    landmark_label, mark_at,
};
use crate::content::model::FigureKind;
use crate::escape;

/// The Typst writer: Markdown as Typst markup, every text escaped for markup mode, with
/// index entries after the names it finds (after a heading rather than inside it, since
/// running heads and the contents repeat headings).
pub(super) struct Typst<'a> {
    pub(super) index: Option<&'a IndexTerms>,
    pub(super) in_heading: usize,
    /// Index marks of the heading being written, placed after it.
    pub(super) pending: String,
    /// Writing a chapter's body: paragraphs at the top level may be spaced apart to fill a
    /// page (never those in a note, list, quotation or table, which are boxes of their own).
    pub(super) flow: bool,
    /// How many containers (notes, lists, quotations, tables) are open.
    pub(super) depth: usize,
}

impl Writer for Typst<'_> {
    fn text(&mut self, out: &mut String, text: &str, place: &str) {
        let Some(index) = self.index else {
            out.push_str(&escape::markup(text));
            return;
        };
        let mut at = 0;
        for (end, kind, entry) in index.find(text) {
            let mark = index_mark(kind, entry, Some(&mark_at(place, end)));
            if self.in_heading > 0 {
                self.pending.push_str(&mark);
                continue;
            }
            out.push_str(&escape::markup(&text[at..end]));
            out.push_str(&mark);
            at = end;
        }
        out.push_str(&escape::markup(&text[at..]));
    }

    fn inline_code(&mut self, out: &mut String, code: &str) {
        out.push_str(&format!("#raw({});", escape::string_literal(code)));
    }

    fn code_block(&mut self, out: &mut String, lang: Option<&str>, code: &str) {
        let lang = lang
            .map(|l| format!("lang: {}, ", escape::string_literal(l)))
            .unwrap_or_default();
        out.push_str(&format!(
            "#raw(block: true, {lang}{});\n\n",
            escape::string_literal(code)
        ));
    }

    fn soft_break(&mut self, out: &mut String) {
        out.push('\n');
    }

    fn hard_break(&mut self, out: &mut String) {
        out.push_str("#linebreak();\n");
    }

    fn rule(&mut self, out: &mut String) {
        out.push_str("\n#line(length: 100%);\n\n");
    }

    fn anchor(&mut self, out: &mut String, key: &str, heading: bool) {
        // A heading's anchor follows it, where the paragraph it is kept with begins: on the
        // page the heading is printed on.
        let mark = escape::page_anchor_typst(key);
        if heading {
            self.pending.push_str(&mark);
        } else {
            out.push_str(&mark);
        }
    }

    fn in_note(&mut self, inside: bool) {
        if inside {
            self.depth += 1;
        } else {
            self.depth = self.depth.saturating_sub(1);
        }
    }

    fn open(&mut self, out: &mut String, block: &Block) {
        if matches!(block, Block::Quote | Block::List(_) | Block::Table(_)) {
            self.depth += 1;
        }
        match block {
            Block::Paragraph | Block::TableRow => {}
            Block::Heading(level) => {
                self.in_heading += 1;
                out.push_str(&format!("\n#heading(level: {level})["));
            }
            Block::Quote => out.push_str("#quote(block: true)["),
            Block::List(None) => out.push_str("#list("),
            Block::List(Some(start)) => out.push_str(&format!("#enum(start: {start}, ")),
            Block::Item | Block::TableCell => out.push('['),
            Block::Table(alignments) => {
                let align: Vec<&str> = alignments.iter().map(|a| alignment(*a)).collect();
                out.push_str(&format!(
                    "#table(columns: {}, align: ({},), ",
                    alignments.len(),
                    align.join(", ")
                ));
            }
            Block::TableHead => out.push_str("table.header("),
            Block::Emphasis => out.push_str("#emph["),
            Block::Strong => out.push_str("#strong["),
            Block::Strike => out.push_str("#strike["),
        }
    }

    fn close(&mut self, out: &mut String, block: &Block) {
        if matches!(block, Block::Quote | Block::List(_) | Block::Table(_)) {
            self.depth = self.depth.saturating_sub(1);
        }
        if *block == Block::Paragraph && self.flow && self.depth == 0 {
            out.push_str("\n\n#paragraph-stretch();\n\n");
            return;
        }
        if let Block::Heading(_) = block {
            self.in_heading = self.in_heading.saturating_sub(1);
            out.push_str("];");
            out.push_str(&std::mem::take(&mut self.pending));
            out.push_str("\n\n");
            return;
        }
        out.push_str(match block {
            Block::Paragraph => "\n\n",
            Block::Heading(_) | Block::Quote => "];\n\n",
            Block::List(_) | Block::Table(_) => ");\n\n",
            Block::Item | Block::TableCell => "], ",
            Block::TableHead => "), ",
            Block::TableRow => "",
            Block::Emphasis | Block::Strong | Block::Strike => "];",
        });
    }

    fn footnote(&mut self, out: &mut String, note: &str) {
        out.push_str(&format!("#footnote[{note}];"));
    }

    fn link(&mut self, out: &mut String, link: &Link, text: &str, _plain: &str) {
        let indexing = self.index.filter(|_| self.in_heading == 0);
        out.push_str(&match link {
            Link::Internal {
                scheme,
                id,
                in_parentheses,
            } => {
                let label = match *scheme {
                    "landmark" => landmark_label(id),
                    "chapter" => chapter_label(id),
                    _ => figure_label(id),
                };
                let mark = match (indexing, *scheme) {
                    (Some(index), "landmark") => index
                        .landmark_names
                        .get(id)
                        .map(|name| index_mark("landmark", name, None))
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                // A style function, so that an edition decides how a reference prints.
                format!(
                    "#cross-reference(label({}), {}, [{text}], in-parentheses: {in_parentheses});{mark}",
                    escape::string_literal(&label),
                    escape::string_literal(scheme),
                )
            }
            Link::Index(term) => match indexing {
                Some(_) => format!("{text}{}", index_mark("subject", term, None)),
                None => text.to_string(),
            },
            Link::Url(url) => format!("#link({})[{text}];", escape::string_literal(url)),
            Link::Cite(key) if text.is_empty() => {
                format!("#cite(label({}));", escape::string_literal(key))
            }
            Link::Cite(key) => format!(
                "#cite(label({}), supplement: [{text}]);",
                escape::string_literal(key)
            ),
            Link::Plain => text.to_string(),
        });
    }

    /// An image is a figure like the charts: numbered with them ("Figure n") and listed with
    /// them in the list of figures, so it shares their kind.
    fn image(&mut self, out: &mut String, path: &str, alt: &str, caption: &str) {
        let kind = FigureKind::Chart;
        out.push_str(&format!(
            "#figure(image({}, alt: {}, width: 100%), kind: {}, supplement: [{}], caption: [{}]);",
            escape::string_literal(path),
            escape::string_literal(alt),
            escape::string_literal(kind.name()),
            escape::markup(kind.supplement()),
            escape::markup(caption),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Converter, Origin, Targets};
    use super::*;
    use crate::diagnostics::{Diagnostic, SourceFile};

    fn convert(markdown: &str) -> (String, Vec<Diagnostic>) {
        let targets = Targets::default();
        let index = IndexTerms::new(
            [("person", "Mao Zedong".to_string(), vec!["Mao".to_string()])],
            [],
        );
        let images = crate::content::images::ImageStore::new(
            crate::sandbox::Sandbox::new(&std::env::temp_dir()).unwrap(),
        );
        let mut converter = Converter::new(&targets, &images).with_index(&index);
        let file = SourceFile::new("test.md", markdown);
        let out = converter.to_typst(
            markdown,
            Origin {
                file: &file,
                offset: 0,
            },
        );
        (out, converter.take_diagnostics())
    }

    #[test]
    fn structures_become_typst() {
        let (out, errors) = convert(
            "## Section\n\n*a* **b** `c`\n\n- x\n- y\n\n| h |\n|---|\n| v |\n\nNote.[^1]\n\n[^1]: Text.\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        for part in [
            "#heading(level: 2)[Section]",
            "#emph[a]",
            "#strong[b]",
            "#raw(\"c\")",
            "#list(",
            "#table(columns: 1",
            "#footnote[Text\\.]",
        ] {
            assert!(out.contains(part), "{part} not in {out}");
        }
        assert!(typst_syntax::parse(&out).errors_and_warnings().0.is_empty());
    }

    #[test]
    fn people_are_indexed_after_headings_not_inside() {
        let (out, _) = convert("## Mao\n\nMao met Maoists and Mao Zedong.\n");
        assert_eq!(out.matches("#index-mark(").count(), 3, "{out}");
        assert!(
            out.starts_with(
                "\n#heading(level: 2)[Mao];#metadata(\"test.md:0\")<page-anchor>#index-mark("
            ),
            "{out}"
        );
    }

    #[test]
    fn top_level_blocks_carry_page_anchors_and_notes_do_not() {
        let (out, _) = convert("One.[^n]\n\n- a\n- b\n\nTwo.\n\n[^n]: A note.\n");
        assert_eq!(out.matches("<page-anchor>").count(), 3, "{out}");
        assert!(
            out.starts_with("#metadata(\"test.md:0\")<page-anchor>One"),
            "{out}"
        );
        assert!(
            out.contains("#metadata(\"test.md:19\")<page-anchor>Two"),
            "{out}"
        );
    }

    #[test]
    fn undefined_footnotes_are_errors() {
        let (_, errors) = convert("Text.[^missing]\n");
        assert!(
            errors
                .iter()
                .any(|e| e.message.contains("`[^missing]` has no definition")),
            "{errors:?}"
        );
    }

    proptest::proptest! {
        /// Whatever an editor writes, the Typst produced parses without errors.
        #[test]
        fn any_markdown_gives_valid_typst(markdown in "(\\PC|\n){0,400}") {
            let (out, _) = convert(&markdown);
            let errors = typst_syntax::parse(&out).errors_and_warnings().0;
            proptest::prop_assert!(errors.is_empty(), "{:?} -> {:?}: {:?}", markdown, out, errors);
        }

        /// Markdown built from the characters that matter most to both languages.
        #[test]
        fn markup_heavy_markdown_gives_valid_typst(markdown in "[-#*_`$<>@\\[\\]()=+/~'\"!|:.\\\\ \na-c1]{0,300}") {
            let (out, _) = convert(&markdown);
            let errors = typst_syntax::parse(&out).errors_and_warnings().0;
            proptest::prop_assert!(errors.is_empty(), "{:?} -> {:?}: {:?}", markdown, out, errors);
        }
    }
}
