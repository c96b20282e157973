//! Generated Typst and XHTML of the small fixture book, snapshotted: a change to what the
//! templates or the Markdown writers produce shows up in review as a diff of these files.

use std::io::Read;

use crate::common::*;

#[test]
fn generated_typst_of_a_small_book() {
    let fixture = Fixture::new();
    let emitted = fixture.root().join("emitted");
    assert_success(&guidebook(
        fixture.root(),
        &[
            "build",
            "--emit-typ",
            emitted.to_str().unwrap(),
            "--out",
            fixture.root().join("out").to_str().unwrap(),
        ],
    ));
    let chapter = std::fs::read_to_string(emitted.join("screen/gen/chapters/harbin.typ")).unwrap();
    insta::assert_snapshot!("fixture-chapter.typ", chapter);
}

#[test]
fn generated_xhtml_of_a_small_book() {
    let fixture = Fixture::new();
    let out = fixture.root().join("out");
    assert_success(&guidebook(
        fixture.root(),
        &["build", "--format", "epub", "--out", out.to_str().unwrap()],
    ));
    let file = std::fs::File::open(out.join("fixture.epub")).unwrap();
    let mut archive = zip::ZipArchive::new(file).unwrap();
    let mut chapter = String::new();
    archive
        .by_name("EPUB/chapter-harbin.xhtml")
        .unwrap()
        .read_to_string(&mut chapter)
        .unwrap();
    insta::assert_snapshot!("fixture-chapter.xhtml", chapter);
}
