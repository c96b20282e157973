//! Fuzz the SVG sanitizer with arbitrary bytes. Properties: nothing panics; what comes out
//! parses as XML, holds no script, event handler, foreign object, DOCTYPE or reference out of
//! the document; and sanitizing it again changes nothing.
#![no_main]

use guidebook::content::images::svg::sanitize;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(clean) = sanitize(data) else { return };
    let text = &clean.text;
    let document = roxmltree::Document::parse(text).expect("sanitized SVG parses");
    for node in document.descendants().filter(|n| n.is_element()) {
        let name = node.tag_name().name();
        assert!(!matches!(name, "script" | "foreignObject" | "style" | "a" | "animate" | "set"), "{name} in {text}");
        for attribute in node.attributes() {
            assert!(!attribute.name().starts_with("on"), "{} in {text}", attribute.name());
            let value = attribute.value().to_ascii_lowercase();
            if attribute.name() == "href" {
                assert!(value.starts_with('#') || value.starts_with("data:image/"), "{value}");
            }
            assert!(!value.contains("javascript:"), "{value}");
        }
    }
    assert!(!text.contains("<!DOCTYPE"));
    assert_eq!(sanitize(text.as_bytes()).map(|c| c.text), Ok(clean.text.clone()), "idempotent");
});
