//! Print files a printer accepts unchanged: the trade edition as PDF/X-4 for an offset press,
//! the pod edition for print-on-demand services, their covers with spines as thick as the
//! books and a barcode a scanner reads, all checked by parsing the files, by the project's
//! preflight and by the real tools print shops run (Ghostscript, poppler, zbar).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use guidebook::output::pdf::preflight::{self, Rules};
use lopdf::content::Content;
use lopdf::{Document, Object, ObjectId};

use crate::bad_inputs::edit;
use crate::common::*;

const MM: f64 = 72.0 / 25.4;

/// A page box as four numbers.
fn page_box(document: &Document, page: ObjectId, name: &[u8]) -> Option<[f64; 4]> {
    let values = document
        .get_dictionary(page)
        .ok()?
        .get(name)
        .ok()?
        .as_array()
        .ok()?;
    let v: Vec<f64> = values
        .iter()
        .filter_map(|v| v.as_float().ok().map(f64::from))
        .collect();
    v.try_into().ok()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 0.3
}

/// Whether a tool is installed; with `CI=true` a missing judge fails the test.
fn have(tool: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found && std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{tool} is not installed, and CI=true requires it");
    }
    found
}

/// Every RGB or Lab colour set anywhere in the file: colour spaces, operators, images.
fn rgb_uses(document: &Document) -> Vec<String> {
    let mut found = Vec::new();
    for (id, object) in &document.objects {
        let Ok(stream) = object.as_stream() else {
            continue;
        };
        if let Ok(space) = stream.dict.get(b"ColorSpace") {
            let text = format!("{space:?}");
            if text.contains("DeviceRGB") || text.contains("CalRGB") || text.contains("Lab") {
                found.push(format!("{id:?}: colour space {text}"));
            }
        }
        let Ok(data) = stream.decompressed_content() else {
            continue;
        };
        let Ok(content) = Content::decode(&data) else {
            continue;
        };
        for op in content.operations {
            let rgb_scn = matches!(op.operator.as_str(), "sc" | "scn" | "SC" | "SCN")
                && op.operands.len() == 3;
            if matches!(op.operator.as_str(), "rg" | "RG") || rgb_scn {
                found.push(format!("{id:?}: {} {:?}", op.operator, op.operands));
            }
        }
    }
    found
}

/// ExtGState dictionaries that paint with transparency.
fn transparency(document: &Document) -> Vec<String> {
    let mut found = Vec::new();
    for (id, object) in &document.objects {
        let Ok(dict) = object.as_dict() else { continue };
        for key in [b"ca".as_slice(), b"CA"] {
            if let Ok(value) = dict.get(key).and_then(Object::as_float)
                && value < 1.0
            {
                found.push(format!("{id:?}: {} {value}", String::from_utf8_lossy(key)));
            }
        }
        if dict
            .get(b"SMask")
            .and_then(Object::as_name)
            .is_ok_and(|n| n != b"None")
        {
            found.push(format!("{id:?}: soft mask"));
        }
    }
    found
}

/// The PDF/X identification and the output intent a print file must carry.
fn assert_pdfx4(document: &Document, bytes: &[u8]) {
    assert_eq!(document.version, "1.6", "PDF/X-4 files are PDF 1.6");
    let catalog = document.catalog().unwrap();
    let intents = catalog.get(b"OutputIntents").unwrap().as_array().unwrap();
    let intent = document
        .get_dictionary(intents[0].as_reference().unwrap())
        .unwrap();
    assert_eq!(intent.get(b"S").unwrap().as_name().unwrap(), b"GTS_PDFX");
    assert_eq!(
        intent
            .get(b"OutputConditionIdentifier")
            .unwrap()
            .as_str()
            .unwrap(),
        b"FOGRA39"
    );
    let profile = document
        .get_object(
            intent
                .get(b"DestOutputProfile")
                .unwrap()
                .as_reference()
                .unwrap(),
        )
        .unwrap()
        .as_stream()
        .unwrap();
    assert_eq!(
        profile.dict.get(b"N").unwrap().as_i64().unwrap(),
        4,
        "a CMYK profile"
    );
    let info = document
        .get_dictionary(
            document
                .trailer
                .get(b"Info")
                .unwrap()
                .as_reference()
                .unwrap(),
        )
        .unwrap();
    assert_eq!(info.get(b"Trapped").unwrap().as_name().unwrap(), b"False");
    assert_eq!(
        info.get(b"GTS_PDFXVersion").unwrap().as_str().unwrap(),
        b"PDF/X-4"
    );
    let text = String::from_utf8_lossy(bytes);
    for key in [
        "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>",
        "<pdf:Trapped>False</pdf:Trapped>",
        "<xmpMM:RenditionClass>default</xmpMM:RenditionClass>",
        "<xmpMM:VersionID>",
        "<xmp:MetadataDate>",
    ] {
        assert!(text.contains(key), "the XMP lacks {key}");
    }
    assert!(
        !catalog.has(b"StructTreeRoot"),
        "no tagging in a print file"
    );
}

/// No page carries an annotation.
fn assert_no_annotations(document: &Document) {
    for (number, page) in document.get_pages() {
        let dict = document.get_dictionary(page).unwrap();
        assert!(!dict.has(b"Annots"), "page {number} has annotations");
    }
}

#[test]
fn trade_edition_is_pdf_x4_for_an_offset_press() {
    let path = shipped().pdf("trade");
    let bytes = std::fs::read(&path).unwrap();
    let document = Document::load_mem(&bytes).unwrap();
    assert_pdfx4(&document, &bytes);
    assert_no_annotations(&document);
    assert_eq!(
        rgb_uses(&document),
        Vec::<String>::new(),
        "every colour is CMYK"
    );
    assert_eq!(
        transparency(&document),
        Vec::<String>::new(),
        "no transparency"
    );
    let (bleed, slug) = (3.0 * MM, 12.0 * MM);
    for (number, page) in document.get_pages() {
        let media = page_box(&document, page, b"MediaBox").unwrap();
        let trim = page_box(&document, page, b"TrimBox").expect("TrimBox");
        let bleed_box = page_box(&document, page, b"BleedBox").expect("BleedBox");
        assert!(
            close(trim[2] - trim[0], 432.0) && close(trim[3] - trim[1], 648.0),
            "p{number} trim {trim:?}"
        );
        for i in 0..2 {
            assert!(
                close(trim[i] - bleed_box[i], bleed)
                    && close(bleed_box[i + 2] - trim[i + 2], bleed),
                "p{number}"
            );
            assert!(
                close(bleed_box[i] - media[i], slug)
                    && close(media[i + 2] - bleed_box[i + 2], slug),
                "p{number}"
            );
        }
    }
    let report = preflight::check(&bytes, &Rules::offset()).unwrap();
    assert!(report.passed(), "{}", report.table());
}

#[test]
fn pod_edition_meets_print_on_demand_services() {
    let bytes = std::fs::read(shipped().pdf("pod")).unwrap();
    let document = Document::load_mem(&bytes).unwrap();
    assert_no_annotations(&document);
    assert_eq!(rgb_uses(&document), Vec::<String>::new());
    assert_eq!(transparency(&document), Vec::<String>::new());
    let bleed = 0.125 * 72.0;
    for (number, page) in document.get_pages() {
        let media = page_box(&document, page, b"MediaBox").unwrap();
        let trim = page_box(&document, page, b"TrimBox").unwrap();
        let bleed_box = page_box(&document, page, b"BleedBox").unwrap();
        assert_eq!(
            media, bleed_box,
            "p{number}: MediaBox = BleedBox (no slug, no marks)"
        );
        assert!(
            close(trim[2] - trim[0], 432.0) && close(trim[3] - trim[1], 648.0),
            "p{number}"
        );
        // Top and bottom bleed; the outside bleeds, the spine side does not.
        assert!(
            close(trim[1] - media[1], bleed) && close(media[3] - trim[3], bleed),
            "p{number}"
        );
        let (outside, inside) = if number % 2 == 1 {
            (media[2] - trim[2], trim[0] - media[0])
        } else {
            (trim[0] - media[0], media[2] - trim[2])
        };
        assert!(
            close(outside, bleed) && close(inside, 0.0),
            "p{number}: {media:?} {trim:?}"
        );
    }
    for rules in [Rules::pod(), Rules::for_service(preflight::Service::Kdp)] {
        let report = preflight::check(&bytes, &rules).unwrap();
        assert!(report.passed(), "{}", report.table());
    }
}

#[test]
fn the_screen_edition_keeps_its_links_and_tagging() {
    let document = Document::load(shipped().pdf("screen")).unwrap();
    let annotated = document
        .get_pages()
        .values()
        .filter(|p| document.get_dictionary(**p).unwrap().has(b"Annots"))
        .count();
    assert!(annotated > 50, "{annotated} pages with links");
    assert!(document.catalog().unwrap().has(b"StructTreeRoot"));
    // The first page is the front cover.
    let first = document.extract_text(&[1]).unwrap();
    assert!(
        first.contains("The Friendship Years") && first.contains("Editors"),
        "{first}"
    );
}

/// The words on each page, as poppler reads them.
fn words_per_page(pdf: &Path, pages: usize) -> Vec<usize> {
    (1..=pages)
        .map(|page| {
            let output = Command::new("pdftotext")
                .args([
                    "-f",
                    &page.to_string(),
                    "-l",
                    &page.to_string(),
                    pdf.to_str().unwrap(),
                    "-",
                ])
                .output()
                .unwrap();
            String::from_utf8_lossy(&output.stdout)
                .split_whitespace()
                .count()
        })
        .collect()
}

/// Images on each page, as poppler lists them.
fn images(pdf: &Path) -> usize {
    let output = Command::new("pdfimages")
        .args(["-list", pdf.to_str().unwrap()])
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .skip(2)
        .count()
}

#[test]
fn ghostscript_makes_pdf_x3_of_the_trade_edition_keeping_text_as_text() {
    if !have("gs") || !have("pdftotext") || !have("pdfimages") {
        return;
    }
    let dir = temp_dir();
    // Ghostscript's own PDF/X definition file, pointed at the book's output intent.
    let definition = Command::new("gs")
        .args([
            "-q",
            "-dNODISPLAY",
            "-dNOSAFER",
            "-c",
            "(PDFX_def.ps) findlibfile { pop == } { pop } ifelse quit",
        ])
        .output()
        .unwrap();
    let lib = String::from_utf8_lossy(&definition.stdout)
        .trim()
        .trim_matches(['(', ')'])
        .to_string();
    let text =
        std::fs::read_to_string(&lib).unwrap_or_else(|_| panic!("no PDFX_def.ps at {lib:?}"));
    let profile = repo().join("layouts/base/print/FOGRA39L_coated.icc");
    let text = text
        .replace("(ISO Coated sb.icc)", &format!("({})", profile.display()))
        .replace("(CGATS TR001)", "(FOGRA39)");
    let definition = dir.path().join("guidebook_pdfx.ps");
    std::fs::write(&definition, text).unwrap();
    let input = shipped().pdf("trade");
    let output = dir.path().join("x3.pdf");
    let run = Command::new("gs")
        .args([
            "-dBATCH",
            "-dNOPAUSE",
            "-dNOSAFER",
            "-sDEVICE=pdfwrite",
            "-dPDFX",
        ])
        .args([
            "-sColorConversionStrategy=CMYK",
            "-sProcessColorModel=DeviceCMYK",
        ])
        .arg(format!("-sOutputFile={}", output.display()))
        .arg(&definition)
        .arg(&input)
        .output()
        .unwrap();
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(run.status.success(), "{log}");
    assert!(!log.contains("reverting to normal PDF"), "{log}");
    assert!(!log.to_lowercase().contains("error"), "{log}");
    let converted = std::fs::read(&output).unwrap();
    let converted_text = String::from_utf8_lossy(&converted);
    assert!(
        converted_text.contains("PDF/X-3"),
        "no PDF/X-3 identification"
    );
    assert!(converted_text.contains("/OutputIntent"));
    let pages = Document::load(&input).unwrap().get_pages().len();
    let before = words_per_page(&input, pages);
    let after = words_per_page(&output, pages);
    for (page, (b, a)) in before.iter().zip(&after).enumerate() {
        // Ghostscript joins words hyphenated at line ends; nothing may turn into pixels.
        assert!(
            *a * 100 >= *b * 95,
            "page {}: {b} words before, {a} after",
            page + 1
        );
    }
    assert_eq!(images(&output), images(&input), "no page was rasterised");
}

/// The cover of the fixture book built as the pod edition, with `extra` chapters of text.
fn fixture_cover(extra_paragraphs: usize) -> (Fixture, Document, usize) {
    let fixture = Fixture::new();
    edit(
        &fixture,
        "chapters/book.toml",
        "slug = \"fixture\"",
        "slug = \"fixture\"\nisbn = \"978-0-306-40615-7\"\nblurb = \"A small book.\"",
    );
    let long = "Harbin grew around the railway. ".repeat(60);
    let paragraphs = format!("\n{}", format!("{long}\n\n").repeat(extra_paragraphs));
    let chapter = fixture.read("chapters/01-harbin.md") + &paragraphs;
    fixture.write("chapters/01-harbin.md", &chapter);
    let out = fixture.root().join("out");
    assert_success(&guidebook(
        fixture.root(),
        &["build", "--edition", "pod", "--out", out.to_str().unwrap()],
    ));
    let pages = Document::load(out.join("fixture-pod.pdf"))
        .unwrap()
        .get_pages()
        .len();
    let cover = Document::load(out.join("fixture-pod-cover.pdf")).unwrap();
    (fixture, cover, pages)
}

fn trim_width(document: &Document) -> f64 {
    let page = *document.get_pages().values().next().unwrap();
    let trim = page_box(document, page, b"TrimBox").unwrap();
    trim[2] - trim[0]
}

#[test]
fn the_spine_grows_with_the_page_count() {
    let (_a, short, short_pages) = fixture_cover(0);
    let (_b, long, long_pages) = fixture_cover(40);
    assert!(
        long_pages > short_pages + 20,
        "{short_pages} and {long_pages} pages"
    );
    let per_page = 0.002252 * 72.0;
    for (cover, pages) in [(&short, short_pages), (&long, long_pages)] {
        let spine = trim_width(cover) - 2.0 * 432.0;
        assert!(
            close(spine, pages as f64 * per_page),
            "{pages} pages: spine {spine} pt"
        );
        let report = preflight::check(
            &cover.save_to_vec(),
            &Rules {
                spine_bleed: true,
                min_gutter_mm: Some(12.7),
                ..Rules::pod()
            },
        )
        .unwrap();
        assert!(report.passed(), "{}", report.table());
    }
}

trait SaveToVec {
    fn save_to_vec(&self) -> Vec<u8>;
}

impl SaveToVec for Document {
    fn save_to_vec(&self) -> Vec<u8> {
        let mut clone = self.clone();
        let mut out = Vec::new();
        clone.save_to(&mut out).unwrap();
        out
    }
}

#[test]
fn the_barcode_scans_as_the_isbn() {
    if !have("zbarimg") || !have("pdftoppm") {
        return;
    }
    let (fixture, _, _) = fixture_cover(0);
    let png = fixture.root().join("cover");
    let status = Command::new("pdftoppm")
        .args(["-png", "-r", "300", "-singlefile"])
        .arg(fixture.root().join("out/fixture-pod-cover.pdf"))
        .arg(&png)
        .status()
        .unwrap();
    assert!(status.success());
    let scan = Command::new("zbarimg")
        .args(["-q", "--raw"])
        .arg(png.with_extension("png"))
        .output()
        .unwrap();
    let read: BTreeSet<String> = String::from_utf8_lossy(&scan.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert!(read.contains("9780306406157"), "the scanner read {read:?}");
}

#[test]
fn a_wrong_check_digit_stops_the_build_at_its_line() {
    let fixture = Fixture::new();
    edit(
        &fixture,
        "chapters/book.toml",
        "slug = \"fixture\"",
        "slug = \"fixture\"\nisbn = \"978-0-306-40615-8\"",
    );
    let output = guidebook(fixture.root(), &["check"]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("chapters/book.toml:9:8") && message.contains("check digit"),
        "{message}"
    );
}

/// `guidebook preflight` passes each print file of the build for its target, the covers as
/// covers, and fails a print-on-demand cover checked as an interior (it bleeds at the spine).
#[test]
fn the_preflight_command_passes_every_print_file_for_its_target() {
    let preflight = |file: &str, args: &[&str]| {
        let path = shipped().path(file);
        let mut all = vec!["preflight", path.to_str().unwrap()];
        all.extend_from_slice(args);
        guidebook(&repo(), &all)
    };
    for (file, args) in [
        ("friendship-years-trade.pdf", &["--target", "offset"][..]),
        (
            "friendship-years-trade-cover.pdf",
            &["--target", "offset", "--cover"][..],
        ),
        ("friendship-years-pod.pdf", &["--target", "pod"][..]),
        (
            "friendship-years-pod-cover.pdf",
            &["--target", "pod", "--cover"][..],
        ),
        (
            "friendship-years-pod.pdf",
            &["--target", "pod", "--service", "kdp"][..],
        ),
    ] {
        let output = preflight(file, args);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "{file} {args:?}:\n{stdout}{stderr}"
        );
        assert!(stdout.contains("Result: PASSED"), "{file}: {stdout}");
    }
    let output = preflight("friendship-years-pod-cover.pdf", &["--target", "pod"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stdout).contains("spine side"));
}
