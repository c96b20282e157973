//! The cover of a print edition: one spread (back, spine, front) whose spine is as wide as
//! the interior is thick, rendered from the edition's `cover.typ`, compiled like the
//! interior and finished as a print file.

use minijinja::Value;
use minijinja::value::Serde;
use serde::Serialize;

use crate::content::isbn::Isbn13;
use crate::content::model::Book;
use crate::content::view::BookView;
use crate::date::BuildDate;
use crate::diagnostics::Result;
use crate::edition::{Edition, Print};
use crate::sandbox::Sandbox;
use crate::templates::{Language, Templates};

use super::render::{Generated, Origins};

/// Path of the cover's main file inside its Typst world.
pub const MAIN: &str = "/gen/cover.typ";

/// Spines narrower than this carry no lettering (services ask for about 80 pages or more).
const MIN_LETTERED_SPINE_PT: f64 = 0.25 * 72.0;

/// The cover's geometry as `cover.typ` sees it, in points.
#[derive(Debug, Clone, Serialize)]
pub struct CoverView {
    pub trim_width: f64,
    pub trim_height: f64,
    pub spine: f64,
    pub bleed: f64,
    pub slug: f64,
    pub crop_marks: bool,
    pub spine_text: bool,
    /// The barcode's bars as `(first module, width in modules)`, from the ISBN.
    pub bars: Vec<(usize, usize)>,
}

/// The spine's width for an interior of `pages` pages on the edition's paper.
pub fn spine_width(pages: usize, print: &Print) -> f64 {
    pages as f64 * print.per_page
}

impl CoverView {
    /// The cover of `edition` for an interior of `pages` pages.
    pub fn new(book: &Book, edition: &Edition, print: &Print, pages: usize) -> Self {
        let spine = spine_width(pages, print);
        let bars = book
            .meta
            .isbn
            .as_ref()
            .and_then(|i| Isbn13::parse(i.get_ref()).ok())
            .map(|isbn| bars(&isbn.ean13_modules()))
            .unwrap_or_default();
        Self {
            trim_width: edition.page.width,
            trim_height: edition.page.height,
            spine,
            bleed: edition.page.bleed,
            slug: edition.page.slug,
            crop_marks: edition.page.crop_marks,
            spine_text: spine >= MIN_LETTERED_SPINE_PT,
            bars,
        }
    }
}

/// Runs of bar modules: `(start, width)`.
fn bars(modules: &[bool]) -> Vec<(usize, usize)> {
    let mut bars = Vec::new();
    let mut start = None;
    for (i, &bar) in modules.iter().chain(std::iter::once(&false)).enumerate() {
        match (bar, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                bars.push((s, i - s));
                start = None;
            }
            _ => {}
        }
    }
    bars
}

/// Render the cover's Typst sources: the edition's style and `cover.typ`.
pub fn render(
    sandbox: &Sandbox,
    book: &Book,
    edition: &Edition,
    date: &BuildDate,
    cover: &CoverView,
    style_source: &str,
) -> Result<Generated> {
    let templates = Templates::new(sandbox, edition.template_dirs.clone(), Language::Typst);
    let book_view = BookView::new(book, date);
    let edition_view = super::render::edition_view(edition);
    let context = minijinja::context! {
        book => Serde(&book_view),
        edition => &edition_view,
        cover => Value::from(Serde(cover)),
    };
    let text = templates.render("cover.typ", &context)?;
    let template = templates
        .files
        .get("cover.typ")
        .map_or_else(|| "cover.typ".to_string(), |f| f.name);
    let mut origins = Origins {
        templates: templates.files.all(),
        ..Origins::default()
    };
    origins
        .files
        .insert(MAIN.to_string(), format!("{template} for the cover"));
    Ok(Generated {
        files: vec![
            ("/gen/style.typ".to_string(), style_source.to_string()),
            (MAIN.to_string(), text),
        ],
        images: vec![],
        origins,
        warnings: vec![],
    })
}

/// Path of the cover image's main file inside its Typst world.
pub const IMAGE_MAIN: &str = "/gen/cover-image.typ";

/// Width of the cover image in pixels; its page is 5 × 8 in, so it is 2560 pixels high.
pub const IMAGE_WIDTH_PX: f32 = 1600.0;

/// Render the sources of the front cover as one page (`cover-image.typ`) in an edition's style.
pub fn render_image(
    sandbox: &Sandbox,
    book: &Book,
    edition: &Edition,
    date: &BuildDate,
    style_source: &str,
) -> Result<Generated> {
    let templates = Templates::new(sandbox, edition.template_dirs.clone(), Language::Typst);
    let book_view = BookView::new(book, date);
    let edition_view = super::render::edition_view(edition);
    let context = minijinja::context! { book => Serde(&book_view), edition => &edition_view };
    let text = templates.render("cover-image.typ", &context)?;
    Ok(Generated {
        files: vec![
            ("/gen/style.typ".to_string(), style_source.to_string()),
            (IMAGE_MAIN.to_string(), text),
        ],
        images: vec![],
        origins: Origins {
            templates: templates.files.all(),
            ..Origins::default()
        },
        warnings: vec![],
    })
}

/// Compile the cover image's sources in `world` and draw its page as a PNG.
pub fn draw_image(world: &mut super::world::BookWorld, generated: Generated) -> Result<Vec<u8>> {
    world.set_generated(generated.files, &generated.images);
    let (document, _) = super::compile(world, &generated.origins)?;
    let Some(page) = document.pages().first() else {
        return Err(crate::diagnostics::Error::msg(
            "the cover image has no page",
        ));
    };
    let options = typst_render::RenderOptions {
        pixel_per_pt: (f64::from(IMAGE_WIDTH_PX) / page.frame.width().to_pt()).into(),
        render_bleed: false,
    };
    let pixmap = typst_render::render(page, &options);
    pixmap
        .encode_png()
        .map_err(|e| crate::diagnostics::Error::msg(format!("cannot encode the cover image: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_runs_of_modules() {
        assert_eq!(
            bars(&[true, false, true, true, false, false, true]),
            vec![(0, 1), (2, 2), (6, 1)]
        );
    }
}
