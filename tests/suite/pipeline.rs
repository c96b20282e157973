//! End-to-end tests: the real binary builds real books; assertions read the PDF it writes.

use std::fs;

use crate::common::*;
use lopdf::{Document, Object};

/// Titles of the PDF outline (bookmarks), all levels.
fn outline_titles(document: &Document) -> Vec<String> {
    document
        .get_toc()
        .map(|toc| toc.toc.into_iter().map(|e| e.title).collect())
        .unwrap_or_default()
}

/// Whether every font used by the PDF has its program embedded.
fn unembedded_fonts(document: &Document) -> Vec<String> {
    let mut missing = Vec::new();
    for (_, object) in document.objects.iter() {
        let Ok(dict) = object.as_dict() else { continue };
        if dict.get(b"Type").and_then(Object::as_name).ok() != Some(b"FontDescriptor".as_slice()) {
            continue;
        }
        let embedded = [b"FontFile".as_slice(), b"FontFile2", b"FontFile3"]
            .iter()
            .any(|k| dict.has(k));
        if !embedded {
            let name = dict
                .get(b"FontName")
                .and_then(Object::as_name)
                .map(|n| String::from_utf8_lossy(n).into_owned());
            missing.push(name.unwrap_or_default());
        }
    }
    missing
}

#[test]
fn default_book_builds_into_a_complete_pdf() {
    let stdout = &shipped().stdout;
    assert!(
        stdout.contains("friendship-years-screen.pdf") && stdout.contains("pages"),
        "{stdout}"
    );

    let path = shipped().pdf("screen");
    let document = Document::load(&path).unwrap();
    let pages = document.get_pages();
    assert!(pages.len() > 150, "only {} pages", pages.len());

    // Page size: the screen edition is A5 (148 × 210 mm).
    let first = document
        .get_dictionary(*pages.values().next().unwrap())
        .unwrap();
    let media_box: Vec<f32> = first
        .get(b"MediaBox")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_float().unwrap())
        .collect();
    assert!(
        (media_box[2] - 419.53).abs() < 0.5 && (media_box[3] - 595.28).abs() < 0.5,
        "{media_box:?}"
    );

    assert_eq!(unembedded_fonts(&document), Vec::<String>::new());

    // Every chapter title is a bookmark.
    let book = load_book(&repo()).unwrap();
    let titles = outline_titles(&document);
    for chapter in book.chapters() {
        assert!(
            titles.contains(&chapter.meta.title),
            "no bookmark for {:?}; outline: {titles:?}",
            chapter.meta.title
        );
    }

    // Metadata: title and language.
    let info = document
        .trailer
        .get(b"Info")
        .and_then(Object::as_reference)
        .unwrap();
    let info = document.get_dictionary(info).unwrap();
    let title = info.get(b"Title").unwrap().as_str().unwrap();
    assert!(!title.is_empty());
    let catalog = document.catalog().unwrap();
    assert!(catalog.has(b"Lang"), "no /Lang in the catalog");
    // PDF/A-2b is declared in the XMP metadata (and was enforced by typst-pdf on export).
    let bytes = fs::read(&path).unwrap();
    let xmp = String::from_utf8_lossy(&bytes);
    assert!(
        xmp.contains("<pdfaid:part>2</pdfaid:part>")
            && xmp.contains("<pdfaid:conformance>B</pdfaid:conformance>")
    );

    // The text layer has the landmarks' Chinese and Russian names.
    let text = squeeze(&pdf_text(&path));
    let sophia = book.landmarks.iter().find(|l| l.name_ru.is_some()).unwrap();
    assert!(
        text.contains(&squeeze(&sophia.name_zh)),
        "missing {}",
        sophia.name_zh
    );
    assert!(
        text.contains(&squeeze(sophia.name_ru.as_ref().unwrap())),
        "missing {:?}",
        sophia.name_ru
    );
}

#[test]
fn two_builds_give_identical_bytes_and_a_manifest() {
    use sha2::Digest;
    let first = shipped().dir.path();
    let second = tempfile::tempdir().unwrap();
    let args = [
        "build",
        "--edition",
        "screen",
        "--edition",
        "trade",
        "--out",
        second.path().to_str().unwrap(),
    ];
    assert_success(&guidebook(&repo(), &args));
    for name in ["friendship-years-screen.pdf", "friendship-years-trade.pdf"] {
        let a = fs::read(first.join(name)).unwrap();
        let b = fs::read(second.path().join(name)).unwrap();
        assert!(
            a == b,
            "two builds of {name} with the same SOURCE_DATE_EPOCH differ"
        );
        let manifest: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(first.join("manifest.json")).unwrap())
                .unwrap();
        let hex: String = sha2::Sha256::digest(&a)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            manifest["files"][name]["sha256"],
            serde_json::Value::String(hex),
            "manifest entry for {name}"
        );
    }
}

#[test]
fn small_book_has_footnotes_tables_and_links() {
    let fixture = Fixture::new();
    assert_success(&fixture.build());
    let text = pdf_text(&fixture.pdf_path());
    assert!(text.contains("The footnote text."), "{text}");
    assert!(text.contains("Station") && text.contains("1903"));
    assert!(text.contains("Carter 2002"), "citation not rendered");
}

#[test]
fn check_and_editions_work_on_the_default_book() {
    let output = guidebook(&repo(), &["check", "--all"]);
    assert_success(&output);
    assert!(String::from_utf8_lossy(&output.stdout).contains("ok"));
    let output = guidebook(&repo(), &["editions"]);
    assert_success(&output);
    let listing = String::from_utf8_lossy(&output.stdout);
    assert!(
        listing.contains("screen") && listing.contains("pocket") && !listing.contains("base "),
        "{listing}"
    );
}
