//! EPUB 3 output: the book's views rendered through the XHTML/OPF templates of
//! `layouts/epub/`, packed into a reproducible container.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;

use minijinja::Value;
use serde::Serialize;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::citations::Citations;
use crate::diagnostics::{Diagnostic, Error, Result, Severity};
use crate::markdown::{self, Converter};
use crate::model::{Book, Chapter};
use crate::render::{self, BookDate};
use crate::templates::Templates;
use crate::{escape, load};

/// Folder of the EPUB templates and stylesheet.
pub const LAYOUT: &str = "layouts/epub";

/// A generated figure (a map, a chart) the EPUB includes, e.g. from the maps module.
#[derive(Debug, Clone)]
pub struct Figure {
    /// Id used by `figure:` links; lowercase letters, digits and hyphens.
    pub id: String,
    /// A complete SVG document.
    pub svg: String,
    pub caption: String,
    /// Text alternative; required.
    pub alt: String,
}

/// An EPUB built in memory, not yet written.
pub struct BuiltEpub {
    pub bytes: Vec<u8>,
    /// Number of XHTML content documents.
    pub documents: usize,
    pub warnings: Vec<Diagnostic>,
}

/// One file of the package: its path inside `EPUB/`, media type and bytes.
struct Item {
    id: String,
    href: String,
    media_type: &'static str,
    properties: Option<&'static str>,
    bytes: Vec<u8>,
}

#[derive(Serialize)]
struct ManifestView<'a> {
    id: &'a str,
    href: &'a str,
    media_type: &'a str,
    properties: Option<&'a str>,
}

#[derive(Serialize)]
struct TocEntry {
    title: String,
    href: String,
    children: Vec<TocEntry>,
}

/// The package being assembled: rendered documents in spine order, and what went wrong.
struct Package<'a> {
    templates: Templates,
    /// Formatted citations, by the index their markers carry.
    cited: &'a [String],
    diagnostics: Vec<Diagnostic>,
    items: Vec<Item>,
    spine: Vec<String>,
}

impl Package<'_> {
    /// Render a template, with citations filled in; a failure is kept as a diagnostic.
    fn render(&mut self, template: &str, context: Value) -> Option<String> {
        match self.templates.render(template, &context) {
            Ok(text) => Some(markdown::fill_citations(&text, self.cited)),
            Err(error) => {
                self.diagnostics.extend(error.diagnostics);
                None
            }
        }
    }

    /// Render a content document and add it to the manifest and the spine.
    fn document(&mut self, id: &str, href: &str, template: &str, context: Value) {
        if let Some(text) = self.render(template, context) {
            self.items.push(Item {
                id: id.to_string(),
                href: href.to_string(),
                media_type: "application/xhtml+xml",
                properties: None,
                bytes: text.into_bytes(),
            });
            self.spine.push(id.to_string());
        }
    }
}

/// The file of a chapter inside the EPUB.
pub fn chapter_href(slug: &str) -> String {
    format!("chapter-{slug}.xhtml")
}

/// Build the EPUB of the whole book. `modified` is `dcterms:modified` (`YYYY-MM-DDThh:mm:ssZ`).
pub fn build(
    root: &Path,
    book: &Book,
    date: &BookDate,
    modified: &str,
    figures: &[Figure],
) -> Result<BuiltEpub> {
    let mut problems = Vec::new();
    for figure in figures {
        if !load::is_id(&figure.id) {
            problems.push(Diagnostic::error(format!(
                "figure id `{}` must use lowercase letters, digits and hyphens",
                figure.id
            )));
        }
        if figure.alt.trim().is_empty() {
            problems.push(Diagnostic::error(format!(
                "figure `{}` has no alt text",
                figure.id
            )));
        }
    }
    if !problems.is_empty() {
        return Err(Error::from(problems));
    }

    let included: Vec<&Chapter> = book.chapters().collect();
    let figure_ids: Vec<String> = figures.iter().map(|f| f.id.clone()).collect();
    let targets = render::targets(book, &included, &figure_ids);
    let mut converter = Converter::xhtml(&targets, root, hrefs(book, &included, figures));
    let views = render::views(book, &included, &mut converter, date, None, &chapter_href);
    let has_notes = converter.notes() > 0;
    let (cites, images) = converter
        .xhtml_state()
        .map(|x| (x.cites.clone(), x.images.clone()))
        .unwrap_or_default();

    let citations = Citations::load(root, book)?;
    let formatted = citations.as_ref().map(|c| c.format(&cites));
    let (cited, bibliography) = match formatted {
        Some(f) => (f.citations, f.bibliography),
        None => (Vec::new(), Vec::new()),
    };
    let bibliography: Vec<Value> = bibliography
        .into_iter()
        .map(|(key, html)| {
            minijinja::context! { id => markdown::reference_id(&key), text => Value::from_safe_string(html) }
        })
        .collect();

    let mut package = Package {
        templates: Templates::new(root, vec![LAYOUT.to_string()]),
        cited: &cited,
        diagnostics: converter.take_diagnostics(),
        items: Vec::new(),
        spine: Vec::new(),
    };
    let book_view = Value::from_serialize(&views.book);
    let has_visuals = !images.is_empty() || !figures.is_empty();
    let common = |extra: Value| {
        minijinja::context! { book => &book_view, ..extra }
    };
    let cover_lines = minijinja::context! {
        title_lines => wrap(&book.meta.title, 16),
        subtitle_lines => wrap(book.meta.subtitle.as_deref().unwrap_or(""), 30),
    };
    let cover_svg = package.render("cover.svg", common(cover_lines));
    package.document(
        "cover",
        "cover.xhtml",
        "cover.xhtml",
        common(minijinja::context! {}),
    );
    package.document(
        "title-page",
        "title.xhtml",
        "title.xhtml",
        common(minijinja::context! {}),
    );
    package.spine.push("nav".into());

    let mut toc = Vec::new();
    let chapter_views: HashMap<&str, &render::ChapterView> = views
        .chapters
        .iter()
        .map(|(r, v)| (r.slug.as_str(), v))
        .collect();
    let chapter_page = |package: &mut Package<'_>, slug: &str| {
        if let Some(view) = chapter_views.get(slug) {
            package.document(
                &format!("chapter-{slug}"),
                &chapter_href(slug),
                "chapter.xhtml",
                common(minijinja::context! { chapter => Value::from_serialize(view) }),
            );
        }
    };
    for chapter in &views.front {
        chapter_page(&mut package, &chapter.slug);
        toc.push(TocEntry {
            title: chapter.title.clone(),
            href: chapter_href(&chapter.slug),
            children: vec![],
        });
    }
    let first_body = views
        .parts
        .first()
        .map(|p| format!("part-{}.xhtml", p.number));
    for part in &views.parts {
        let href = format!("part-{}.xhtml", part.number);
        package.document(
            &format!("part-{}", part.number),
            &href,
            "part.xhtml",
            common(minijinja::context! { part => Value::from_serialize(part) }),
        );
        let mut entry = TocEntry {
            title: format!("Part {}: {}", part.roman, part.title),
            href,
            children: vec![],
        };
        for chapter in &part.chapters {
            chapter_page(&mut package, &chapter.slug);
            let href = chapter_href(&chapter.slug);
            // Landmark entries are what a traveller looks up: they get their own toc lines.
            let landmarks = chapter_views
                .get(chapter.slug.as_str())
                .map(|view| {
                    view.landmarks
                        .iter()
                        .map(|l| TocEntry {
                            title: l.name.clone(),
                            href: format!("{href}#{}", l.label),
                            children: vec![],
                        })
                        .collect()
                })
                .unwrap_or_default();
            entry.children.push(TocEntry {
                title: match chapter.number {
                    Some(n) => format!("{n}. {}", chapter.title),
                    None => chapter.title.clone(),
                },
                href,
                children: landmarks,
            });
        }
        toc.push(entry);
    }

    let mut back: BTreeMap<&str, String> = BTreeMap::new();
    let mut back_page =
        |package: &mut Package<'_>, name: &'static str, title: &str, context: Value| {
            let href = format!("{name}.xhtml");
            package.document(name, &href, &href, context);
            back.insert(name, href.clone());
            toc.push(TocEntry {
                title: title.to_string(),
                href,
                children: vec![],
            });
        };
    if !views.timeline.is_empty() {
        back_page(
            &mut package,
            "timeline",
            "Timeline",
            common(minijinja::context! { timeline => &views.timeline }),
        );
    }
    if !views.glossary.is_empty() {
        back_page(
            &mut package,
            "glossary",
            "Glossary",
            common(minijinja::context! { glossary => &views.glossary }),
        );
    }
    if !bibliography.is_empty() {
        back_page(
            &mut package,
            "bibliography",
            "Further reading and sources",
            common(minijinja::context! { entries => &bibliography }),
        );
    }
    if !figures.is_empty() {
        let list: Vec<Value> = figures
            .iter()
            .map(|f| {
                minijinja::context! {
                    id => markdown::figure_label(&f.id),
                    src => format!("figures/{}.svg", f.id),
                    caption => &f.caption,
                    alt => &f.alt,
                }
            })
            .collect();
        back_page(
            &mut package,
            "figures",
            "Maps and figures",
            common(minijinja::context! { figures => list }),
        );
    }

    let documents = package.items.len() + 1;
    let nav_context = common(minijinja::context! {
        toc => Value::from_serialize(&toc),
        back => &back,
        first_body => first_body,
    });
    let nav = package.render("nav.xhtml", nav_context);
    let items = &mut package.items;

    // Resources, after the documents so that the manifest lists content first.
    if let Some(svg) = cover_svg {
        items.push(Item {
            id: "cover-image".into(),
            href: "cover.svg".into(),
            media_type: "image/svg+xml",
            properties: Some("cover-image"),
            bytes: svg.into_bytes(),
        });
    }
    if let Some(nav) = nav {
        items.push(Item {
            id: "nav".into(),
            href: "nav.xhtml".into(),
            media_type: "application/xhtml+xml",
            properties: Some("nav"),
            bytes: nav.into_bytes(),
        });
    }
    let css = load::read_text(root, &format!("{LAYOUT}/style.css"))?;
    items.push(Item {
        id: "style".into(),
        href: "style.css".into(),
        media_type: "text/css",
        properties: None,
        bytes: css.text.as_bytes().to_vec(),
    });
    for (i, path) in images.iter().enumerate() {
        let relative = path.trim_start_matches('/');
        let bytes = std::fs::read(root.join(relative))
            .map_err(|e| Error::msg(format!("cannot read {relative}: {e}")))?;
        items.push(Item {
            id: format!("image-{}", i + 1),
            href: markdown::epub_image_href(path),
            media_type: media_type(path),
            properties: None,
            bytes,
        });
    }
    for figure in figures {
        items.push(Item {
            id: format!("figure-{}", figure.id),
            href: format!("figures/{}.svg", figure.id),
            media_type: "image/svg+xml",
            properties: None,
            bytes: escape::xml_clean(&figure.svg).into_bytes(),
        });
    }

    let manifest: Vec<Value> = package
        .items
        .iter()
        .map(|i| {
            Value::from_serialize(ManifestView {
                id: &i.id,
                href: &i.href,
                media_type: i.media_type,
                properties: i.properties,
            })
        })
        .collect();
    let spine = package.spine.clone();
    let accessibility = accessibility(has_visuals, has_notes, !views.glossary.is_empty());
    let opf = package.render(
        "package.opf",
        common(minijinja::context! {
            modified => modified,
            manifest => manifest,
            spine => &spine,
            accessibility => accessibility,
        }),
    );
    if package
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error)
    {
        return Err(Error::from(package.diagnostics));
    }
    let opf = opf.unwrap_or_default();
    let bytes = pack(&opf, &package.items)?;
    Ok(BuiltEpub {
        bytes,
        documents,
        warnings: package.diagnostics,
    })
}

/// Where every internal link target lives: chapters by file, landmarks in the first chapter
/// that prints them, figures on the figures page.
fn hrefs(
    book: &Book,
    included: &[&Chapter],
    figures: &[Figure],
) -> HashMap<(&'static str, String), String> {
    let mut hrefs = HashMap::new();
    for chapter in included {
        hrefs.insert(
            ("chapter", chapter.slug.clone()),
            chapter_href(&chapter.slug),
        );
        for id in &chapter.meta.landmarks {
            if book.landmark(id.get_ref()).is_some() {
                hrefs
                    .entry(("landmark", id.get_ref().clone()))
                    .or_insert_with(|| {
                        format!(
                            "{}#{}",
                            chapter_href(&chapter.slug),
                            markdown::landmark_label(id.get_ref())
                        )
                    });
            }
        }
    }
    for figure in figures {
        hrefs.insert(
            ("figure", figure.id.clone()),
            format!("figures.xhtml#{}", markdown::figure_label(&figure.id)),
        );
    }
    hrefs
}

/// EPUB Accessibility 1.1 metadata derived from what the book holds.
fn accessibility(has_visuals: bool, has_notes: bool, has_glossary: bool) -> Value {
    let mut modes = vec!["textual"];
    let mut sufficient = vec!["textual".to_string()];
    let mut features = vec![
        "structuralNavigation",
        "tableOfContents",
        "readingOrder",
        "displayTransformability",
    ];
    if has_visuals {
        modes.push("visual");
        sufficient.insert(0, "textual,visual".into());
        features.push("alternativeText");
    }
    if has_glossary {
        features.push("glossary");
    }
    let summary = format!(
        "Reflowable text with a navigable table of contents, headings in order, {}and links \
         between chapters, landmark entries and sources. {}Chinese and Russian names are \
         marked with their language. No flashing, motion or sound.",
        if has_notes {
            "footnotes as linked notes, "
        } else {
            ""
        },
        if has_visuals {
            "Every image has a text alternative and a caption. "
        } else {
            "Apart from the cover, the book has no images. "
        }
    );
    minijinja::context! {
        modes => modes,
        sufficient => sufficient,
        features => features,
        hazards => vec!["none"],
        summary => summary,
    }
}

fn media_type(path: &str) -> &'static str {
    let extension = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    markdown::IMAGE_TYPES
        .iter()
        .find(|(ext, _)| *ext == extension)
        .map_or("application/octet-stream", |(_, t)| t)
}

/// Break a title into lines of at most `width` characters, at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

const CONTAINER: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"#;

/// Pack the container: `mimetype` first and stored, then every file in a fixed order with a
/// fixed timestamp and permissions, so equal input gives equal bytes.
fn pack(opf: &str, items: &[Item]) -> Result<Vec<u8>> {
    let fail = |e: zip::result::ZipError| Error::msg(format!("cannot write the EPUB: {e}"));
    let io = |e: std::io::Error| Error::msg(format!("cannot write the EPUB: {e}"));
    let stored = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    let deflated = stored
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(9));
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("mimetype", stored).map_err(fail)?;
    zip.write_all(b"application/epub+zip").map_err(io)?;
    zip.start_file("META-INF/container.xml", deflated)
        .map_err(fail)?;
    zip.write_all(CONTAINER.as_bytes()).map_err(io)?;
    zip.start_file("EPUB/package.opf", deflated).map_err(fail)?;
    zip.write_all(opf.as_bytes()).map_err(io)?;
    for item in items {
        // Compressed images gain nothing from deflate.
        let options = match item.media_type {
            "image/png" | "image/jpeg" | "image/gif" | "image/webp" => stored,
            _ => deflated,
        };
        zip.start_file(format!("EPUB/{}", item.href), options)
            .map_err(fail)?;
        zip.write_all(&item.bytes).map_err(io)?;
    }
    let cursor = zip.finish().map_err(fail)?;
    Ok(cursor.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_wrap_at_spaces() {
        assert_eq!(
            wrap("The Friendship Years", 16),
            vec!["The Friendship", "Years"]
        );
        assert!(wrap("", 10).is_empty());
    }
}
