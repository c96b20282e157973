//! Editions: every shipped edition builds with the configured geometry; the trade edition
//! is what a print shop expects; designers can copy and override; bad settings are located.

use std::fs;

use crate::common::*;
use lopdf::{Document, Object};

const MM: f64 = 72.0 / 25.4;

fn page_box(document: &Document, page: lopdf::ObjectId, name: &[u8]) -> Option<[f64; 4]> {
    let dict = document.get_dictionary(page).ok()?;
    let values = dict.get(name).ok()?.as_array().ok()?;
    let v: Vec<f64> = values
        .iter()
        .filter_map(|v| v.as_float().ok().map(f64::from))
        .collect();
    Some([v[0], v[1], v[2], v[3]])
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 0.2
}

/// Pages (1-based) on which each chapter's bookmark lands.
fn chapter_pages(document: &Document) -> Vec<(String, usize)> {
    let book = load_book(&repo()).unwrap();
    let titles: Vec<String> = book.chapters().map(|c| c.meta.title.clone()).collect();
    let toc = document.get_toc().unwrap().toc;
    toc.into_iter()
        .filter(|e| titles.contains(&e.title))
        .map(|e| (e.title, e.page))
        .collect()
}

/// The shipped edition's PDF, parsed.
fn shipped_pdf(edition: &str) -> Document {
    Document::load(shipped().pdf(edition)).unwrap()
}

#[test]
fn shipped_editions_have_their_page_geometry() {
    for (edition, width_mm, height_mm, two_sided) in [
        ("screen", 148.0, 210.0, false),
        ("pocket", 125.0, 176.0, true),
        ("atlas", 297.0, 210.0, true),
    ] {
        let document = shipped_pdf(edition);
        let pages = document.get_pages();
        assert!(pages.len() > 100, "{edition}: {} pages", pages.len());
        for (_, &page) in pages.iter().take(30) {
            let media = page_box(&document, page, b"MediaBox").unwrap();
            assert!(
                close(media[2] - media[0], width_mm * MM)
                    && close(media[3] - media[1], height_mm * MM),
                "{edition}: {media:?}"
            );
        }
        if two_sided {
            for (title, page) in chapter_pages(&document) {
                assert!(
                    page % 2 == 1,
                    "{edition}: chapter {title:?} opens on page {page}, a verso"
                );
            }
        }
    }
}

#[test]
fn trade_edition_is_ready_for_a_print_shop() {
    let document = shipped_pdf("trade");
    let (trim_w, trim_h, bleed, slug) = (6.0 * 72.0, 9.0 * 72.0, 3.0 * MM, 12.0 * MM);
    for (_, &page) in document.get_pages().iter() {
        let media = page_box(&document, page, b"MediaBox").unwrap();
        let trim = page_box(&document, page, b"TrimBox").expect("TrimBox on every page");
        let bleed_box = page_box(&document, page, b"BleedBox").expect("BleedBox on every page");
        assert!(
            close(trim[2] - trim[0], trim_w) && close(trim[3] - trim[1], trim_h),
            "trim {trim:?}"
        );
        for i in 0..2 {
            assert!(
                close(trim[i] - bleed_box[i], bleed)
                    && close(bleed_box[i + 2] - trim[i + 2], bleed),
                "bleed {bleed_box:?} vs trim {trim:?}"
            );
            // Crop marks live in the slug, outside the bleed.
            assert!(
                close(bleed_box[i] - media[i], slug)
                    && close(media[i + 2] - bleed_box[i + 2], slug),
                "media {media:?}"
            );
        }
    }
    // Chapters open on a recto.
    for (title, page) in chapter_pages(&document) {
        assert!(page % 2 == 1, "chapter {title:?} opens on page {page}");
    }
    // Every font embedded.
    for (_, object) in document.objects.iter() {
        if let Object::Dictionary(dict) = object
            && dict.get(b"Type").and_then(Object::as_name).ok()
                == Some(b"FontDescriptor".as_slice())
        {
            assert!(
                [b"FontFile".as_slice(), b"FontFile2", b"FontFile3"]
                    .iter()
                    .any(|k| dict.has(k)),
                "font not embedded"
            );
        }
    }
    // What the templates draw on the pages is CMYK (or grey): no RGB operators and no RGB
    // colour space among the pages' own resources. Maps and pictures are embedded images
    // (SVG and PNG are RGB, and Typst cannot yet write CMYK images), checked separately.
    for (_, &page) in document.get_pages().iter() {
        let content = document.get_and_decode_page_content(page).unwrap();
        for operation in &content.operations {
            assert!(
                operation.operator != "rg" && operation.operator != "RG",
                "RGB colour operator on a page"
            );
        }
        let (resources, _) = document.get_page_resources(page).unwrap();
        let Some(resources) = resources else { continue };
        let Ok(spaces) = resources.get(b"ColorSpace").and_then(|o| match o {
            Object::Reference(id) => document.get_dictionary(*id),
            Object::Dictionary(d) => Ok(d),
            _ => Err(lopdf::Error::DictKey("ColorSpace".into())),
        }) else {
            continue;
        };
        for (_, space) in spaces.iter() {
            let space = match space {
                Object::Reference(id) => document.get_object(*id).unwrap(),
                other => other,
            };
            let array = space.as_array().unwrap();
            assert_ne!(array[0].as_name().unwrap(), b"DeviceRGB");
            if array[0].as_name().unwrap() == b"ICCBased" {
                let profile = document
                    .get_object(array[1].as_reference().unwrap())
                    .unwrap()
                    .as_stream()
                    .unwrap();
                assert_ne!(
                    profile.dict.get(b"N").unwrap().as_i64().unwrap(),
                    3,
                    "an RGB colour space on a page"
                );
            }
        }
    }
}

#[test]
fn an_edition_overriding_one_template_changes_only_that_part() {
    let fixture = Fixture::new();
    assert_success(&fixture.build());
    let base_text = pdf_text(&fixture.pdf_path());
    // A fixture edition that inherits screen and overrides only landmark.typ.
    let edition = repo().join("tests/fixtures/override-edition");
    for entry in fs::read_dir(&edition).unwrap() {
        let entry = entry.unwrap();
        fixture.write(
            &format!("layouts/override/{}", entry.file_name().to_str().unwrap()),
            &fs::read_to_string(entry.path()).unwrap(),
        );
    }
    let out = fixture.root().join("out");
    assert_success(&guidebook(
        fixture.root(),
        &[
            "build",
            "--edition",
            "override",
            "--out",
            out.to_str().unwrap(),
        ],
    ));
    let text = pdf_text(&out.join("fixture-override.pdf"));
    assert!(
        text.contains("LANDMARK CARD"),
        "the overridden template was not used"
    );
    assert!(!base_text.contains("LANDMARK CARD"));
    // The chapter up to its landmark entries is the same as in the edition it inherits from
    // (the contents differ only in page numbers, as the cards are shorter).
    let before_landmarks = |t: &str| {
        let start = t.find("P A R T").expect("a part page");
        t[start..t.find("Landmarks").expect("a Landmarks section")].to_string()
    };
    assert_eq!(before_landmarks(&text), before_landmarks(&base_text));
}

#[test]
fn new_edition_copies_build_the_same_pages() {
    let fixture = Fixture::new();
    let output = guidebook(fixture.root(), &["new-edition", "mine", "--from", "pocket"]);
    assert_success(&output);
    let out = fixture.root().join("out");
    for edition in ["pocket", "mine"] {
        assert_success(&guidebook(
            fixture.root(),
            &[
                "build",
                "--edition",
                edition,
                "--out",
                out.to_str().unwrap(),
            ],
        ));
    }
    let a = Document::load(out.join("fixture-pocket.pdf")).unwrap();
    let b = Document::load(out.join("fixture-mine.pdf")).unwrap();
    assert_eq!(a.get_pages().len(), b.get_pages().len());
    let pages: Vec<u32> = a.get_pages().keys().copied().collect();
    for page in pages {
        assert_eq!(
            a.extract_text(&[page]).unwrap(),
            b.extract_text(&[page]).unwrap(),
            "page {page} differs"
        );
    }
    // The copy refuses to overwrite.
    let again = guidebook(fixture.root(), &["new-edition", "mine", "--from", "pocket"]);
    assert_eq!(again.status.code(), Some(1));
}

#[test]
fn bad_edition_settings_are_located() {
    let cases: [(&str, &str, &str); 5] = [
        (
            "inherits = \"base\"\npaper = \"a5\"\n",
            "layouts/bad/edition.toml:2:1",
            "unknown field `paper`",
        ),
        (
            "inherits = \"base\"\n[page]\nsize = \"a6\"\ninside = \"60mm\"\noutside = \"40mm\"\n",
            "layouts/bad/edition.toml:",
            "text area",
        ),
        (
            "inherits = \"base\"\n[fonts]\nserif = \"Comic Sans MS\"\n",
            "layouts/bad/edition.toml:3:9",
            "unknown font `Comic Sans MS`",
        ),
        (
            "inherits = \"base\"\n[content]\nexclude = [\"atlantis\"]\n",
            "layouts/bad/edition.toml:3:12",
            "unknown chapter `atlantis`",
        ),
        (
            "inherits = \"base\"\n[page]\nsize = \"a5\"\nbleed = \"lots\"\n",
            "layouts/bad/edition.toml:4:9",
            "not a length",
        ),
    ];
    for (toml, position, message) in cases {
        let fixture = Fixture::new();
        fixture.write("layouts/bad/edition.toml", toml);
        let output = guidebook(fixture.root(), &["build", "--edition", "bad"]);
        assert_eq!(output.status.code(), Some(1), "{toml}");
        let text = stderr(&output);
        assert!(
            text.contains(position) && text.contains(message),
            "expected {position} {message} in:\n{text}"
        );
    }
}

#[test]
fn all_editions_build_in_one_run_and_report_failures_by_name() {
    let fixture = Fixture::new();
    fixture.write(
        "layouts/broken/edition.toml",
        "inherits = \"base\"\n[fonts]\nsans = \"Nope\"\n",
    );
    let output = guidebook(
        fixture.root(),
        &[
            "build",
            "--all",
            "--out",
            fixture.root().join("out").to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("edition `broken`"),
        "{}",
        stderr(&output)
    );
    for edition in ["screen", "pocket", "trade", "atlas"] {
        assert!(
            fixture
                .root()
                .join(format!("out/fixture-{edition}.pdf"))
                .is_file(),
            "{edition} was not built"
        );
    }
}
