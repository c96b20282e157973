//! Page lint on the laid-out document: text lines whose boxes collide, text printed over a
//! figure, Markdown markup or build paths that leaked into the printed text, and how full
//! each page is (the hole at its foot).
//!
//! It reads the frames Typst laid out rather than the PDF, so it runs before export and can
//! point at the rectangles it found (for a preview to outline). Lines are rebuilt from glyph
//! runs the way a PDF text extractor does: runs that share a baseline band and follow each
//! other closely form one line, whose box spans the fonts' ascenders and descenders.

use typst::foundations::{Label, Selector};
use typst::introspection::Introspector;
use typst::layout::{Abs, Frame, FrameItem, Point, Transform};
use typst::utils::PicoStr;
use typst_layout::PagedDocument;

use crate::edition::Edition;

/// Two lines collide when their boxes overlap by more than this share of the smaller one's
/// height (and by more than a hairline across).
pub const COLLISION_SHARE: f64 = 0.3;

/// Label of the metadata templates leave where a chapter, part or back-matter section
/// starts, so that the lint knows which pages end a section (and may end short).
pub const SECTION_LABEL: &str = "guidebook-section";

/// A rectangle on a page, in points from the top-left corner of the page's media box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Rect {
    /// The rectangle's height.
    pub fn height(&self) -> f64 {
        self.y1 - self.y0
    }

    /// How far two rectangles overlap across and down (negative: the gap between them).
    fn overlap(&self, other: &Rect) -> (f64, f64) {
        (
            self.x1.min(other.x1) - self.x0.max(other.x0),
            self.y1.min(other.y1) - self.y0.max(other.y0),
        )
    }

    /// The smallest rectangle holding both.
    fn union(&self, other: &Rect) -> Rect {
        Rect {
            x0: self.x0.min(other.x0),
            y0: self.y0.min(other.y0),
            x1: self.x1.max(other.x1),
            y1: self.y1.max(other.y1),
        }
    }

    /// The bounds of four transformed corners.
    fn transformed(x0: f64, y0: f64, x1: f64, y1: f64, ts: Transform) -> Rect {
        let corners = [(x0, y0), (x1, y0), (x0, y1), (x1, y1)]
            .map(|(x, y)| Point::new(Abs::pt(x), Abs::pt(y)).transform(ts));
        let xs = corners.map(|p| p.x.to_pt());
        let ys = corners.map(|p| p.y.to_pt());
        Rect {
            x0: xs.iter().copied().fold(f64::INFINITY, f64::min),
            y0: ys.iter().copied().fold(f64::INFINITY, f64::min),
            x1: xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            y1: ys.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        }
    }
}

/// One printed line of text, rebuilt from its glyph runs.
#[derive(Debug, Clone)]
pub struct Line {
    pub text: String,
    /// From the highest ascender to the lowest descender of its fonts.
    pub rect: Rect,
    /// The baseline of its first run.
    pub baseline: f64,
    /// The largest font size in the line, in points.
    pub size: f64,
}

/// What one page shows: its text lines, where its images are, and the boxes of its shapes
/// (rules, tinted boxes).
#[derive(Debug, Clone, Default)]
pub struct PageText {
    pub lines: Vec<Line>,
    pub images: Vec<Rect>,
    pub shapes: Vec<Rect>,
    /// Width and height of the page's frame (the media box), in points.
    pub size: (f64, f64),
}

/// What a finding is about.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// Two lines overlap: the other line's text and box.
    Collision { other: String, other_rect: Rect },
    /// A line printed over an image.
    OverFigure { figure: Rect },
    /// Markdown syntax printed as text.
    Markup,
    /// A file or build path printed as text.
    BuildPath,
}

/// A problem on a page, with the rectangle a preview can outline.
#[derive(Debug, Clone)]
pub struct Finding {
    /// 1-based index of the page in the document.
    pub page: usize,
    pub rect: Rect,
    /// The text of the line at fault.
    pub text: String,
    pub problem: Problem,
}

impl std::fmt::Display for Finding {
    /// One line: page, problem and the text involved.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text: String = self.text.chars().take(50).collect();
        match &self.problem {
            Problem::Collision { other, .. } => {
                let other: String = other.chars().take(50).collect();
                write!(f, "page {}: '{text}' collides with '{other}'", self.page)
            }
            Problem::OverFigure { .. } => {
                write!(f, "page {}: '{text}' is printed over a figure", self.page)
            }
            Problem::Markup => write!(f, "page {}: markup printed: '{text}'", self.page),
            Problem::BuildPath => write!(f, "page {}: a file path printed: '{text}'", self.page),
        }
    }
}

/// The text lines and images of every page.
pub fn pages(document: &PagedDocument) -> Vec<PageText> {
    document.pages().iter().map(page_text).collect()
}

/// The text lines and images of one page (the preview reads only the pages that changed).
pub fn page_text(page: &typst_layout::Page) -> PageText {
    let mut found = Found::default();
    collect(&page.frame, Transform::identity(), &mut found);
    let size = page.frame.size();
    PageText {
        lines: group_lines(found.runs),
        images: found.images,
        shapes: found.shapes,
        size: (size.x.to_pt(), size.y.to_pt()),
    }
}

/// Every problem the lint finds in a document, page by page.
pub fn check(document: &PagedDocument) -> Vec<Finding> {
    pages(document)
        .iter()
        .enumerate()
        .flat_map(|(i, page)| check_page(i + 1, page))
        .collect()
}

/// The problems on one page.
pub fn check_page(number: usize, page: &PageText) -> Vec<Finding> {
    let mut found = Vec::new();
    let lines = &page.lines;
    for (i, a) in lines.iter().enumerate() {
        for b in &lines[i + 1..] {
            if collide(&a.rect, &b.rect) {
                found.push(Finding {
                    page: number,
                    rect: a.rect,
                    text: a.text.clone(),
                    problem: Problem::Collision {
                        other: b.text.clone(),
                        other_rect: b.rect,
                    },
                });
            }
        }
        for image in &page.images {
            let (w, h) = a.rect.overlap(image);
            if w > 1.0 && h > COLLISION_SHARE * a.rect.height() {
                found.push(Finding {
                    page: number,
                    rect: a.rect,
                    text: a.text.clone(),
                    problem: Problem::OverFigure { figure: *image },
                });
            }
        }
        let problem = if leaked_markup(&a.text) {
            Some(Problem::Markup)
        } else if build_path(&a.text) {
            Some(Problem::BuildPath)
        } else {
            None
        };
        if let Some(problem) = problem {
            found.push(Finding {
                page: number,
                rect: a.rect,
                text: a.text.clone(),
                problem,
            });
        }
    }
    found
}

/// Whether two line boxes collide: they overlap across by more than a hairline and down by
/// more than [`COLLISION_SHARE`] of the smaller height.
pub fn collide(a: &Rect, b: &Rect) -> bool {
    let (w, h) = a.overlap(b);
    w > 1.0 && h > 0.0 && h > COLLISION_SHARE * a.height().min(b.height())
}

/// Markdown that should have been turned into formatting: `*word*`, `_word_`, `**`, `](`.
pub fn leaked_markup(text: &str) -> bool {
    text.contains("**") || text.contains("](") || delimited(text, '*') || delimited(text, '_')
}

/// A word wrapped in `mark`: the mark at the start of a word, followed by a letter, and
/// closed by the same mark after a non-space before the end of a word.
fn delimited(text: &str, mark: char) -> bool {
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let opens = c == mark
            && (i == 0 || !chars[i - 1].is_alphanumeric())
            && chars.get(i + 1).is_some_and(|n| n.is_alphabetic());
        if !opens {
            continue;
        }
        let closes = chars[i + 1..].iter().enumerate().any(|(j, &d)| {
            let at = i + 1 + j;
            d == mark
                && !chars[at - 1].is_whitespace()
                && chars.get(at + 1).is_none_or(|n| !n.is_alphanumeric())
        });
        if closes {
            return true;
        }
    }
    false
}

/// A path from the workshop: the project's folders or the generated sources.
pub fn build_path(text: &str) -> bool {
    const FOLDERS: [&str; 6] = [
        "chapters/",
        "layouts/",
        "/gen/",
        "fonts/",
        "target/",
        "src/",
    ];
    const EXTENSIONS: [&str; 6] = [".toml", ".typ", ".yml", ".md", ".svg", ".rs"];
    let words = text.split(|c: char| c.is_whitespace() || "()[],;“”\"'".contains(c));
    words.filter(|w| !w.contains("://")).any(|word| {
        FOLDERS.iter().any(|f| {
            word.find(f)
                .is_some_and(|at| at == 0 || !word[..at].ends_with(char::is_alphanumeric))
        }) || EXTENSIONS.iter().any(|e| {
            word.trim_end_matches('.')
                .strip_suffix(e)
                .is_some_and(|stem| !stem.is_empty())
        })
    })
}

/// A glyph run: its text, box, baseline and size.
struct Run {
    text: String,
    rect: Rect,
    baseline: f64,
    size: f64,
}

/// What a page's frames hold, in page coordinates.
#[derive(Default)]
struct Found {
    runs: Vec<Run>,
    images: Vec<Rect>,
    shapes: Vec<Rect>,
}

/// Collect the glyph runs, image boxes and shape boxes of a frame and its groups.
fn collect(frame: &Frame, ts: Transform, found: &mut Found) {
    for (pos, item) in frame.items() {
        let here = ts.pre_concat(Transform::translate(pos.x, pos.y));
        let (runs, images) = (&mut found.runs, &mut found.images);
        match item {
            FrameItem::Group(group) => {
                collect(&group.frame, here.pre_concat(group.transform), found)
            }
            FrameItem::Shape(shape, _) => {
                let bbox = shape.bbox(true);
                found.shapes.push(Rect::transformed(
                    bbox.min.x.to_pt(),
                    bbox.min.y.to_pt(),
                    bbox.max.x.to_pt(),
                    bbox.max.y.to_pt(),
                    here,
                ));
            }
            FrameItem::Text(text) => {
                let size = text.size.to_pt();
                let metrics = text.font.metrics();
                let ascent = metrics.ascender.at(text.size).to_pt();
                let descent = -metrics.descender.at(text.size).to_pt();
                let width = text.width().to_pt();
                let rect = Rect::transformed(0.0, -ascent, width, descent, here);
                let baseline = Point::zero().transform(here).y.to_pt();
                if text.text.trim().is_empty() {
                    continue;
                }
                runs.push(Run {
                    text: text.text.to_string(),
                    rect,
                    baseline,
                    size,
                });
            }
            FrameItem::Image(_, size, _) => {
                images.push(Rect::transformed(
                    0.0,
                    0.0,
                    size.x.to_pt(),
                    size.y.to_pt(),
                    here,
                ));
            }
            _ => {}
        }
    }
}

/// Join runs into lines: left to right, a run continues a line when it shares most of the
/// line's height and starts within a word space or so of the line's end.
fn group_lines(mut runs: Vec<Run>) -> Vec<Line> {
    runs.sort_by(|a, b| a.rect.x0.total_cmp(&b.rect.x0));
    let mut lines: Vec<Line> = Vec::new();
    for run in runs {
        let joins = |line: &Line| {
            let (_, down) = line.rect.overlap(&run.rect);
            let gap = run.rect.x0 - line.rect.x1;
            down > 0.5 * line.rect.height().min(run.rect.height())
                && gap > -1.0
                && gap < 0.8 * line.size.max(run.size)
        };
        match lines.iter_mut().rev().find(|line| joins(line)) {
            Some(line) => {
                let space = run.rect.x0 - line.rect.x1 > 0.15 * run.size;
                if space && !line.text.ends_with(' ') && !run.text.starts_with(' ') {
                    line.text.push(' ');
                }
                line.text.push_str(&run.text);
                line.rect = line.rect.union(&run.rect);
                line.size = line.size.max(run.size);
            }
            None => lines.push(Line {
                text: run.text,
                rect: run.rect,
                baseline: run.baseline,
                size: run.size,
            }),
        }
    }
    for line in &mut lines {
        line.text = line.text.trim().to_string();
    }
    lines.sort_by(|a, b| {
        a.baseline
            .total_cmp(&b.baseline)
            .then(a.rect.x0.total_cmp(&b.rect.x0))
    });
    lines
}

/// How full a page is: where its text ends against the foot of the text area.
#[derive(Debug, Clone)]
pub struct PageFill {
    /// 1-based index of the page in the document.
    pub page: usize,
    /// The page number a reader sees.
    pub number: u64,
    /// The baseline of the last line in the text area (none on a page without text).
    pub last_baseline: Option<f64>,
    /// Where the text area's content ends: the last baseline, or the foot of a figure or a
    /// box below it.
    pub bottom: f64,
    /// Empty space between the last line (or figure) and the foot of the text area, in points.
    pub hole: f64,
    /// The tallest empty band between two lines (or a line and a figure) inside the text
    /// area, in points: white space that vertical justification spread, or a hole mid-page.
    pub largest_gap: f64,
    /// The last page before a chapter, part or back-matter section starts (or of the book):
    /// it may end short.
    pub section_end: bool,
    /// The first page of a section (chapter opener, part page).
    pub section_start: bool,
}

/// Where the text ends on every page of a document built for `edition`.
pub fn fill(document: &PagedDocument, edition: &Edition) -> Vec<PageFill> {
    let starts = section_starts(document);
    let texts = pages(document);
    let count = texts.len();
    let blank = |i: usize| {
        texts
            .get(i)
            .is_none_or(|p| body_lines(p, edition).is_empty())
    };
    texts
        .iter()
        .enumerate()
        .map(|(i, page)| {
            let foot = text_area(page, edition).1;
            let lines = body_lines(page, edition);
            let last_baseline = lines.iter().map(|l| l.baseline).reduce(f64::max);
            // Figures and boxes count as well as text: a tinted box whose edge meets the
            // foot fills its page, though its last line stands above the edge.
            let image_bottom = page
                .images
                .iter()
                .chain(&page.shapes)
                .map(|r| r.y1)
                .filter(|y| *y <= foot + 1.0 && *y > text_area(page, edition).0)
                .reduce(f64::max);
            let bottom = match (last_baseline, image_bottom) {
                (Some(a), Some(b)) => a.max(b),
                (a, b) => a.or(b).unwrap_or(foot),
            };
            let largest_gap = largest_gap(&lines, &page.images, foot);
            // The next page that prints anything starts a section (or there is none).
            let next = (i + 1..count).find(|&j| !blank(j));
            let section_end = next.is_none_or(|j| starts.contains(&(j + 1)));
            PageFill {
                page: i + 1,
                number: document.pages()[i].number,
                last_baseline,
                bottom,
                hole: (foot - bottom).max(0.0),
                largest_gap,
                section_end,
                section_start: starts.contains(&(i + 1)),
            }
        })
        .collect()
}

/// The tallest empty band between consecutive lines and figures of a page's text area.
fn largest_gap(lines: &[&Line], images: &[Rect], foot: f64) -> f64 {
    let mut bands: Vec<(f64, f64)> = lines.iter().map(|l| (l.rect.y0, l.rect.y1)).collect();
    bands.extend(
        images
            .iter()
            .filter(|r| r.y1 <= foot + 1.0)
            .map(|r| (r.y0, r.y1)),
    );
    bands.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut largest: f64 = 0.0;
    let mut bottom: Option<f64> = None;
    for (top, end) in bands {
        if let Some(bottom) = bottom {
            largest = largest.max(top - bottom);
        }
        bottom = Some(bottom.map_or(end, |b: f64| b.max(end)));
    }
    largest
}

/// The lines inside the text area: not the running head above it nor the folio below it.
fn body_lines<'p>(page: &'p PageText, edition: &Edition) -> Vec<&'p Line> {
    let (top, foot) = text_area(page, edition);
    page.lines
        .iter()
        .filter(|l| l.baseline > top - 0.5 && l.baseline <= foot + 1.0)
        .collect()
}

/// The top and the foot of a page's text area, in the page frame's coordinates (which hold
/// the bleed, if the frame is larger than the trimmed page).
fn text_area(page: &PageText, edition: &Edition) -> (f64, f64) {
    let bleed = ((page.size.0 - edition.page.width) / 2.0).max(0.0);
    (
        bleed + edition.page.top,
        page.size.1 - bleed - edition.page.bottom,
    )
}

/// 1-based indices of the pages where a section starts (templates mark them).
pub fn section_starts(document: &PagedDocument) -> Vec<usize> {
    let Some(label) = Label::new(PicoStr::intern(SECTION_LABEL)) else {
        return Vec::new();
    };
    let introspector = document.introspector();
    let mut starts: Vec<usize> = introspector
        .query(&Selector::Label(label))
        .iter()
        .filter_map(|content| content.location())
        .filter_map(|location| introspector.page(location))
        .map(|page| page.get())
        .collect();
    starts.sort_unstable();
    starts.dedup();
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_told_from_text() {
        assert!(leaked_markup("*West of the Tracks*"));
        assert!(leaked_markup("a _word_ here"));
        assert!(leaked_markup("see [the map](figure:x)"));
        assert!(leaked_markup("**bold"));
        assert!(!leaked_markup("content_21014234_8.htm"));
        assert!(!leaked_markup("5 * 3 = 15 and 2 * x"));
        assert!(!leaked_markup("a footnote*"));
    }

    #[test]
    fn build_paths_are_told_from_text() {
        assert!(build_path(
            "Positions: chapters/landmarks.toml · Natural Earth"
        ));
        assert!(build_path("from maps.toml"));
        assert!(build_path("/gen/figures/map.svg"));
        assert!(!build_path("see https://example.org/chapters/one.md"));
        assert!(!build_path("the chapters of Part II, in SVG."));
        assert!(!build_path("Dr. Smith"));
    }

    #[test]
    fn overlapping_boxes_collide() {
        let a = Rect {
            x0: 0.0,
            y0: 0.0,
            x1: 100.0,
            y1: 12.0,
        };
        let close = Rect {
            y0: 11.0,
            y1: 23.0,
            ..a
        };
        let far = Rect {
            y0: 6.0,
            y1: 18.0,
            ..a
        };
        assert!(!collide(&a, &close));
        assert!(collide(&a, &far));
    }
}
