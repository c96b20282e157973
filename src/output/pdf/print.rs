//! Print files: what a printer's prepress expects and Typst does not write. Every colour
//! becomes the edition's process colours (the RGB figures are drawn in maps back to the
//! palette's exact CMYK), annotations and tagging go, raster images are converted to CMYK,
//! the file is identified as PDF/X-4 with its output intent, and a print-on-demand file gets
//! the page boxes of its service (bleed on top, bottom and outside; MediaBox = BleedBox).

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat, dictionary};

use crate::diagnostics::{Error, Result};
use crate::edition::{Print, PrintService, PrintTarget};

/// What finishing a print file needs besides the PDF.
pub struct PrintJob<'a> {
    pub print: &'a Print,
    /// Process colours of the palette with the RGB figures draw them in.
    pub process_colours: &'a [([u8; 3], [f64; 4])],
    /// The output intent's ICC profile.
    pub profile: &'a [u8],
    /// Bleed beyond the trim, in points.
    pub bleed: f64,
    /// A cover bleeds on every side whatever the service trims.
    pub cover: bool,
}

/// Turn the PDF Typst wrote into the edition's print file.
pub fn finish(pdf: &[u8], job: &PrintJob<'_>) -> Result<Vec<u8>> {
    let fail = |e: lopdf::Error| Error::msg(format!("cannot finish the print file: {e}"));
    let mut document = Document::load_mem(pdf).map_err(fail)?;
    remove_interactive(&mut document).map_err(fail)?;
    let colours = ColourMap::new(job.process_colours);
    convert_content(&mut document, &colours).map_err(fail)?;
    convert_images(&mut document).map_err(fail)?;
    if job.print.target == PrintTarget::Pod {
        pod_boxes(&mut document, job).map_err(fail)?;
    }
    identify_pdfx(&mut document, job.profile).map_err(fail)?;
    document.prune_objects();
    let mut out = Vec::with_capacity(pdf.len());
    document
        .save_to(&mut out)
        .map_err(|e| Error::msg(format!("cannot write the print file: {e}")))?;
    Ok(out)
}

/// A print file carries no links, forms or comments; the structure tree refers to them and
/// serves readers on screen, so it goes too (PDF/X does not need it).
fn remove_interactive(document: &mut Document) -> lopdf::Result<()> {
    for page in document.get_pages().into_values() {
        let dict = document.get_dictionary_mut(page)?;
        dict.remove(b"Annots");
        dict.remove(b"StructParents");
        dict.remove(b"Tabs");
    }
    let catalog = document.catalog_mut()?;
    for key in [
        b"StructTreeRoot".as_slice(),
        b"MarkInfo",
        b"AcroForm",
        b"OpenAction",
    ] {
        catalog.remove(key);
    }
    Ok(())
}

/// RGB to CMYK: the palette's stand-ins map back exactly; any other colour is separated by
/// grey-component replacement, so greys (and white and black) use the black ink alone.
struct ColourMap {
    exact: HashMap<[u8; 3], [f64; 4]>,
}

impl ColourMap {
    fn new(process: &[([u8; 3], [f64; 4])]) -> Self {
        Self {
            exact: process.iter().map(|(rgb, cmyk)| (*rgb, *cmyk)).collect(),
        }
    }

    /// CMYK (0 to 1) of an RGB colour (0 to 1).
    fn cmyk(&self, rgb: [f64; 3]) -> [f64; 4] {
        let bytes = rgb.map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8);
        if let Some(cmyk) = self.exact.get(&bytes) {
            return cmyk.map(|v| v / 100.0);
        }
        separate(rgb)
    }
}

/// Separate an RGB colour with full grey-component replacement.
fn separate([r, g, b]: [f64; 3]) -> [f64; 4] {
    let k = 1.0 - r.max(g).max(b);
    if k >= 1.0 - 1e-9 {
        return [0.0, 0.0, 0.0, 1.0];
    }
    let c = (1.0 - r - k) / (1.0 - k);
    let m = (1.0 - g - k) / (1.0 - k);
    let y = (1.0 - b - k) / (1.0 - k);
    [c, m, y, k].map(|v| (v.clamp(0.0, 1.0) * 1000.0).round() / 1000.0)
}

/// Whether a colour space object (or the name of one) is RGB.
fn is_rgb_space(document: &Document, space: &Object) -> bool {
    match space {
        Object::Name(name) => name == b"DeviceRGB" || name == b"RGB",
        Object::Reference(id) => document
            .get_object(*id)
            .is_ok_and(|o| is_rgb_space(document, o)),
        Object::Array(items) => match items.first() {
            Some(Object::Name(kind)) if kind == b"CalRGB" => true,
            Some(Object::Name(kind)) if kind == b"ICCBased" => {
                items
                    .get(1)
                    .and_then(|p| match p {
                        Object::Reference(id) => document.get_object(*id).ok(),
                        other => Some(other),
                    })
                    .and_then(|p| p.as_stream().ok())
                    .and_then(|s| s.dict.get(b"N").ok()?.as_i64().ok())
                    == Some(3)
            }
            _ => false,
        },
        _ => false,
    }
}

/// The names of the RGB colour spaces in a resource dictionary.
fn rgb_space_names(document: &Document, resources: &Dictionary) -> Vec<Vec<u8>> {
    let spaces = match resources.get(b"ColorSpace") {
        Ok(Object::Reference(id)) => document.get_dictionary(*id).ok(),
        Ok(Object::Dictionary(dict)) => Some(dict),
        _ => None,
    };
    spaces
        .map(|spaces| {
            spaces
                .iter()
                .filter(|(_, space)| is_rgb_space(document, space))
                .map(|(name, _)| name.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// Every content stream (pages, form XObjects, tiling patterns) with its resources.
fn content_streams(document: &Document) -> Vec<(ObjectId, Dictionary)> {
    let mut found = Vec::new();
    for page in document.get_pages().into_values() {
        let resources = page_resources(document, page);
        for id in document.get_page_contents(page) {
            found.push((id, resources.clone()));
        }
    }
    for (id, object) in &document.objects {
        let Ok(stream) = object.as_stream() else {
            continue;
        };
        let subtype = stream.dict.get(b"Subtype").and_then(Object::as_name).ok();
        let pattern = stream
            .dict
            .get(b"PatternType")
            .and_then(Object::as_i64)
            .ok()
            == Some(1);
        if subtype == Some(b"Form".as_slice()) || pattern {
            let resources = match stream.dict.get(b"Resources") {
                Ok(Object::Reference(r)) => {
                    document.get_dictionary(*r).cloned().unwrap_or_default()
                }
                Ok(Object::Dictionary(d)) => d.clone(),
                _ => Dictionary::new(),
            };
            found.push((*id, resources));
        }
    }
    found
}

/// The resources of a page, inherited from its parents where it has none.
fn page_resources(document: &Document, page: ObjectId) -> Dictionary {
    let mut current = Some(page);
    while let Some(id) = current {
        let Ok(dict) = document.get_dictionary(id) else {
            break;
        };
        match dict.get(b"Resources") {
            Ok(Object::Reference(r)) => {
                return document.get_dictionary(*r).cloned().unwrap_or_default();
            }
            Ok(Object::Dictionary(d)) => return d.clone(),
            _ => current = dict.get(b"Parent").and_then(Object::as_reference).ok(),
        }
    }
    Dictionary::new()
}

/// Rewrite every content stream: RGB operators and RGB colour spaces become CMYK.
fn convert_content(document: &mut Document, colours: &ColourMap) -> lopdf::Result<()> {
    for (id, resources) in content_streams(document) {
        let rgb_names = rgb_space_names(document, &resources);
        let Ok(stream) = document.get_object(id).and_then(Object::as_stream) else {
            continue;
        };
        let data = stream
            .decompressed_content()
            .unwrap_or_else(|_| stream.content.clone());
        let Ok(content) = Content::decode(&data) else {
            continue;
        };
        let operations = convert_operations(content.operations, &rgb_names, colours);
        let encoded = Content { operations }.encode()?;
        let stream = document.get_object_mut(id)?.as_stream_mut()?;
        stream.dict.remove(b"Filter");
        stream.dict.remove(b"DecodeParms");
        stream.set_plain_content(encoded);
        let _ = stream.compress();
    }
    Ok(())
}

/// The operations with RGB colour set as CMYK. `cs`/`CS` naming an RGB space switch to
/// DeviceCMYK, and the `sc`/`scn` that follow carry four components.
fn convert_operations(
    operations: Vec<Operation>,
    rgb_names: &[Vec<u8>],
    colours: &ColourMap,
) -> Vec<Operation> {
    let (mut fill_rgb, mut stroke_rgb) = (false, false);
    let cmyk_operands = |ops: &[Object]| -> Option<Vec<Object>> {
        let values: Vec<f64> = ops
            .iter()
            .map(|o| o.as_float().ok().map(f64::from))
            .collect::<Option<_>>()?;
        let [r, g, b] = <[f64; 3]>::try_from(values).ok()?;
        Some(
            colours
                .cmyk([r, g, b])
                .iter()
                .map(|v| Object::Real(*v as f32))
                .collect(),
        )
    };
    operations
        .into_iter()
        .map(|op| {
            let name = op.operator.as_str();
            let space_is_rgb = |op: &Operation| {
                op.operands
                    .first()
                    .and_then(|o| o.as_name().ok())
                    .is_some_and(|n| n == b"DeviceRGB" || rgb_names.iter().any(|r| r == n))
            };
            match name {
                "cs" | "CS" => {
                    let rgb = space_is_rgb(&op);
                    if name == "cs" {
                        fill_rgb = rgb
                    } else {
                        stroke_rgb = rgb
                    }
                    if rgb {
                        Operation::new(name, vec![Object::Name(b"DeviceCMYK".to_vec())])
                    } else {
                        op
                    }
                }
                "rg" | "RG" => match cmyk_operands(&op.operands) {
                    Some(cmyk) => Operation::new(if name == "rg" { "k" } else { "K" }, cmyk),
                    None => op,
                },
                "sc" | "scn" if fill_rgb => match cmyk_operands(&op.operands) {
                    Some(cmyk) => Operation::new(name, cmyk),
                    None => op,
                },
                "SC" | "SCN" if stroke_rgb => match cmyk_operands(&op.operands) {
                    Some(cmyk) => Operation::new(name, cmyk),
                    None => op,
                },
                _ => op,
            }
        })
        .collect()
}

/// Raster images in RGB (8 bits, Flate or uncompressed) become CMYK, pixel by pixel, with
/// the same separation as vector colours.
fn convert_images(document: &mut Document) -> lopdf::Result<()> {
    let images: Vec<ObjectId> = document
        .objects
        .iter()
        .filter_map(|(id, object)| {
            let stream = object.as_stream().ok()?;
            let is_image = stream.dict.get(b"Subtype").and_then(Object::as_name).ok()
                == Some(b"Image".as_slice());
            let space = stream.dict.get(b"ColorSpace").ok()?;
            (is_image && is_rgb_space(document, space)).then_some(*id)
        })
        .collect();
    let map = ColourMap::new(&[]);
    for id in images {
        let stream = document.get_object(id)?.as_stream()?;
        let bits = stream
            .dict
            .get(b"BitsPerComponent")
            .and_then(Object::as_i64)
            .unwrap_or(8);
        let filter = stream.dict.get(b"Filter").and_then(Object::as_name).ok();
        if bits != 8
            || !matches!(filter, None | Some(b"FlateDecode"))
            || stream.dict.has(b"DecodeParms")
        {
            continue;
        }
        let Ok(pixels) = inflate(&stream.content, filter.is_some()) else {
            continue;
        };
        let cmyk: Vec<u8> = pixels
            .chunks_exact(3)
            .flat_map(|p| {
                map.cmyk([p[0], p[1], p[2]].map(|v| f64::from(v) / 255.0))
                    .map(|v| (v * 255.0).round() as u8)
            })
            .collect();
        let stream = document.get_object_mut(id)?.as_stream_mut()?;
        stream
            .dict
            .set("ColorSpace", Object::Name(b"DeviceCMYK".to_vec()));
        stream.dict.remove(b"Filter");
        stream.set_plain_content(cmyk);
        let _ = stream.compress();
    }
    Ok(())
}

fn inflate(data: &[u8], compressed: bool) -> std::io::Result<Vec<u8>> {
    if !compressed {
        return Ok(data.to_vec());
    }
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(data).read_to_end(&mut out)?;
    Ok(out)
}

/// Print on demand: the page is the trim plus its bleed (no slug), and a service that trims
/// three sides has no bleed at the spine: the inside edge of a recto is its left, of a verso
/// its right.
fn pod_boxes(document: &mut Document, job: &PrintJob<'_>) -> lopdf::Result<()> {
    let spine_bleed = job.cover
        || matches!(
            job.print.service,
            Some(PrintService::Ingramspark | PrintService::Lulu)
        );
    for (number, id) in document.get_pages() {
        let dict = document.get_dictionary_mut(id)?;
        let trim = boxed(dict, b"TrimBox").or_else(|| boxed(dict, b"MediaBox"));
        let Some([x0, y0, x1, y1]) = trim else {
            continue;
        };
        let b = job.bleed;
        let recto = number % 2 == 1;
        let (left, right) = match (spine_bleed, recto) {
            (true, _) => (x0 - b, x1 + b),
            (false, true) => (x0, x1 + b),
            (false, false) => (x0 - b, x1),
        };
        let array =
            |v: [f64; 4]| Object::Array(v.iter().map(|n| Object::Real(*n as f32)).collect());
        let page = [left, y0 - b, right, y1 + b];
        dict.set("MediaBox", array(page));
        dict.set("BleedBox", array(page));
        dict.set("TrimBox", array([x0, y0, x1, y1]));
        dict.remove(b"CropBox");
    }
    Ok(())
}

fn boxed(dict: &Dictionary, key: &[u8]) -> Option<[f64; 4]> {
    let values: Vec<f64> = dict
        .get(key)
        .ok()?
        .as_array()
        .ok()?
        .iter()
        .map(|v| v.as_float().ok().map(f64::from))
        .collect::<Option<_>>()?;
    values.try_into().ok()
}

/// PDF/X-4: version 1.6, the output intent with its profile, `/Trapped` and
/// `/GTS_PDFXVersion` in the document information and the same in the XMP metadata.
fn identify_pdfx(document: &mut Document, profile: &[u8]) -> lopdf::Result<()> {
    document.version = "1.6".into();
    let text = |s: &str| Object::String(s.as_bytes().to_vec(), StringFormat::Literal);
    let mut icc = Stream::new(dictionary! { "N" => 4 }, profile.to_vec());
    let _ = icc.compress();
    let icc = document.add_object(icc);
    let intent = document.add_object(dictionary! {
        "Type" => "OutputIntent",
        "S" => "GTS_PDFX",
        "OutputConditionIdentifier" => text("FOGRA39"),
        "RegistryName" => text("http://www.color.org"),
        "OutputCondition" => text("Offset commercial and specialty printing according to ISO 12647-2:2004/Amd 1, paper type 1 or 2 (coated art, 115 g/m2), screen ruling 60/cm"),
        "Info" => text("Coated FOGRA39 (ISO 12647-2:2004)"),
        "DestOutputProfile" => icc,
    });
    document
        .catalog_mut()?
        .set("OutputIntents", vec![Object::Reference(intent)]);
    let info = document.trailer.get(b"Info")?.as_reference()?;
    let info = document.get_dictionary_mut(info)?;
    info.set("Trapped", Object::Name(b"False".to_vec()));
    info.set("GTS_PDFXVersion", text("PDF/X-4"));
    let metadata = document.catalog()?.get(b"Metadata")?.as_reference()?;
    let stream = document.get_object_mut(metadata)?.as_stream_mut()?;
    let xmp = String::from_utf8_lossy(
        &stream
            .decompressed_content()
            .unwrap_or_else(|_| stream.content.clone()),
    )
    .into_owned();
    let xmp = pdfx_metadata(&xmp);
    stream.dict.remove(b"Filter");
    stream.set_plain_content(xmp.into_bytes());
    stream.allows_compression = false;
    Ok(())
}

/// The XMP packet with the PDF/X-4 identification, the trapping state and the dates PDF/X
/// requires, and a rendition that is the final one (not a proof).
fn pdfx_metadata(xmp: &str) -> String {
    let modified = xmp
        .split("<xmp:ModifyDate>")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap_or("")
        .to_string();
    let mut additions = String::from(
        "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion><pdf:Trapped>False</pdf:Trapped><xmpMM:VersionID>1</xmpMM:VersionID>",
    );
    if !modified.is_empty() && !xmp.contains("<xmp:MetadataDate>") {
        additions.push_str(&format!("<xmp:MetadataDate>{modified}</xmp:MetadataDate>"));
    }
    let replacements: BTreeMap<&str, &str> = [
        (
            "<xmpMM:RenditionClass>proof</xmpMM:RenditionClass>",
            "<xmpMM:RenditionClass>default</xmpMM:RenditionClass>",
        ),
        (
            "<pdf:PDFVersion>1.7</pdf:PDFVersion>",
            "<pdf:PDFVersion>1.6</pdf:PDFVersion>",
        ),
    ]
    .into_iter()
    .collect();
    let mut out = xmp.to_string();
    for (from, to) in replacements {
        out = out.replace(from, to);
    }
    out.replacen(
        "xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"",
        "xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\" xmlns:pdfxid=\"http://www.npes.org/pdfx/ns/id/\"",
        1,
    )
    .replacen("</rdf:Description>", &format!("{additions}</rdf:Description>"), 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greys_separate_into_black_alone() {
        assert_eq!(separate([1.0, 1.0, 1.0]), [0.0, 0.0, 0.0, 0.0]);
        assert_eq!(separate([0.0, 0.0, 0.0]), [0.0, 0.0, 0.0, 1.0]);
        let [c, m, y, k] = separate([0.5, 0.5, 0.5]);
        assert_eq!((c, m, y), (0.0, 0.0, 0.0));
        assert!((k - 0.5).abs() < 1e-3);
    }

    #[test]
    fn palette_stand_ins_map_back_exactly() {
        let map = ColourMap::new(&[([163, 38, 28], [10.0, 95.0, 95.0, 20.0])]);
        assert_eq!(
            map.cmyk([163.0 / 255.0, 38.0 / 255.0, 28.0 / 255.0]),
            [0.1, 0.95, 0.95, 0.2]
        );
    }

    #[test]
    fn rgb_operators_and_spaces_become_cmyk() {
        let map = ColourMap::new(&[]);
        let ops = vec![
            Operation::new("rg", vec![1.into(), 1.into(), 1.into()]),
            Operation::new("cs", vec![Object::Name(b"C0".to_vec())]),
            Operation::new("scn", vec![0.into(), 0.into(), 0.into()]),
            Operation::new("CS", vec![Object::Name(b"DeviceGray".to_vec())]),
            Operation::new("SCN", vec![0.5.into()]),
        ];
        let out = convert_operations(ops, &[b"C0".to_vec()], &map);
        let names: Vec<&str> = out.iter().map(|o| o.operator.as_str()).collect();
        assert_eq!(names, ["k", "cs", "scn", "CS", "SCN"]);
        assert_eq!(out[1].operands[0], Object::Name(b"DeviceCMYK".to_vec()));
        assert_eq!(out[2].operands.len(), 4);
        assert_eq!(out[4].operands.len(), 1);
    }
}
