//! Text in figures measured with the font it is set in: the faces of the edition's sans
//! family, read from `fonts/` through the sandbox and shaped with rustybuzz, as the SVG
//! renderer shapes them, so that a label's box is the box its glyphs are drawn in.

use rustybuzz::ttf_parser;

use crate::diagnostics::Diagnostic;
use crate::fonts::FOLDER;
use crate::sandbox::{MAX_BINARY_BYTES, Sandbox};

/// Which face of the family a text is set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    /// Labels, legends, scale bars.
    Regular,
    /// Names of water: rivers, lakes, seas.
    Italic,
    /// Stop numbers, the north arrow's N, inset letters.
    Bold,
}

impl Face {
    /// Position of the face in the arrays below.
    fn index(self) -> usize {
        match self {
            Face::Regular => 0,
            Face::Italic => 1,
            Face::Bold => 2,
        }
    }
}

/// The extent of one line of text around its baseline, in SVG units at the size it was
/// measured at: its advance width and the font's ascender and descender, which is the box
/// a PDF text layer gives each line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Extent {
    pub width: f64,
    pub ascent: f64,
    pub descent: f64,
}

/// The bytes of one face: a font file and the face's index in it.
#[derive(Clone)]
struct FaceBytes {
    file: String,
    bytes: std::sync::Arc<Vec<u8>>,
    index: u32,
}

/// The font files of a family's regular, italic and bold faces, as read from `fonts/`.
#[derive(Clone, Default)]
pub struct FontFiles {
    family: String,
    faces: [Option<FaceBytes>; 3],
}

impl std::fmt::Debug for FontFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let files: Vec<Option<&str>> = self
            .faces
            .iter()
            .map(|face| face.as_ref().map(|b| b.file.as_str()))
            .collect();
        write!(f, "FontFiles({}, {files:?})", self.family)
    }
}

impl FontFiles {
    /// Find the regular, italic and bold faces of `family` in `fonts/`. Files whose names
    /// look like the family are read first, so that usually only its own files are read;
    /// a family that is not there gives a warning, and text is then measured by estimate.
    pub fn load(sandbox: &Sandbox, family: &str) -> (Self, Option<Diagnostic>) {
        let mut found = FontFiles {
            family: family.to_string(),
            faces: Default::default(),
        };
        let key = squeeze(family);
        let mut names: Vec<String> = sandbox
            .list(FOLDER)
            .unwrap_or_default()
            .into_iter()
            .filter(|n| {
                let lower = n.to_ascii_lowercase();
                [".ttf", ".otf", ".ttc", ".otc"]
                    .iter()
                    .any(|e| lower.ends_with(e))
            })
            .collect();
        names.sort_by_key(|n| (!squeeze(n).starts_with(&key), n.clone()));
        for name in names {
            if found.faces.iter().all(Option::is_some) {
                break;
            }
            let file = format!("{FOLDER}/{name}");
            let Ok(bytes) = sandbox.read(&file, MAX_BINARY_BYTES) else {
                continue;
            };
            found.take_faces(&file, std::sync::Arc::new(bytes));
        }
        let warning = found.faces[0].is_none().then(|| {
            Diagnostic::warning(format!(
                "the figures' font `{family}` is not in {FOLDER}/: map labels are measured by estimate and may collide"
            ))
        });
        (found, warning)
    }

    /// Keep the faces of this family that a font file holds and that are still missing.
    fn take_faces(&mut self, file: &str, bytes: std::sync::Arc<Vec<u8>>) {
        let count = ttf_parser::fonts_in_collection(&bytes).unwrap_or(1);
        for index in 0..count {
            let Ok(face) = ttf_parser::Face::parse(&bytes, index) else {
                continue;
            };
            if !family_names(&face).any(|n| n.eq_ignore_ascii_case(&self.family)) {
                continue;
            }
            let weight = face.weight().to_number();
            let slot = match (face.is_italic() || face.is_oblique(), weight) {
                (false, 350..=450) => Face::Regular,
                (true, 350..=450) => Face::Italic,
                (false, 600..=750) => Face::Bold,
                _ => continue,
            };
            self.faces[slot.index()].get_or_insert(FaceBytes {
                file: file.to_string(),
                bytes: bytes.clone(),
                index,
            });
        }
    }

    /// The faces parsed for shaping, for as long as these files are kept.
    pub fn measure(&self) -> Measure<'_> {
        Measure {
            faces: std::array::from_fn(|i| {
                let face = self.faces[i].as_ref()?;
                rustybuzz::Face::from_slice(&face.bytes, face.index)
            }),
            shaped: Default::default(),
        }
    }
}

/// A family name, lowercase, letters and digits only: `Noto Sans` → `notosans`.
fn squeeze(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The family names a face gives (typographic family first), as Typst matches them.
fn family_names<'a>(face: &'a ttf_parser::Face<'a>) -> impl Iterator<Item = String> + 'a {
    let names = face.names();
    [
        ttf_parser::name_id::TYPOGRAPHIC_FAMILY,
        ttf_parser::name_id::FAMILY,
    ]
    .into_iter()
    .flat_map(move |id| {
        names
            .into_iter()
            .filter(move |n| n.name_id == id)
            .filter_map(|n| n.to_string())
    })
}

/// Measures text with the parsed faces of a family (shaped as the renderer shapes it).
pub struct Measure<'a> {
    faces: [Option<rustybuzz::Face<'a>>; 3],
    /// Advance widths in ems already shaped, by text and face: placing labels asks for the
    /// same names again and again.
    shaped: std::cell::RefCell<std::collections::HashMap<(String, usize), f64>>,
}

impl Measure<'_> {
    /// The extent of one line of `text` at `size` in `face`, with `spacing` added after
    /// every character (SVG `letter-spacing`).
    pub fn extent(&self, text: &str, size: f64, face: Face, spacing: f64) -> Extent {
        let chosen = self.faces[face.index()]
            .as_ref()
            .or(self.faces[Face::Regular.index()].as_ref());
        let Some(font) = chosen else {
            return Extent {
                width: estimate_width(text, size) + spacing * text.chars().count() as f64,
                ascent: size * 1.069,
                descent: size * 0.293,
            };
        };
        let per_unit = size / f64::from(font.units_per_em());
        let key = (text.to_string(), face.index());
        let cached = self.shaped.borrow().get(&key).copied();
        let advance = cached.unwrap_or_else(|| {
            let mut buffer = rustybuzz::UnicodeBuffer::new();
            buffer.push_str(text);
            buffer.guess_segment_properties();
            let shaped = rustybuzz::shape(font, &[], buffer);
            let units: f64 = shaped
                .glyph_infos()
                .iter()
                .zip(shaped.glyph_positions())
                .map(|(info, pos)| {
                    // A glyph the face lacks comes from another font in the renderer: count
                    // it as a full em, the width of a CJK ideograph, rather than the notdef.
                    if info.glyph_id == 0 {
                        f64::from(font.units_per_em())
                    } else {
                        f64::from(pos.x_advance)
                    }
                })
                .sum();
            self.shaped.borrow_mut().insert(key, units);
            units
        });
        Extent {
            width: advance * per_unit + spacing * text.chars().count() as f64,
            ascent: f64::from(font.ascender()) * per_unit,
            descent: -f64::from(font.descender()) * per_unit,
        }
    }

    /// The advance width of one line of text in the regular face.
    pub fn width(&self, text: &str, size: f64) -> f64 {
        self.extent(text, size, Face::Regular, 0.0).width
    }
}

/// Estimated advance width of a text in a sans face, used only when the figures' font is
/// not in the project: an average glyph is about 0.56 em, capitals and wide letters more.
fn estimate_width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | 't' | 'f' | 'r' | '.' | ',' | '\'' | ' ' | '’' | 'I' => 0.32,
            'm' | 'w' | 'M' | 'W' => 0.86,
            c if c.is_uppercase() => 0.68,
            c if c.is_ascii_digit() => 0.57,
            _ => 0.56,
        })
        .sum::<f64>()
        * size
        * 1.08
}
