//! Editions: `layouts/<name>/edition.toml`, inherited and resolved into one checked setting.
//!
//! Values are parsed into typed settings ([`Length`], [`Colour`], [`PdfStandard`]) while the
//! TOML is read, so a wrong value is reported at its line and column; the resolvers below
//! then pick the most specific value along the inheritance chain, section by section.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::content::load::{self, span_of};
use crate::content::model::Book;
use crate::diagnostics::{Diagnostic, Error, Result, Sink, SourceFile};
use crate::fonts::Fonts;
use crate::sandbox::Sandbox;

/// A length as written in `edition.toml` (`12mm`, `1.5cm`, `0.5in`, `10pt`), in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Length(pub f64);

impl<'de> Deserialize<'de> for Length {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        match parse_length(&text) {
            Some(pt) if pt >= 0.0 => Ok(Self(pt)),
            _ => Err(de::Error::custom(format!(
                "`{text}` is not a length (write e.g. 12mm, 0.5in, 10pt)"
            ))),
        }
    }
}

/// A colour as written in `edition.toml`: `#rrggbb` or `cmyk(c%, m%, y%, k%)`.
#[derive(Debug, Clone, PartialEq)]
pub enum Colour {
    Rgb(u8, u8, u8),
    Cmyk([f64; 4]),
}

impl Colour {
    /// Parse `#rrggbb`, `#rgb` or `cmyk(c%, m%, y%, k%)`.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Some(hex) = text.strip_prefix('#') {
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            let channel = |s: &str| u8::from_str_radix(s, 16).ok();
            return match hex.len() {
                6 => Some(Self::Rgb(
                    channel(&hex[0..2])?,
                    channel(&hex[2..4])?,
                    channel(&hex[4..6])?,
                )),
                3 => {
                    let double = |i: usize| channel(&hex[i..i + 1].repeat(2));
                    Some(Self::Rgb(double(0)?, double(1)?, double(2)?))
                }
                _ => None,
            };
        }
        let inner = text.strip_prefix("cmyk(")?.strip_suffix(')')?;
        let parts: Vec<f64> = inner
            .split(',')
            .map(|p| p.trim().strip_suffix('%')?.trim().parse::<f64>().ok())
            .collect::<Option<Vec<_>>>()?;
        if parts.len() != 4 || parts.iter().any(|p| !(0.0..=100.0).contains(p)) {
            return None;
        }
        Some(Self::Cmyk([parts[0], parts[1], parts[2], parts[3]]))
    }

    /// The colour in RGB: as written, or for a process colour the RGB it stands for on screen
    /// (`255 × (1 − c)(1 − k)` …). Figures are drawn in it, and a print file maps it back to
    /// the exact process colour.
    pub fn rgb(&self) -> [u8; 3] {
        match self {
            Self::Rgb(r, g, b) => [*r, *g, *b],
            Self::Cmyk([c, m, y, k]) => {
                let channel =
                    |v: f64| (255.0 * (1.0 - v / 100.0) * (1.0 - k / 100.0)).round() as u8;
                [channel(*c), channel(*m), channel(*y)]
            }
        }
    }

    /// Whether the colour is a process (CMYK) colour.
    pub fn is_cmyk(&self) -> bool {
        matches!(self, Self::Cmyk(_))
    }
}

impl fmt::Display for Colour {
    /// The colour as a Typst expression: `rgb("#a3261c")` or `cmyk(10%, 95%, 95%, 20%)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rgb(r, g, b) => write!(f, "rgb(\"#{r:02x}{g:02x}{b:02x}\")"),
            Self::Cmyk([c, m, y, k]) => write!(f, "cmyk({c}%, {m}%, {y}%, {k}%)"),
        }
    }
}

impl<'de> Deserialize<'de> for Colour {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).ok_or_else(|| {
            de::Error::custom(format!(
                "`{text}` is not a colour (write #rrggbb or cmyk(c%, m%, y%, k%))"
            ))
        })
    }
}

/// Which PDF standards an edition conforms to: archival (PDF/A-2b), accessible (PDF/UA-1),
/// both, or neither (plain PDF 1.7, e.g. for CMYK print).
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct PdfStandard {
    pub archival: bool,
    pub accessible: bool,
}

impl<'de> Deserialize<'de> for PdfStandard {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let (archival, accessible) = match text.as_str() {
            "a-2b" => (true, false),
            "ua-1" => (false, true),
            "a-2b+ua-1" => (true, true),
            "none" => (false, false),
            other => {
                return Err(de::Error::custom(format!(
                    "unknown PDF standard `{other}` (use a-2b, ua-1, a-2b+ua-1 or none)"
                )));
            }
        };
        Ok(Self {
            archival,
            accessible,
        })
    }
}

/// What one `edition.toml` says; every field may be left to the edition it inherits from.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditionFile {
    pub description: Option<String>,
    /// The edition this one starts from (default: none, i.e. only `layouts/base`).
    pub inherits: Option<Spanned<String>>,
    pub title_suffix: Option<String>,
    #[serde(default)]
    pub page: PageFile,
    #[serde(default)]
    pub fonts: FontsFile,
    /// Named colours, e.g. `accent = "#9e1b1b"` or `accent = "cmyk(0%, 90%, 80%, 20%)"`.
    #[serde(default)]
    pub palette: BTreeMap<Spanned<String>, Spanned<Colour>>,
    #[serde(default)]
    pub pdf: PdfFile,
    #[serde(default)]
    pub content: ContentFile,
    pub outputs: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub print: PrintFile,
}

/// How a print edition is produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PrintTarget {
    /// An offset press: PDF/X-4, crop marks in a slug, bleed on every side.
    Offset,
    /// Print on demand: bleed on the top, bottom and outside, no marks, no slug.
    Pod,
}

/// A print-on-demand service whose published rules an edition follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PrintService {
    Kdp,
    Ingramspark,
    Lulu,
}

/// The paper a book is printed on, for the spine's width: the services' published
/// thickness per page, or a caliper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Paper {
    /// White uncoated, 0.002252 in per page (KDP; IngramSpark and Lulu are within 3 %).
    White,
    /// Cream, 0.0025 in per page.
    Cream,
    /// Premium colour, 0.002347 in per page.
    Colour,
}

impl Paper {
    /// Thickness of one page (half a leaf), in points.
    pub fn per_page(self) -> f64 {
        72.0 * match self {
            Self::White => 0.002252,
            Self::Cream => 0.0025,
            Self::Colour => 0.002347,
        }
    }
}

/// `[print]` of an edition: what kind of print file it is.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrintFile {
    pub target: Option<Spanned<PrintTarget>>,
    pub service: Option<Spanned<PrintService>>,
    pub paper: Option<Spanned<Paper>>,
    /// Thickness of one page when the paper is none of the presets, e.g. `0.06mm`.
    pub caliper: Option<Spanned<Length>>,
    /// The ICC profile of the output intent, a file under `layouts/`.
    pub output_intent: Option<Spanned<String>>,
}

/// A resolved print edition.
#[derive(Debug, Clone, Serialize)]
pub struct Print {
    pub target: PrintTarget,
    pub service: Option<PrintService>,
    /// Thickness of one page, in points (for the spine).
    pub per_page: f64,
    /// Project path of the output intent's ICC profile.
    pub output_intent: String,
}

/// `[page]` of an edition.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageFile {
    /// A named size (`a4`, `a5`, `a6`, `b6`, `letter`, `6x9in` …).
    pub size: Option<Spanned<String>>,
    pub width: Option<Spanned<Length>>,
    pub height: Option<Spanned<Length>>,
    pub inside: Option<Spanned<Length>>,
    pub outside: Option<Spanned<Length>>,
    pub top: Option<Spanned<Length>>,
    pub bottom: Option<Spanned<Length>>,
    /// Mirror inside/outside margins and open chapters on a recto.
    pub two_sided: Option<bool>,
    pub columns: Option<Spanned<u32>>,
    /// Extra paper beyond the trim on every side, e.g. `3mm`, for backgrounds that bleed.
    pub bleed: Option<Spanned<Length>>,
    /// Draw crop marks outside the bleed (the PDF's MediaBox grows by a slug to hold them).
    pub crop_marks: Option<bool>,
}

/// `[fonts]` of an edition: family names that must exist in `fonts/`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FontsFile {
    pub serif: Option<Spanned<String>>,
    pub sans: Option<Spanned<String>>,
    pub cjk_serif: Option<Spanned<String>>,
    pub cjk_sans: Option<Spanned<String>>,
    /// Body text size, e.g. `10pt`.
    pub size: Option<Spanned<Length>>,
}

/// `[pdf]` of an edition.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PdfFile {
    /// `a-2b` (default), `ua-1`, `a-2b+ua-1`, or `none` for plain PDF 1.7.
    pub standard: Option<Spanned<PdfStandard>>,
}

/// `[content]` of an edition: which chapters and back matter it prints.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContentFile {
    pub exclude: Option<Vec<Spanned<String>>>,
    pub back_matter: Option<Vec<Spanned<String>>>,
    /// Generated figures (maps, charts) this edition leaves out, by id.
    pub exclude_figures: Option<Vec<Spanned<String>>>,
    /// Print the page of every cross-reference ("see p. 88"); default: two-sided editions.
    pub page_references: Option<bool>,
}

/// The resolved page geometry, in points.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    pub width: f64,
    pub height: f64,
    pub inside: f64,
    pub outside: f64,
    pub top: f64,
    pub bottom: f64,
    pub two_sided: bool,
    pub columns: u32,
    /// Bleed beyond the trim on every side.
    pub bleed: f64,
    /// Whether crop marks are drawn.
    pub crop_marks: bool,
    /// Room outside the bleed for crop marks (zero without them).
    pub slug: f64,
}

/// Width of the slug that holds crop marks, outside the bleed.
pub const SLUG_MM: f64 = 12.0;

/// The resolved fonts.
#[derive(Debug, Clone, Serialize)]
pub struct EditionFonts {
    pub serif: String,
    pub sans: String,
    pub cjk_serif: String,
    pub cjk_sans: String,
    pub size: f64,
}

/// Back matter sections an edition may print.
pub const BACK_MATTER: [&str; 4] = ["timeline", "glossary", "bibliography", "index"];

/// An edition with every setting resolved and checked.
#[derive(Debug, Clone, Serialize)]
pub struct Edition {
    pub name: String,
    pub description: String,
    pub title_suffix: String,
    /// Template folders, most specific first, ending with `layouts/base`.
    pub template_dirs: Vec<String>,
    pub page: Page,
    pub fonts: EditionFonts,
    /// Colour name to a Typst colour expression (`rgb("#…")` or `cmyk(…)`).
    pub palette: BTreeMap<String, String>,
    /// Each process colour of the palette with the RGB figures draw it in.
    #[serde(skip)]
    pub process_colours: Vec<([u8; 3], [f64; 4])>,
    /// Colour name to the `#rrggbb` figures are drawn with: the edition's RGB colours, and for
    /// its process colours the RGB they stand for (which a print file maps back).
    #[serde(skip)]
    pub figure_colours: BTreeMap<String, String>,
    pub standard: PdfStandard,
    pub exclude: Vec<String>,
    /// Figures left out, with where each was named (checked against the figures at render).
    #[serde(skip)]
    pub exclude_figures: Vec<(String, SourceFile, std::ops::Range<usize>)>,
    pub back_matter: Vec<String>,
    /// Cross-references print the page they lead to (print editions) rather than only link.
    pub page_references: bool,
    pub outputs: Vec<String>,
    /// Set for an edition that is a print file (offset or print on demand).
    pub print: Option<Print>,
}

/// Names of the editions under `layouts/` (folders with an `edition.toml`), sorted.
pub fn list(sandbox: &Sandbox) -> Result<Vec<String>> {
    let names = sandbox
        .list("layouts")
        .map_err(|denied| Error::msg(format!("cannot read layouts/: {denied}")))?;
    Ok(names
        .into_iter()
        .filter(|name| {
            name != "base"
                && sandbox
                    .file(&format!("layouts/{name}/edition.toml"))
                    .is_ok()
        })
        .collect())
}

/// Copy the edition `from` to a new edition `name`; returns the files written.
pub fn copy(sandbox: &Sandbox, from: &str, name: &str) -> Result<Vec<std::path::PathBuf>> {
    if !load::is_id(name) || name == "base" || name == "epub" {
        return Err(Error::msg(format!(
            "`{name}` cannot name an edition: use lowercase letters, digits and hyphens (not base or epub)"
        )));
    }
    if !load::is_id(from)
        || sandbox
            .file(&format!("layouts/{from}/edition.toml"))
            .is_err()
    {
        let known = list(sandbox).unwrap_or_default().join(", ");
        return Err(Error::msg(format!(
            "no edition `{from}` to copy; editions: {known}"
        )));
    }
    let target = sandbox.root().join("layouts").join(name);
    if target.exists() {
        return Err(Error::msg(format!(
            "layouts/{name} already exists; choose another name"
        )));
    }
    let mut written = Vec::new();
    copy_dir(sandbox, &format!("layouts/{from}"), &target, &mut written)
        .map_err(|e| Error::msg(format!("cannot copy layouts/{from} to layouts/{name}: {e}")))?;
    Ok(written)
}

/// Copy the regular files of a project folder (through the sandbox) and its subfolders.
fn copy_dir(
    sandbox: &Sandbox,
    from: &str,
    to: &std::path::Path,
    written: &mut Vec<std::path::PathBuf>,
) -> std::result::Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| e.to_string())?;
    for name in sandbox.list(from).map_err(|e| e.to_string())? {
        let relative = format!("{from}/{name}");
        let target = to.join(&name);
        match sandbox.read(&relative, crate::sandbox::MAX_TEXT_BYTES) {
            Ok(bytes) => {
                std::fs::write(&target, bytes).map_err(|e| e.to_string())?;
                written.push(target);
            }
            Err(crate::sandbox::Denied::NotAFile("a folder")) => {
                copy_dir(sandbox, &relative, &target, written)?;
            }
            Err(denied) => return Err(format!("{relative}: {denied}")),
        }
    }
    Ok(())
}

/// Load and resolve the edition `name`, checking it against the fonts and the book.
pub fn load(sandbox: &Sandbox, name: &str, fonts: &Fonts, book: &Book) -> Result<Edition> {
    let exists =
        |n: &str| load::is_id(n) && sandbox.file(&format!("layouts/{n}/edition.toml")).is_ok();
    if !exists(name) {
        let known = list(sandbox).unwrap_or_default().join(", ");
        return Err(Error::msg(format!(
            "no edition `{name}` (layouts/{name}/edition.toml); editions: {known}"
        )));
    }
    let mut chain = Chain(Vec::new());
    let mut current = name.to_string();
    loop {
        let file = sandbox.read_text(&format!("layouts/{current}/edition.toml"))?;
        let settings: EditionFile = load::parse_toml(&file, &file.text, 0)?;
        let parent = settings.inherits.clone();
        chain.0.push((current.clone(), file.clone(), settings));
        let Some(parent) = parent else { break };
        let parent_name = parent.get_ref().clone();
        if chain.0.iter().any(|(n, ..)| *n == parent_name) {
            return Err(Diagnostic::error(format!(
                "editions inherit from each other in a circle (`{parent_name}`)"
            ))
            .at(&file, span_of(&parent, 0))
            .into());
        }
        if !exists(&parent_name) {
            return Err(
                Diagnostic::error(format!("unknown edition `{parent_name}`"))
                    .at(&file, span_of(&parent, 0))
                    .into(),
            );
        }
        current = parent_name;
    }
    resolve(name, &chain, fonts, book)
}

/// The `edition.toml` files of an edition and those it inherits from, most specific first.
struct Chain(Vec<(String, SourceFile, EditionFile)>);

impl Chain {
    /// The first value set along the chain, with the file it was set in.
    fn pick<'a, T>(
        &'a self,
        get: impl Fn(&'a EditionFile) -> Option<&'a T>,
    ) -> Option<(&'a T, &'a SourceFile)> {
        self.0
            .iter()
            .find_map(|(_, file, settings)| get(settings).map(|v| (v, file)))
    }

    /// The first length set along the chain, in points, or `default`.
    fn length(&self, get: impl Fn(&EditionFile) -> Option<&Spanned<Length>>, default: f64) -> f64 {
        self.pick(get).map_or(default, |(v, _)| v.get_ref().0)
    }

    /// The most specific file.
    fn top(&self) -> &SourceFile {
        &self.0[0].1
    }
}

fn resolve(name: &str, chain: &Chain, fonts: &Fonts, book: &Book) -> Result<Edition> {
    let mut sink = Sink::default();
    let page = resolve_page(chain, &mut sink);
    let edition_fonts = resolve_fonts(chain, fonts, &mut sink);
    let (palette, figure_colours, process_colours) = resolve_palette(chain, &mut sink);
    let standard = resolve_standard(chain, &mut sink);
    let (exclude, exclude_figures, back_matter) = resolve_content(chain, book, &mut sink);
    let outputs = match chain.pick(|s| s.outputs.as_ref()) {
        None => vec!["pdf".to_string()],
        Some((list, file)) => checked_names(list, &["pdf", "epub"], "output", file, &mut sink),
    };
    let print = resolve_print(chain, &page, &standard, &mut sink);
    let mut template_dirs: Vec<String> = chain
        .0
        .iter()
        .map(|(n, ..)| format!("layouts/{n}"))
        .collect();
    template_dirs.push("layouts/base".into());
    template_dirs.dedup();
    sink.finish()?;
    Ok(Edition {
        name: name.to_string(),
        description: chain
            .pick(|s| s.description.as_ref())
            .map(|(d, _)| d.clone())
            .unwrap_or_default(),
        title_suffix: chain
            .pick(|s| s.title_suffix.as_ref())
            .map(|(d, _)| d.clone())
            .unwrap_or_default(),
        template_dirs,
        page: page.clone(),
        fonts: edition_fonts,
        palette,
        process_colours,
        figure_colours,
        standard,
        exclude,
        exclude_figures,
        back_matter,
        page_references: chain
            .pick(|s| s.content.page_references.as_ref())
            .map_or(page.two_sided, |(v, _)| *v),
        outputs,
        print,
    })
}

/// The output intent every print edition uses unless it names another.
pub const DEFAULT_OUTPUT_INTENT: &str = "layouts/base/print/FOGRA39L_coated.icc";

/// `[print]`: the target, the service, the paper and the output intent, checked against the
/// page (a print-on-demand file bleeds and has no marks) and the PDF standard (a print file
/// is PDF/X, not PDF/A).
fn resolve_print(
    chain: &Chain,
    page: &Page,
    standard: &PdfStandard,
    sink: &mut Sink,
) -> Option<Print> {
    let (target, file) = chain.pick(|s| s.print.target.as_ref())?;
    let target_at = span_of(target, 0);
    let target = *target.get_ref();
    let service = chain
        .pick(|s| s.print.service.as_ref())
        .map(|(s, _)| *s.get_ref());
    let per_page = match (
        chain.pick(|s| s.print.caliper.as_ref()),
        chain.pick(|s| s.print.paper.as_ref()),
    ) {
        (Some((caliper, _)), _) => caliper.get_ref().0,
        (None, Some((paper, _))) => paper.get_ref().per_page(),
        (None, None) => Paper::White.per_page(),
    };
    let output_intent = chain
        .pick(|s| s.print.output_intent.as_ref())
        .map_or(DEFAULT_OUTPUT_INTENT.to_string(), |(p, _)| {
            p.get_ref().clone()
        });
    let problem = |message: String| Diagnostic::error(message).at(file, target_at.clone());
    if standard.archival || standard.accessible {
        sink.push(problem(
            "a print edition is PDF/X, which PDF/A and PDF/UA exclude: set [pdf] standard = \"none\"".into(),
        ));
    }
    match target {
        PrintTarget::Offset if !page.crop_marks || page.bleed < mm(3.0) => sink.push(problem(
            "an offset print edition needs [page] bleed of at least 3mm and crop_marks = true"
                .into(),
        )),
        PrintTarget::Pod if page.crop_marks || (page.bleed - 9.0).abs() > 0.01 => sink.push(
            problem("a print-on-demand edition bleeds 0.125in (9pt) and has no crop marks".into()),
        ),
        _ => {}
    }
    if service.is_some() && target == PrintTarget::Offset {
        sink.push(problem(
            "a service applies to print on demand (target = \"pod\")".into(),
        ));
    }
    Some(Print {
        target,
        service,
        per_page,
        output_intent,
    })
}

/// `[page]`: size, margins, sides, columns, bleed and crop marks.
fn resolve_page(chain: &Chain, sink: &mut Sink) -> Page {
    let (mut width, mut height) = (mm(148.0), mm(210.0));
    if let Some((size, file)) = chain.pick(|s| s.page.size.as_ref()) {
        match named_size(size.get_ref()) {
            Some((w, h)) => (width, height) = (w, h),
            None => sink.push(
                Diagnostic::error(format!("unknown page size `{}`", size.get_ref()))
                    .at(file, span_of(size, 0))
                    .with_note("known sizes: a4, a4-landscape, a5, a6, b5, b6, letter, 6x9in, 5x8in; or set width and height"),
            ),
        }
    }
    let crop_marks = chain
        .pick(|s| s.page.crop_marks.as_ref())
        .is_some_and(|(v, _)| *v);
    let page = Page {
        width: chain.length(|s| s.page.width.as_ref(), width),
        height: chain.length(|s| s.page.height.as_ref(), height),
        inside: chain.length(|s| s.page.inside.as_ref(), mm(20.0)),
        outside: chain.length(|s| s.page.outside.as_ref(), mm(16.0)),
        top: chain.length(|s| s.page.top.as_ref(), mm(18.0)),
        bottom: chain.length(|s| s.page.bottom.as_ref(), mm(20.0)),
        two_sided: chain
            .pick(|s| s.page.two_sided.as_ref())
            .is_none_or(|(v, _)| *v),
        columns: chain
            .pick(|s| s.page.columns.as_ref())
            .map_or(1, |(v, _)| *v.get_ref()),
        bleed: chain.length(|s| s.page.bleed.as_ref(), 0.0),
        crop_marks,
        slug: if crop_marks { mm(SLUG_MM) } else { 0.0 },
    };
    check_page(chain, &page, sink);
    page
}

/// Sizes a printer or a PDF reader can handle, located where the edition set them.
fn check_page(chain: &Chain, page: &Page, sink: &mut Sink) {
    if page.bleed > mm(10.0)
        && let Some((value, file)) = chain.pick(|s| s.page.bleed.as_ref())
    {
        sink.push(
            Diagnostic::error("a bleed of more than 10 mm is not a bleed")
                .at(file, span_of(value, 0)),
        );
    }
    if !(1..=4).contains(&page.columns) {
        let diagnostic = Diagnostic::error(format!(
            "{} columns: an edition has 1 to 4 columns",
            page.columns
        ));
        sink.push(match chain.pick(|s| s.page.columns.as_ref()) {
            Some((value, file)) => diagnostic.at(file, span_of(value, 0)),
            None => diagnostic.in_file(chain.top()),
        });
    }
    // PDF limits a page to 200 × 200 inches (14,400 units); nothing printable is smaller
    // than a playing card.
    for (what, value, get) in [
        ("width", page.width, 0usize),
        ("height", page.height, 1usize),
    ] {
        if !(mm(50.0)..=mm(2000.0)).contains(&value) {
            let at = chain.pick(|s| {
                if get == 0 {
                    s.page.width.as_ref()
                } else {
                    s.page.height.as_ref()
                }
            });
            let diagnostic = Diagnostic::error(format!(
                "a page {what} of {:.0} mm: pages are 50 mm to 2 m",
                value / mm(1.0)
            ));
            sink.push(match at {
                Some((value, file)) => diagnostic.at(file, span_of(value, 0)),
                None => diagnostic.in_file(chain.top()),
            });
        }
    }
    let text_width = page.width - page.inside - page.outside;
    let text_height = page.height - page.top - page.bottom;
    if text_width < mm(40.0) || text_height < mm(60.0) {
        let diagnostic = Diagnostic::error(format!(
            "the margins leave a text area of {:.0} × {:.0} mm; at least 40 × 60 mm is needed",
            text_width / mm(1.0),
            text_height / mm(1.0)
        ));
        let at = chain
            .pick(|s| s.page.inside.as_ref().or(s.page.width.as_ref()))
            .map(|(v, f)| (span_of(v, 0), f))
            .or_else(|| {
                chain
                    .pick(|s| s.page.size.as_ref())
                    .map(|(v, f)| (span_of(v, 0), f))
            });
        sink.push(match at {
            Some((range, file)) => diagnostic.at(file, range),
            None => diagnostic,
        });
    }
}

/// `[fonts]`: families that must exist in `fonts/`, and the body size.
fn resolve_fonts(chain: &Chain, fonts: &Fonts, sink: &mut Sink) -> EditionFonts {
    let mut family = |get: fn(&EditionFile) -> Option<&Spanned<String>>, default: &str| {
        let Some((family, file)) = chain.pick(get) else {
            return default.to_string();
        };
        if !fonts.has_family(family.get_ref()) {
            sink.push(
                Diagnostic::error(format!(
                    "unknown font `{}`: it is not in fonts/",
                    family.get_ref()
                ))
                .at(file, span_of(family, 0))
                .with_note(format!("fonts available: {}", fonts.families().join(", "))),
            );
        }
        family.get_ref().clone()
    };
    let serif = family(|s| s.fonts.serif.as_ref(), "Noto Serif");
    let sans = family(|s| s.fonts.sans.as_ref(), "Noto Sans");
    let cjk_serif = family(|s| s.fonts.cjk_serif.as_ref(), "Noto Serif CJK SC");
    let cjk_sans = family(|s| s.fonts.cjk_sans.as_ref(), "Noto Sans CJK SC");
    let size = chain.length(|s| s.fonts.size.as_ref(), 10.0);
    if !(4.0..=72.0).contains(&size)
        && let Some((value, file)) = chain.pick(|s| s.fonts.size.as_ref())
    {
        sink.push(
            Diagnostic::error(format!("a body text size of {size} pt: write 4pt to 72pt"))
                .at(file, span_of(value, 0)),
        );
    }
    EditionFonts {
        serif,
        sans,
        cjk_serif,
        cjk_sans,
        size,
    }
}

/// `[palette]`: every colour along the chain, most specific last; and the RGB colours
/// figures are drawn with.
type Palette = (
    BTreeMap<String, String>,
    BTreeMap<String, String>,
    Vec<([u8; 3], [f64; 4])>,
);

fn resolve_palette(chain: &Chain, sink: &mut Sink) -> Palette {
    let mut palette = BTreeMap::new();
    let mut figure_colours = BTreeMap::new();
    let mut process = BTreeMap::new();
    for (_, file, settings) in chain.0.iter().rev() {
        for (key, value) in &settings.palette {
            if !load::is_id(key.get_ref()) {
                sink.push(
                    Diagnostic::error(format!(
                        "colour name `{}` must be lowercase letters, digits and hyphens",
                        key.get_ref()
                    ))
                    .at(file, span_of(key, 0)),
                );
            }
            let colour = value.get_ref();
            palette.insert(key.get_ref().clone(), colour.to_string());
            let [r, g, b] = colour.rgb();
            figure_colours.insert(key.get_ref().clone(), format!("#{r:02x}{g:02x}{b:02x}"));
            match colour {
                Colour::Cmyk(cmyk) => process.insert(key.get_ref().clone(), ([r, g, b], *cmyk)),
                Colour::Rgb(..) => process.remove(key.get_ref()),
            };
        }
    }
    (palette, figure_colours, process.into_values().collect())
}

/// `[pdf] standard`, checked against the palette: PDF/A cannot carry CMYK without an
/// output profile.
fn resolve_standard(chain: &Chain, sink: &mut Sink) -> PdfStandard {
    let standard = chain.pick(|s| s.pdf.standard.as_ref()).map_or(
        PdfStandard {
            archival: true,
            accessible: false,
        },
        |(v, _)| *v.get_ref(),
    );
    // The palette as resolved: the most specific file that sets each colour.
    let cmyk = chain.0.iter().find_map(|(_, file, settings)| {
        settings.palette.iter().find_map(|(key, value)| {
            let first = chain
                .0
                .iter()
                .find(|(_, _, s)| s.palette.contains_key(key))
                .map(|(_, f, _)| f.name == file.name);
            (value.get_ref().is_cmyk() && first == Some(true)).then_some((file, value))
        })
    });
    if standard.archival
        && let Some((file, value)) = cmyk
    {
        sink.push(
            Diagnostic::error(
                "PDF/A editions need an RGB palette (CMYK needs standard = \"none\" or \"ua-1\")",
            )
            .at(file, span_of(value, 0)),
        );
    }
    standard
}

type ExcludedFigures = Vec<(String, SourceFile, std::ops::Range<usize>)>;

/// `[content]`: chapters and figures left out, back matter printed.
fn resolve_content(
    chain: &Chain,
    book: &Book,
    sink: &mut Sink,
) -> (Vec<String>, ExcludedFigures, Vec<String>) {
    let slugs: Vec<&str> = book.chapters().map(|c| c.slug.as_str()).collect();
    let exclude_figures = match chain.pick(|s| s.content.exclude_figures.as_ref()) {
        None => vec![],
        Some((list, file)) => list
            .iter()
            .map(|id| (id.get_ref().clone(), file.clone(), span_of(id, 0)))
            .collect(),
    };
    let exclude = match chain.pick(|s| s.content.exclude.as_ref()) {
        None => vec![],
        Some((list, file)) => list
            .iter()
            .filter_map(|slug| {
                if slugs.contains(&slug.get_ref().as_str()) {
                    Some(slug.get_ref().clone())
                } else {
                    sink.push(
                        Diagnostic::error(format!("unknown chapter `{}`", slug.get_ref()))
                            .at(file, span_of(slug, 0)),
                    );
                    None
                }
            })
            .collect(),
    };
    let back_matter = match chain.pick(|s| s.content.back_matter.as_ref()) {
        None => BACK_MATTER.iter().map(|s| s.to_string()).collect(),
        Some((list, file)) => checked_names(list, &BACK_MATTER, "back matter section", file, sink),
    };
    (exclude, exclude_figures, back_matter)
}

fn checked_names(
    list: &[Spanned<String>],
    allowed: &[&str],
    what: &str,
    file: &SourceFile,
    sink: &mut Sink,
) -> Vec<String> {
    list.iter()
        .filter_map(|item| {
            if allowed.contains(&item.get_ref().as_str()) {
                Some(item.get_ref().clone())
            } else {
                sink.push(
                    Diagnostic::error(format!(
                        "unknown {what} `{}` (known: {})",
                        item.get_ref(),
                        allowed.join(", ")
                    ))
                    .at(file, span_of(item, 0)),
                );
                None
            }
        })
        .collect()
}

/// Millimetres in points.
pub fn mm(value: f64) -> f64 {
    value * 72.0 / 25.4
}

/// Parse `12mm`, `1.5cm`, `0.5in` or `10pt` into points.
pub fn parse_length(text: &str) -> Option<f64> {
    let text = text.trim();
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.trim().parse().ok()?;
    if !number.is_finite() {
        return None;
    }
    let factor = match unit {
        "mm" => 72.0 / 25.4,
        "cm" => 72.0 / 2.54,
        "in" => 72.0,
        "pt" => 1.0,
        _ => return None,
    };
    Some(number * factor)
}

/// Width and height in points of a named page size.
pub fn named_size(name: &str) -> Option<(f64, f64)> {
    let (w, h) = match name.to_ascii_lowercase().as_str() {
        "a4" => (mm(210.0), mm(297.0)),
        "a4-landscape" => (mm(297.0), mm(210.0)),
        "a5" => (mm(148.0), mm(210.0)),
        "a6" => (mm(105.0), mm(148.0)),
        "b5" => (mm(176.0), mm(250.0)),
        "b6" => (mm(125.0), mm(176.0)),
        "letter" => (612.0, 792.0),
        "6x9in" => (432.0, 648.0),
        "5x8in" => (360.0, 576.0),
        _ => return None,
    };
    Some((w, h))
}

impl Edition {
    /// Print editions (the two-sided ones) want images at 300 ppi or more when they fill the
    /// text width; this is the pixel width that takes. Screen editions have no minimum.
    pub fn min_image_px(&self) -> Option<u32> {
        let text_width_pt = self.page.width - self.page.inside - self.page.outside;
        self.page
            .two_sided
            .then(|| (text_width_pt / 72.0 * 300.0).ceil() as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_colours() {
        assert_eq!(parse_length("72pt"), Some(72.0));
        assert_eq!(parse_length("1in"), Some(72.0));
        assert!((parse_length("25.4mm").unwrap() - 72.0).abs() < 1e-9);
        assert_eq!(parse_length("12 parsecs"), None);
        assert_eq!(
            Colour::parse("#9e1b1b").map(|c| c.to_string()).as_deref(),
            Some("rgb(\"#9e1b1b\")")
        );
        assert_eq!(
            Colour::parse("cmyk(0%, 90%, 80%, 20%)")
                .map(|c| c.to_string())
                .as_deref(),
            Some("cmyk(0%, 90%, 80%, 20%)")
        );
        assert_eq!(Colour::parse("red\"); #read(\"x"), None);
        assert_eq!(Colour::parse("#abc"), Some(Colour::Rgb(0xaa, 0xbb, 0xcc)));
    }

    #[test]
    fn wrong_values_are_located_while_reading() {
        let file = SourceFile::new("edition.toml", "[page]\ninside = \"12 parsecs\"\n");
        let error = load::parse_toml::<EditionFile>(&file, &file.text, 0).unwrap_err();
        let position = error.diagnostics[0].position().unwrap();
        assert_eq!(position, "edition.toml:2:10");
        assert!(error.diagnostics[0].message.contains("not a length"));
    }
}
