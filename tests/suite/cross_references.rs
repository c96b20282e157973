//! Cross-references: print editions give the page a reference leads to ("see the split,
//! p. 57", "Map 2, p. 80"), and the page is the right one; the screen edition links.

use typst::foundations::Label;
use typst::introspection::Introspector;
use typst::utils::PicoStr;

use crate::common;
use crate::pages::{self, Compiled};

/// The printed page number of the element labelled `name`.
fn printed_page(compiled: &Compiled, name: &str) -> u64 {
    let introspector = compiled.document.introspector();
    let label = Label::new(PicoStr::intern(name)).unwrap();
    let element = introspector.query_label(label).unwrap();
    let index = introspector
        .page(element.location().unwrap())
        .unwrap()
        .get();
    compiled.document.pages()[index - 1].number
}

/// The whole text layer of an edition, lines joined by spaces.
fn text(name: &str) -> Option<String> {
    let lines = pages::text_layer(&common::shipped().pdf(name))?;
    Some(
        lines
            .iter()
            .flatten()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    )
}

#[test]
fn print_editions_give_the_page_of_every_cross_reference() {
    for compiled in pages::compiled() {
        if !compiled.edition.page_references {
            continue;
        }
        let Some(text) = text(&compiled.name) else {
            return;
        };
        let references = text.matches("(p. ").count() + text.matches(", p. ").count();
        assert!(
            references > 100,
            "{}: only {references} page references",
            compiled.name
        );
        // A chapter, a landmark entry and a map, each with the page it is on.
        let split = printed_page(compiled, "chapter-split");
        assert!(
            text.contains(&format!("the split, p. {split})"))
                || text.contains(&format!("the split (p. {split})")),
            "{}: no reference to the split chapter's page {split}",
            compiled.name
        );
        let station = printed_page(compiled, "landmark-harbin-railway-station");
        assert!(
            text.contains(&format!("Harbin Railway Station (p. {station})")),
            "{}: the route does not give the station's page {station}",
            compiled.name
        );
        let map = printed_page(compiled, "figure-map-railways");
        assert!(
            text.contains(&format!("Map 2, p. {map}")),
            "{}: no reference to the railway map's page {map}",
            compiled.name
        );
    }
}

#[test]
fn the_screen_edition_links_its_cross_references() {
    let compiled = pages::compiled()
        .iter()
        .find(|c| c.name == "screen")
        .unwrap();
    assert!(!compiled.edition.page_references);
    let document = lopdf::Document::load(common::shipped().pdf("screen")).unwrap();
    let mut internal = 0;
    for (_, page) in document.get_pages() {
        let Ok(annotations) = document.get_page_annotations(page) else {
            continue;
        };
        for annotation in annotations {
            let is_link = annotation
                .get(b"Subtype")
                .and_then(|s| s.as_name())
                .is_ok_and(|s| s == b"Link");
            let action = annotation
                .get(b"A")
                .and_then(|a| match a {
                    lopdf::Object::Reference(id) => document.get_dictionary(*id),
                    lopdf::Object::Dictionary(d) => Ok(d),
                    _ => Err(lopdf::Error::DictKey("A".into())),
                })
                .ok();
            let goes_inside = annotation.has(b"Dest")
                || action.is_some_and(|a| {
                    a.get(b"S")
                        .and_then(|s| s.as_name())
                        .is_ok_and(|s| s == b"GoTo")
                });
            if is_link && goes_inside {
                internal += 1;
            }
        }
    }
    assert!(internal > 300, "only {internal} internal links");
    let text = text("screen").unwrap_or_default();
    assert!(
        !text.contains("the split, p. ") && !text.contains("Harbin Railway Station (p. "),
        "the screen edition prints page references"
    );
}
