//! Pictures from `chapters/images/`: references checked, files read through the sandbox and
//! validated before either output sees them. Raster images are decoded (within limits) to
//! prove they are what their name says; SVG is parsed and written again through an
//! allowlist, so the same clean bytes reach the PDF and the EPUB.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::sandbox::{Denied, MAX_BINARY_BYTES, Sandbox};

pub mod svg;

/// Image formats both outputs can show (the EPUB 3 core media types Typst also reads).
pub const IMAGE_TYPES: [(&str, &str); 6] = [
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("svg", "image/svg+xml"),
    ("webp", "image/webp"),
];

/// Largest raster image accepted, in pixels (100 megapixels).
pub const MAX_PIXELS: u64 = 100_000_000;

/// Memory a raster image may take while it is checked.
const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

/// A validated image of the book.
#[derive(Debug)]
pub struct Image {
    /// Project path, e.g. `/chapters/images/route.png`.
    pub path: String,
    pub media_type: &'static str,
    /// Width and height in pixels (SVG: its viewport in user units, rounded).
    pub width: u32,
    pub height: u32,
    /// The bytes both outputs use: the file itself, or for SVG the rewritten document.
    pub bytes: Vec<u8>,
}

impl Image {
    /// Whether the image is a raster image (not SVG).
    pub fn is_raster(&self) -> bool {
        self.media_type != "image/svg+xml"
    }
}

/// The media type of an image path by its extension.
pub fn media_type(path: &str) -> Option<&'static str> {
    let extension = path.rsplit_once('.')?.1.to_ascii_lowercase();
    IMAGE_TYPES
        .iter()
        .find(|(ext, _)| *ext == extension)
        .map(|(_, t)| *t)
}

/// Where an image of the book lives inside the EPUB, relative to the XHTML files.
pub fn epub_href(path: &str) -> String {
    path.trim_start_matches("/chapters/").to_string()
}

/// Check the form of an image reference of a chapter (`images/route.png`) and return its
/// project path (`/chapters/images/route.png`).
pub fn image_path(dest: &str) -> Result<String, String> {
    if dest.contains(':') {
        return Err(format!(
            "image `{dest}` must be a file under chapters/images/, not a URL"
        ));
    }
    if dest.starts_with('/') || dest.starts_with('\\') {
        return Err(format!(
            "image path `{dest}` is absolute; write it relative to chapters/, e.g. images/map.png"
        ));
    }
    if dest.split(['/', '\\']).any(|part| part == "..") {
        return Err(format!("image path `{dest}` leaves the chapters folder"));
    }
    if !dest.starts_with("images/") {
        return Err(format!("image `{dest}` must be inside chapters/images/"));
    }
    if media_type(dest).is_none() {
        return Err(format!(
            "image `{dest}` must be PNG, JPEG, GIF, SVG or WebP"
        ));
    }
    if dest
        .chars()
        .any(|c| !(c.is_ascii_alphanumeric() || "/-_.".contains(c)))
    {
        return Err(format!(
            "image file name `{dest}` may use only ASCII letters, digits, `-`, `_` and `.`"
        ));
    }
    Ok(format!("/chapters/{dest}"))
}

/// An image as validated, or why it was refused.
type Checked = Result<Arc<Image>, String>;

/// The images of a book, each read and validated once, shared by every edition and the
/// EPUB (and by the threads that build them).
#[derive(Debug, Clone)]
pub struct ImageStore {
    sandbox: Sandbox,
    loaded: Arc<Mutex<HashMap<String, Checked>>>,
}

impl ImageStore {
    /// A store reading from the project behind `sandbox`.
    pub fn new(sandbox: Sandbox) -> Self {
        Self {
            sandbox,
            loaded: Arc::default(),
        }
    }

    /// The validated image at a project path (`/chapters/images/…`), or why it is refused.
    pub fn get(&self, path: &str) -> Result<Arc<Image>, String> {
        if let Some(found) = self.loaded.lock().ok().and_then(|m| m.get(path).cloned()) {
            return found;
        }
        let result = self.load(path).map(Arc::new);
        if let Ok(mut loaded) = self.loaded.lock() {
            loaded.insert(path.to_string(), result.clone());
        }
        result
    }

    /// Every image validated so far, by path.
    pub fn loaded(&self) -> Vec<Arc<Image>> {
        let Ok(loaded) = self.loaded.lock() else {
            return vec![];
        };
        let mut images: Vec<Arc<Image>> = loaded.values().filter_map(|r| r.clone().ok()).collect();
        images.sort_by(|a, b| a.path.cmp(&b.path));
        images
    }

    fn load(&self, path: &str) -> Result<Image, String> {
        let relative = path.trim_start_matches('/');
        let name = relative.trim_start_matches("chapters/");
        let media_type =
            media_type(path).ok_or_else(|| format!("image `{name}` has no known type"))?;
        let bytes =
            self.sandbox
                .read(relative, MAX_BINARY_BYTES)
                .map_err(|denied| match denied {
                    Denied::NotFound => format!("image `{name}` not found in chapters/images/"),
                    denied => format!("image `{name}` cannot be read: {denied}"),
                })?;
        if media_type == "image/svg+xml" {
            let clean = svg::sanitize(&bytes).map_err(|e| format!("image `{name}`: {e}"))?;
            return Ok(Image {
                path: path.to_string(),
                media_type,
                width: clean.width,
                height: clean.height,
                bytes: clean.text.into_bytes(),
            });
        }
        let (width, height) =
            check_raster(&bytes, media_type).map_err(|e| format!("image `{name}` {e}"))?;
        Ok(Image {
            path: path.to_string(),
            media_type,
            width,
            height,
            bytes,
        })
    }
}

/// Decode a raster image within limits, proving its type matches its name; returns its size.
fn check_raster(bytes: &[u8], media_type: &str) -> Result<(u32, u32), String> {
    use image::{ImageFormat, ImageReader};
    let format = image::guess_format(bytes)
        .map_err(|_| "is not an image: its content is not PNG, JPEG, GIF or WebP".to_string())?;
    let expected = match media_type {
        "image/png" => ImageFormat::Png,
        "image/jpeg" => ImageFormat::Jpeg,
        "image/gif" => ImageFormat::Gif,
        _ => ImageFormat::WebP,
    };
    if format != expected {
        return Err(format!(
            "is named as {} but holds {}",
            expected.extensions_str()[0].to_uppercase(),
            format.extensions_str()[0].to_uppercase()
        ));
    }
    let mut reader = ImageReader::with_format(std::io::Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let (width, height) = reader
        .into_dimensions()
        .map_err(|e| format!("cannot be read: {e}"))?;
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(format!(
            "is {width} × {height} pixels; images over {} megapixels are refused",
            MAX_PIXELS / 1_000_000
        ));
    }
    let mut reader = ImageReader::with_format(std::io::Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    reader
        .decode()
        .map_err(|e| format!("is damaged or incomplete: {e}"))?;
    Ok((width, height))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_must_stay_in_the_images_folder() {
        assert_eq!(
            image_path("images/a.png").as_deref(),
            Ok("/chapters/images/a.png")
        );
        for bad in [
            "https://x/a.png",
            "/etc/a.png",
            "images/../a.png",
            "a.png",
            "images/a.txt",
            "images/ä.png",
            "file:///images/a.png",
        ] {
            assert!(image_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn raster_images_must_be_what_they_say() {
        let mut png = Vec::new();
        image::RgbImage::new(4, 3)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        assert_eq!(check_raster(&png, "image/png"), Ok((4, 3)));
        assert!(check_raster(&png, "image/jpeg").is_err());
        assert!(check_raster(b"not an image at all", "image/png").is_err());
        assert!(check_raster(&png[..png.len() - 20], "image/png").is_err());
    }
}
