//! Editions: `layouts/<name>/edition.toml`, inherited and resolved into one checked setting.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::diagnostics::{Diagnostic, Error, Result, Sink, SourceFile};
use crate::load;
use crate::model::Book;
use crate::world::Fonts;

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
    pub palette: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub pdf: PdfFile,
    #[serde(default)]
    pub content: ContentFile,
    pub outputs: Option<Vec<Spanned<String>>>,
}

/// `[page]` of an edition.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageFile {
    /// A named size (`a4`, `a5`, `a6`, `b6`, `letter`, `6x9in` …).
    pub size: Option<Spanned<String>>,
    pub width: Option<Spanned<String>>,
    pub height: Option<Spanned<String>>,
    pub inside: Option<Spanned<String>>,
    pub outside: Option<Spanned<String>>,
    pub top: Option<Spanned<String>>,
    pub bottom: Option<Spanned<String>>,
    /// Mirror inside/outside margins and open chapters on a recto.
    pub two_sided: Option<bool>,
    pub columns: Option<u32>,
    /// Extra paper beyond the trim on every side, e.g. `3mm`, for backgrounds that bleed.
    pub bleed: Option<Spanned<String>>,
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
    pub size: Option<Spanned<String>>,
}

/// `[pdf]` of an edition.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PdfFile {
    /// `a-2b` (default), `ua-1`, or `none` for plain PDF 1.7.
    pub standard: Option<Spanned<String>>,
}

/// `[content]` of an edition: which chapters and back matter it prints.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContentFile {
    pub exclude: Option<Vec<Spanned<String>>>,
    pub back_matter: Option<Vec<Spanned<String>>>,
    /// Generated figures (maps, charts) this edition leaves out, by id.
    pub exclude_figures: Option<Vec<Spanned<String>>>,
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

/// Which PDF standards an edition conforms to: archival (PDF/A-2b), accessible (PDF/UA-1),
/// both, or neither (plain PDF 1.7, e.g. for CMYK print).
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct PdfStandard {
    pub archival: bool,
    pub accessible: bool,
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
    pub standard: PdfStandard,
    pub exclude: Vec<String>,
    /// Figures left out, with where each was named (checked against the figures at render).
    #[serde(skip)]
    pub exclude_figures: Vec<(String, SourceFile, std::ops::Range<usize>)>,
    pub back_matter: Vec<String>,
    pub outputs: Vec<String>,
}

/// Names of the editions under `layouts/` (folders with an `edition.toml`), sorted.
pub fn list(root: &Path) -> Result<Vec<String>> {
    let dir = root.join("layouts");
    let entries =
        std::fs::read_dir(&dir).map_err(|e| Error::msg(format!("cannot read layouts/: {e}")))?;
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("edition.toml").is_file() && e.file_name() != "base")
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    Ok(names)
}

/// Copy the edition `from` to a new edition `name`; returns the files written.
pub fn copy(root: &Path, from: &str, name: &str) -> Result<Vec<std::path::PathBuf>> {
    if !load::is_id(name) || name == "base" || name == "epub" {
        return Err(Error::msg(format!(
            "`{name}` cannot name an edition: use lowercase letters, digits and hyphens (not base or epub)"
        )));
    }
    let source = root.join("layouts").join(from);
    if !load::is_id(from) || !source.join("edition.toml").is_file() {
        let known = list(root).unwrap_or_default().join(", ");
        return Err(Error::msg(format!(
            "no edition `{from}` to copy; editions: {known}"
        )));
    }
    let target = root.join("layouts").join(name);
    if target.exists() {
        return Err(Error::msg(format!(
            "layouts/{name} already exists; choose another name"
        )));
    }
    let mut written = Vec::new();
    copy_dir(&source, &target, &mut written)
        .map_err(|e| Error::msg(format!("cannot copy layouts/{from} to layouts/{name}: {e}")))?;
    Ok(written)
}

fn copy_dir(from: &Path, to: &Path, written: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    let mut entries: Vec<_> = std::fs::read_dir(from)?.collect::<std::io::Result<_>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let target = to.join(entry.file_name());
        let kind = entry.file_type()?;
        if kind.is_dir() {
            copy_dir(&entry.path(), &target, written)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target)?;
            written.push(target);
        }
    }
    Ok(())
}

/// Load and resolve the edition `name`, checking it against the fonts and the book.
pub fn load(root: &Path, name: &str, fonts: &Fonts, book: &Book) -> Result<Edition> {
    if !load::is_id(name)
        || !root
            .join("layouts")
            .join(name)
            .join("edition.toml")
            .is_file()
    {
        let known = list(root).unwrap_or_default().join(", ");
        return Err(Error::msg(format!(
            "no edition `{name}` (layouts/{name}/edition.toml); editions: {known}"
        )));
    }
    // Chain of (name, file, settings), most specific first.
    let mut chain: Vec<(String, SourceFile, EditionFile)> = Vec::new();
    let mut current = name.to_string();
    loop {
        let path = format!("layouts/{current}/edition.toml");
        let file = load::read_text(root, &path)?;
        let settings: EditionFile = load::parse_toml(&file, &file.text, 0)?;
        let parent = settings.inherits.clone();
        chain.push((current.clone(), file.clone(), settings));
        let Some(parent) = parent else { break };
        let parent_name = parent.get_ref().clone();
        if chain.iter().any(|(n, ..)| *n == parent_name) {
            return Err(Diagnostic::error(format!(
                "editions inherit from each other in a circle (`{parent_name}`)"
            ))
            .at(&file, load::span_of(&parent, 0))
            .into());
        }
        if !root
            .join("layouts")
            .join(&parent_name)
            .join("edition.toml")
            .is_file()
            || !load::is_id(&parent_name)
        {
            return Err(
                Diagnostic::error(format!("unknown edition `{parent_name}`"))
                    .at(&file, load::span_of(&parent, 0))
                    .into(),
            );
        }
        current = parent_name;
    }
    resolve(name, &chain, fonts, book)
}

/// The first value set along the chain, with the file it was set in.
fn pick<'a, T>(
    chain: &'a [(String, SourceFile, EditionFile)],
    get: impl Fn(&'a EditionFile) -> Option<&'a T>,
) -> Option<(&'a T, &'a SourceFile)> {
    chain
        .iter()
        .find_map(|(_, file, settings)| get(settings).map(|v| (v, file)))
}

fn resolve(
    name: &str,
    chain: &[(String, SourceFile, EditionFile)],
    fonts: &Fonts,
    book: &Book,
) -> Result<Edition> {
    let mut sink = Sink::default();
    let length =
        |value: Option<(&Spanned<String>, &SourceFile)>, default: f64, sink: &mut Sink| -> f64 {
            let Some((value, file)) = value else {
                return default;
            };
            match parse_length(value.get_ref()) {
                Some(pt) if pt >= 0.0 => pt,
                _ => {
                    sink.push(
                        Diagnostic::error(format!(
                            "`{}` is not a length (write e.g. 12mm, 0.5in, 10pt)",
                            value.get_ref()
                        ))
                        .at(file, load::span_of(value, 0)),
                    );
                    default
                }
            }
        };

    let (mut width, mut height) = (mm(148.0), mm(210.0));
    if let Some((size, file)) = pick(chain, |s| s.page.size.as_ref()) {
        match named_size(size.get_ref()) {
            Some((w, h)) => (width, height) = (w, h),
            None => sink.push(
                Diagnostic::error(format!("unknown page size `{}`", size.get_ref()))
                    .at(file, load::span_of(size, 0))
                    .with_note("known sizes: a4, a4-landscape, a5, a6, b5, b6, letter, 6x9in, 5x8in; or set width and height"),
            ),
        }
    }
    width = length(pick(chain, |s| s.page.width.as_ref()), width, &mut sink);
    height = length(pick(chain, |s| s.page.height.as_ref()), height, &mut sink);
    let page = Page {
        width,
        height,
        inside: length(pick(chain, |s| s.page.inside.as_ref()), mm(20.0), &mut sink),
        outside: length(
            pick(chain, |s| s.page.outside.as_ref()),
            mm(16.0),
            &mut sink,
        ),
        top: length(pick(chain, |s| s.page.top.as_ref()), mm(18.0), &mut sink),
        bottom: length(pick(chain, |s| s.page.bottom.as_ref()), mm(20.0), &mut sink),
        two_sided: pick(chain, |s| s.page.two_sided.as_ref()).is_none_or(|(v, _)| *v),
        columns: pick(chain, |s| s.page.columns.as_ref()).map_or(1, |(v, _)| *v),
        bleed: length(pick(chain, |s| s.page.bleed.as_ref()), 0.0, &mut sink),
        crop_marks: pick(chain, |s| s.page.crop_marks.as_ref()).is_some_and(|(v, _)| *v),
        slug: 0.0,
    };
    let page = Page {
        slug: if page.crop_marks { mm(SLUG_MM) } else { 0.0 },
        ..page
    };
    if page.bleed > mm(10.0)
        && let Some((value, file)) = pick(chain, |s| s.page.bleed.as_ref())
    {
        sink.push(
            Diagnostic::error("a bleed of more than 10 mm is not a bleed")
                .at(file, load::span_of(value, 0)),
        );
    }
    if !(1..=4).contains(&page.columns) {
        sink.push(
            Diagnostic::error(format!(
                "{} columns: an edition has 1 to 4 columns",
                page.columns
            ))
            .in_file(&chain[0].1),
        );
    }
    let text_width = page.width - page.inside - page.outside;
    let text_height = page.height - page.top - page.bottom;
    if text_width < mm(40.0) || text_height < mm(60.0) {
        let at = pick(chain, |s| {
            s.page
                .inside
                .as_ref()
                .or(s.page.size.as_ref())
                .or(s.page.width.as_ref())
        });
        let diagnostic = Diagnostic::error(format!(
            "the margins leave a text area of {:.0} × {:.0} mm; at least 40 × 60 mm is needed",
            text_width / mm(1.0),
            text_height / mm(1.0)
        ));
        sink.push(match at {
            Some((value, file)) => diagnostic.at(file, load::span_of(value, 0)),
            None => diagnostic,
        });
    }

    let font = |get: fn(&EditionFile) -> Option<&Spanned<String>>,
                default: &str,
                sink: &mut Sink|
     -> String {
        match pick(chain, get) {
            Some((family, file)) => {
                if !fonts.has_family(family.get_ref()) {
                    let known: Vec<String> =
                        fonts.book.families().map(|(n, _)| n.to_string()).collect();
                    sink.push(
                        Diagnostic::error(format!(
                            "unknown font `{}`: it is not in fonts/",
                            family.get_ref()
                        ))
                        .at(file, load::span_of(family, 0))
                        .with_note(format!("fonts available: {}", known.join(", "))),
                    );
                }
                family.get_ref().clone()
            }
            None => default.to_string(),
        }
    };
    let size = length(pick(chain, |s| s.fonts.size.as_ref()), 10.0, &mut sink);
    let edition_fonts = EditionFonts {
        serif: font(|s| s.fonts.serif.as_ref(), "Noto Serif", &mut sink),
        sans: font(|s| s.fonts.sans.as_ref(), "Noto Sans", &mut sink),
        cjk_serif: font(
            |s| s.fonts.cjk_serif.as_ref(),
            "Noto Serif CJK SC",
            &mut sink,
        ),
        cjk_sans: font(|s| s.fonts.cjk_sans.as_ref(), "Noto Sans CJK SC", &mut sink),
        size,
    };

    let mut palette = BTreeMap::new();
    for (_, file, settings) in chain.iter().rev() {
        for (key, value) in &settings.palette {
            match parse_colour(value.get_ref()) {
                Some(colour) => {
                    palette.insert(key.clone(), colour);
                }
                None => sink.push(
                    Diagnostic::error(format!(
                        "`{}` is not a colour (write #rrggbb or cmyk(c%, m%, y%, k%))",
                        value.get_ref()
                    ))
                    .at(file, load::span_of(value, 0)),
                ),
            }
            if !load::is_id(key) {
                sink.push(
                    Diagnostic::error(format!(
                        "colour name `{key}` must be lowercase letters, digits and hyphens"
                    ))
                    .in_file(file),
                );
            }
        }
    }

    let standard = match pick(chain, |s| s.pdf.standard.as_ref()) {
        None => PdfStandard {
            archival: true,
            accessible: false,
        },
        Some((value, file)) => match value.get_ref().as_str() {
            "a-2b" => PdfStandard {
                archival: true,
                accessible: false,
            },
            "ua-1" => PdfStandard {
                archival: false,
                accessible: true,
            },
            "a-2b+ua-1" => PdfStandard {
                archival: true,
                accessible: true,
            },
            "none" => PdfStandard {
                archival: false,
                accessible: false,
            },
            other => {
                sink.push(
                    Diagnostic::error(format!(
                        "unknown PDF standard `{other}` (use a-2b, ua-1, a-2b+ua-1 or none)"
                    ))
                    .at(file, load::span_of(value, 0)),
                );
                PdfStandard {
                    archival: false,
                    accessible: false,
                }
            }
        },
    };
    if standard.archival && palette.values().any(|c| c.starts_with("cmyk")) {
        let file = &chain[0].1;
        sink.push(
            Diagnostic::error(
                "PDF/A editions need an RGB palette (CMYK needs standard = \"none\" or \"ua-1\")",
            )
            .in_file(file),
        );
    }

    let slugs: Vec<&str> = book.chapters().map(|c| c.slug.as_str()).collect();
    let exclude_figures = match pick(chain, |s| s.content.exclude_figures.as_ref()) {
        None => vec![],
        Some((list, file)) => list
            .iter()
            .map(|id| (id.get_ref().clone(), file.clone(), load::span_of(id, 0)))
            .collect(),
    };
    let exclude = match pick(chain, |s| s.content.exclude.as_ref()) {
        None => vec![],
        Some((list, file)) => list
            .iter()
            .filter_map(|slug| {
                if slugs.contains(&slug.get_ref().as_str()) {
                    Some(slug.get_ref().clone())
                } else {
                    sink.push(
                        Diagnostic::error(format!("unknown chapter `{}`", slug.get_ref()))
                            .at(file, load::span_of(slug, 0)),
                    );
                    None
                }
            })
            .collect(),
    };
    let back_matter = match pick(chain, |s| s.content.back_matter.as_ref()) {
        None => BACK_MATTER.iter().map(|s| s.to_string()).collect(),
        Some((list, file)) => {
            checked_names(list, &BACK_MATTER, "back matter section", file, &mut sink)
        }
    };
    let outputs = match pick(chain, |s| s.outputs.as_ref()) {
        None => vec!["pdf".to_string()],
        Some((list, file)) => checked_names(list, &["pdf", "epub"], "output", file, &mut sink),
    };

    let mut template_dirs: Vec<String> =
        chain.iter().map(|(n, ..)| format!("layouts/{n}")).collect();
    template_dirs.push("layouts/base".into());
    template_dirs.dedup();

    sink.finish()?;
    Ok(Edition {
        name: name.to_string(),
        description: pick(chain, |s| s.description.as_ref())
            .map(|(d, _)| d.clone())
            .unwrap_or_default(),
        title_suffix: pick(chain, |s| s.title_suffix.as_ref())
            .map(|(d, _)| d.clone())
            .unwrap_or_default(),
        template_dirs,
        page,
        fonts: edition_fonts,
        palette,
        standard,
        exclude,
        exclude_figures,
        back_matter,
        outputs,
    })
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
                    .at(file, load::span_of(item, 0)),
                );
                None
            }
        })
        .collect()
}

fn mm(value: f64) -> f64 {
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

/// Turn `#rrggbb` or `cmyk(c%, m%, y%, k%)` into a Typst colour expression.
pub fn parse_colour(text: &str) -> Option<String> {
    let text = text.trim();
    if let Some(hex) = text.strip_prefix('#') {
        let ok = (hex.len() == 6 || hex.len() == 3) && hex.bytes().all(|b| b.is_ascii_hexdigit());
        return ok.then(|| format!("rgb(\"#{hex}\")"));
    }
    let inner = text.strip_prefix("cmyk(")?.strip_suffix(')')?;
    let parts: Vec<f64> = inner
        .split(',')
        .map(|p| p.trim().strip_suffix('%')?.trim().parse::<f64>().ok())
        .collect::<Option<Vec<_>>>()?;
    if parts.len() != 4 || parts.iter().any(|p| !(0.0..=100.0).contains(p)) {
        return None;
    }
    Some(format!(
        "cmyk({}%, {}%, {}%, {}%)",
        parts[0], parts[1], parts[2], parts[3]
    ))
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
        assert_eq!(parse_colour("#9e1b1b").as_deref(), Some("rgb(\"#9e1b1b\")"));
        assert_eq!(
            parse_colour("cmyk(0%, 90%, 80%, 20%)").as_deref(),
            Some("cmyk(0%, 90%, 80%, 20%)")
        );
        assert_eq!(parse_colour("red\"); #read(\"x"), None);
    }
}
