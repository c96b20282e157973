//! Fuzz the content path an editor controls: bytes → text decoding → front matter →
//! Markdown → Typst, and the Typst escaper. Properties: nothing panics, and every piece of
//! Typst produced parses without errors.
#![no_main]

use guidebook::content::images::ImageStore;
use guidebook::content::load::split_front_matter;
use guidebook::content::markdown::{Converter, IndexTerms, Origin, Targets};
use guidebook::diagnostics::SourceFile;
use guidebook::sandbox::{Sandbox, decode_text};
use libfuzzer_sys::fuzz_target;

fn assert_parses(typst: &str, what: &str) {
    let errors = typst_syntax::parse(typst).errors_and_warnings().0;
    assert!(errors.is_empty(), "{what} produced Typst that does not parse: {typst:?}: {errors:?}");
}

fuzz_target!(|data: &[u8]| {
    let Ok(file) = decode_text("fuzz.md", data.to_vec()) else { return };
    let text = file.text.to_string();

    assert_parses(&guidebook::escape::markup(&text), "the escaper");
    assert_parses(&format!("#{}", guidebook::escape::string_literal(&text)), "the string quoter");

    let targets = Targets::default();
    let index = IndexTerms::new([("Mao Zedong", &["Mao".to_string()][..])], []);
    let images = ImageStore::new(Sandbox::new(&std::env::temp_dir()).expect("a temp folder"));
    let mut converter = Converter::new(&targets, &images).with_index(&index);
    let body = match split_front_matter(&file) {
        Ok((meta, _, body_offset)) => {
            for sidebar in &meta.sidebars {
                let out = converter.to_typst(sidebar.text.get_ref(), Origin { file: &file, offset: 0 });
                assert_parses(&out, "a sidebar");
            }
            body_offset
        }
        Err(_) => 0,
    };
    let source = SourceFile::new("fuzz.md", &text[body..]);
    let out = converter.to_typst(&text[body..], Origin { file: &source, offset: 0 });
    assert_parses(&out, "the Markdown converter");
});
