//! The fonts of a project: every font file in `fonts/`, read once through the sandbox and
//! shared by every edition (no system font is ever read).

use std::sync::Arc;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;

use crate::diagnostics::{Error, Result};
use crate::sandbox::{MAX_BINARY_BYTES, Sandbox};

/// The folder fonts are read from.
pub const FOLDER: &str = "fonts";

/// Fonts read once from `fonts/` and shared by every edition's world.
#[derive(Debug, Clone)]
pub struct Fonts {
    pub book: Arc<LazyHash<FontBook>>,
    pub fonts: Arc<Vec<Font>>,
}

impl Fonts {
    /// Read every `.ttf`, `.otf`, `.ttc` and `.otc` file in `fonts/`, in name order.
    pub fn load(sandbox: &Sandbox) -> Result<Self> {
        let names = sandbox.list(FOLDER).map_err(|denied| {
            Error::msg(format!("cannot read the fonts folder {FOLDER}/: {denied}"))
        })?;
        let mut book = FontBook::new();
        let mut fonts = Vec::new();
        for name in names.iter().filter(|name| is_font_file(name)) {
            let relative = format!("{FOLDER}/{name}");
            let data = sandbox
                .read(&relative, MAX_BINARY_BYTES)
                .map_err(|denied| Error::msg(format!("cannot read font {relative}: {denied}")))?;
            let before = fonts.len();
            for font in Font::iter(Bytes::new(data)) {
                book.push(font.info().clone());
                fonts.push(font);
            }
            if fonts.len() == before {
                return Err(Error::msg(format!(
                    "{relative} is not a font Typst can read"
                )));
            }
        }
        if fonts.is_empty() {
            return Err(Error::msg(format!(
                "no fonts in {FOLDER}/: the build uses only these fonts"
            )));
        }
        Ok(Self {
            book: Arc::new(LazyHash::new(book)),
            fonts: Arc::new(fonts),
        })
    }

    /// Whether a family name is known (case-insensitive, as Typst matches it).
    pub fn has_family(&self, family: &str) -> bool {
        self.book
            .families()
            .any(|(name, _)| name.eq_ignore_ascii_case(family))
    }

    /// Whether any font has a glyph for the character (Typst falls back across all of them).
    pub fn covers(&self, c: char) -> bool {
        (0..)
            .map_while(|i| self.book.info(i))
            .any(|info| info.coverage.contains(c as u32))
    }

    /// Every family name, in the font book's order.
    pub fn families(&self) -> Vec<String> {
        self.book.families().map(|(n, _)| n.to_string()).collect()
    }
}

fn is_font_file(name: &str) -> bool {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    matches!(ext.as_str(), "ttf" | "otf" | "ttc" | "otc")
}
