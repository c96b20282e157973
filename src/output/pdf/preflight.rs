//! Prepress preflight of finished PDFs: boxes, bleed, fonts, colour, images, transparency, marks, PDF/X.
//!
//! Service presets follow the printers' published file requirements:
//! - KDP "Set Trim Size, Bleed, and Margins" (kdp.amazon.com help topic GVBQ3CMEQW3W2VL6) and
//!   "Paperback Submission Guidelines" (topic G201857950): bleed 0.125 in on the top, bottom and
//!   outside edge only (page 0.125 in wider and 0.25 in taller than the trim); outside margins at
//!   least 0.25 in without bleed and 0.375 in with bleed; inside margin 0.375 in (24–150 pages),
//!   0.5 in (151–300), 0.625 in (301–500), 0.75 in (501–700), 0.875 in (701–828); no crop marks,
//!   annotations or comments; transparency flattened; images at least 300 dpi.
//! - IngramSpark "File Requirements for Print Books" and "Creating and Designing Print-Ready
//!   Digital Files" (ingramspark.com, help.ingramspark.com): CMYK or grey only, no crop or
//!   printer marks, every font embedded, margins at least 0.5 in (13 mm) from the trim on all
//!   sides, 0.125 in bleed on every side (page 0.25 in larger than the trim), PDF/X-1a:2001
//!   preferred; Lightning Source "Ink Coverage Exceeds 240% CMYK": total ink below 240 %.
//! - Lulu "What is bleed?" and "Tips for formatting documents" (help.lulu.com articles
//!   64000255584, 64000255583): page 0.25 in larger than the trim in both directions (0.125 in
//!   bleed on every side), safety margin 0.5 in (12.7 mm) inside the trim, no crop marks,
//!   300 ppi images.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;
use std::rc::Rc;

use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

/// Millimetres per PostScript point.
const MM_PER_PT: f64 = 25.4 / 72.0;
/// Millimetres per inch.
const MM_PER_IN: f64 = 25.4;
/// Deepest nesting of form XObjects, patterns and Type3 glyphs that is followed.
const MAX_DEPTH: usize = 24;
/// Tolerance when comparing box edges, in millimetres.
const BOX_TOLERANCE_MM: f64 = 0.1;
/// Largest decompressed stream that is read, in bytes.
const MAX_STREAM: usize = 256 << 20;
/// The null object, returned for dangling references.
static NULL: Object = Object::Null;

/// How the printed book is produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Offset press: PDF/X, bleed on all four sides, crop marks in a slug beyond the bleed.
    Offset,
    /// Print on demand: page equals bleed box, bleed on top, bottom and outside only, no marks.
    Pod,
}

impl Target {
    /// Name used in the report.
    pub fn name(self) -> &'static str {
        match self {
            Target::Offset => "offset",
            Target::Pod => "print on demand",
        }
    }
}

/// A print-on-demand service whose published file requirements a preset follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// Amazon KDP paperback.
    Kdp,
    /// IngramSpark (Lightning Source).
    IngramSpark,
    /// Lulu.
    Lulu,
}

impl Service {
    /// Every service, for the strictest combination.
    pub const ALL: [Service; 3] = [Service::Kdp, Service::IngramSpark, Service::Lulu];

    /// Name used in the report.
    pub fn name(self) -> &'static str {
        match self {
            Service::Kdp => "KDP",
            Service::IngramSpark => "IngramSpark",
            Service::Lulu => "Lulu",
        }
    }

    /// Smallest distance from text to the top, bottom and outside trim, in inches (with bleed).
    pub fn safety_in(self) -> f64 {
        match self {
            Service::Kdp => 0.375,
            Service::IngramSpark | Service::Lulu => 0.5,
        }
    }

    /// Smallest inside (gutter) margin in inches for a book of `pages` pages.
    pub fn gutter_in(self, pages: usize) -> f64 {
        match self {
            Service::Kdp => match pages {
                0..=150 => 0.375,
                151..=300 => 0.5,
                301..=500 => 0.625,
                501..=700 => 0.75,
                _ => 0.875,
            },
            Service::IngramSpark | Service::Lulu => 0.5,
        }
    }

    /// Whether the service expects bleed on the spine side of interior pages too.
    pub fn spine_bleed(self) -> bool {
        matches!(self, Service::Lulu | Service::IngramSpark)
    }
}

/// A PDF/X conformance level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PdfxLevel {
    /// PDF/X-1a (CMYK and spot only, no transparency).
    X1a,
    /// PDF/X-3 (colour-managed colour allowed, no transparency).
    X3,
    /// PDF/X-4 (live transparency and ICC colour, PDF 1.6).
    X4,
}

impl PdfxLevel {
    /// The identification prefix written in `GTS_PDFXVersion`.
    pub fn label(self) -> &'static str {
        match self {
            PdfxLevel::X1a => "PDF/X-1a",
            PdfxLevel::X3 => "PDF/X-3",
            PdfxLevel::X4 => "PDF/X-4",
        }
    }

    /// Highest PDF version the level allows, as (major, minor).
    fn max_version(self) -> (u32, u32) {
        match self {
            PdfxLevel::X1a | PdfxLevel::X3 => (1, 4),
            PdfxLevel::X4 => (1, 6),
        }
    }
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// A fact worth knowing; nothing to fix.
    Info,
    /// Likely to print badly or to be queried by the printer.
    Warn,
    /// The printer will reject the file or the result will be wrong.
    Fail,
}

impl Severity {
    /// Upper-case label used in the table.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "INFO",
            Severity::Warn => "WARN",
            Severity::Fail => "FAIL",
        }
    }
}

/// The limits a PDF is checked against.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    /// Production method.
    pub target: Target,
    /// Service whose rules apply; `None` on a POD target means the strictest of all three.
    pub service: Option<Service>,
    /// PDF/X level the file must conform to, if any.
    pub pdfx: Option<PdfxLevel>,
    /// Whether every colour must be CMYK, grey or spot (RGB and Lab fail).
    pub cmyk_only: bool,
    /// Smallest bleed on each bleeding side, in mm.
    pub min_bleed_mm: f64,
    /// Largest bleed on each bleeding side, in mm (the page size must match the service's).
    pub max_bleed_mm: f64,
    /// Whether the inside (spine) edge carries bleed too.
    pub spine_bleed: bool,
    /// Whether the MediaBox must extend beyond the BleedBox (a slug for crop marks).
    pub require_slug: bool,
    /// Smallest distance from text to the top, bottom and outside trim, in mm.
    pub min_safety_mm: f64,
    /// Smallest distance from text to the inside trim, in mm; `None` derives it from the page count.
    pub min_gutter_mm: Option<f64>,
    /// Total area coverage limit (C+M+Y+K), in percent.
    pub max_total_ink: f64,
    /// Effective resolution below which a colour or grey image is a warning.
    pub min_ppi: f64,
    /// Effective resolution below which a colour or grey image fails.
    pub fail_ppi: f64,
    /// Effective resolution below which a 1-bit image is a warning.
    pub min_line_art_ppi: f64,
    /// Thinnest stroke at all, in pt.
    pub min_stroke_pt: f64,
    /// Thinnest stroke painted in more than one ink, in pt.
    pub min_multi_ink_stroke_pt: f64,
    /// Smallest text painted in more than one ink, in pt.
    pub min_multi_ink_text_pt: f64,
    /// Smallest text at all, in pt.
    pub min_text_pt: f64,
    /// Severity of live transparency.
    pub transparency: Severity,
    /// Whether page 1 is a right-hand (recto) page.
    pub first_page_recto: bool,
    /// Whether most text should be 100 % K, as body text is (not on a cover).
    pub black_body_text: bool,
}

impl Rules {
    /// Offset printing: PDF/X-4, CMYK, 3 mm bleed on every side, crop marks in a slug.
    pub fn offset() -> Rules {
        Rules {
            target: Target::Offset,
            service: None,
            pdfx: Some(PdfxLevel::X4),
            cmyk_only: true,
            min_bleed_mm: 3.0,
            max_bleed_mm: f64::INFINITY,
            spine_bleed: true,
            require_slug: true,
            min_safety_mm: 5.0,
            min_gutter_mm: None,
            max_total_ink: 300.0,
            min_ppi: 300.0,
            fail_ppi: 150.0,
            min_line_art_ppi: 600.0,
            min_stroke_pt: 0.25,
            min_multi_ink_stroke_pt: 0.5,
            min_multi_ink_text_pt: 9.0,
            min_text_pt: 6.0,
            transparency: Severity::Warn,
            first_page_recto: true,
            black_body_text: true,
        }
    }

    /// Print on demand meeting the strictest of KDP, IngramSpark and Lulu.
    pub fn pod() -> Rules {
        Rules {
            target: Target::Pod,
            pdfx: None,
            min_bleed_mm: 0.125 * MM_PER_IN,
            max_bleed_mm: 0.125 * MM_PER_IN,
            spine_bleed: false,
            require_slug: false,
            min_safety_mm: 0.5 * MM_PER_IN,
            max_total_ink: 240.0,
            transparency: Severity::Fail,
            ..Rules::offset()
        }
    }

    /// Print on demand with one service's published rules.
    pub fn for_service(service: Service) -> Rules {
        let base = Rules::pod();
        Rules {
            service: Some(service),
            cmyk_only: service == Service::IngramSpark,
            spine_bleed: service.spine_bleed(),
            min_safety_mm: service.safety_in() * MM_PER_IN,
            max_total_ink: if service == Service::IngramSpark {
                240.0
            } else {
                300.0
            },
            ..base
        }
    }

    /// The same rules requiring a PDF/X level (transparency fails before PDF/X-4).
    pub fn with_pdfx(self, level: PdfxLevel) -> Rules {
        let transparency = if level == PdfxLevel::X4 {
            self.transparency
        } else {
            Severity::Fail
        };
        Rules {
            pdfx: Some(level),
            transparency,
            ..self
        }
    }

    /// The same rules for a cover (a wrap of back, spine and front on one page), which bleeds
    /// on every side, has no gutter and is not set in black body text.
    pub fn cover(self) -> Rules {
        Rules {
            spine_bleed: true,
            min_gutter_mm: Some(self.min_safety_mm),
            black_body_text: false,
            ..self
        }
    }

    /// The preset for a target.
    pub fn for_target(target: Target) -> Rules {
        match target {
            Target::Offset => Rules::offset(),
            Target::Pod => Rules::pod(),
        }
    }

    /// Smallest distance from text to the inside trim for a book of `pages` pages, in mm.
    pub fn gutter_mm(&self, pages: usize) -> f64 {
        if let Some(mm) = self.min_gutter_mm {
            return mm;
        }
        match (self.target, self.service) {
            (Target::Offset, _) => self.min_safety_mm,
            (Target::Pod, Some(service)) => service.gutter_in(pages) * MM_PER_IN,
            (Target::Pod, None) => Service::ALL
                .iter()
                .map(|s| s.gutter_in(pages) * MM_PER_IN)
                .fold(self.min_safety_mm, f64::max),
        }
    }

    /// A one-line description of the profile for the report header.
    pub fn describe(&self) -> String {
        let who = match (self.target, self.service) {
            (Target::Pod, None) => "strictest of KDP, IngramSpark and Lulu".to_string(),
            (_, Some(s)) => s.name().to_string(),
            (Target::Offset, None) => self.pdfx.map_or("plain PDF", PdfxLevel::label).to_string(),
        };
        format!("{} ({who})", self.target.name())
    }
}

/// One problem or fact found in the PDF.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// How serious it is.
    pub severity: Severity,
    /// Short rule identifier, e.g. `bleed` or `colour`.
    pub rule: &'static str,
    /// 1-based page number, if the finding belongs to a page.
    pub page: Option<usize>,
    /// The PDF object concerned, e.g. `form /Fm3 (12 0 R)`.
    pub object: Option<String>,
    /// What was found, in a prepress operator's words.
    pub message: String,
}

/// A rectangle in PDF user space (points).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left edge.
    pub x0: f64,
    /// Bottom edge.
    pub y0: f64,
    /// Right edge.
    pub x1: f64,
    /// Top edge.
    pub y1: f64,
}

impl Rect {
    /// Width in points.
    pub fn width(&self) -> f64 {
        self.x1 - self.x0
    }

    /// Height in points.
    pub fn height(&self) -> f64 {
        self.y1 - self.y0
    }

    /// Size as "W × H mm".
    pub fn size_mm(&self) -> String {
        format!(
            "{:.1} × {:.1}",
            self.width() * MM_PER_PT,
            self.height() * MM_PER_PT
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

    /// A degenerate rectangle at one point.
    fn point(x: f64, y: f64) -> Rect {
        Rect {
            x0: x,
            y0: y,
            x1: x,
            y1: y,
        }
    }
}

/// Distances on the four sides of a page, in mm, named as a bookbinder names them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sides {
    /// Head.
    pub top: f64,
    /// Foot.
    pub bottom: f64,
    /// Fore-edge.
    pub outside: f64,
    /// Spine side.
    pub inside: f64,
}

impl Sides {
    /// The four values in the order top, bottom, outside, inside, with their names.
    fn named(&self) -> [(&'static str, f64); 4] {
        [
            ("top", self.top),
            ("bottom", self.bottom),
            ("outside", self.outside),
            ("inside", self.inside),
        ]
    }

    /// The sides of `inner` within `outer`, in mm, for a recto or verso page.
    fn between(outer: &Rect, inner: &Rect, recto: bool) -> Sides {
        let left = (inner.x0 - outer.x0) * MM_PER_PT;
        let right = (outer.x1 - inner.x1) * MM_PER_PT;
        let (outside, inside) = if recto { (right, left) } else { (left, right) };
        Sides {
            top: (outer.y1 - inner.y1) * MM_PER_PT,
            bottom: (inner.y0 - outer.y0) * MM_PER_PT,
            outside,
            inside,
        }
    }

    /// The side-by-side minimum.
    fn min(&self, other: &Sides) -> Sides {
        Sides {
            top: self.top.min(other.top),
            bottom: self.bottom.min(other.bottom),
            outside: self.outside.min(other.outside),
            inside: self.inside.min(other.inside),
        }
    }

    /// "T/B/O/I" with one decimal.
    fn short(&self) -> String {
        format!(
            "{:.1}/{:.1}/{:.1}/{:.1}",
            self.top, self.bottom, self.outside, self.inside
        )
    }
}

/// What was measured on one page.
#[derive(Debug, Clone, PartialEq)]
pub struct PageFacts {
    /// 1-based page number.
    pub page: usize,
    /// Whether this is a right-hand page.
    pub recto: bool,
    /// The MediaBox.
    pub media: Rect,
    /// The CropBox, if set.
    pub crop: Option<Rect>,
    /// The BleedBox, if set.
    pub bleed_box: Option<Rect>,
    /// The TrimBox, if set.
    pub trim: Option<Rect>,
    /// Bleed from the trim to the bleed box (or the page), in mm.
    pub bleed: Sides,
    /// Slug from the bleed box to the MediaBox, in mm.
    pub slug: Sides,
    /// Every colour space painted with, by name.
    pub colour_spaces: BTreeSet<String>,
    /// Annotations other than printer marks and trap networks.
    pub annotations: usize,
    /// Whether live transparency is used.
    pub transparency: bool,
    /// Lowest effective image resolution.
    pub min_ppi: Option<f64>,
    /// Thinnest stroke, in pt.
    pub thinnest_stroke_pt: Option<f64>,
    /// Smallest text, in pt.
    pub smallest_text_pt: Option<f64>,
    /// Highest total ink of any painted CMYK colour, in percent.
    pub max_ink: Option<f64>,
    /// Smallest distance from text to the trim on each side, in mm.
    pub text_clearance: Option<Sides>,
}

/// One font found in the resources of the document.
#[derive(Debug, Clone, PartialEq)]
pub struct FontFact {
    /// The BaseFont name.
    pub name: String,
    /// Font type, e.g. `Type0/CIDFontType2`.
    pub kind: String,
    /// Whether the font program is in the file.
    pub embedded: bool,
    /// Whether the name carries a subset tag (`ABCDEF+`).
    pub subset: bool,
    /// The font dictionary.
    pub object: String,
    /// Pages whose resources hold it.
    pub pages: BTreeSet<usize>,
}

/// One placement of an image.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageFact {
    /// 1-based page number.
    pub page: usize,
    /// The image XObject or `inline`.
    pub object: String,
    /// Width in pixels.
    pub width: u64,
    /// Height in pixels.
    pub height: u64,
    /// Bits per component.
    pub bits: u64,
    /// Colour space name.
    pub colour_space: String,
    /// Effective resolution at placed size (the lower of both axes).
    pub ppi: f64,
    /// Whether a soft mask (alpha channel) is attached.
    pub soft_mask: bool,
}

/// One entry of the catalog's /OutputIntents.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputIntentFact {
    /// The /S subtype, e.g. `GTS_PDFX`.
    pub subtype: String,
    /// /OutputConditionIdentifier.
    pub identifier: Option<String>,
    /// /OutputCondition.
    pub condition: Option<String>,
    /// /RegistryName.
    pub registry: Option<String>,
    /// /Info.
    pub info: Option<String>,
    /// Summary of the embedded /DestOutputProfile, e.g. `prtr CMYK, 557 kB`.
    pub profile: Option<String>,
    /// /N of the profile stream.
    pub profile_components: Option<i64>,
}

/// PDF/X identification found in the document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PdfxFacts {
    /// Version in the file header.
    pub header_version: String,
    /// /Version in the catalog, if set.
    pub catalog_version: Option<String>,
    /// Info /GTS_PDFXVersion.
    pub info_version: Option<String>,
    /// Info /GTS_PDFXConformance.
    pub info_conformance: Option<String>,
    /// XMP pdfxid:GTS_PDFXVersion.
    pub xmp_version: Option<String>,
    /// Info /Trapped.
    pub info_trapped: Option<String>,
    /// XMP pdf:Trapped.
    pub xmp_trapped: Option<String>,
    /// Catalog /OutputIntents.
    pub output_intents: Vec<OutputIntentFact>,
    /// Whether the catalog has an XMP /Metadata stream.
    pub xmp: bool,
    /// Whether the file is encrypted.
    pub encrypted: bool,
    /// Whether the trailer has an /ID.
    pub has_id: bool,
}

/// The result of a preflight.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Number of pages.
    pub pages: usize,
    /// The rules' description.
    pub profile: String,
    /// PDF/X identification.
    pub pdfx: PdfxFacts,
    /// Per-page measurements.
    pub page_facts: Vec<PageFacts>,
    /// Every font.
    pub fonts: Vec<FontFact>,
    /// Every image placement.
    pub images: Vec<ImageFact>,
    /// Text colours with their share of all glyphs, most used first.
    pub text_colours: Vec<(String, f64)>,
    /// Everything found, in page order.
    pub findings: Vec<Finding>,
}

/// Reads `pdf` and checks it against `rules`.
pub fn check(pdf: &[u8], rules: &Rules) -> Result<Report, String> {
    let doc = Document::load_mem(pdf).map_err(|e| format!("cannot read the PDF: {e}"))?;
    let pages = doc.get_pages();
    if pages.is_empty() {
        return Err("the PDF has no pages".to_string());
    }
    let mut out = Collector::default();
    let pdfx = document_checks(&doc, rules, &mut out);
    let gutter = rules.gutter_mm(pages.len());
    let mut fonts = BTreeMap::new();
    let mut page_facts = Vec::with_capacity(pages.len());
    for (&number, &id) in &pages {
        let number = number as usize;
        page_facts.push(check_page(
            &doc, rules, id, number, gutter, &mut out, &mut fonts,
        ));
    }
    trim_consistency(&page_facts, &mut out);
    let fonts: Vec<FontFact> = fonts.into_values().collect();
    font_findings(&fonts, &mut out);
    let mut colour_findings = Vec::new();
    let text_colours = text_colour_findings(&out.text_glyphs, &mut colour_findings);
    if rules.black_body_text {
        out.findings.extend(colour_findings);
    }
    let mut findings = out.findings;
    findings.sort_by_key(|f| (f.page.unwrap_or(0), std::cmp::Reverse(f.severity)));
    Ok(Report {
        pages: pages.len(),
        profile: rules.describe(),
        pdfx,
        page_facts,
        fonts,
        images: out.images,
        text_colours,
        findings,
    })
}

/// Findings, image placements and text statistics gathered over the whole document.
#[derive(Default)]
struct Collector {
    /// Everything found so far.
    findings: Vec<Finding>,
    /// Every image placement.
    images: Vec<ImageFact>,
    /// Glyph counts by text colour.
    text_glyphs: HashMap<String, f64>,
    /// Font metrics by font dictionary.
    metrics: HashMap<ObjectId, Rc<FontMetrics>>,
}

impl Collector {
    /// Records a finding.
    fn add(
        &mut self,
        severity: Severity,
        rule: &'static str,
        page: Option<usize>,
        object: Option<String>,
        message: String,
    ) {
        self.findings.push(Finding {
            severity,
            rule,
            page,
            object,
            message,
        });
    }
}

/// Per-page findings merged by key, keeping the worst (lowest metric) occurrence.
#[derive(Default)]
struct PageNotes {
    /// Worst finding, its metric and the number of occurrences, by key.
    notes: BTreeMap<String, (Finding, f64, usize)>,
}

impl PageNotes {
    /// Records one occurrence; the finding with the lowest `metric` is kept.
    fn note(&mut self, key: String, metric: f64, finding: Finding) {
        match self.notes.get_mut(&key) {
            Some(entry) => {
                entry.2 += 1;
                if metric < entry.1 {
                    entry.0 = finding;
                    entry.1 = metric;
                }
            }
            None => {
                self.notes.insert(key, (finding, metric, 1));
            }
        }
    }

    /// Moves the merged findings into `out`, noting repeat counts.
    fn flush(self, out: &mut Collector) {
        for (mut finding, _, count) in self.notes.into_values() {
            if count > 1 {
                let _ = write!(finding.message, " ({count} times on this page)");
            }
            out.findings.push(finding);
        }
    }
}

/// Checks that every page has the trim size of page 1.
fn trim_consistency(pages: &[PageFacts], out: &mut Collector) {
    let size = |p: &PageFacts| p.trim.map(|t| t.size_mm());
    let Some(first) = pages.first().and_then(size) else {
        return;
    };
    for page in pages.iter().skip(1) {
        if let Some(s) = size(page).filter(|s| *s != first) {
            let message = format!("trim size {s} mm differs from page 1 ({first} mm)");
            out.add(
                Severity::Fail,
                "boxes",
                Some(page.page),
                Some("/TrimBox".into()),
                message,
            );
        }
    }
}

/// Reports fonts that are not embedded.
fn font_findings(fonts: &[FontFact], out: &mut Collector) {
    for font in fonts.iter().filter(|f| !f.embedded) {
        let message = format!(
            "font {} ({}) is not embedded; used on pages {}",
            font.name,
            font.kind,
            page_ranges(font.pages.iter().copied())
        );
        let first = font.pages.iter().next().copied();
        out.add(
            Severity::Fail,
            "fonts",
            first,
            Some(font.object.clone()),
            message,
        );
    }
}

/// Sorts the text colours by share and warns when body text is not 100 % K.
fn text_colour_findings(
    glyphs: &HashMap<String, f64>,
    findings: &mut Vec<Finding>,
) -> Vec<(String, f64)> {
    let total: f64 = glyphs.values().sum();
    let mut shares: Vec<(String, f64)> = glyphs
        .iter()
        .map(|(k, v)| (k.clone(), if total > 0.0 { v / total } else { 0.0 }))
        .collect();
    shares.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    if let Some((colour, share)) = shares.first()
        && colour != SOLID_K
    {
        findings.push(Finding {
            severity: Severity::Warn,
            rule: "text-colour",
            page: None,
            object: None,
            message: format!(
                "body text is {colour} ({:.0} % of glyphs); body text should be 100 % K",
                share * 100.0
            ),
        });
    }
    shares
}

/// The label of a solid 100 % black text colour.
const SOLID_K: &str = "K 100";

/// Checks the document-level PDF/X identification and returns what was found.
fn document_checks(doc: &Document, rules: &Rules, out: &mut Collector) -> PdfxFacts {
    let catalog = doc.catalog().ok();
    let info = doc
        .trailer
        .get(b"Info")
        .ok()
        .map(|o| deref(doc, o))
        .and_then(|o| o.as_dict().ok());
    let xmp = catalog
        .and_then(|c| get_stream(doc, c, b"Metadata"))
        .map(|s| String::from_utf8_lossy(&stream_bytes(s)).into_owned());
    let info_str = |key: &[u8]| info.and_then(|i| get(doc, i, key)).and_then(text_value);
    let xmp_get = |key: &str| xmp.as_deref().and_then(|x| xmp_value(x, key));
    let facts = PdfxFacts {
        header_version: doc.version.clone(),
        catalog_version: catalog
            .and_then(|c| get(doc, c, b"Version"))
            .and_then(text_value),
        info_version: info_str(b"GTS_PDFXVersion"),
        info_conformance: info_str(b"GTS_PDFXConformance"),
        xmp_version: xmp_get("pdfxid:GTS_PDFXVersion"),
        info_trapped: info_str(b"Trapped"),
        xmp_trapped: xmp_get("pdf:Trapped"),
        output_intents: catalog.map(|c| output_intents(doc, c)).unwrap_or_default(),
        xmp: xmp.is_some(),
        encrypted: doc.is_encrypted() || doc.was_encrypted() || doc.trailer.has(b"Encrypt"),
        has_id: doc.trailer.has(b"ID"),
    };
    if facts.encrypted {
        out.add(
            Severity::Fail,
            "security",
            None,
            None,
            "the file is encrypted; print files must not be".into(),
        );
    }
    pdfx_identification(&facts, rules, out);
    if let Some(level) = rules.pdfx {
        pdfx_version_checks(&facts, level, out);
        let dates = InfoDates {
            creation: info_str(b"CreationDate"),
            modified: info_str(b"ModDate"),
            title: info_str(b"Title"),
        };
        pdfx_metadata_checks(xmp.as_deref(), &dates, level, out);
    }
    facts
}

/// Dates and title from the Info dictionary.
struct InfoDates {
    /// /CreationDate.
    creation: Option<String>,
    /// /ModDate.
    modified: Option<String>,
    /// /Title.
    title: Option<String>,
}

/// Reads the catalog's /OutputIntents.
fn output_intents(doc: &Document, catalog: &Dictionary) -> Vec<OutputIntentFact> {
    let Some(Object::Array(items)) = get(doc, catalog, b"OutputIntents") else {
        return Vec::new();
    };
    let mut intents = Vec::new();
    for item in items {
        let Ok(dict) = deref(doc, item).as_dict() else {
            continue;
        };
        let text = |key: &[u8]| get(doc, dict, key).and_then(text_value);
        let profile = get_stream(doc, dict, b"DestOutputProfile");
        intents.push(OutputIntentFact {
            subtype: text(b"S").unwrap_or_default(),
            identifier: text(b"OutputConditionIdentifier"),
            condition: text(b"OutputCondition"),
            registry: text(b"RegistryName"),
            info: text(b"Info"),
            profile: profile.map(describe_icc),
            profile_components: profile
                .and_then(|p| p.dict.get(b"N").ok())
                .and_then(|n| n.as_i64().ok()),
        });
    }
    intents
}

/// "prtr CMYK, 557 kB" from an ICC profile's header.
fn describe_icc(stream: &Stream) -> String {
    let bytes = stream_bytes(stream);
    let field = |range: std::ops::Range<usize>| {
        bytes.get(range).map_or_else(
            || "?".to_string(),
            |b| String::from_utf8_lossy(b).trim().to_string(),
        )
    };
    format!(
        "{} {}, {} kB",
        field(12..16),
        field(16..20),
        bytes.len().div_ceil(1024)
    )
}

/// Output intent, PDF/X version and trapping key.
fn pdfx_identification(facts: &PdfxFacts, rules: &Rules, out: &mut Collector) {
    let required = rules.pdfx.is_some();
    let missing = if required {
        Severity::Fail
    } else if rules.service == Some(Service::IngramSpark) {
        Severity::Warn
    } else {
        Severity::Info
    };
    let mut add = |severity, object: &str, message: String| {
        out.add(severity, "pdfx", None, Some(object.to_string()), message);
    };
    let pdfx: Vec<&OutputIntentFact> = facts
        .output_intents
        .iter()
        .filter(|i| i.subtype == "GTS_PDFX")
        .collect();
    match pdfx.as_slice() {
        [] => add(
            missing,
            "/OutputIntents",
            "no PDF/X output intent (/S /GTS_PDFX): the print condition is not declared".into(),
        ),
        [intent] => output_intent_checks(intent, rules, &mut add),
        _ => add(
            Severity::Fail,
            "/OutputIntents",
            format!(
                "{} PDF/X output intents; exactly one is allowed",
                pdfx.len()
            ),
        ),
    }
    let claimed = facts.info_version.as_ref().or(facts.xmp_version.as_ref());
    match (claimed, rules.pdfx) {
        (None, _) => add(
            missing,
            "Info /GTS_PDFXVersion",
            "no PDF/X version identification (/GTS_PDFXVersion, pdfxid:GTS_PDFXVersion)".into(),
        ),
        (Some(v), Some(level)) if !v.starts_with(level.label()) => {
            add(
                Severity::Fail,
                "Info /GTS_PDFXVersion",
                format!("identifies as {v}, expected {}", level.label()),
            );
        }
        (Some(v), _) => add(
            Severity::Info,
            "Info /GTS_PDFXVersion",
            format!("identifies as {v}"),
        ),
    }
    match facts.info_trapped.as_deref() {
        Some("True" | "False") => {}
        Some(other) => add(
            missing,
            "Info /Trapped",
            format!("/Trapped is /{other}; PDF/X needs /True or /False"),
        ),
        None => add(
            missing,
            "Info /Trapped",
            "no /Trapped key in the Info dictionary (PDF/X needs /True or /False)".into(),
        ),
    }
}

/// Checks one GTS_PDFX output intent.
fn output_intent_checks(
    intent: &OutputIntentFact,
    rules: &Rules,
    add: &mut impl FnMut(Severity, &str, String),
) {
    let name = intent.identifier.clone().unwrap_or_default();
    if intent.identifier.is_none() {
        add(
            Severity::Fail,
            "/OutputIntents",
            "output intent has no /OutputConditionIdentifier".into(),
        );
    }
    match (&intent.profile, rules.pdfx) {
        (None, Some(PdfxLevel::X4)) => {
            add(
                Severity::Fail,
                "/DestOutputProfile",
                format!("output intent {name} embeds no ICC profile; PDF/X-4 needs one"),
            );
        }
        (None, Some(_)) if intent.registry.is_none() => {
            add(
                Severity::Fail,
                "/DestOutputProfile",
                format!("output intent {name} has neither an ICC profile nor a /RegistryName"),
            );
        }
        (Some(profile), _) if rules.cmyk_only && intent.profile_components != Some(4) => {
            add(
                Severity::Fail,
                "/DestOutputProfile",
                format!("output intent profile is not CMYK ({profile})"),
            );
        }
        _ => {}
    }
    let profile = intent.profile.as_deref().unwrap_or("no embedded profile");
    add(
        Severity::Info,
        "/OutputIntents",
        format!("output intent {name} ({profile})"),
    );
}

/// Header version and PDF/X-specific Info keys.
fn pdfx_version_checks(facts: &PdfxFacts, level: PdfxLevel, out: &mut Collector) {
    let parse = |v: &str| {
        let mut parts = v.trim().split('.').map(|p| p.parse::<u32>().unwrap_or(0));
        (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
    };
    let header = parse(&facts.header_version);
    let effective = facts
        .catalog_version
        .as_deref()
        .map(parse)
        .map_or(header, |c| c.max(header));
    let (major, minor) = level.max_version();
    if effective > (major, minor) {
        let message = format!(
            "PDF version {}.{} is newer than {} allows ({major}.{minor})",
            effective.0,
            effective.1,
            level.label()
        );
        out.add(
            Severity::Fail,
            "version",
            None,
            Some("header".into()),
            message,
        );
    }
    if level != PdfxLevel::X4 && facts.info_version.is_none() {
        out.add(
            Severity::Fail,
            "pdfx",
            None,
            Some("Info".into()),
            "Info /GTS_PDFXVersion is required".into(),
        );
    }
    if level == PdfxLevel::X1a && facts.info_conformance.is_none() {
        out.add(
            Severity::Fail,
            "pdfx",
            None,
            Some("Info".into()),
            "Info /GTS_PDFXConformance is required for PDF/X-1a".into(),
        );
    }
    if !facts.has_id {
        out.add(
            Severity::Fail,
            "pdfx",
            None,
            Some("trailer".into()),
            "the trailer has no /ID".into(),
        );
    }
    if let (Some(info), Some(xmp)) = (&facts.info_trapped, &facts.xmp_trapped)
        && info != xmp
    {
        let message = format!("Info /Trapped /{info} and XMP pdf:Trapped {xmp} disagree");
        out.add(Severity::Fail, "pdfx", None, Some("XMP".into()), message);
    }
}

/// XMP keys PDF/X requires and their agreement with the Info dictionary.
fn pdfx_metadata_checks(
    xmp: Option<&str>,
    info: &InfoDates,
    level: PdfxLevel,
    out: &mut Collector,
) {
    let mut fail = |object: &str, message: String| {
        out.add(
            Severity::Fail,
            "xmp",
            None,
            Some(object.to_string()),
            message,
        )
    };
    if info.creation.is_none() || info.modified.is_none() {
        fail(
            "Info",
            "Info /CreationDate and /ModDate are required".into(),
        );
    }
    if info.title.is_none() {
        fail("Info", "Info /Title is required".into());
    }
    if level != PdfxLevel::X4 {
        return;
    }
    let Some(xmp) = xmp else {
        fail(
            "/Metadata",
            "no XMP metadata stream; PDF/X-4 identifies itself there".into(),
        );
        return;
    };
    let keys = [
        "pdfxid:GTS_PDFXVersion",
        "pdf:Trapped",
        "xmpMM:DocumentID",
        "xmpMM:VersionID",
        "xmpMM:RenditionClass",
        "xmp:CreateDate",
        "xmp:ModifyDate",
        "dc:title",
    ];
    for key in keys {
        if xmp_value(xmp, key).is_none() {
            fail("/Metadata", format!("XMP lacks {key}"));
        }
    }
    let pairs = [
        ("xmp:CreateDate", &info.creation, "/CreationDate"),
        ("xmp:ModifyDate", &info.modified, "/ModDate"),
    ];
    for (key, info_date, info_key) in pairs {
        let xmp_date = xmp_value(xmp, key).and_then(|d| parse_xmp_date(&d));
        let pdf_date = info_date.as_deref().and_then(parse_pdf_date);
        if let (Some(a), Some(b)) = (xmp_date, pdf_date)
            && a != b
        {
            fail(
                "/Metadata",
                format!("XMP {key} and Info {info_key} disagree"),
            );
        }
    }
    let mut warn = |message: String| {
        out.add(
            Severity::Warn,
            "xmp",
            None,
            Some("/Metadata".into()),
            message,
        )
    };
    if xmp_value(xmp, "xmp:MetadataDate").is_none() {
        warn("XMP lacks xmp:MetadataDate".into());
    }
    if let Some(class) = xmp_value(xmp, "xmpMM:RenditionClass").filter(|c| c != "default") {
        warn(format!(
            "XMP xmpMM:RenditionClass is {class}; a print master is the default rendition"
        ));
    }
}

/// Finds `key` in an XMP packet as an element or attribute and returns its text.
fn xmp_value(xmp: &str, key: &str) -> Option<String> {
    let attribute = format!("{key}=");
    if let Some(at) = xmp.find(&attribute) {
        let rest = &xmp[at + attribute.len()..];
        let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let end = rest[1..].find(quote)?;
        return Some(rest[1..=end].to_string()).filter(|v| !v.trim().is_empty());
    }
    let open = format!("<{key}");
    let start = xmp.find(&open)?;
    let after = &xmp[start + open.len()..];
    if after.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
        return None;
    }
    let gt = after.find('>')?;
    if after[..gt].ends_with('/') {
        return None;
    }
    let body = &after[gt + 1..];
    let end = body.find(&format!("</{key}>"))?;
    let text = strip_tags(&body[..end]);
    Some(text).filter(|t| !t.is_empty())
}

/// The text content of an XML fragment.
fn strip_tags(fragment: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in fragment.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.trim().to_string()
}

/// Seconds since 0000-01-01 UTC (a comparable instant) of an XMP date.
fn parse_xmp_date(date: &str) -> Option<i64> {
    let d = date.trim();
    let num = |r: std::ops::Range<usize>| d.get(r).and_then(|s| s.parse::<i64>().ok());
    let (y, mo, da) = (num(0..4)?, num(5..7).unwrap_or(1), num(8..10).unwrap_or(1));
    let (h, mi, s) = (
        num(11..13).unwrap_or(0),
        num(14..16).unwrap_or(0),
        num(17..19).unwrap_or(0),
    );
    let zone = d
        .get(19..)
        .map(|z| z.trim_start_matches(|c: char| c == '.' || c.is_ascii_digit()))
        .unwrap_or("");
    let offset = match zone.as_bytes().first() {
        Some(b'+' | b'-') => {
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let zh = zone
                .get(1..3)
                .and_then(|s| s.parse::<i64>().ok())
                .unwrap_or(0);
            let zm = zone
                .get(4..6)
                .and_then(|s| s.parse::<i64>().ok())
                .unwrap_or(0);
            sign * (zh * 60 + zm)
        }
        _ => 0,
    };
    Some(instant(y, mo, da, h, mi, s) - offset * 60)
}

/// Seconds since 0000-01-01 UTC of a PDF date (`D:YYYYMMDDHHmmSSOHH'mm'`).
fn parse_pdf_date(date: &str) -> Option<i64> {
    let d = date.trim().trim_start_matches("D:");
    let num = |r: std::ops::Range<usize>| d.get(r).and_then(|s| s.parse::<i64>().ok());
    let y = num(0..4)?;
    let (mo, da) = (num(4..6).unwrap_or(1), num(6..8).unwrap_or(1));
    let (h, mi, s) = (
        num(8..10).unwrap_or(0),
        num(10..12).unwrap_or(0),
        num(12..14).unwrap_or(0),
    );
    let zone = d.get(14..).unwrap_or("");
    let offset = match zone.as_bytes().first() {
        Some(b'+' | b'-') => {
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let zh = zone
                .get(1..3)
                .and_then(|s| s.parse::<i64>().ok())
                .unwrap_or(0);
            let zm = zone
                .get(4..6)
                .and_then(|s| s.parse::<i64>().ok())
                .unwrap_or(0);
            sign * (zh * 60 + zm)
        }
        _ => 0,
    };
    Some(instant(y, mo, da, h, mi, s) - offset * 60)
}

/// Seconds from a fixed epoch for a civil date and time (proleptic Gregorian).
fn instant(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> i64 {
    let (y, m) = if mo <= 2 {
        (y - 1, mo + 9)
    } else {
        (y, mo - 3)
    };
    let days = 365 * y + y / 4 - y / 100 + y / 400 + (m * 306 + 5) / 10 + (d - 1);
    ((days * 24 + h) * 60 + mi) * 60 + s
}

/// Checks one page: boxes, fonts, annotations, then its content.
fn check_page(
    doc: &Document,
    rules: &Rules,
    id: ObjectId,
    number: usize,
    gutter: f64,
    out: &mut Collector,
    fonts: &mut BTreeMap<String, FontFact>,
) -> PageFacts {
    let empty = Dictionary::new();
    let page = doc.get_dictionary(id).unwrap_or(&empty);
    let recto = (number % 2 == 1) == rules.first_page_recto;
    let mut facts = page_boxes(doc, rules, page, number, recto, out);
    let resources = inherited(doc, page, b"Resources").and_then(as_dict);
    collect_fonts(doc, resources, number, fonts, &mut HashSet::new(), 0);
    check_annotations(doc, page, &mut facts, out, fonts);
    let mut notes = PageNotes::default();
    if let Some(group) = get_dict(doc, page, b"Group")
        && get(doc, group, b"S").and_then(name_of) == Some(b"Transparency".as_slice())
    {
        facts.transparency = true;
        let finding = finding(
            rules.transparency,
            "transparency",
            number,
            "page /Group",
            "page is a transparency group".into(),
        );
        notes.note("transparency|page".into(), 0.0, finding);
    }
    let content = page_content(doc, page);
    let mut walker = Walker::new(doc, rules, &mut facts, out, &mut notes, gutter);
    if let Some(group) = get_dict(doc, page, b"Group") {
        walker.group_space(group, "page /Group");
    }
    let mut state = GState::new(Matrix::IDENTITY);
    walker.run(&content, resources, &mut state, "page content");
    notes.flush(out);
    facts
}

/// Builds a finding for a page.
fn finding(
    severity: Severity,
    rule: &'static str,
    page: usize,
    object: &str,
    message: String,
) -> Finding {
    Finding {
        severity,
        rule,
        page: Some(page),
        object: Some(object.to_string()),
        message,
    }
}

/// The page's content streams, decompressed and joined.
fn page_content(doc: &Document, page: &Dictionary) -> Vec<u8> {
    let mut content = Vec::new();
    let streams: Vec<&Object> = match page.get(b"Contents").ok().map(|o| deref(doc, o)) {
        Some(Object::Array(items)) => items.iter().collect(),
        Some(other) => vec![other],
        None => Vec::new(),
    };
    for item in streams {
        if let Object::Stream(stream) = deref(doc, item) {
            content.extend_from_slice(&stream_bytes(stream));
            content.push(b'\n');
        }
    }
    content
}

/// Reads the page boxes, measures bleed and slug, and reports box problems.
fn page_boxes(
    doc: &Document,
    rules: &Rules,
    page: &Dictionary,
    number: usize,
    recto: bool,
    out: &mut Collector,
) -> PageFacts {
    let media = inherited(doc, page, b"MediaBox")
        .and_then(rect)
        .unwrap_or(Rect {
            x0: 0.0,
            y0: 0.0,
            x1: 612.0,
            y1: 792.0,
        });
    let crop = inherited(doc, page, b"CropBox").and_then(rect);
    let bleed_box = get(doc, page, b"BleedBox").and_then(rect);
    let trim = get(doc, page, b"TrimBox").and_then(rect);
    let art = get(doc, page, b"ArtBox").and_then(rect);
    let visible = crop.unwrap_or(media);
    let eff_bleed = bleed_box.unwrap_or(visible);
    let eff_trim = trim.or(art).unwrap_or(visible);
    let facts = PageFacts {
        page: number,
        recto,
        media,
        crop,
        bleed_box,
        trim,
        bleed: Sides::between(&eff_bleed, &eff_trim, recto),
        slug: Sides::between(&media, &eff_bleed, recto),
        colour_spaces: BTreeSet::new(),
        annotations: 0,
        transparency: false,
        min_ppi: None,
        thinnest_stroke_pt: None,
        smallest_text_pt: None,
        max_ink: None,
        text_clearance: None,
    };
    box_findings(&facts, rules, art.is_some(), out);
    facts
}

/// Reports missing boxes and bleed or slug that does not match the rules.
fn box_findings(facts: &PageFacts, rules: &Rules, art: bool, out: &mut Collector) {
    let mut fail = |rule, object: &str, message: String| {
        out.add(
            Severity::Fail,
            rule,
            Some(facts.page),
            Some(object.to_string()),
            message,
        );
    };
    if facts.trim.is_none() {
        fail(
            "boxes",
            "/TrimBox",
            "no TrimBox: the finished size is not declared".into(),
        );
    }
    if facts.bleed_box.is_none() {
        fail(
            "boxes",
            "/BleedBox",
            "no BleedBox: the bleed is not declared".into(),
        );
    }
    for (side, mm) in facts
        .bleed
        .named()
        .into_iter()
        .filter(|_| facts.trim.is_some() || art)
    {
        let bleeds = side != "inside" || rules.spine_bleed;
        if bleeds && mm < rules.min_bleed_mm - BOX_TOLERANCE_MM {
            fail(
                "bleed",
                "/BleedBox",
                format!(
                    "{mm:.2} mm bleed on the {side} (minimum {:.2} mm)",
                    rules.min_bleed_mm
                ),
            );
        } else if bleeds && mm > rules.max_bleed_mm + BOX_TOLERANCE_MM {
            let message = format!(
                "{mm:.2} mm bleed on the {side}, more than the {:.2} mm the page size allows",
                rules.max_bleed_mm
            );
            fail("bleed", "/BleedBox", message);
        } else if !bleeds && mm.abs() > BOX_TOLERANCE_MM {
            let message = format!(
                "{mm:.2} mm bleed on the spine side; interior pages carry bleed on top, bottom and outside only"
            );
            fail("bleed", "/BleedBox", message);
        }
    }
    let slug = facts.slug;
    let widest = slug.named().iter().map(|s| s.1).fold(f64::MIN, f64::max);
    let narrowest = slug.named().iter().map(|s| s.1).fold(f64::MAX, f64::min);
    if narrowest < -BOX_TOLERANCE_MM {
        fail(
            "boxes",
            "/MediaBox",
            format!(
                "the BleedBox extends beyond the MediaBox (slug {} mm)",
                slug.short()
            ),
        );
    } else if rules.require_slug && narrowest <= BOX_TOLERANCE_MM {
        fail(
            "slug",
            "/MediaBox",
            format!(
                "no slug beyond the bleed for crop marks (slug {} mm)",
                slug.short()
            ),
        );
    } else if !rules.require_slug && widest > BOX_TOLERANCE_MM {
        fail(
            "slug",
            "/MediaBox",
            format!(
                "MediaBox is larger than the BleedBox (slug {} mm); the file must carry no marks",
                slug.short()
            ),
        );
    }
}

/// Collects every font reachable from a resource dictionary.
fn collect_fonts(
    doc: &Document,
    resources: Option<&Dictionary>,
    page: usize,
    fonts: &mut BTreeMap<String, FontFact>,
    seen: &mut HashSet<ObjectId>,
    depth: usize,
) {
    let Some(resources) = resources else { return };
    if depth > MAX_DEPTH {
        return;
    }
    for (name, value) in get_dict(doc, resources, b"Font")
        .into_iter()
        .flat_map(|d| d.iter())
    {
        let Ok(font) = deref(doc, value).as_dict() else {
            continue;
        };
        let object = match value.as_reference() {
            Ok(id) => format!("{} {} R", id.0, id.1),
            Err(_) => format!("/{} (direct, page {page})", String::from_utf8_lossy(name)),
        };
        let fact = fonts
            .entry(object.clone())
            .or_insert_with(|| describe_font(doc, font, object));
        fact.pages.insert(page);
        if get(doc, font, b"Subtype").and_then(name_of) == Some(b"Type3".as_slice()) {
            collect_fonts(
                doc,
                get_dict(doc, font, b"Resources"),
                page,
                fonts,
                seen,
                depth + 1,
            );
        }
    }
    for key in [b"XObject".as_slice(), b"Pattern".as_slice()] {
        for (_, value) in get_dict(doc, resources, key)
            .into_iter()
            .flat_map(|d| d.iter())
        {
            if let Ok(id) = value.as_reference()
                && !seen.insert(id)
            {
                continue;
            }
            if let Object::Stream(stream) = deref(doc, value) {
                collect_fonts(
                    doc,
                    get_dict(doc, &stream.dict, b"Resources"),
                    page,
                    fonts,
                    seen,
                    depth + 1,
                );
            }
        }
    }
}

/// Describes a font dictionary: name, type, embedding, subsetting.
fn describe_font(doc: &Document, font: &Dictionary, object: String) -> FontFact {
    let subtype = get(doc, font, b"Subtype")
        .and_then(name_of)
        .map(lossy)
        .unwrap_or_default();
    let mut name = get(doc, font, b"BaseFont").and_then(name_of).map(lossy);
    let (descriptor, kind) = if subtype == "Type0" {
        let descendant = match get(doc, font, b"DescendantFonts") {
            Some(Object::Array(items)) => items
                .first()
                .map(|o| deref(doc, o))
                .and_then(|o| o.as_dict().ok()),
            _ => None,
        };
        let sub = descendant
            .and_then(|d| get(doc, d, b"Subtype"))
            .and_then(name_of)
            .map(lossy);
        let descriptor = descendant.and_then(|d| get_dict(doc, d, b"FontDescriptor"));
        (
            descriptor,
            format!("Type0/{}", sub.unwrap_or_else(|| "?".into())),
        )
    } else {
        (get_dict(doc, font, b"FontDescriptor"), subtype.clone())
    };
    if subtype == "Type3" && name.is_none() {
        name = get(doc, font, b"Name").and_then(name_of).map(lossy);
    }
    let name = name.unwrap_or_else(|| "(unnamed)".to_string());
    let program = [
        b"FontFile".as_slice(),
        b"FontFile2".as_slice(),
        b"FontFile3".as_slice(),
    ];
    let embedded =
        subtype == "Type3" || descriptor.is_some_and(|d| program.iter().any(|k| d.has(k)));
    let bytes = name.as_bytes();
    let subset =
        bytes.len() > 7 && bytes[6] == b'+' && bytes[..6].iter().all(u8::is_ascii_uppercase);
    FontFact {
        name,
        kind,
        embedded,
        subset,
        object,
        pages: BTreeSet::new(),
    }
}

/// Counts annotations and reports those a print file must not carry.
fn check_annotations(
    doc: &Document,
    page: &Dictionary,
    facts: &mut PageFacts,
    out: &mut Collector,
    fonts: &mut BTreeMap<String, FontFact>,
) {
    let Some(Object::Array(annots)) = get(doc, page, b"Annots") else {
        return;
    };
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for annot in annots {
        let Ok(dict) = deref(doc, annot).as_dict() else {
            continue;
        };
        let subtype = get(doc, dict, b"Subtype")
            .and_then(name_of)
            .map(lossy)
            .unwrap_or_else(|| "?".into());
        if let Some(ap) = get_dict(doc, dict, b"AP") {
            for (_, appearance) in ap.iter() {
                let streams: Vec<&Stream> = match deref(doc, appearance) {
                    Object::Stream(s) => vec![s],
                    Object::Dictionary(states) => states
                        .iter()
                        .filter_map(|(_, s)| deref(doc, s).as_stream().ok())
                        .collect(),
                    _ => Vec::new(),
                };
                for stream in streams {
                    let resources = get_dict(doc, &stream.dict, b"Resources");
                    collect_fonts(doc, resources, facts.page, fonts, &mut HashSet::new(), 1);
                }
            }
        }
        if subtype != "PrinterMark" && subtype != "TrapNet" {
            *kinds.entry(subtype).or_default() += 1;
        }
    }
    let total: usize = kinds.values().sum();
    facts.annotations = total;
    if total > 0 {
        let list: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} ×{n}")).collect();
        let message = format!(
            "annotations on the page: {} ({total} in all); a print file carries only PrinterMark and TrapNet annotations",
            list.join(", ")
        );
        out.add(
            Severity::Fail,
            "annotations",
            Some(facts.page),
            Some("/Annots".into()),
            message,
        );
    }
}

/// Follows references to the object they point at (null when dangling).
fn deref<'a>(doc: &'a Document, object: &'a Object) -> &'a Object {
    let mut current = object;
    for _ in 0..32 {
        match current {
            Object::Reference(id) => match doc.get_object(*id) {
                Ok(next) => current = next,
                Err(_) => return &NULL,
            },
            _ => return current,
        }
    }
    &NULL
}

/// A dictionary value, dereferenced; `None` when absent or null.
fn get<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    dict.get(key)
        .ok()
        .map(|o| deref(doc, o))
        .filter(|o| !matches!(o, Object::Null))
}

/// A dictionary value that is a dictionary (or a stream's dictionary).
fn get_dict<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Dictionary> {
    get(doc, dict, key).and_then(as_dict)
}

/// A dictionary value that is a stream.
fn get_stream<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Stream> {
    get(doc, dict, key).and_then(|o| o.as_stream().ok())
}

/// The object as a dictionary, or a stream's dictionary.
fn as_dict(object: &Object) -> Option<&Dictionary> {
    match object {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

/// An inheritable page attribute, looked up through the page tree.
fn inherited<'a>(doc: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut node = page;
    for _ in 0..MAX_DEPTH {
        if let Some(value) = get(doc, node, key) {
            return Some(value);
        }
        node = get_dict(doc, node, b"Parent")?;
    }
    None
}

/// A number operand or value.
fn num(object: &Object) -> Option<f64> {
    match object {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
}

/// A name's bytes.
fn name_of(object: &Object) -> Option<&[u8]> {
    object.as_name().ok()
}

/// Bytes as text, replacing invalid UTF-8.
fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A name or text string as text (UTF-16 with BOM, else PDFDocEncoding read as Latin-1).
fn text_value(object: &Object) -> Option<String> {
    match object {
        Object::Name(n) => Some(lossy(n)),
        Object::String(bytes, _) => {
            if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
                let units: Vec<u16> = rest
                    .chunks_exact(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]))
                    .collect();
                Some(String::from_utf16_lossy(&units))
            } else {
                Some(bytes.iter().map(|&b| char::from(b)).collect())
            }
        }
        Object::Integer(_) | Object::Real(_) => num(object).map(|n| n.to_string()),
        _ => None,
    }
}

/// A rectangle array, normalised.
fn rect(object: &Object) -> Option<Rect> {
    let Object::Array(items) = object else {
        return None;
    };
    let v: Vec<f64> = items.iter().filter_map(num).collect();
    if v.len() != 4 {
        return None;
    }
    Some(Rect {
        x0: v[0].min(v[2]),
        y0: v[1].min(v[3]),
        x1: v[0].max(v[2]),
        y1: v[1].max(v[3]),
    })
}

/// A stream's decoded bytes (raw bytes when a filter cannot be decoded).
fn stream_bytes(stream: &Stream) -> Vec<u8> {
    stream
        .decompressed_content_with_limit(MAX_STREAM)
        .unwrap_or_else(|_| stream.content.clone())
}

/// A colour space as far as prepress cares.
#[derive(Debug, Clone, PartialEq)]
enum Space {
    /// DeviceGray.
    Gray,
    /// DeviceRGB.
    Rgb,
    /// DeviceCMYK.
    Cmyk,
    /// CalGray.
    CalGray,
    /// CalRGB.
    CalRgb,
    /// CIE L*a*b*.
    Lab,
    /// ICCBased with N components.
    Icc(i64),
    /// Indexed over a base space, with its lookup table.
    Indexed(Box<Space>, Rc<Vec<u8>>),
    /// A spot colour with its alternate space.
    Separation(String, Box<Space>),
    /// Several colorants with their alternate space.
    DeviceN(Vec<String>, Box<Space>),
    /// A pattern, with the underlying space of an uncoloured one.
    Pattern(Option<Box<Space>>),
    /// Anything else, by name.
    Unknown(String),
}

impl Space {
    /// The name a prepress report uses.
    fn label(&self) -> String {
        match self {
            Space::Gray => "DeviceGray".into(),
            Space::Rgb => "DeviceRGB".into(),
            Space::Cmyk => "DeviceCMYK".into(),
            Space::CalGray => "CalGray".into(),
            Space::CalRgb => "CalRGB".into(),
            Space::Lab => "Lab".into(),
            Space::Icc(n) => format!("ICCBased N={n}"),
            Space::Indexed(base, _) => format!("Indexed/{}", base.label()),
            Space::Separation(name, alt) => format!("Separation /{name} (alt {})", alt.label()),
            Space::DeviceN(names, alt) => {
                format!("DeviceN [{}] (alt {})", names.join(" "), alt.label())
            }
            Space::Pattern(None) => "Pattern".into(),
            Space::Pattern(Some(base)) => format!("Pattern/{}", base.label()),
            Space::Unknown(name) => name.clone(),
        }
    }

    /// Whether colours in this space are RGB (device, calibrated or ICC with three components).
    fn is_rgb(&self) -> bool {
        match self {
            Space::Rgb | Space::CalRgb | Space::Icc(3) => true,
            Space::Indexed(base, _) => base.is_rgb(),
            Space::Pattern(Some(base)) => base.is_rgb(),
            _ => false,
        }
    }

    /// Whether colours in this space are CIE Lab.
    fn is_lab(&self) -> bool {
        match self {
            Space::Lab => true,
            Space::Indexed(base, _) | Space::Pattern(Some(base)) => base.is_lab(),
            _ => false,
        }
    }

    /// Whether colours in this space are CIE-based (calibrated, Lab or ICC).
    fn is_cie_based(&self) -> bool {
        match self {
            Space::CalGray | Space::CalRgb | Space::Lab | Space::Icc(_) => true,
            Space::Indexed(base, _) | Space::Pattern(Some(base)) => base.is_cie_based(),
            _ => false,
        }
    }

    /// Whether this is a spot space whose alternate is RGB or Lab.
    fn alternate_not_cmyk(&self) -> bool {
        match self {
            Space::Separation(name, alt) => {
                !matches!(name.as_str(), "All" | "None") && (alt.is_rgb() || alt.is_lab())
            }
            Space::DeviceN(_, alt) => alt.is_rgb() || alt.is_lab(),
            _ => false,
        }
    }

    /// Number of colour components.
    fn components(&self) -> usize {
        match self {
            Space::Gray | Space::CalGray | Space::Indexed(..) | Space::Separation(..) => 1,
            Space::Rgb | Space::CalRgb | Space::Lab => 3,
            Space::Cmyk => 4,
            Space::Icc(n) => usize::try_from(*n).unwrap_or(0),
            Space::DeviceN(names, _) => names.len(),
            Space::Pattern(_) | Space::Unknown(_) => 0,
        }
    }

    /// The colour a `cs`/`CS` selection starts with.
    fn initial(&self) -> Vec<f64> {
        match self {
            Space::Cmyk => vec![0.0, 0.0, 0.0, 1.0],
            Space::Separation(..) | Space::DeviceN(..) => vec![1.0; self.components()],
            _ => vec![0.0; self.components()],
        }
    }

    /// The inks a colour in this space puts on paper.
    fn inks(&self, comps: &[f64]) -> Inks {
        let at = |i: usize| comps.get(i).copied().unwrap_or(0.0).clamp(0.0, 1.0);
        let mut inks = Inks::default();
        match self {
            Space::Gray | Space::CalGray | Space::Icc(1) => inks.process[3] = 1.0 - at(0),
            Space::Cmyk | Space::Icc(4) => inks.process = [at(0), at(1), at(2), at(3)],
            Space::Rgb | Space::CalRgb | Space::Icc(3) => {
                inks.converted = (0..3).any(|i| at(i) < 0.999)
            }
            Space::Lab => inks.converted = comps.first().copied().unwrap_or(0.0) < 99.9,
            Space::Indexed(base, lookup) => {
                let n = base.components();
                let index = comps.first().copied().unwrap_or(0.0).max(0.0) as usize;
                let entry: Vec<f64> = (0..n)
                    .map(|i| {
                        lookup
                            .get(index.saturating_mul(n).saturating_add(i))
                            .map_or(0.0, |b| f64::from(*b) / 255.0)
                    })
                    .collect();
                return base.inks(&entry);
            }
            Space::Separation(name, _) => inks.colorant(name, at(0)),
            Space::DeviceN(names, _) => {
                for (i, name) in names.iter().enumerate() {
                    inks.colorant(name, at(i));
                }
            }
            Space::Pattern(_) | Space::Icc(_) | Space::Unknown(_) => inks.unknown = true,
        }
        inks
    }
}

/// Ink coverage of one colour.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Inks {
    /// Cyan, magenta, yellow and black, 0–1.
    process: [f64; 4],
    /// Sum of spot tints, 0–1 each.
    spot: f64,
    /// Number of spot inks with a tint.
    spots: usize,
    /// An RGB or Lab colour: separations are decided by a later conversion (assume all four).
    converted: bool,
    /// The separation cannot be told (patterns, unknown spaces).
    unknown: bool,
}

impl Inks {
    /// Adds one named colorant at a tint.
    fn colorant(&mut self, name: &str, tint: f64) {
        match name {
            "Cyan" => self.process[0] = tint,
            "Magenta" => self.process[1] = tint,
            "Yellow" => self.process[2] = tint,
            "Black" => self.process[3] = tint,
            "All" => self.process = [tint; 4],
            "None" => {}
            _ if tint > 0.0 => {
                self.spot += tint;
                self.spots += 1;
            }
            _ => {}
        }
    }

    /// How many inks print (an RGB colour other than white separates into four).
    fn count(&self) -> usize {
        if self.converted {
            return 4;
        }
        self.process.iter().filter(|v| **v > 0.005).count() + self.spots
    }

    /// Total area coverage in percent, when known.
    fn total(&self) -> Option<f64> {
        if self.converted || self.unknown {
            return None;
        }
        Some((self.process.iter().sum::<f64>() + self.spot) * 100.0)
    }
}

/// A current colour: its space, components and the operator that set it.
#[derive(Debug, Clone, PartialEq)]
struct Paint {
    /// The colour space.
    space: Space,
    /// Component values.
    comps: Vec<f64>,
    /// The operator that selected it (`rg`, `scn`, …) or `initial`.
    op: &'static str,
    /// The pattern resource name, for pattern colours.
    pattern: Option<Vec<u8>>,
}

impl Paint {
    /// The initial colour of a graphics state: black in DeviceGray.
    fn black() -> Paint {
        Paint {
            space: Space::Gray,
            comps: vec![0.0],
            op: "initial",
            pattern: None,
        }
    }

    /// A short description of the colour, used for text colour statistics.
    fn describe(&self) -> String {
        let pct = |v: f64| format!("{:.0}", v * 100.0);
        let inks = self.space.inks(&self.comps);
        if !inks.converted && !inks.unknown && inks.spots == 0 {
            let names = ["C", "M", "Y", "K"];
            let used: Vec<String> = (0..4)
                .filter(|i| inks.process[*i] > 0.005)
                .map(|i| format!("{} {}", names[i], pct(inks.process[i])))
                .collect();
            return if used.is_empty() {
                "paper white".into()
            } else {
                used.join(" ")
            };
        }
        let comps: Vec<String> = self.comps.iter().map(|c| format!("{c:.2}")).collect();
        format!("{} {}", self.space.label(), comps.join(" "))
    }
}

/// Reads a colour space object (a name or an array).
fn parse_space(doc: &Document, object: &Object, depth: usize) -> Space {
    let object = deref(doc, object);
    if depth > 8 {
        return Space::Unknown("(nested too deep)".into());
    }
    match object {
        Object::Name(name) => device_space(name).unwrap_or_else(|| Space::Unknown(lossy(name))),
        Object::Array(items) => {
            let Some(family) = items.first().map(|o| deref(doc, o)).and_then(name_of) else {
                return Space::Unknown("(malformed)".into());
            };
            let arg = |i: usize| items.get(i).map_or(&NULL, |o| deref(doc, o));
            match family {
                b"ICCBased" => {
                    let n = as_dict(arg(1))
                        .and_then(|d| get(doc, d, b"N"))
                        .and_then(|n| n.as_i64().ok());
                    Space::Icc(n.unwrap_or(0))
                }
                b"CalRGB" => Space::CalRgb,
                b"CalGray" => Space::CalGray,
                b"Lab" => Space::Lab,
                b"Indexed" | b"I" => {
                    let lookup = match arg(3) {
                        Object::String(bytes, _) => bytes.clone(),
                        Object::Stream(stream) => stream_bytes(stream),
                        _ => Vec::new(),
                    };
                    Space::Indexed(
                        Box::new(parse_space(doc, arg(1), depth + 1)),
                        Rc::new(lookup),
                    )
                }
                b"Separation" => {
                    let name = name_of(arg(1)).map(lossy).unwrap_or_default();
                    Space::Separation(name, Box::new(parse_space(doc, arg(2), depth + 1)))
                }
                b"DeviceN" => {
                    let names = match arg(1) {
                        Object::Array(names) => {
                            names.iter().filter_map(name_of).map(lossy).collect()
                        }
                        _ => Vec::new(),
                    };
                    Space::DeviceN(names, Box::new(parse_space(doc, arg(2), depth + 1)))
                }
                b"Pattern" => Space::Pattern(
                    items
                        .get(1)
                        .map(|b| Box::new(parse_space(doc, b, depth + 1))),
                ),
                other => device_space(other).unwrap_or_else(|| Space::Unknown(lossy(other))),
            }
        }
        _ => Space::Unknown("(missing)".into()),
    }
}

/// A device or pattern space by name (inline-image abbreviations included).
fn device_space(name: &[u8]) -> Option<Space> {
    match name {
        b"DeviceGray" | b"G" => Some(Space::Gray),
        b"DeviceRGB" | b"RGB" => Some(Space::Rgb),
        b"DeviceCMYK" | b"CMYK" => Some(Space::Cmyk),
        b"Pattern" => Some(Space::Pattern(None)),
        _ => None,
    }
}

/// An affine transformation `[a b c d e f]` (PDF row-vector convention).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Matrix([f64; 6]);

impl Matrix {
    /// The identity.
    const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    /// `self` followed by `other` (the PDF product `self × other`).
    fn then(self, other: Matrix) -> Matrix {
        let [a, b, c, d, e, f] = self.0;
        let [a2, b2, c2, d2, e2, f2] = other.0;
        Matrix([
            a * a2 + b * c2,
            a * b2 + b * d2,
            c * a2 + d * c2,
            c * b2 + d * d2,
            e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2,
        ])
    }

    /// A translation.
    fn translate(x: f64, y: f64) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, x, y])
    }

    /// Maps a point.
    fn apply(self, x: f64, y: f64) -> (f64, f64) {
        let [a, b, c, d, e, f] = self.0;
        (x * a + y * c + e, x * b + y * d + f)
    }

    /// Geometric mean scale (how a line width grows).
    fn scale(self) -> f64 {
        let [a, b, c, d, ..] = self.0;
        (a * d - b * c).abs().sqrt()
    }

    /// Length of the mapped x unit vector.
    fn x_scale(self) -> f64 {
        self.0[0].hypot(self.0[1])
    }

    /// Length of the mapped y unit vector.
    fn y_scale(self) -> f64 {
        self.0[2].hypot(self.0[3])
    }

    /// Six numbers, from operands or an array.
    fn from_numbers(items: &[Object]) -> Option<Matrix> {
        let v: Vec<f64> = items.iter().filter_map(num).collect();
        (v.len() == 6).then(|| Matrix([v[0], v[1], v[2], v[3], v[4], v[5]]))
    }

    /// The bounding box of a rectangle in the source space after mapping.
    fn map_rect(self, x0: f64, y0: f64, x1: f64, y1: f64) -> Rect {
        let corners = [
            self.apply(x0, y0),
            self.apply(x1, y0),
            self.apply(x0, y1),
            self.apply(x1, y1),
        ];
        corners
            .iter()
            .fold(Rect::point(corners[0].0, corners[0].1), |r, (x, y)| {
                r.union(&Rect::point(*x, *y))
            })
    }
}

/// Widths and vertical extent of a font, enough to place text approximately.
#[derive(Debug, Clone, PartialEq)]
struct FontMetrics {
    /// Whether codes are two bytes (Type0 fonts).
    two_byte: bool,
    /// Glyph widths by code, in glyph units.
    widths: HashMap<u32, f64>,
    /// Width of codes not listed.
    default_width: f64,
    /// Glyph units to text space (0.001, or a Type3 FontMatrix).
    unit: f64,
    /// Factor from font size to em height (1, or a Type3 FontMatrix's vertical scale × 1000).
    size_factor: f64,
    /// Ascent per unit font size.
    ascent: f64,
    /// Descent per unit font size (negative).
    descent: f64,
    /// Type3 font: its dictionary, to scan the glyph procedures.
    type3: Option<ObjectId>,
}

impl FontMetrics {
    /// Metrics for a missing font: half-em glyphs.
    fn fallback() -> FontMetrics {
        FontMetrics {
            two_byte: false,
            widths: HashMap::new(),
            default_width: 500.0,
            unit: 0.001,
            size_factor: 1.0,
            ascent: 0.75,
            descent: -0.2,
            type3: None,
        }
    }

    /// Reads the metrics of a font dictionary.
    fn load(doc: &Document, font: &Dictionary, id: Option<ObjectId>) -> FontMetrics {
        let mut m = FontMetrics::fallback();
        let subtype = get(doc, font, b"Subtype")
            .and_then(name_of)
            .unwrap_or_default();
        let descriptor;
        if subtype == b"Type0" {
            m.two_byte = true;
            let descendant = match get(doc, font, b"DescendantFonts") {
                Some(Object::Array(items)) => {
                    items.first().map(|o| deref(doc, o)).and_then(as_dict)
                }
                _ => None,
            };
            descriptor = descendant.and_then(|d| get_dict(doc, d, b"FontDescriptor"));
            if let Some(d) = descendant {
                m.default_width = get(doc, d, b"DW").and_then(num).unwrap_or(1000.0);
                if let Some(Object::Array(w)) = get(doc, d, b"W") {
                    m.widths = cid_widths(doc, w);
                }
            }
        } else {
            descriptor = get_dict(doc, font, b"FontDescriptor");
            let first = get(doc, font, b"FirstChar").and_then(num).unwrap_or(0.0) as u32;
            if let Some(Object::Array(w)) = get(doc, font, b"Widths") {
                for (i, width) in w.iter().enumerate() {
                    if let Some(v) = num(deref(doc, width)) {
                        m.widths.insert(first.saturating_add(i as u32), v);
                    }
                }
            }
            m.default_width = descriptor
                .and_then(|d| get(doc, d, b"MissingWidth"))
                .and_then(num)
                .unwrap_or(500.0);
        }
        if subtype == b"Type3" {
            let matrix = get(doc, font, b"FontMatrix")
                .and_then(|o| o.as_array().ok())
                .and_then(|a| Matrix::from_numbers(a));
            let matrix = matrix.unwrap_or(Matrix([0.001, 0.0, 0.0, 0.001, 0.0, 0.0]));
            m.unit = matrix.0[0];
            m.size_factor = matrix.0[3].abs() * 1000.0;
            m.type3 = id;
        } else if let Some(d) = descriptor {
            m.ascent = get(doc, d, b"Ascent")
                .and_then(num)
                .filter(|a| *a > 0.0)
                .map_or(0.75, |a| a / 1000.0);
            m.descent = get(doc, d, b"Descent")
                .and_then(num)
                .filter(|a| *a < 0.0)
                .map_or(-0.2, |a| a / 1000.0);
        }
        m
    }

    /// Character codes of a string operand.
    fn codes(&self, bytes: &[u8]) -> Vec<u32> {
        if self.two_byte {
            bytes
                .chunks(2)
                .map(|c| c.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)))
                .collect()
        } else {
            bytes.iter().map(|b| u32::from(*b)).collect()
        }
    }

    /// Advance width of a code per unit font size.
    fn width(&self, code: u32) -> f64 {
        self.widths
            .get(&code)
            .copied()
            .unwrap_or(self.default_width)
            * self.unit
    }
}

/// Parses a CIDFont /W array.
fn cid_widths(doc: &Document, w: &[Object]) -> HashMap<u32, f64> {
    let mut widths = HashMap::new();
    let mut i = 0;
    while i < w.len() {
        let Some(first) = num(deref(doc, &w[i])) else {
            break;
        };
        match w.get(i + 1).map(|o| deref(doc, o)) {
            Some(Object::Array(list)) => {
                for (k, v) in list.iter().enumerate() {
                    if let Some(v) = num(deref(doc, v)) {
                        widths.insert((first as u32).saturating_add(k as u32), v);
                    }
                }
                i += 2;
            }
            Some(last) => {
                let (Some(last), Some(v)) =
                    (num(last), w.get(i + 2).map(|o| deref(doc, o)).and_then(num))
                else {
                    break;
                };
                // CIDs are 16-bit; a wider range is malformed and is cut to that size.
                let (first, last) = (
                    first as u32,
                    (last as u32).min((first as u32).saturating_add(0xFFFF)),
                );
                for code in first..=last {
                    widths.insert(code, v);
                }
                i += 3;
            }
            None => break,
        }
    }
    widths
}

/// Text state parameters.
#[derive(Debug, Clone, PartialEq)]
struct TextState {
    /// Current font's metrics.
    font: Option<Rc<FontMetrics>>,
    /// Font size (Tf).
    size: f64,
    /// Character spacing (Tc).
    char_spacing: f64,
    /// Word spacing (Tw).
    word_spacing: f64,
    /// Horizontal scaling (Tz / 100).
    scale: f64,
    /// Leading (TL).
    leading: f64,
    /// Rise (Ts).
    rise: f64,
    /// Rendering mode (Tr).
    render: i64,
}

/// The graphics state parts that preflight needs.
#[derive(Debug, Clone, PartialEq)]
struct GState {
    /// Current transformation matrix.
    ctm: Matrix,
    /// Non-stroking colour.
    fill: Paint,
    /// Stroking colour.
    stroke: Paint,
    /// Line width in user space.
    line_width: f64,
    /// Text parameters.
    text: TextState,
}

impl GState {
    /// The initial state for a content stream drawn with `ctm`.
    fn new(ctm: Matrix) -> GState {
        GState {
            ctm,
            fill: Paint::black(),
            stroke: Paint::black(),
            line_width: 1.0,
            text: TextState {
                font: None,
                size: 0.0,
                char_spacing: 0.0,
                word_spacing: 0.0,
                scale: 1.0,
                leading: 0.0,
                rise: 0.0,
                render: 0,
            },
        }
    }
}

/// State local to one content stream.
struct Frame<'a> {
    /// The stream's resources.
    res: Option<&'a Dictionary>,
    /// Where the stream comes from, for findings.
    location: String,
    /// The CTM at the start of the stream (pattern space).
    base: Matrix,
    /// Saved graphics states (q/Q).
    stack: Vec<GState>,
    /// Bounding box of the path under construction, in page space.
    path: Option<Rect>,
    /// Text matrix.
    tm: Matrix,
    /// Text line matrix.
    tlm: Matrix,
}

impl Frame<'_> {
    /// Adds points (in user space) to the current path's bounding box.
    fn extend_path(&mut self, ctm: Matrix, points: &[(f64, f64)]) {
        for &(x, y) in points {
            let (x, y) = ctm.apply(x, y);
            let p = Rect::point(x, y);
            self.path = Some(self.path.map_or(p, |r| r.union(&p)));
        }
    }
}

/// Interprets content streams of one page and records what they paint.
struct Walker<'a, 'b> {
    /// The document.
    doc: &'a Document,
    /// The limits.
    rules: &'a Rules,
    /// The page's measurements.
    facts: &'b mut PageFacts,
    /// Document-wide collections.
    out: &'b mut Collector,
    /// The page's merged findings.
    notes: &'b mut PageNotes,
    /// The trim, in page space.
    trim: Rect,
    /// The area that prints (the bleed box); marks beyond it are not checked.
    live: Rect,
    /// Required text clearance per side, in mm.
    safety: Sides,
    /// Forms being interpreted (cycle guard).
    forms: Vec<ObjectId>,
    /// Tiling patterns and Type3 fonts already interpreted on this page.
    done: HashSet<ObjectId>,
    /// Inside a Type3 glyph procedure: only colour is recorded.
    glyph: bool,
}

impl<'a, 'b> Walker<'a, 'b> {
    /// A walker for one page.
    fn new(
        doc: &'a Document,
        rules: &'a Rules,
        facts: &'b mut PageFacts,
        out: &'b mut Collector,
        notes: &'b mut PageNotes,
        gutter: f64,
    ) -> Walker<'a, 'b> {
        let visible = facts.crop.unwrap_or(facts.media);
        let trim = facts.trim.unwrap_or(visible);
        let live = facts.bleed_box.unwrap_or(visible);
        let s = rules.min_safety_mm;
        let safety = Sides {
            top: s,
            bottom: s,
            outside: s,
            inside: gutter,
        };
        Walker {
            doc,
            rules,
            facts,
            out,
            notes,
            trim,
            live,
            safety,
            forms: Vec::new(),
            done: HashSet::new(),
            glyph: false,
        }
    }

    /// Records a merged finding for this page.
    fn note(
        &mut self,
        key: String,
        metric: f64,
        severity: Severity,
        rule: &'static str,
        object: &str,
        message: String,
    ) {
        let finding = finding(severity, rule, self.facts.page, object, message);
        self.notes.note(key, metric, finding);
    }

    /// Interprets one content stream.
    fn run(
        &mut self,
        content: &[u8],
        res: Option<&'a Dictionary>,
        gs: &mut GState,
        location: &str,
    ) {
        let operations = match Content::decode(content) {
            Ok(content) => content.operations,
            Err(e) => {
                let message = format!(
                    "content stream could not be parsed completely ({e}); later operators were not checked"
                );
                self.note(
                    format!("parse|{location}"),
                    0.0,
                    Severity::Warn,
                    "content",
                    location,
                    message,
                );
                Content::decode_iter(content)
                    .map_while(Result::ok)
                    .collect()
            }
        };
        let mut frame = Frame {
            res,
            location: location.to_string(),
            base: gs.ctm,
            stack: Vec::new(),
            path: None,
            tm: Matrix::IDENTITY,
            tlm: Matrix::IDENTITY,
        };
        for op in &operations {
            self.operation(op, gs, &mut frame);
        }
    }

    /// Dispatches one operator.
    fn operation(&mut self, op: &Operation, gs: &mut GState, f: &mut Frame<'a>) {
        let o = &op.operands;
        let n = |i: usize| o.get(i).and_then(num).unwrap_or(0.0);
        match op.operator.as_str() {
            "q" => f.stack.push(gs.clone()),
            "Q" => {
                if let Some(saved) = f.stack.pop() {
                    *gs = saved;
                }
            }
            "cm" => {
                if let Some(m) = Matrix::from_numbers(o) {
                    gs.ctm = m.then(gs.ctm);
                }
            }
            "w" => gs.line_width = n(0),
            "gs" => self.ext_gstate(o, gs, f),
            "m" | "l" => f.extend_path(gs.ctm, &[(n(0), n(1))]),
            "c" => f.extend_path(gs.ctm, &[(n(0), n(1)), (n(2), n(3)), (n(4), n(5))]),
            "v" | "y" => f.extend_path(gs.ctm, &[(n(0), n(1)), (n(2), n(3))]),
            "re" => {
                let (x, y, w, h) = (n(0), n(1), n(2), n(3));
                f.extend_path(gs.ctm, &[(x, y), (x + w, y), (x, y + h), (x + w, y + h)]);
            }
            "S" | "s" => {
                self.stroke(gs, f);
                f.path = None;
            }
            "f" | "F" | "f*" => {
                self.fill(gs, f);
                f.path = None;
            }
            "B" | "B*" | "b" | "b*" => {
                self.fill(gs, f);
                self.stroke(gs, f);
                f.path = None;
            }
            "n" => f.path = None,
            "sh" => self.shading(o, f),
            "Do" => self.x_object(o, gs, f),
            "BI" => {
                if let Some(Object::Stream(image)) = o.first() {
                    self.image(&image.dict, "inline image".into(), gs, f);
                }
            }
            _ => {
                if !self.colour_op(op, gs, f) {
                    self.text_op(op, gs, f);
                }
            }
        }
    }

    /// Colour operators; returns whether `op` was one.
    fn colour_op(&mut self, op: &Operation, gs: &mut GState, f: &Frame<'a>) -> bool {
        let o = &op.operands;
        let nums: Vec<f64> = o.iter().filter_map(num).collect();
        let device = |space: Space, op: &'static str| Paint {
            space,
            comps: nums.clone(),
            op,
            pattern: None,
        };
        match op.operator.as_str() {
            "g" => gs.fill = device(Space::Gray, "g"),
            "G" => gs.stroke = device(Space::Gray, "G"),
            "rg" => gs.fill = device(Space::Rgb, "rg"),
            "RG" => gs.stroke = device(Space::Rgb, "RG"),
            "k" => gs.fill = device(Space::Cmyk, "k"),
            "K" => gs.stroke = device(Space::Cmyk, "K"),
            "cs" | "CS" => {
                let space = self.resolve_space(o.first(), f.res);
                let stroking = op.operator == "CS";
                let paint = Paint {
                    comps: space.initial(),
                    space,
                    op: if stroking { "CS" } else { "cs" },
                    pattern: None,
                };
                if stroking {
                    gs.stroke = paint;
                } else {
                    gs.fill = paint;
                }
            }
            "sc" | "scn" | "SC" | "SCN" => {
                let (paint, name) = match op.operator.as_str() {
                    "sc" => (&mut gs.fill, "sc"),
                    "scn" => (&mut gs.fill, "scn"),
                    "SC" => (&mut gs.stroke, "SC"),
                    _ => (&mut gs.stroke, "SCN"),
                };
                paint.comps = nums;
                paint.op = name;
                paint.pattern = o.last().and_then(name_of).map(<[u8]>::to_vec);
            }
            _ => return false,
        }
        true
    }

    /// A colour space operand: a device name or a /ColorSpace resource.
    fn resolve_space(&self, operand: Option<&Object>, res: Option<&'a Dictionary>) -> Space {
        let Some(name) = operand.and_then(name_of) else {
            return Space::Unknown("(missing)".into());
        };
        if let Some(space) = device_space(name) {
            return space;
        }
        let resource = res
            .and_then(|r| get_dict(self.doc, r, b"ColorSpace"))
            .and_then(|cs| get(self.doc, cs, name));
        match resource {
            Some(object) => parse_space(self.doc, object, 0),
            None => match name {
                b"Indexed" | b"I" => Space::Unknown("Indexed".into()),
                _ => Space::Unknown(format!("/{} (undefined)", lossy(name))),
            },
        }
    }

    /// Whether the current path prints (touches the bleed box); marks in the slug do not.
    fn path_prints(&self, f: &Frame<'a>) -> bool {
        f.path.is_none_or(|p| touches(&p, &self.live))
    }

    /// A fill of the current path.
    fn fill(&mut self, gs: &GState, f: &Frame<'a>) {
        if self.path_prints(f) {
            self.use_paint(&gs.fill, "fill", f);
        }
    }

    /// A stroke of the current path: colour, ink and line width.
    fn stroke(&mut self, gs: &GState, f: &Frame<'a>) {
        if !self.path_prints(f) {
            return;
        }
        self.use_paint(&gs.stroke, "stroke", f);
        if self.glyph {
            return;
        }
        let width = gs.line_width * gs.ctm.scale();
        let thinnest = self
            .facts
            .thinnest_stroke_pt
            .map_or(width, |t| t.min(width));
        self.facts.thinnest_stroke_pt = Some(thinnest);
        let inks = gs.stroke.space.inks(&gs.stroke.comps);
        let colour = gs.stroke.describe();
        if width < self.rules.min_stroke_pt {
            let what = if width == 0.0 {
                "0 pt (device hairline)".to_string()
            } else {
                format!("{width:.2} pt")
            };
            let message = format!(
                "{what} stroke in {colour}; strokes under {} pt may not print",
                self.rules.min_stroke_pt
            );
            self.note(
                "hairline".into(),
                width,
                Severity::Fail,
                "strokes",
                &f.location.clone(),
                message,
            );
        } else if width < self.rules.min_multi_ink_stroke_pt && inks.count() > 1 {
            let message = format!(
                "{width:.2} pt stroke in {} inks ({colour}); thin rules in more than one ink suffer from misregistration",
                inks.count()
            );
            self.note(
                format!("thin-multi|{colour}"),
                width,
                Severity::Warn,
                "strokes",
                &f.location.clone(),
                message,
            );
        }
    }

    /// Records a painted colour: its space, RGB use and total ink.
    fn use_paint(&mut self, paint: &Paint, what: &str, f: &Frame<'a>) {
        if matches!(paint.space, Space::Pattern(_)) {
            self.pattern(paint, f);
        }
        self.record_space(&paint.space, what, Some(paint.op), &f.location);
        let Some(total) = paint.space.inks(&paint.comps).total() else {
            return;
        };
        self.facts.max_ink = Some(self.facts.max_ink.map_or(total, |m| m.max(total)));
        if total > self.rules.max_total_ink + 0.5 {
            let message = format!(
                "{total:.0} % total ink ({}) for {what} exceeds {:.0} %",
                paint.describe(),
                self.rules.max_total_ink
            );
            self.note(
                format!("ink|{}", f.location),
                -total,
                Severity::Fail,
                "ink",
                &f.location.clone(),
                message,
            );
        }
    }

    /// Records a colour space in use and reports non-CMYK colour.
    fn record_space(&mut self, space: &Space, what: &str, op: Option<&str>, location: &str) {
        let label = space.label();
        self.facts.colour_spaces.insert(label.clone());
        let kind = if space.is_rgb() {
            Some("RGB")
        } else if space.is_lab() {
            Some("Lab")
        } else if space.alternate_not_cmyk() {
            Some("spot colour with an RGB or Lab alternate")
        } else {
            None
        };
        let set_by = op.map(|o| format!(", set by {o}")).unwrap_or_default();
        if let Some(kind) = kind {
            let severity = if self.rules.cmyk_only {
                Severity::Fail
            } else {
                Severity::Warn
            };
            let message = format!("{kind} colour ({label}{set_by}) used for {what}");
            self.note(
                format!("colour|{location}|{label}|{what}"),
                0.0,
                severity,
                "colour",
                location,
                message,
            );
        }
        if self.rules.pdfx == Some(PdfxLevel::X1a) && space.is_cie_based() {
            let message = format!(
                "{label} is CIE-based colour; PDF/X-1a allows only CMYK, grey and spot colour"
            );
            self.note(
                format!("x1a|{location}|{label}"),
                0.0,
                Severity::Fail,
                "pdfx",
                location,
                message,
            );
        }
        if let Space::Separation(name, _) = space
            && !matches!(
                name.as_str(),
                "All" | "None" | "Cyan" | "Magenta" | "Yellow" | "Black"
            )
        {
            let message = format!("spot colour /{name} adds a printing plate");
            self.note(
                format!("spot|{name}"),
                0.0,
                Severity::Warn,
                "colour",
                location,
                message,
            );
        }
    }

    /// The blending space of a transparency group.
    fn group_space(&mut self, group: &'a Dictionary, location: &str) {
        if get(self.doc, group, b"S").and_then(name_of) != Some(b"Transparency".as_slice()) {
            return;
        }
        let Some(cs) = get(self.doc, group, b"CS") else {
            return;
        };
        let space = parse_space(self.doc, cs, 0);
        self.facts.colour_spaces.insert(space.label());
        if space.is_rgb() && self.rules.cmyk_only {
            let message = format!(
                "transparency group blends in {}; a CMYK job should blend in CMYK",
                space.label()
            );
            self.note(
                format!("blend|{location}"),
                0.0,
                Severity::Warn,
                "blend-space",
                location,
                message,
            );
        }
    }
}

/// Whether two rectangles touch or overlap (edges included).
fn touches(a: &Rect, b: &Rect) -> bool {
    a.x0 <= b.x1 && b.x0 <= a.x1 && a.y0 <= b.y1 && b.y0 <= a.y1
}

impl<'a> Walker<'a, '_> {
    /// Text state, positioning and showing operators.
    fn text_op(&mut self, op: &Operation, gs: &mut GState, f: &mut Frame<'a>) {
        let o = &op.operands;
        let n = |i: usize| o.get(i).and_then(num).unwrap_or(0.0);
        let t = &mut gs.text;
        match op.operator.as_str() {
            "BT" => {
                f.tm = Matrix::IDENTITY;
                f.tlm = Matrix::IDENTITY;
            }
            "Tf" => {
                t.size = n(1);
                t.font = Some(self.font(o.first(), f.res));
                self.type3_glyphs(gs, f);
            }
            "Tc" => t.char_spacing = n(0),
            "Tw" => t.word_spacing = n(0),
            "Tz" => t.scale = n(0) / 100.0,
            "TL" => t.leading = n(0),
            "Ts" => t.rise = n(0),
            "Tr" => t.render = n(0) as i64,
            "Td" | "TD" => {
                if op.operator == "TD" {
                    t.leading = -n(1);
                }
                f.tlm = Matrix::translate(n(0), n(1)).then(f.tlm);
                f.tm = f.tlm;
            }
            "Tm" => {
                if let Some(m) = Matrix::from_numbers(o) {
                    f.tlm = m;
                    f.tm = m;
                }
            }
            "T*" => next_line(gs, f),
            "Tj" => self.show_text(o.get(..1).unwrap_or_default(), gs, f),
            "'" => {
                next_line(gs, f);
                self.show_text(o.get(..1).unwrap_or_default(), gs, f);
            }
            "\"" => {
                t.word_spacing = n(0);
                t.char_spacing = n(1);
                next_line(gs, f);
                self.show_text(o.get(2..3).unwrap_or_default(), gs, f);
            }
            "TJ" => {
                if let Some(Object::Array(items)) = o.first() {
                    self.show_text(items, gs, f);
                }
            }
            _ => {}
        }
    }

    /// Metrics of a font resource, cached per font dictionary.
    fn font(&mut self, operand: Option<&Object>, res: Option<&'a Dictionary>) -> Rc<FontMetrics> {
        let fonts = res.and_then(|r| get_dict(self.doc, r, b"Font"));
        let Some(raw) = fonts
            .zip(operand.and_then(name_of))
            .and_then(|(d, n)| d.get(n).ok())
        else {
            return Rc::new(FontMetrics::fallback());
        };
        let id = raw.as_reference().ok();
        if let Some(cached) = id.and_then(|i| self.out.metrics.get(&i)) {
            return Rc::clone(cached);
        }
        let Some(dict) = as_dict(deref(self.doc, raw)) else {
            return Rc::new(FontMetrics::fallback());
        };
        let metrics = Rc::new(FontMetrics::load(self.doc, dict, id));
        if let Some(i) = id {
            self.out.metrics.insert(i, Rc::clone(&metrics));
        }
        metrics
    }

    /// Interprets a Type3 font's glyph procedures once per page, for the colours they use.
    fn type3_glyphs(&mut self, gs: &GState, f: &Frame<'a>) {
        let Some(id) = gs.text.font.as_ref().and_then(|m| m.type3) else {
            return;
        };
        if !self.done.insert(id) || self.forms.len() > MAX_DEPTH {
            return;
        }
        let Ok(font) = self.doc.get_dictionary(id) else {
            return;
        };
        let res = get_dict(self.doc, font, b"Resources").or(f.res);
        let location = format!("Type3 font {} {} R", id.0, id.1);
        let procs = get_dict(self.doc, font, b"CharProcs");
        let was_glyph = std::mem::replace(&mut self.glyph, true);
        self.forms.push(id);
        for (_, proc_) in procs.into_iter().flat_map(|d| d.iter()) {
            if let Object::Stream(stream) = deref(self.doc, proc_) {
                let mut inner = gs.clone();
                self.run(&stream_bytes(stream), res, &mut inner, &location);
            }
        }
        self.forms.pop();
        self.glyph = was_glyph;
    }

    /// Shows text: advances the text matrix and records size, colour, inks and position.
    fn show_text(&mut self, items: &[Object], gs: &GState, f: &mut Frame<'a>) {
        let t = &gs.text;
        let metrics = t
            .font
            .clone()
            .unwrap_or_else(|| Rc::new(FontMetrics::fallback()));
        let mut advance = 0.0;
        let mut glyphs = 0usize;
        for item in items {
            match item {
                Object::String(bytes, _) => {
                    for code in metrics.codes(bytes) {
                        let word = if !metrics.two_byte && code == 32 {
                            t.word_spacing
                        } else {
                            0.0
                        };
                        advance += (metrics.width(code) * t.size + t.char_spacing + word) * t.scale;
                        glyphs += 1;
                    }
                }
                other => advance -= num(other).unwrap_or(0.0) / 1000.0 * t.size * t.scale,
            }
        }
        let trm = f.tm.then(gs.ctm);
        let (lo, hi) = (
            t.rise + metrics.descent * t.size,
            t.rise + metrics.ascent * t.size,
        );
        let bbox = trm.map_rect(0.0, lo, advance, hi);
        f.tm = Matrix::translate(advance, 0.0).then(f.tm);
        if glyphs == 0 || matches!(t.render, 3 | 7) || !touches(&bbox, &self.live) {
            return;
        }
        let fills = matches!(t.render, 0 | 2 | 4 | 6);
        let strokes = matches!(t.render, 1 | 2 | 5 | 6);
        let paint = if fills { &gs.fill } else { &gs.stroke };
        self.use_paint(paint, "text", f);
        if strokes && fills {
            self.use_paint(&gs.stroke, "text outline", f);
        }
        if self.glyph {
            return;
        }
        if fills && !matches!(paint.space, Space::Pattern(_)) {
            *self.out.text_glyphs.entry(paint.describe()).or_default() += glyphs as f64;
        }
        let size = t.size.abs() * metrics.size_factor * trm.y_scale();
        self.text_checks(paint, size, bbox, f);
    }

    /// Size, ink and trim-distance checks for one run of text.
    fn text_checks(&mut self, paint: &Paint, size: f64, bbox: Rect, f: &Frame<'a>) {
        let smallest = self.facts.smallest_text_pt.map_or(size, |s| s.min(size));
        self.facts.smallest_text_pt = Some(smallest);
        let location = f.location.clone();
        let inks = paint.space.inks(&paint.comps);
        let colour = paint.describe();
        if size < self.rules.min_multi_ink_text_pt && inks.count() > 1 {
            let message = format!(
                "{size:.1} pt text in {} inks ({colour}); type under {} pt should print in one ink to avoid misregistration",
                inks.count(),
                self.rules.min_multi_ink_text_pt
            );
            self.note(
                format!("misregistration|{colour}"),
                size,
                Severity::Warn,
                "small-text",
                &location,
                message,
            );
        }
        if size < self.rules.min_text_pt {
            let message = format!(
                "{size:.1} pt text is smaller than {} pt",
                self.rules.min_text_pt
            );
            self.note(
                "tiny-text".into(),
                size,
                Severity::Warn,
                "small-text",
                &location,
                message,
            );
        }
        if !touches(&bbox, &self.trim) {
            return;
        }
        let clearance = Sides::between(&self.trim, &bbox, self.facts.recto);
        let merged = self
            .facts
            .text_clearance
            .map_or(clearance, |c| c.min(&clearance));
        self.facts.text_clearance = Some(merged);
        for ((side, have), (_, need)) in clearance.named().into_iter().zip(self.safety.named()) {
            if have >= need - 0.05 {
                continue;
            }
            let message = if have < 0.0 {
                format!("text crosses the {side} trim by {:.1} mm", -have)
            } else {
                format!("text {have:.1} mm from the {side} trim (safety margin {need:.1} mm)")
            };
            self.note(
                format!("safety|{side}"),
                have,
                Severity::Fail,
                "safety",
                &location,
                message,
            );
        }
    }

    /// `gs`: line width, font, transparency and transfer functions of an ExtGState.
    fn ext_gstate(&mut self, o: &[Object], gs: &mut GState, f: &Frame<'a>) {
        let Some(name) = o.first().and_then(name_of) else {
            return;
        };
        let states = f.res.and_then(|r| get_dict(self.doc, r, b"ExtGState"));
        let Some(raw) = states.and_then(|s| s.get(name).ok()) else {
            return;
        };
        let Some(dict) = as_dict(deref(self.doc, raw)) else {
            return;
        };
        let object = describe_object("ExtGState", name, raw);
        if let Some(width) = get(self.doc, dict, b"LW").and_then(num) {
            gs.line_width = width;
        }
        if let Some(Object::Array(font)) = get(self.doc, dict, b"Font") {
            gs.text.size = font.get(1).and_then(num).unwrap_or(gs.text.size);
            if let Some(id) = font.first().and_then(|o| o.as_reference().ok())
                && let Ok(d) = self.doc.get_dictionary(id)
            {
                gs.text.font = Some(Rc::new(FontMetrics::load(self.doc, d, Some(id))));
            }
        }
        self.transparency(dict, &object, f);
    }

    /// Reports the transparency and transfer settings of an ExtGState.
    fn transparency(&mut self, dict: &Dictionary, object: &str, f: &Frame<'a>) {
        let doc = self.doc;
        let mut reasons = Vec::new();
        for (key, what) in [
            (b"CA".as_slice(), "stroke opacity"),
            (b"ca".as_slice(), "fill opacity"),
        ] {
            if let Some(alpha) = get(doc, dict, key).and_then(num).filter(|a| *a < 0.999) {
                reasons.push(format!("{what} {:.0} % (/{})", alpha * 100.0, lossy(key)));
            }
        }
        match get(doc, dict, b"SMask") {
            None => {}
            Some(Object::Name(n)) if n == b"None" => {}
            Some(_) => reasons.push("soft mask (/SMask)".to_string()),
        }
        let modes: Vec<String> = match get(doc, dict, b"BM") {
            Some(Object::Name(n)) => vec![lossy(n)],
            Some(Object::Array(items)) => items.iter().filter_map(name_of).map(lossy).collect(),
            _ => Vec::new(),
        };
        if let Some(mode) = modes.iter().find(|m| *m != "Normal" && *m != "Compatible") {
            reasons.push(format!("blend mode /{mode}"));
        }
        let transfer =
            [b"TR".as_slice(), b"TR2".as_slice()]
                .iter()
                .any(|k| match get(doc, dict, k) {
                    None => false,
                    Some(Object::Name(n)) => n != b"Identity" && n != b"Default",
                    Some(_) => true,
                });
        if transfer && self.rules.pdfx.is_some() {
            let message = "transfer function in the graphics state; PDF/X forbids them".to_string();
            self.note(
                format!("transfer|{object}"),
                0.0,
                Severity::Fail,
                "pdfx",
                object,
                message,
            );
        }
        if reasons.is_empty() || self.glyph {
            return;
        }
        self.facts.transparency = true;
        let message = format!(
            "live transparency: {} in {}",
            reasons.join(", "),
            f.location
        );
        self.note(
            format!("transparency|{object}"),
            0.0,
            self.rules.transparency,
            "transparency",
            object,
            message,
        );
    }

    /// `sh`: a shading painted into the clip.
    fn shading(&mut self, o: &[Object], f: &Frame<'a>) {
        let Some(name) = o.first().and_then(name_of) else {
            return;
        };
        let shadings = f.res.and_then(|r| get_dict(self.doc, r, b"Shading"));
        let Some(raw) = shadings.and_then(|s| s.get(name).ok()) else {
            return;
        };
        let Some(dict) = as_dict(deref(self.doc, raw)) else {
            return;
        };
        let object = describe_object("shading", name, raw);
        if let Some(cs) = get(self.doc, dict, b"ColorSpace") {
            let space = parse_space(self.doc, cs, 0);
            self.record_space(&space, "shading", None, &object);
        }
    }

    /// The contents of a pattern used as a colour.
    fn pattern(&mut self, paint: &Paint, f: &Frame<'a>) {
        let patterns = f.res.and_then(|r| get_dict(self.doc, r, b"Pattern"));
        let Some(name) = paint.pattern.as_deref() else {
            return;
        };
        let Some(raw) = patterns.and_then(|p| p.get(name).ok()) else {
            return;
        };
        let object = describe_object("pattern", name, raw);
        match deref(self.doc, raw) {
            Object::Stream(stream) => {
                self.tiling(stream, raw.as_reference().ok(), paint, &object, f)
            }
            Object::Dictionary(dict) => {
                if let Some(cs) = get_dict(self.doc, dict, b"Shading")
                    .and_then(|s| get(self.doc, s, b"ColorSpace"))
                {
                    let space = parse_space(self.doc, cs, 0);
                    self.record_space(&space, "shading pattern", None, &object);
                }
                if let Some(state) = get_dict(self.doc, dict, b"ExtGState") {
                    self.transparency(state, &object, f);
                }
            }
            _ => {}
        }
    }

    /// Interprets a tiling pattern's cell once per page.
    fn tiling(
        &mut self,
        stream: &'a Stream,
        id: Option<ObjectId>,
        paint: &Paint,
        object: &str,
        f: &Frame<'a>,
    ) {
        if id.is_some_and(|i| !self.done.insert(i)) || self.forms.len() > MAX_DEPTH {
            return;
        }
        let doc = self.doc;
        let matrix = get(doc, &stream.dict, b"Matrix")
            .and_then(|m| m.as_array().ok())
            .and_then(|a| Matrix::from_numbers(a));
        let mut inner = GState::new(matrix.unwrap_or(Matrix::IDENTITY).then(f.base));
        if get(doc, &stream.dict, b"PaintType").and_then(num) == Some(2.0)
            && let Space::Pattern(Some(base)) = &paint.space
        {
            let under = Paint {
                space: (**base).clone(),
                comps: paint.comps.clone(),
                op: paint.op,
                pattern: None,
            };
            inner.fill = under.clone();
            inner.stroke = under;
        }
        let res = get_dict(doc, &stream.dict, b"Resources").or(f.res);
        self.forms.push(id.unwrap_or((0, 0)));
        self.run(&stream_bytes(stream), res, &mut inner, object);
        self.forms.pop();
    }

    /// `Do`: a form or image XObject.
    fn x_object(&mut self, o: &[Object], gs: &GState, f: &Frame<'a>) {
        let Some(name) = o.first().and_then(name_of) else {
            return;
        };
        let objects = f.res.and_then(|r| get_dict(self.doc, r, b"XObject"));
        let Some(raw) = objects.and_then(|x| x.get(name).ok()) else {
            return;
        };
        let Object::Stream(stream) = deref(self.doc, raw) else {
            return;
        };
        let subtype = get(self.doc, &stream.dict, b"Subtype")
            .and_then(name_of)
            .unwrap_or_default();
        match subtype {
            b"Image" => self.image(&stream.dict, describe_object("image", name, raw), gs, f),
            b"Form" => self.form(
                stream,
                raw.as_reference().ok(),
                describe_object("form", name, raw),
                gs,
                f,
            ),
            b"PS" => {
                let object = describe_object("PostScript XObject", name, raw);
                let message =
                    "PostScript XObject; print files must not carry PostScript".to_string();
                self.note(
                    format!("ps|{object}"),
                    0.0,
                    Severity::Fail,
                    "content",
                    &object,
                    message,
                );
            }
            _ => {}
        }
    }

    /// Interprets a form XObject with its matrix and resources.
    fn form(
        &mut self,
        stream: &'a Stream,
        id: Option<ObjectId>,
        object: String,
        gs: &GState,
        f: &Frame<'a>,
    ) {
        let key = id.unwrap_or((0, 0));
        if self.forms.len() > MAX_DEPTH || (id.is_some() && self.forms.contains(&key)) {
            return;
        }
        let doc = self.doc;
        if let Some(group) = get_dict(doc, &stream.dict, b"Group") {
            self.group_space(group, &object);
        }
        let matrix = get(doc, &stream.dict, b"Matrix")
            .and_then(|m| m.as_array().ok())
            .and_then(|a| Matrix::from_numbers(a));
        let mut inner = gs.clone();
        inner.ctm = matrix.unwrap_or(Matrix::IDENTITY).then(gs.ctm);
        let res = get_dict(doc, &stream.dict, b"Resources").or(f.res);
        self.forms.push(key);
        self.run(&stream_bytes(stream), res, &mut inner, &object);
        self.forms.pop();
    }

    /// An image placement: effective resolution, colour space, soft mask.
    fn image(&mut self, dict: &Dictionary, object: String, gs: &GState, f: &Frame<'a>) {
        let doc = self.doc;
        let value =
            |short: &[u8], long: &[u8]| get(doc, dict, long).or_else(|| get(doc, dict, short));
        let int = |short: &[u8], long: &[u8]| {
            value(short, long).and_then(num).unwrap_or(0.0).max(0.0) as u64
        };
        let (width, height) = (int(b"W", b"Width"), int(b"H", b"Height"));
        let mask = value(b"IM", b"ImageMask")
            .and_then(|b| b.as_bool().ok())
            .unwrap_or(false);
        let bits = if mask {
            1
        } else {
            int(b"BPC", b"BitsPerComponent")
        };
        let space = match value(b"CS", b"ColorSpace") {
            Some(Object::Name(n)) if device_space(n).is_none() => {
                self.resolve_space(Some(&Object::Name(n.clone())), f.res)
            }
            Some(cs) => parse_space(doc, cs, 0),
            None => Space::Unknown(if mask {
                "stencil mask".into()
            } else {
                "(JPX internal)".into()
            }),
        };
        let placed_w = gs.ctm.x_scale() / 72.0;
        let placed_h = gs.ctm.y_scale() / 72.0;
        let ppi = (width as f64 / placed_w.max(1e-9)).min(height as f64 / placed_h.max(1e-9));
        let soft_mask = get(doc, dict, b"SMask").is_some()
            || get(doc, dict, b"SMaskInData").and_then(num).unwrap_or(0.0) > 0.0;
        if self.glyph {
            self.record_space(&space, "image", None, &object);
            return;
        }
        if mask {
            self.use_paint(&gs.fill, "stencil mask", f);
        } else {
            self.record_space(&space, "image", None, &object);
        }
        self.facts.min_ppi = Some(self.facts.min_ppi.map_or(ppi, |p| p.min(ppi)));
        let fact = ImageFact {
            page: self.facts.page,
            object: object.clone(),
            width,
            height,
            bits,
            colour_space: space.label(),
            ppi,
            soft_mask,
        };
        self.out.images.push(fact);
        let line_art = bits == 1;
        let (warn, fail) = if line_art {
            (
                self.rules.min_line_art_ppi,
                self.rules.min_line_art_ppi / 2.0,
            )
        } else {
            (self.rules.min_ppi, self.rules.fail_ppi)
        };
        if ppi < warn {
            let severity = if ppi < fail {
                Severity::Fail
            } else {
                Severity::Warn
            };
            let message = format!(
                "{width} × {height} px image at {ppi:.0} ppi effective (minimum {warn:.0} ppi)"
            );
            self.note(
                format!("ppi|{object}"),
                ppi,
                severity,
                "images",
                &object,
                message,
            );
        }
        if soft_mask {
            self.facts.transparency = true;
            let message = "soft-masked image (alpha channel): live transparency".to_string();
            self.note(
                format!("transparency|{object}"),
                0.0,
                self.rules.transparency,
                "transparency",
                &object,
                message,
            );
        }
    }
}

/// Moves to the next text line (T*).
fn next_line(gs: &GState, f: &mut Frame<'_>) {
    f.tlm = Matrix::translate(0.0, -gs.text.leading).then(f.tlm);
    f.tm = f.tlm;
}

/// "form /Fm1 (12 0 R)" for a resource.
fn describe_object(kind: &str, name: &[u8], raw: &Object) -> String {
    match raw.as_reference() {
        Ok(id) => format!("{kind} /{} ({} {} R)", lossy(name), id.0, id.1),
        Err(_) => format!("{kind} /{}", lossy(name)),
    }
}

impl Report {
    /// Whether nothing failed.
    pub fn passed(&self) -> bool {
        !self.findings.iter().any(|f| f.severity == Severity::Fail)
    }

    /// Number of findings of one severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// Findings of one rule.
    pub fn by_rule(&self, rule: &str) -> Vec<&Finding> {
        self.findings.iter().filter(|f| f.rule == rule).collect()
    }

    /// Pages with at least one finding of `rule` at `severity` or worse.
    pub fn pages_with(&self, rule: &str, severity: Severity) -> BTreeSet<usize> {
        self.findings
            .iter()
            .filter(|f| f.rule == rule && f.severity >= severity)
            .filter_map(|f| f.page)
            .collect()
    }

    /// A plain-text preflight report: summary, boxes, fonts, colour, images and grouped findings.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let verdict = if self.passed() { "PASSED" } else { "FAILED" };
        let _ = writeln!(s, "PREFLIGHT REPORT — profile: {}", self.profile);
        let _ = writeln!(
            s,
            "Result: {verdict}   {} FAIL, {} WARN, {} INFO   Pages: {}",
            self.count(Severity::Fail),
            self.count(Severity::Warn),
            self.count(Severity::Info),
            self.pages
        );
        self.write_document(&mut s);
        self.write_boxes(&mut s);
        self.write_fonts(&mut s);
        self.write_colour(&mut s);
        self.write_images(&mut s);
        self.write_measures(&mut s);
        self.write_findings(&mut s);
        s
    }

    /// Every finding, one per line.
    pub fn details(&self) -> String {
        let mut s = String::new();
        for f in &self.findings {
            let page = f
                .page
                .map_or_else(|| "doc".to_string(), |p| format!("p.{p}"));
            let object = f
                .object
                .as_deref()
                .map(|o| format!("{o}: "))
                .unwrap_or_default();
            let _ = writeln!(
                s,
                "{}  {page:<6} {:<13} {object}{}",
                f.severity.label(),
                f.rule,
                f.message
            );
        }
        s
    }

    /// Document identification lines.
    fn write_document(&self, s: &mut String) {
        let x = &self.pdfx;
        let none = || "none".to_string();
        let version = match &x.catalog_version {
            Some(v) => format!("{} (catalog /Version {v})", x.header_version),
            None => x.header_version.clone(),
        };
        let intents: Vec<String> = x
            .output_intents
            .iter()
            .map(|i| {
                format!(
                    "/{} {}",
                    i.subtype,
                    i.identifier.clone().unwrap_or_else(|| "?".into())
                )
            })
            .collect();
        let _ = writeln!(s, "\nDOCUMENT");
        let _ = writeln!(s, "  PDF version        {version}");
        let _ = writeln!(
            s,
            "  PDF/X version      Info: {}   XMP: {}",
            x.info_version.clone().unwrap_or_else(none),
            x.xmp_version.clone().unwrap_or_else(none)
        );
        let intents = if intents.is_empty() {
            none()
        } else {
            intents.join(", ")
        };
        let _ = writeln!(s, "  Output intent      {intents}");
        let _ = writeln!(
            s,
            "  Trapped            Info: {}   XMP: {}",
            x.info_trapped.clone().unwrap_or_else(|| "missing".into()),
            x.xmp_trapped.clone().unwrap_or_else(|| "missing".into())
        );
        let yes = |b: bool| if b { "yes" } else { "no" };
        let _ = writeln!(
            s,
            "  XMP metadata       {}   Trailer /ID: {}   Encrypted: {}",
            yes(x.xmp),
            yes(x.has_id),
            yes(x.encrypted)
        );
    }

    /// Page boxes grouped by identical geometry.
    fn write_boxes(&self, s: &mut String) {
        let _ = writeln!(
            s,
            "\nPAGE BOXES (mm; bleed and slug as top/bottom/outside/inside)"
        );
        let _ = writeln!(
            s,
            "  {:<22} {:<6} {:<14} {:<14} {:<14} {:<20} Slug",
            "Pages", "Side", "Media", "Trim", "Bleed box", "Bleed"
        );
        let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for p in &self.page_facts {
            let side = if p.recto { "recto" } else { "verso" };
            let size = |r: Option<Rect>| r.map_or_else(|| "missing".to_string(), |r| r.size_mm());
            let row = format!(
                "{side:<6} {:<14} {:<14} {:<14} {:<20} {:<20}",
                p.media.size_mm(),
                size(p.trim),
                size(p.bleed_box),
                p.bleed.short(),
                p.slug.short()
            );
            groups.entry(row).or_default().push(p.page);
        }
        let mut rows: Vec<(Vec<usize>, String)> = groups
            .into_iter()
            .map(|(row, pages)| (pages, row))
            .collect();
        rows.sort();
        for (pages, row) in rows {
            let _ = writeln!(
                s,
                "  {:<22} {}",
                clip(&page_set(&pages), 22),
                row.trim_end()
            );
        }
    }

    /// The font list.
    fn write_fonts(&self, s: &mut String) {
        let _ = writeln!(s, "\nFONTS ({})", self.fonts.len());
        let _ = writeln!(
            s,
            "  {:<40} {:<20} {:<9} {:<7} Pages",
            "Name", "Type", "Embedded", "Subset"
        );
        for f in &self.fonts {
            let yes = |b: bool| if b { "yes" } else { "NO" };
            let pages = clip(&page_ranges(f.pages.iter().copied()), 40);
            let _ = writeln!(
                s,
                "  {:<40} {:<20} {:<9} {:<7} {pages}",
                clip(&f.name, 40),
                f.kind,
                yes(f.embedded),
                yes(f.subset)
            );
        }
    }

    /// Colour spaces with the pages that use them, and text colours.
    fn write_colour(&self, s: &mut String) {
        let mut spaces: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for p in &self.page_facts {
            for space in &p.colour_spaces {
                spaces.entry(space.as_str()).or_default().push(p.page);
            }
        }
        let _ = writeln!(s, "\nCOLOUR SPACES");
        for (space, pages) in spaces {
            let count = pages.len();
            let _ = writeln!(
                s,
                "  {:<44} {count:>4} pages: {}",
                space,
                clip(&page_ranges(pages.into_iter()), 60)
            );
        }
        let _ = writeln!(s, "\nTEXT COLOURS (share of glyphs)");
        for (colour, share) in self.text_colours.iter().take(8) {
            let _ = writeln!(s, "  {:>5.1} %  {colour}", share * 100.0);
        }
    }

    /// Image placements (the first 40).
    fn write_images(&self, s: &mut String) {
        let _ = writeln!(s, "\nIMAGES ({} placements)", self.images.len());
        if self.images.is_empty() {
            return;
        }
        let _ = writeln!(
            s,
            "  {:<5} {:<34} {:<13} {:<4} {:<26} {:>6}  SMask",
            "Page", "Object", "Pixels", "Bits", "Colour space", "ppi"
        );
        for i in self.images.iter().take(40) {
            let pixels = format!("{} × {}", i.width, i.height);
            let smask = if i.soft_mask { "yes" } else { "no" };
            let _ = writeln!(
                s,
                "  {:<5} {:<34} {pixels:<13} {:<4} {:<26} {:>6.0}  {smask}",
                i.page,
                clip(&i.object, 34),
                i.bits,
                clip(&i.colour_space, 26),
                i.ppi
            );
        }
        if self.images.len() > 40 {
            let _ = writeln!(s, "  … {} more", self.images.len() - 40);
        }
    }

    /// Extremes over all pages.
    fn write_measures(&self, s: &mut String) {
        let extreme = |value: &dyn Fn(&PageFacts) -> Option<f64>, lowest: bool| {
            self.page_facts
                .iter()
                .filter_map(|p| value(p).map(|v| (v, p.page)))
                .reduce(|a, b| {
                    if (b.0 < a.0) == lowest && b.0 != a.0 {
                        b
                    } else {
                        a
                    }
                })
        };
        let show = |v: Option<(f64, usize)>, unit: &str| {
            v.map_or_else(
                || "none".to_string(),
                |(v, p)| {
                    format!(
                        "{v:.2}{}{unit} (page {p})",
                        if unit.is_empty() { "" } else { " " }
                    )
                },
            )
        };
        let _ = writeln!(s, "\nMEASURES");
        let _ = writeln!(
            s,
            "  Smallest text      {}",
            show(extreme(&|p| p.smallest_text_pt, true), "pt")
        );
        let _ = writeln!(
            s,
            "  Thinnest stroke    {}",
            show(extreme(&|p| p.thinnest_stroke_pt, true), "pt")
        );
        let _ = writeln!(
            s,
            "  Highest total ink  {}",
            show(extreme(&|p| p.max_ink, false), "%")
        );
        let _ = writeln!(
            s,
            "  Lowest image ppi   {}",
            show(extreme(&|p| p.min_ppi, true), "ppi")
        );
        let clearance = |pick: fn(&Sides) -> f64| {
            extreme(
                &move |p: &PageFacts| p.text_clearance.map(|c| pick(&c)),
                true,
            )
        };
        let _ = writeln!(
            s,
            "  Text to trim (mm)  top {}  bottom {}  outside {}  inside {}",
            show(clearance(|c| c.top), ""),
            show(clearance(|c| c.bottom), ""),
            show(clearance(|c| c.outside), ""),
            show(clearance(|c| c.inside), "")
        );
        let transparent: Vec<usize> = self
            .page_facts
            .iter()
            .filter(|p| p.transparency)
            .map(|p| p.page)
            .collect();
        let annotated: Vec<usize> = self
            .page_facts
            .iter()
            .filter(|p| p.annotations > 0)
            .map(|p| p.page)
            .collect();
        let annotations: usize = self.page_facts.iter().map(|p| p.annotations).sum();
        let _ = writeln!(
            s,
            "  Transparency       {} pages: {}",
            transparent.len(),
            clip(&page_ranges(transparent.into_iter()), 70)
        );
        let _ = writeln!(
            s,
            "  Annotations        {annotations} on {} pages",
            annotated.len()
        );
    }

    /// Findings grouped by severity, rule and message shape.
    fn write_findings(&self, s: &mut String) {
        let _ = writeln!(s, "\nCHECKS");
        let _ = writeln!(
            s,
            "  {:<5} {:<12} {:>5}  {:<32} Example",
            "Sev", "Rule", "Count", "Pages"
        );
        let mut groups: Vec<(Severity, &str, String, Vec<&Finding>)> = Vec::new();
        for f in &self.findings {
            let shape = message_shape(&f.message);
            match groups
                .iter_mut()
                .find(|g| g.0 == f.severity && g.1 == f.rule && g.2 == shape)
            {
                Some(g) => g.3.push(f),
                None => groups.push((f.severity, f.rule, shape, vec![f])),
            }
        }
        groups.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        for (severity, rule, _, items) in groups {
            let pages: BTreeSet<usize> = items.iter().filter_map(|f| f.page).collect();
            let pages = if pages.is_empty() {
                "document".to_string()
            } else {
                page_ranges(pages.into_iter())
            };
            let first = items[0];
            let at = match (first.page, &first.object) {
                (Some(p), Some(o)) => format!("p.{p} {o}: "),
                (Some(p), None) => format!("p.{p}: "),
                (None, Some(o)) => format!("{o}: "),
                (None, None) => String::new(),
            };
            let _ = writeln!(
                s,
                "  {:<5} {rule:<12} {:>5}  {:<32} {at}{}",
                severity.label(),
                items.len(),
                clip(&pages, 32),
                first.message
            );
        }
        if self.findings.is_empty() {
            let _ = writeln!(s, "  no findings");
        }
    }
}

/// A message with its numbers blanked, to group similar findings.
fn message_shape(message: &str) -> String {
    let base = message
        .split(" times on this page)")
        .next()
        .unwrap_or(message);
    let mut shape = String::new();
    let mut in_number = false;
    for c in base.chars() {
        if c.is_ascii_digit() || (in_number && c == '.') {
            if !in_number {
                shape.push('#');
            }
            in_number = true;
        } else {
            in_number = false;
            shape.push(c);
        }
    }
    shape
}

/// Shortens `text` to `width` characters with an ellipsis.
fn clip(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut short: String = text.chars().take(width.saturating_sub(1)).collect();
    short.push('…');
    short
}

/// Page ranges, or "1-243 odd" when every other page is listed.
fn page_set(pages: &[usize]) -> String {
    match pages {
        [first, second, .., last]
            if pages.windows(2).all(|w| w[1] == w[0] + 2) && second - first == 2 =>
        {
            let parity = if first % 2 == 1 { "odd" } else { "even" };
            format!("{first}-{last} {parity}")
        }
        _ => page_ranges(pages.iter().copied()),
    }
}

/// "1-4, 7, 9-12" from ascending page numbers.
pub fn page_ranges(pages: impl Iterator<Item = usize>) -> String {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for p in pages {
        match ranges.last_mut() {
            Some(last) if p == last.1 + 1 => last.1 = p,
            Some(last) if p == last.1 => {}
            _ => ranges.push((p, p)),
        }
    }
    let parts: Vec<String> = ranges
        .iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect();
    parts.join(", ")
}
