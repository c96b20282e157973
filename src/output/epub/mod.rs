//! EPUB 3 output: the book's views rendered through the XHTML/OPF templates of
//! `layouts/epub/`, packed into a reproducible container.

pub mod citations;
pub mod index;
pub mod lang;
pub mod pages;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;

use minijinja::Value;
use minijinja::value::Serde;
use serde::Serialize;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::content::images::{self, ImageStore};
use crate::content::load;
use crate::content::markdown::{self, Converter};
use crate::content::model::{Book, Chapter};
use crate::content::view::{self, ChapterView, FigureCatalogue, FigureRef, Views};
use crate::date::BuildDate;
use crate::diagnostics::{Diagnostic, Error, Result, Severity};
use crate::escape::{self, Trusted};
use crate::figures::Figures;
use crate::sandbox::Sandbox;
use crate::templates::{Language, Templates};

use self::citations::Citations;

/// Folder of the EPUB templates and stylesheet.
pub const LAYOUT: &str = "layouts/epub";

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
    /// Spine items outside the reading order (a figure's full-screen page).
    non_linear: Vec<String>,
    toc: Vec<TocEntry>,
    /// Back matter pages by name, for the navigation's landmarks.
    back: BTreeMap<&'static str, String>,
    /// The page list: where the pages of a print edition begin.
    page_list: Vec<pages::PageEntry>,
    placer: pages::Placer,
    book_view: Value,
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
        if let Some(text) = self
            .render(template, context)
            .map(|t| lang::tag_languages(&t))
        {
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

/// Build the EPUB of the whole book with its generated figures and its cover image (PNG),
/// and the page numbers of a print edition when `page_source` gives them.
pub fn build(
    sandbox: &Sandbox,
    book: &Book,
    date: &BuildDate,
    figures: &Figures,
    cover: &[u8],
    page_source: Option<&pages::PageSource>,
) -> Result<BuiltEpub> {
    check_figures(figures)?;
    let included: Vec<&Chapter> = book.chapters().collect();
    let numbered = NumberedFigures::new(book, figures);
    let placed: Vec<String> = numbered.placed.keys().cloned().collect();
    let mut targets = view::targets(book, &included, &placed);
    // Links to a figure the book draws but does not place keep their text.
    targets.known.insert(
        "figure",
        figures.list.iter().map(|f| f.id.clone()).collect(),
    );
    let terms = view::index_terms(book);
    let mut converter = Converter::xhtml(&targets, &book.images, hrefs(book, &included, &numbered))
        .with_index(&terms);
    let views = view::views(
        book,
        &included,
        &mut converter,
        date,
        Some(&numbered as &dyn FigureCatalogue),
        &chapter_href,
    );
    let has_notes = converter.notes() > 0;
    let index_entries = view::index_view(book, converter.subjects_used());
    let (cites, images) = converter
        .xhtml_state()
        .map(|x| (x.cites.clone(), x.images.clone()))
        .unwrap_or_default();
    let citations = Citations::load(sandbox, book)?;
    let formatted = citations.as_ref().map(|c| c.format(&cites));
    let (cited, bibliography) = match formatted {
        Some(f) => (f.citations, f.bibliography),
        None => (Vec::new(), Vec::new()),
    };
    let bibliography: Vec<Value> = bibliography
        .into_iter()
        .map(|(key, html)| {
            minijinja::context! { id => markdown::reference_id(&key), text => Trusted::value(html) }
        })
        .collect();
    let mut package = Package {
        templates: Templates::new(sandbox, vec![LAYOUT.to_string()], Language::Xml),
        cited: &cited,
        diagnostics: converter.take_diagnostics(),
        items: Vec::new(),
        spine: Vec::new(),
        non_linear: Vec::new(),
        toc: Vec::new(),
        back: BTreeMap::new(),
        page_list: Vec::new(),
        placer: pages::Placer::default(),
        book_view: Value::from(Serde(&views.book)),
    };
    package.front_pages();
    package.chapters_and_parts(&views);
    package.back_pages(&views, &bibliography, &numbered);
    let illustrations = package.figure_pages(&numbered);
    package.place_page_breaks(page_source, 0);
    let has_index = package.index_page(&index_entries, &sections(&views), page_source);
    let documents = package.items.len() + 1;
    let first_body = views
        .parts
        .first()
        .map(|p| format!("part-{}.xhtml", p.number));
    let nav = package.render(
        "nav.xhtml",
        package.common(minijinja::context! {
            toc => Value::from(Serde(&package.toc)),
            back => &package.back,
            first_body => first_body,
            illustrations => illustrations,
            page_list => Value::from(Serde(&package.page_list)),
        }),
    );
    let nav = nav.map(|n| lang::tag_languages(&n));
    let ncx = package.ncx();
    package.resources(sandbox, &book.images, cover, nav, &images, figures)?;
    if let Some(ncx) = ncx {
        package.items.push(Item {
            id: "ncx".into(),
            href: "toc.ncx".into(),
            media_type: "application/x-dtbncx+xml",
            properties: None,
            bytes: ncx.into_bytes(),
        });
    }
    let has_visuals = !images.is_empty() || !figures.list.is_empty();
    let opf = package.package_document(
        date,
        page_source.filter(|_| !package.page_list.is_empty()),
        accessibility(&Holds {
            visuals: has_visuals,
            notes: has_notes,
            glossary: !views.glossary.is_empty(),
            index: has_index,
            page_source: page_source
                .filter(|_| !package.page_list.is_empty())
                .map(|s| s.description.as_str()),
        }),
    );
    if package
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error)
    {
        return Err(Error::from(package.diagnostics));
    }
    let bytes = pack(&opf.unwrap_or_default(), &package.items)?;
    Ok(BuiltEpub {
        bytes,
        documents,
        warnings: package.diagnostics,
    })
}

/// The figures as the EPUB places them: in the chapter that places them in print, numbered
/// by kind in reading order (Map 1, Figure 1 …), the timeline chart with the timeline.
struct NumberedFigures<'a> {
    figures: &'a Figures,
    /// Figure id → (its number among its kind, the file it is placed in).
    placed: BTreeMap<String, (usize, String)>,
    /// Ids in reading order.
    order: Vec<String>,
}

impl<'a> NumberedFigures<'a> {
    fn new(book: &Book, figures: &'a Figures) -> Self {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        let mut placed = BTreeMap::new();
        let mut order = Vec::new();
        let mut place = |id: &str, href: String| {
            let Some(figure) = figures.get(id) else {
                return;
            };
            if placed.contains_key(id) {
                return;
            }
            let n = counts.entry(figure.kind.name()).or_insert(0);
            *n += 1;
            placed.insert(id.to_string(), (*n, href));
            order.push(id.to_string());
        };
        for chapter in book.chapters() {
            let href = chapter_href(&chapter.slug);
            for id in &chapter.meta.figures {
                place(id.get_ref(), href.clone());
            }
            for index in 0..chapter.meta.itineraries.len() {
                if let Some(id) = figures.itinerary_maps.get(&(chapter.slug.clone(), index)) {
                    place(id, href.clone());
                }
            }
        }
        if !book.events.is_empty() {
            place(crate::figures::TIMELINE_CHART, "timeline.xhtml".into());
        }
        Self {
            figures,
            placed,
            order,
        }
    }

    /// Placed figures in reading order, numbered, with the file each is placed in.
    fn in_order(&self) -> Vec<(FigureRef, String)> {
        self.order
            .iter()
            .filter_map(|id| Some((self.figure(id)?, self.placed[id].1.clone())))
            .collect()
    }
}

impl FigureCatalogue for NumberedFigures<'_> {
    fn figure(&self, id: &str) -> Option<FigureRef> {
        let (number, _) = self.placed.get(id)?;
        let mut figure = self.figures.figure(id)?;
        figure.number = Some(*number);
        Some(figure)
    }

    fn itinerary_map(&self, chapter: &str, index: usize) -> Option<FigureRef> {
        let id = self
            .figures
            .itinerary_maps
            .get(&(chapter.to_string(), index))?;
        self.figure(id)
    }
}

/// Figures must have ids usable as file names and a text alternative.
fn check_figures(figures: &Figures) -> Result<()> {
    let mut problems = Vec::new();
    for figure in &figures.list {
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
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::from(problems))
    }
}

impl Package<'_> {
    /// Values every template sees, with `extra` added.
    fn common(&self, extra: Value) -> Value {
        minijinja::context! { book => &self.book_view, ..extra }
    }

    /// The cover and title pages.
    fn front_pages(&mut self) {
        let empty = self.common(minijinja::context! {});
        self.document("cover", "cover.xhtml", "cover.xhtml", empty.clone());
        self.document("title-page", "title.xhtml", "title.xhtml", empty);
        self.spine.push("nav".into());
    }

    /// A chapter's page, if the views have the chapter.
    fn chapter_page(&mut self, views: &Views, slug: &str) {
        if let Some((_, view)) = views.chapters.iter().find(|(r, _)| r.slug == slug) {
            let context = self.common(minijinja::context! { chapter => Value::from(Serde(view)) });
            self.document(
                &format!("chapter-{slug}"),
                &chapter_href(slug),
                "chapter.xhtml",
                context,
            );
        }
    }

    /// Front matter chapters, then each part's page and chapters, with their toc entries;
    /// landmark entries are what a traveller looks up, so they get toc lines of their own.
    fn chapters_and_parts(&mut self, views: &Views) {
        let chapter_views: HashMap<&str, &ChapterView> = views
            .chapters
            .iter()
            .map(|(r, v)| (r.slug.as_str(), v))
            .collect();
        for chapter in &views.front {
            self.chapter_page(views, &chapter.slug);
            self.toc.push(TocEntry {
                title: chapter.title.clone(),
                href: chapter_href(&chapter.slug),
                children: vec![],
            });
        }
        for part in &views.parts {
            let href = format!("part-{}.xhtml", part.number);
            let context = self.common(minijinja::context! { part => Value::from(Serde(part)) });
            self.document(
                &format!("part-{}", part.number),
                &href,
                "part.xhtml",
                context,
            );
            let mut entry = TocEntry {
                title: format!("Part {}: {}", part.roman, part.title),
                href,
                children: vec![],
            };
            for chapter in &part.chapters {
                self.chapter_page(views, &chapter.slug);
                let href = chapter_href(&chapter.slug);
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
            self.toc.push(entry);
        }
    }

    /// A back matter page with its toc entry.
    fn back_page(&mut self, name: &'static str, title: &str, context: Value) {
        let href = format!("{name}.xhtml");
        self.document(name, &href, &href, context);
        self.back.insert(name, href.clone());
        self.toc.push(TocEntry {
            title: title.to_string(),
            href,
            children: vec![],
        });
    }

    /// Timeline, glossary, bibliography and the figures page, where the book has them.
    fn back_pages(
        &mut self,
        views: &Views,
        bibliography: &[Value],
        numbered: &NumberedFigures<'_>,
    ) {
        if !views.timeline.is_empty() {
            let chart = numbered.figure(crate::figures::TIMELINE_CHART);
            let context = self.common(
                minijinja::context! { timeline => Serde(&views.timeline), figure => Serde(chart) },
            );
            self.back_page("timeline", "Timeline", context);
        }
        if !views.glossary.is_empty() {
            let context = self.common(minijinja::context! { glossary => &views.glossary });
            self.back_page("glossary", "Glossary", context);
        }
        if !bibliography.is_empty() {
            let context = self.common(minijinja::context! { entries => bibliography });
            self.back_page("bibliography", "Further reading and sources", context);
        }
    }

    /// Page breaks where the pages of the print edition begin, in every content document;
    /// the page list for the navigation.
    /// (Of the documents from item `from` on, so that the index, written last, continues
    /// the pages.)
    fn place_page_breaks(&mut self, source: Option<&pages::PageSource>, from: usize) {
        let mut placer = std::mem::take(&mut self.placer);
        let entries = self.edit_documents(from, |documents| placer.place(documents, source));
        self.placer = placer;
        self.page_list.extend(entries);
    }

    /// Run `edit` over the content documents from item `from` on, as file names and text.
    fn edit_documents<T>(
        &mut self,
        from: usize,
        edit: impl FnOnce(&mut [(String, String)]) -> T,
    ) -> T {
        let xhtml: Vec<usize> = (from..self.items.len())
            .filter(|&i| self.items[i].media_type == "application/xhtml+xml")
            .collect();
        let mut documents: Vec<(String, String)> = xhtml
            .iter()
            .map(|&i| {
                let item = &mut self.items[i];
                let text = String::from_utf8(std::mem::take(&mut item.bytes)).unwrap_or_default();
                (item.href.clone(), text)
            })
            .collect();
        let result = edit(&mut documents);
        for (&i, (_, text)) in xhtml.iter().zip(documents) {
            self.items[i].bytes = text.into_bytes();
        }
        result
    }

    /// The index, from the marks the documents hold (with the print pages in force where
    /// they stand), as a back matter page of its own, when the text names any entry.
    fn index_page(
        &mut self,
        entries: &[view::IndexEntry],
        sections: &HashMap<String, String>,
        source: Option<&pages::PageSource>,
    ) -> bool {
        let references = self.edit_documents(0, |documents| {
            index::References::collect(documents, sections, source)
        });
        let groups = index::groups(entries, &references);
        if groups.is_empty() {
            return false;
        }
        let from = self.items.len();
        let context = self.common(minijinja::context! { groups => Serde(&groups) });
        self.back_page("index", "Index", context);
        self.place_page_breaks(source, from);
        true
    }

    /// The NCX table of contents for reading systems older than EPUB 3: parts and chapters
    /// (two levels), numbered in play order, and the page list.
    fn ncx(&mut self) -> Option<String> {
        let mut order = 0;
        let mut next = || {
            order += 1;
            order
        };
        let points: Vec<Value> = self
            .toc
            .iter()
            .map(|entry| {
                let own = next();
                let children: Vec<Value> = entry
                    .children
                    .iter()
                    .map(|c| minijinja::context! { order => next(), title => &c.title, href => &c.href })
                    .collect();
                minijinja::context! { order => own, title => &entry.title, href => &entry.href, children => children }
            })
            .collect();
        let page_targets: Vec<Value> = self
            .page_list
            .iter()
            .map(|p| minijinja::context! { order => next(), number => &p.number, href => &p.href })
            .collect();
        let max_page = self
            .page_list
            .iter()
            .filter_map(|p| p.number.parse::<u64>().ok())
            .max()
            .unwrap_or(0);
        let context = self.common(minijinja::context! {
            points => points,
            pages => page_targets,
            max_page => max_page,
        });
        self.render("toc.ncx", context)
    }

    /// A page of its own for each figure, the drawing scaled to the screen, outside the
    /// reading order and reached from the figure's caption.
    fn figure_pages(&mut self, numbered: &NumberedFigures<'_>) -> Vec<Value> {
        let mut list = Vec::new();
        for (figure, href) in numbered.in_order() {
            let page = format!("figure-{}.xhtml", figure.id);
            let context = self.common(minijinja::context! {
                figure => Value::from(Serde(&figure)),
                back => format!("{href}#{}", figure.label),
            });
            if let Some(text) = self
                .render("figure-page.xhtml", context)
                .map(|t| lang::tag_languages(&t))
            {
                self.items.push(Item {
                    id: format!("page-{}", figure.id),
                    href: page.clone(),
                    media_type: "application/xhtml+xml",
                    properties: None,
                    bytes: text.into_bytes(),
                });
                self.non_linear.push(format!("page-{}", figure.id));
            }
            list.push(minijinja::context! {
                title => format!("{} {}: {}", figure.supplement, figure.number.unwrap_or(0), figure.caption),
                href => format!("{href}#{}", figure.label),
            });
        }
        list
    }

    /// Cover image, navigation, stylesheet, images and figures, after the documents so that
    /// the manifest lists content first. Every file is read through the sandbox.
    fn resources(
        &mut self,
        sandbox: &Sandbox,
        store: &ImageStore,
        cover: &[u8],
        nav: Option<String>,
        images: &BTreeSet<String>,
        figures: &Figures,
    ) -> Result<()> {
        let items = &mut self.items;
        items.push(Item {
            id: "cover-image".into(),
            href: "cover.png".into(),
            media_type: "image/png",
            properties: Some("cover-image"),
            bytes: cover.to_vec(),
        });
        if let Some(nav) = nav {
            items.push(Item {
                id: "nav".into(),
                href: "nav.xhtml".into(),
                media_type: "application/xhtml+xml",
                properties: Some("nav"),
                bytes: nav.into_bytes(),
            });
        }
        let css = sandbox.read_text(&format!("{LAYOUT}/style.css"))?;
        items.push(Item {
            id: "style".into(),
            href: "style.css".into(),
            media_type: "text/css",
            properties: None,
            bytes: css.text.as_bytes().to_vec(),
        });
        for (i, path) in images.iter().enumerate() {
            // The converter refused any image that failed validation.
            let image = store.get(path).map_err(Error::msg)?;
            items.push(Item {
                id: format!("image-{}", i + 1),
                href: images::epub_href(path),
                media_type: image.media_type,
                properties: None,
                bytes: image.bytes.clone(),
            });
        }
        for figure in &figures.list {
            items.push(Item {
                id: format!("figure-{}", figure.id),
                href: format!("figures/{}.svg", figure.id),
                media_type: "image/svg+xml",
                properties: None,
                bytes: escape::xml_clean(&figure.drawn.svg).into_bytes(),
            });
        }
        Ok(())
    }

    /// `package.opf`, listing every item and the spine.
    fn package_document(
        &mut self,
        date: &BuildDate,
        page_source: Option<&pages::PageSource>,
        accessibility: Value,
    ) -> Option<String> {
        let manifest: Vec<Value> = self
            .items
            .iter()
            .map(|i| {
                Value::from(Serde(ManifestView {
                    id: &i.id,
                    href: &i.href,
                    media_type: i.media_type,
                    properties: i.properties,
                }))
            })
            .collect();
        let context = self.common(minijinja::context! {
            modified => date.modified(),
            manifest => manifest,
            spine => &self.spine,
            non_linear => &self.non_linear,
            page_break_source => page_source.map(|s| s.description.clone()),
            accessibility => accessibility,
        });
        self.render("package.opf", context)
    }
}

/// Where every internal link target lives: chapters by file, landmarks in the first chapter
/// that prints them, figures on the figures page.
fn hrefs(
    book: &Book,
    included: &[&Chapter],
    numbered: &NumberedFigures<'_>,
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
    for (id, (_, href)) in numbered.placed.iter() {
        hrefs.insert(
            ("figure", id.clone()),
            format!("{href}#{}", markdown::figure_label(id)),
        );
    }
    hrefs
}

/// EPUB Accessibility 1.1 metadata derived from what the book holds: only values of the
/// schema.org vocabularies, and a summary that says what is true of this book.
/// What a book holds that its accessibility metadata speaks of.
struct Holds<'a> {
    visuals: bool,
    notes: bool,
    glossary: bool,
    index: bool,
    /// What the page breaks follow, when the EPUB has them.
    page_source: Option<&'a str>,
}

/// The section each content document belongs to, as the index's sub-entries name it: a
/// chapter by its short title, the back matter by its title.
fn sections(views: &Views) -> HashMap<String, String> {
    let mut sections: HashMap<String, String> = views
        .chapters
        .iter()
        .map(|(r, v)| (chapter_href(&r.slug), v.short_title.clone()))
        .collect();
    for (name, title) in [
        ("timeline", "Timeline"),
        ("glossary", "Glossary"),
        ("bibliography", "Further reading and sources"),
    ] {
        sections.insert(format!("{name}.xhtml"), title.to_string());
    }
    for part in &views.parts {
        sections.insert(format!("part-{}.xhtml", part.number), part.title.clone());
    }
    sections
}

fn accessibility(holds: &Holds<'_>) -> Value {
    let Holds {
        visuals: has_visuals,
        notes: has_notes,
        glossary: has_glossary,
        index: has_index,
        page_source,
    } = *holds;
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
    if page_source.is_some() {
        features.push("pageBreakMarkers");
        features.push("pageNavigation");
    }
    if has_index {
        features.push("index");
    }
    let summary = format!(
        "Reflowable text with a navigable table of contents, headings in order, {}{}and links \
         between chapters, landmark entries and sources. {}Every run of Chinese, Russian and \
         pinyin text is marked with its language. {}No flashing, motion or sound.",
        if has_notes {
            "footnotes as linked notes, "
        } else {
            ""
        },
        match (has_glossary, has_index) {
            (true, true) => "a glossary, an index linked to the places it lists, ",
            (true, false) => "a glossary, ",
            (false, true) => "an index linked to the places it lists, ",
            (false, false) => "",
        },
        if has_visuals {
            "Every map, chart and image has a text alternative and a caption; maps and charts \
             also open on a page of their own. "
        } else {
            "Apart from the cover, the book has no images. "
        },
        page_source
            .map(|s| format!("Page breaks and a page list give the page numbers of {s}. "))
            .unwrap_or_default(),
    );
    minijinja::context! {
        modes => modes,
        sufficient => sufficient,
        features => features,
        hazards => vec!["none"],
        summary => summary,
        conforms_to => "EPUB Accessibility 1.1 - WCAG 2.1 Level AA",
    }
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
