//! End-to-end tests: the real binary builds real books; assertions read the PDF it writes.

mod common;

use std::fs;

use common::*;
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
    let out = tempfile::tempdir().unwrap();
    let output = guidebook(&repo(), &["build", "--out", out.path().to_str().unwrap()]);
    assert_success(&output);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("friendship-years-screen.pdf") && stdout.contains("pages"),
        "{stdout}"
    );

    let path = out.path().join("friendship-years-screen.pdf");
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
    let book = guidebook::load::load_book(&repo()).unwrap();
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
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    for out in [&first, &second] {
        let args = [
            "build",
            "--edition",
            "screen",
            "--edition",
            "trade",
            "--out",
            out.path().to_str().unwrap(),
        ];
        assert_success(&guidebook(&repo(), &args));
    }
    for name in ["friendship-years-screen.pdf", "friendship-years-trade.pdf"] {
        let a = fs::read(first.path().join(name)).unwrap();
        let b = fs::read(second.path().join(name)).unwrap();
        assert!(
            a == b,
            "two builds of {name} with the same SOURCE_DATE_EPOCH differ"
        );
        let manifest: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(first.path().join("manifest.json")).unwrap())
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

/// Build, then break the book: the build must fail with a located message and leave the PDF.
fn assert_fails_keeping_pdf(fixture: &Fixture, expected: &[&str]) -> String {
    let before = fs::read(fixture.pdf_path()).unwrap();
    let output = fixture.build();
    assert_eq!(
        output.status.code(),
        Some(1),
        "expected exit 1; stderr: {}",
        stderr(&output)
    );
    let message = stderr(&output);
    for part in expected {
        assert!(message.contains(part), "expected {part:?} in:\n{message}");
    }
    assert!(!message.contains("panicked"), "{message}");
    assert_eq!(
        fs::read(fixture.pdf_path()).unwrap(),
        before,
        "the earlier PDF changed"
    );
    message
}

#[test]
fn malformed_front_matter_is_located() {
    let fixture = Fixture::new();
    assert_success(&fixture.build());
    fixture.write(
        "chapters/01-harbin.md",
        "+++\ntitle = \"Harbin\nsummary = \"x\"\n+++\nBody\n",
    );
    assert_fails_keeping_pdf(&fixture, &["chapters/01-harbin.md:2:"]);
}

#[test]
fn unknown_field_is_located() {
    let fixture = Fixture::new();
    assert_success(&fixture.build());
    let chapter = CHAPTER.replace("summary = ", "colour = \"red\"\nsummary = ");
    fixture.write("chapters/01-harbin.md", &chapter);
    assert_fails_keeping_pdf(
        &fixture,
        &["chapters/01-harbin.md:3:1", "unknown field `colour`"],
    );
}

#[test]
fn unknown_link_target_is_located() {
    let fixture = Fixture::new();
    assert_success(&fixture.build());
    let chapter = CHAPTER.replace("landmark:harbin-station", "landmark:nowhere");
    fixture.write("chapters/01-harbin.md", &chapter);
    assert_fails_keeping_pdf(
        &fixture,
        &["chapters/01-harbin.md:7:", "unknown landmark `nowhere`"],
    );
}

#[test]
fn images_cannot_leave_the_project() {
    let fixture = Fixture::new();
    assert_success(&fixture.build());
    std::os::unix::fs::symlink(
        "/etc/hostname",
        fixture.root().join("chapters/images/outside.png"),
    )
    .unwrap();
    for (image, message) in [
        ("../../etc/passwd", "leaves the chapters folder"),
        ("/etc/passwd", "is absolute"),
        ("images/outside.png", "access denied"),
        ("file:///etc/passwd", "not a URL"),
    ] {
        fixture.write(
            "chapters/01-harbin.md",
            &format!("{CHAPTER}\n![alt text]({image})\n"),
        );
        assert_fails_keeping_pdf(&fixture, &["chapters/01-harbin.md:20:1", message]);
    }
}

#[test]
fn templates_cannot_read_outside_the_project() {
    let fixture = Fixture::new();
    assert_success(&fixture.build());
    std::os::unix::fs::symlink("/etc/hostname", fixture.root().join("layouts/outside.txt"))
        .unwrap();
    let template = fixture.read("layouts/base/chapter.typ") + "\n#read(\"/layouts/outside.txt\")\n";
    fixture.write("layouts/screen/chapter.typ", &template);
    assert_fails_keeping_pdf(&fixture, &["access denied", "gen/chapters/harbin.typ"]);
    let template = fixture.read("layouts/base/chapter.typ") + "\n#import \"@preview/cetz:0.3.0\"\n";
    fixture.write("layouts/screen/chapter.typ", &template);
    assert_fails_keeping_pdf(&fixture, &["never downloads"]);
}

#[test]
fn a_character_no_font_has_fails_the_build() {
    let fixture = Fixture::new();
    assert_success(&fixture.build());
    fixture.write(
        "chapters/01-harbin.md",
        &format!("{CHAPTER}\nA hieroglyph: \u{13000}.\n"),
    );
    assert_fails_keeping_pdf(&fixture, &["U+13000", "gen/chapters/harbin.typ"]);
}

#[test]
fn template_escape_hatches_are_refused() {
    let fixture = Fixture::new();
    assert_success(&fixture.build());
    let template = fixture
        .read("layouts/base/chapter.typ")
        .replace("{{ chapter.body }}", "{{ chapter.summary | safe }}");
    fixture.write("layouts/screen/chapter.typ", &template);
    assert_fails_keeping_pdf(&fixture, &["layouts/screen/chapter.typ", "safe"]);
}

#[test]
fn bad_source_date_epoch_is_refused() {
    let fixture = Fixture::new();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_guidebook"))
        .args(["--root", fixture.root().to_str().unwrap(), "build"])
        .env("SOURCE_DATE_EPOCH", "abc")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("SOURCE_DATE_EPOCH"));
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
