//! Fuzz template rendering: arbitrary template source and an arbitrary content value, in
//! the Typst environment. Properties: nothing panics or hangs (fuel, output cap); and a
//! value written with `{{ v }}` always comes out as text Typst shows literally.
#![no_main]

use guidebook::sandbox::Sandbox;
use guidebook::templates::{Language, Templates};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (source, value) = text.split_once('\u{0}').unwrap_or((text, "#read(\"x\")"));
    let sandbox = Sandbox::new(&std::env::temp_dir()).expect("a temp folder");
    let templates = Templates::new(&sandbox, vec![], Language::Typst);
    let mut env = templates.env;
    // Any template: must not panic.
    if env.add_template_owned("any.typ".to_string(), source.to_string()).is_ok()
        && let Ok(template) = env.get_template("any.typ")
    {
        let _ = template.render(minijinja::context! { v => value });
    }
    // The value alone, in markup: Typst parses it as text only.
    env.add_template("value.typ", "{{ v }}").expect("a valid template");
    let out = env
        .get_template("value.typ")
        .expect("just added")
        .render(minijinja::context! { v => value })
        .expect("renders");
    let root = typst_syntax::parse(&out);
    assert!(root.errors_and_warnings().0.is_empty(), "{value:?} -> {out:?}");
    assert!(
        root.children().all(|n| matches!(
            n.kind(),
            typst_syntax::SyntaxKind::Text
                | typst_syntax::SyntaxKind::Space
                | typst_syntax::SyntaxKind::Escape
                | typst_syntax::SyntaxKind::SmartQuote
        )),
        "{value:?} -> {out:?}"
    );
});
