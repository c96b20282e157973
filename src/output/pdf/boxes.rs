//! Page boxes of print files: the BleedBox Typst does not write, inserted into every page.

use crate::diagnostics::{Error, Result};

/// Give every page a BleedBox `bleed` points beyond its TrimBox.
///
/// Typst writes the MediaBox (trim + bleed + slug for crop marks) and the TrimBox; print
/// shops also expect the BleedBox, which Typst does not write. The PDF Typst writes has a
/// classic cross-reference table and plain page dictionaries, so the box is inserted in
/// place and the table rewritten; any other structure goes through a full parse (lopdf).
pub fn set_bleed_box(pdf: Vec<u8>, bleed: f64) -> Result<Vec<u8>> {
    match insert_bleed_boxes(&pdf, bleed) {
        Some(out) => Ok(out),
        None => set_bleed_box_parsed(pdf, bleed),
    }
}

/// The fast path: `None` when the file is not laid out as expected.
fn insert_bleed_boxes(pdf: &[u8], bleed: f64) -> Option<Vec<u8>> {
    let tail = &pdf[pdf.len().saturating_sub(64)..];
    let at = find(tail, b"startxref")?;
    let xref_offset: usize = std::str::from_utf8(&tail[at + 9..])
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    let xref = pdf.get(xref_offset..)?;
    let trailer_at = find(xref, b"trailer")?;
    let table = std::str::from_utf8(&xref[..trailer_at]).ok()?;
    let mut lines = table.lines();
    if lines.next()? != "xref" {
        return None;
    }
    // One subsection `0 N`, then N entries `oooooooooo ggggg n`.
    let header: Vec<usize> = lines
        .next()?
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect();
    if header.len() != 2 || header[0] != 0 {
        return None;
    }
    let entries: Vec<(usize, String)> = lines
        .take(header[1])
        .map(|line| {
            let mut parts = line.split_whitespace();
            let offset = parts.next()?.parse().ok()?;
            let rest = parts.collect::<Vec<_>>().join(" ");
            Some((offset, rest))
        })
        .collect::<Option<_>>()?;

    // Where each page's TrimBox array ends, and the BleedBox to insert there.
    let mut insertions: Vec<(usize, String)> = Vec::new();
    for (offset, kind) in &entries {
        if !kind.ends_with('n') || *offset == 0 {
            continue;
        }
        let object = pdf.get(*offset..)?;
        let end = find(object, b"endobj")?;
        let object = &object[..end];
        let Some(dict_at) = find(object, b"<<") else {
            continue;
        };
        let dict = &object[dict_at..];
        if !dict.starts_with(b"<</Type/Page/") {
            continue;
        }
        let media = numbers_after(dict, b"/MediaBox[")?;
        let trim_at = find(dict, b"/TrimBox[")?;
        let trim = numbers_after(dict, b"/TrimBox[")?;
        let close = find(&dict[trim_at..], b"]")?;
        let boxed = [
            (trim[0] - bleed).max(media[0]),
            (trim[1] - bleed).max(media[1]),
            (trim[2] + bleed).min(media[2]),
            (trim[3] + bleed).min(media[3]),
        ];
        let text = format!(
            "/BleedBox[{:.6} {:.6} {:.6} {:.6}]",
            boxed[0], boxed[1], boxed[2], boxed[3]
        );
        insertions.push((offset + dict_at + trim_at + close + 1, text));
    }
    if insertions.is_empty() {
        return None;
    }
    insertions.sort_by_key(|(at, _)| *at);

    let shift = |original: usize| -> usize {
        original
            + insertions
                .iter()
                .filter(|(at, _)| *at <= original)
                .map(|(_, t)| t.len())
                .sum::<usize>()
    };
    let mut out = Vec::with_capacity(pdf.len() + insertions.len() * 48);
    let mut copied = 0;
    for (at, text) in &insertions {
        out.extend_from_slice(&pdf[copied..*at]);
        out.extend_from_slice(text.as_bytes());
        copied = *at;
    }
    out.extend_from_slice(&pdf[copied..xref_offset]);
    let new_xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n", entries.len()).as_bytes());
    for (offset, rest) in &entries {
        let offset = if rest.ends_with('n') && *offset != 0 {
            shift(*offset)
        } else {
            *offset
        };
        out.extend_from_slice(format!("{offset:010} {rest} \n").as_bytes());
    }
    let trailer_end = find(&xref[trailer_at..], b"startxref")?;
    out.extend_from_slice(&xref[trailer_at..trailer_at + trailer_end]);
    out.extend_from_slice(format!("startxref\n{new_xref}\n%%EOF").as_bytes());
    Some(out)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The four numbers of an array that follows `key` in a dictionary.
fn numbers_after(dict: &[u8], key: &[u8]) -> Option<[f64; 4]> {
    let start = find(dict, key)? + key.len();
    let end = start + find(&dict[start..], b"]")?;
    let values: Vec<f64> = std::str::from_utf8(&dict[start..end])
        .ok()?
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect();
    (values.len() == 4).then(|| [values[0], values[1], values[2], values[3]])
}

/// The general path: parse the whole PDF and write it again.
fn set_bleed_box_parsed(pdf: Vec<u8>, bleed: f64) -> Result<Vec<u8>> {
    use lopdf::{Document, Object};
    let fail = |e: lopdf::Error| Error::msg(format!("cannot set the PDF's bleed box: {e}"));
    let mut document = Document::load_mem(&pdf).map_err(fail)?;
    let pages: Vec<lopdf::ObjectId> = document.get_pages().into_values().collect();
    for id in pages {
        let page = document.get_dictionary_mut(id).map_err(fail)?;
        let boxes = |name: &[u8]| -> Option<Vec<f64>> {
            let values = page.get(name).ok()?.as_array().ok()?;
            values
                .iter()
                .map(|v| v.as_float().ok().map(f64::from))
                .collect()
        };
        let (Some(trim), Some(media)) = (boxes(b"TrimBox"), boxes(b"MediaBox")) else {
            return Err(Error::msg(
                "the PDF has a page without TrimBox; is the edition's bleed set?",
            ));
        };
        let bleed_box = [
            (trim[0] - bleed).max(media[0]),
            (trim[1] - bleed).max(media[1]),
            (trim[2] + bleed).min(media[2]),
            (trim[3] + bleed).min(media[3]),
        ];
        let array = bleed_box.iter().map(|v| Object::Real(*v as f32)).collect();
        page.set("BleedBox", Object::Array(array));
    }
    let mut out = Vec::with_capacity(pdf.len());
    document
        .save_to(&mut out)
        .map_err(|e| Error::msg(format!("cannot write the PDF: {e}")))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bleed_boxes_are_inserted_and_the_table_stays_valid() {
        let pdf = b"%PDF-1.7\n1 0 obj\n<</Type/Pages/Kids[2 0 R]/Count 1>>\nendobj\n2 0 obj\n<</Type/Page/MediaBox[0 0 100 100]/TrimBox[20 20 80 80]/Parent 1 0 R>>\nendobj\n3 0 obj\n<</Type/Catalog/Pages 1 0 R>>\nendobj\n";
        let mut file = pdf.to_vec();
        let offsets: Vec<usize> = [b"1 0 obj".as_slice(), b"2 0 obj", b"3 0 obj"]
            .iter()
            .map(|n| find(&file, n).unwrap())
            .collect();
        let xref = file.len();
        file.extend_from_slice(b"xref\n0 4\n0000000000 65535 f \n");
        for offset in &offsets {
            file.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
        }
        file.extend_from_slice(
            format!("trailer\n<</Size 4/Root 3 0 R>>\nstartxref\n{xref}\n%%EOF").as_bytes(),
        );
        let out = insert_bleed_boxes(&file, 5.0).expect("fast path applies");
        let document = lopdf::Document::load_mem(&out).unwrap();
        let page = document
            .get_dictionary(*document.get_pages().values().next().unwrap())
            .unwrap();
        let bleed: Vec<f32> = page
            .get(b"BleedBox")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_float().unwrap())
            .collect();
        assert_eq!(bleed, vec![15.0, 15.0, 85.0, 85.0]);
        // Every object is still where the new table says.
        assert!(document.get_object((3, 0)).is_ok());
    }
}
