//! Page make-up of every shipped edition, judged as a proof-reader would: no colliding lines,
//! no markup or build paths in print, no holes at the foot of pages. The same rule is applied
//! twice: to the laid-out frames (the crate's page lint) and to the PDF text layer (poppler).

use std::process::Command;
use std::sync::OnceLock;

use guidebook::Project;
use guidebook::date::BuildDate;
use guidebook::edition::Edition;
use guidebook::output::pdf::lint::{self, Rect};
use typst_layout::PagedDocument;

use crate::common::{self, EPOCH};

/// One shipped edition, compiled in-process.
pub struct Compiled {
    pub name: String,
    pub edition: Edition,
    pub document: PagedDocument,
}

/// Every shipped edition, compiled once per run.
pub fn compiled() -> &'static [Compiled] {
    static COMPILED: OnceLock<Vec<Compiled>> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let mut project = Project::open(&common::repo()).expect("the shipped book loads");
        project.date = BuildDate::from_unix(EPOCH.parse().unwrap());
        project
            .edition_names()
            .unwrap()
            .into_iter()
            .map(|name| {
                let edition = project.edition(&name).unwrap();
                let document = project.document(&edition).unwrap();
                Compiled {
                    name,
                    edition,
                    document,
                }
            })
            .collect()
    })
}

#[test]
fn no_line_collides_and_no_markup_leaks_in_any_edition() {
    let mut report = Vec::new();
    for compiled in compiled() {
        let findings = lint::check(&compiled.document);
        println!("{}: {} findings", compiled.name, findings.len());
        report.extend(findings.iter().map(|f| format!("{}: {f}", compiled.name)));
    }
    assert!(report.is_empty(), "{}", report.join("\n"));
}

/// One page of a PDF's text layer: its size and its blocks (paragraphs, as poppler groups
/// them), each a list of lines with their boxes.
pub struct LayerPage {
    pub width: f64,
    pub height: f64,
    pub blocks: Vec<Vec<(Rect, String)>>,
}

/// The text layer of a PDF from poppler's `pdftotext -bbox-layout`; `None` when pdftotext is
/// not installed (a failure when `CI=true`).
pub fn layer(pdf: &std::path::Path) -> Option<Vec<LayerPage>> {
    let output = match Command::new("pdftotext")
        .args(["-bbox-layout", pdf.to_str().unwrap(), "-"])
        .output()
    {
        Ok(output) => output,
        Err(_) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("pdftotext (poppler-utils) is required when CI=true")
        }
        Err(_) => {
            eprintln!("skipped: pdftotext (poppler-utils) is not installed");
            return None;
        }
    };
    assert!(output.status.success(), "pdftotext failed on {pdf:?}");
    let html = String::from_utf8_lossy(&output.stdout);
    Some(html.split("<page ").skip(1).map(layer_page).collect())
}

/// The number in attribute `name` of an element's opening tag.
fn attribute(tag: &str, name: &str) -> f64 {
    let at = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
    let end = tag[at..].find('"').unwrap();
    tag[at..at + end].parse().unwrap()
}

/// One `<page>` of pdftotext's XHTML.
fn layer_page(page: &str) -> LayerPage {
    let blocks = page
        .split("<block ")
        .skip(1)
        .map(|block| {
            block
                .split("<line ")
                .skip(1)
                .map(|line| {
                    let rect = Rect {
                        x0: attribute(line, "xMin"),
                        y0: attribute(line, "yMin"),
                        x1: attribute(line, "xMax"),
                        y1: attribute(line, "yMax"),
                    };
                    let words: Vec<String> = line
                        .split("<word ")
                        .skip(1)
                        .map(|w| {
                            let text = &w[w.find('>').unwrap() + 1..];
                            unescape(&text[..text.find("</word>").unwrap()])
                        })
                        .collect();
                    (rect, words.join(" "))
                })
                .collect()
        })
        .collect();
    LayerPage {
        width: attribute(page, "width"),
        height: attribute(page, "height"),
        blocks,
    }
}

/// Lines of a PDF's text layer by page (see [`layer`]).
pub fn text_layer(pdf: &std::path::Path) -> Option<Vec<Vec<(Rect, String)>>> {
    Some(
        layer(pdf)?
            .into_iter()
            .map(|page| page.blocks.into_iter().flatten().collect())
            .collect(),
    )
}

/// The five entities pdftotext escapes.
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[test]
fn text_layer_has_no_colliding_lines_or_markup() {
    let shipped = common::shipped();
    let mut report = Vec::new();
    for compiled in compiled() {
        let Some(pages) = text_layer(&shipped.pdf(&compiled.name)) else {
            return;
        };
        let mut count = 0;
        for (number, lines) in pages.iter().enumerate() {
            for (i, (a, ta)) in lines.iter().enumerate() {
                for (b, tb) in &lines[i + 1..] {
                    if lint::collide(a, b) {
                        count += 1;
                        report.push(format!(
                            "{} p{}: '{ta}' collides with '{tb}'",
                            compiled.name,
                            number + 1
                        ));
                    }
                }
                if lint::leaked_markup(ta) {
                    count += 1;
                    report.push(format!(
                        "{} p{}: markup printed: '{ta}'",
                        compiled.name,
                        number + 1
                    ));
                }
            }
        }
        println!("{}: {count} findings in the text layer", compiled.name);
    }
    assert!(report.is_empty(), "{}", report.join("\n"));
}

/// No file name or build path is printed anywhere, including inside the maps and charts
/// (whose words are in the text layer but not in the frames the lint reads).
#[test]
fn no_build_path_is_printed() {
    let shipped = common::shipped();
    let mut report = Vec::new();
    for compiled in compiled() {
        let Some(pages) = text_layer(&shipped.pdf(&compiled.name)) else {
            return;
        };
        for (number, lines) in pages.iter().enumerate() {
            for (_, line) in lines.iter().filter(|(_, l)| lint::build_path(l)) {
                report.push(format!("{} p{}: {line}", compiled.name, number + 1));
            }
        }
    }
    assert!(report.is_empty(), "{}", report.join("\n"));
}

#[test]
fn no_page_ends_with_a_hole() {
    let mut report = Vec::new();
    let mut largest = Vec::new();
    for compiled in compiled() {
        let pitch = compiled.edition.fonts.size * LINE_PITCH;
        let fill = lint::fill(&compiled.document, &compiled.edition);
        let worst = fill
            .iter()
            .filter(|p| !p.section_end && p.last_baseline.is_some())
            .max_by(|a, b| a.hole.total_cmp(&b.hole));
        if let Some(worst) = worst {
            largest.push(format!(
                "{}: largest hole {:.1} lines on page {} (p. {})",
                compiled.name,
                worst.hole / pitch,
                worst.page,
                worst.number
            ));
        }
        let gap = fill
            .iter()
            .filter(|p| !p.section_end)
            .max_by(|a, b| a.largest_gap.total_cmp(&b.largest_gap));
        if let Some(gap) = gap {
            largest.push(format!(
                "{}: largest gap inside a page {:.1} lines on page {} (p. {})",
                compiled.name,
                gap.largest_gap / pitch,
                gap.page,
                gap.number
            ));
        }
        if std::env::var("GUIDEBOOK_SPREADS").is_ok() {
            let uneven = uneven_spreads(&fill, compiled.edition.page.two_sided);
            println!("{}: {uneven:?}", compiled.name);
        }
        largest.push(format!(
            "{}: {} of {} spreads end at different depths",
            compiled.name,
            uneven_spreads(&fill, compiled.edition.page.two_sided).len(),
            spreads(&fill, compiled.edition.page.two_sided).len()
        ));
        for page in fill.iter().filter(|p| !p.section_end) {
            if page.last_baseline.is_some() && page.hole > MAX_HOLE_LINES * pitch {
                report.push(format!(
                    "{} page {} (p. {}): {:.1} lines empty at the foot",
                    compiled.name,
                    page.page,
                    page.number,
                    page.hole / pitch
                ));
            }
        }
    }
    println!("{}", largest.join("\n"));
    assert!(report.is_empty(), "{}", report.join("\n"));
}

/// Distance between baselines of body text, in multiples of the body size (leading 0.62em
/// over a cap height of 0.714em in Noto Serif).
const LINE_PITCH: f64 = 1.334;

/// The most empty space a page that does not end a section may leave at its foot, in lines
/// ("a few lines": an entry's head of five lines or a figure that moves on may leave that).
const MAX_HOLE_LINES: f64 = 5.0;

/// Facing pages that both run to the foot (neither ends nor opens a section), as pairs.
fn spreads(fill: &[lint::PageFill], two_sided: bool) -> Vec<(&lint::PageFill, &lint::PageFill)> {
    if !two_sided {
        return Vec::new();
    }
    let full = |p: &lint::PageFill| !p.section_end && !p.section_start && p.last_baseline.is_some();
    fill.windows(2)
        .filter(|w| w[0].number % 2 == 0 && full(&w[0]) && full(&w[1]))
        .map(|w| (&w[0], &w[1]))
        .collect()
}

/// Spreads whose pages end at depths more than a point apart (the last baseline, or the
/// foot of a box or figure below it).
fn uneven_spreads(fill: &[lint::PageFill], two_sided: bool) -> Vec<(u64, f64)> {
    spreads(fill, two_sided)
        .into_iter()
        .filter_map(|(left, right)| {
            let difference = (left.bottom - right.bottom).abs();
            (difference > 1.0).then_some((left.number, difference))
        })
        .collect()
}

#[test]
#[ignore = "a debugging aid: GUIDEBOOK_PAGE=trade:78 prints what the lint sees on one page"]
fn show_one_page() {
    let wanted = std::env::var("GUIDEBOOK_PAGE").unwrap_or_default();
    let (edition, page) = wanted.split_once(':').unwrap();
    let page: usize = page.parse().unwrap();
    let compiled = compiled().iter().find(|c| c.name == edition).unwrap();
    let pages = lint::pages(&compiled.document);
    let text = &pages[page - 1];
    for line in &text.lines {
        println!(
            "{:7.1} {:7.1}  {:.60}",
            line.rect.y0, line.rect.y1, line.text
        );
    }
    for image in &text.images {
        println!("image {image:?}");
    }
    println!(
        "{:?}",
        lint::fill(&compiled.document, &compiled.edition)[page - 1]
    );
}
