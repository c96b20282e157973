//! SVG from `chapters/images/`, parsed and written again through an allowlist: shapes, text,
//! gradients, clipping and internal references survive; scripts, event handlers,
//! `foreignObject`, animation, external or `file:` references, stylesheets and DOCTYPEs
//! (entities) do not.

use roxmltree::{Document, Node, NodeType, ParsingOptions};

use crate::escape;

const SVG_NS: &str = "http://www.w3.org/2000/svg";
const XLINK_NS: &str = "http://www.w3.org/1999/xlink";

/// Largest number of XML nodes accepted in one SVG.
const MAX_NODES: u32 = 200_000;

/// Elements kept, with their children.
const ELEMENTS: &[&str] = &[
    "svg",
    "g",
    "defs",
    "symbol",
    "use",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "textPath",
    "title",
    "desc",
    "linearGradient",
    "radialGradient",
    "stop",
    "clipPath",
    "mask",
    "pattern",
    "marker",
    "image",
];

/// Attributes kept (in no namespace), besides the references checked one by one.
const ATTRIBUTES: &[&str] = &[
    "id",
    "class",
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "fx",
    "fy",
    "dx",
    "dy",
    "width",
    "height",
    "d",
    "points",
    "viewBox",
    "preserveAspectRatio",
    "transform",
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-dasharray",
    "stroke-dashoffset",
    "opacity",
    "color",
    "display",
    "visibility",
    "clip-path",
    "clip-rule",
    "mask",
    "marker-start",
    "marker-mid",
    "marker-end",
    "font-family",
    "font-size",
    "font-weight",
    "font-style",
    "font-variant",
    "letter-spacing",
    "word-spacing",
    "text-anchor",
    "text-decoration",
    "dominant-baseline",
    "alignment-baseline",
    "baseline-shift",
    "writing-mode",
    "rotate",
    "textLength",
    "lengthAdjust",
    "startOffset",
    "offset",
    "stop-color",
    "stop-opacity",
    "gradientUnits",
    "gradientTransform",
    "spreadMethod",
    "patternUnits",
    "patternContentUnits",
    "patternTransform",
    "clipPathUnits",
    "maskUnits",
    "maskContentUnits",
    "markerWidth",
    "markerHeight",
    "markerUnits",
    "orient",
    "refX",
    "refY",
    "version",
    "style",
    "lang",
];

/// An SVG document rewritten through the allowlist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanSvg {
    pub text: String,
    /// The viewport in user units, rounded (from width/height, else the viewBox).
    pub width: u32,
    pub height: u32,
}

/// Parse an SVG and write it again keeping only what the allowlist permits.
pub fn sanitize(bytes: &[u8]) -> Result<CleanSvg, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "the SVG is not UTF-8".to_string())?;
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..ParsingOptions::default()
    };
    let document = Document::parse_with_options(text, options).map_err(|e| match e {
        roxmltree::Error::DtdDetected => {
            "SVG with a DOCTYPE is refused (entities can read files or explode in size)".into()
        }
        other => format!("the SVG cannot be parsed: {other}"),
    })?;
    let root = document.root_element();
    if root.tag_name().name() != "svg" || root.tag_name().namespace() != Some(SVG_NS) {
        return Err("the file is not an SVG document (no <svg> root in the SVG namespace)".into());
    }
    let (width, height) = viewport(&root);
    let mut out = String::with_capacity(text.len());
    write_element(&root, true, &mut out);
    Ok(CleanSvg {
        text: out,
        width,
        height,
    })
}

fn write_element(node: &Node<'_, '_>, is_root: bool, out: &mut String) {
    let name = node.tag_name().name();
    out.push('<');
    out.push_str(name);
    if is_root {
        out.push_str(&format!(" xmlns=\"{SVG_NS}\" xmlns:xlink=\"{XLINK_NS}\""));
    }
    for attribute in node.attributes() {
        if let Some((key, value)) = kept_attribute(name, &attribute) {
            out.push_str(&format!(" {key}=\"{}\"", escape::xml_attribute(&value)));
        }
    }
    out.push('>');
    for child in node.children() {
        match child.node_type() {
            NodeType::Element if kept_element(&child) => write_element(&child, false, out),
            NodeType::Text => out.push_str(&escape::xml(child.text().unwrap_or(""))),
            _ => {}
        }
    }
    out.push_str(&format!("</{name}>"));
}

fn kept_element(node: &Node<'_, '_>) -> bool {
    let tag = node.tag_name();
    if tag.namespace() != Some(SVG_NS) || !ELEMENTS.contains(&tag.name()) {
        return false;
    }
    // An image stays only when it carries its picture inline.
    tag.name() != "image" || href(node).is_some_and(|h| is_inline_picture(&h))
}

fn href(node: &Node<'_, '_>) -> Option<String> {
    node.attribute((XLINK_NS, "href"))
        .or_else(|| node.attribute("href"))
        .map(|h| h.trim().to_string())
}

fn is_inline_picture(href: &str) -> bool {
    let lower = href.to_ascii_lowercase();
    lower.starts_with("data:image/png;base64,") || lower.starts_with("data:image/jpeg;base64,")
}

/// The attribute as written out (`xlink:href` for every reference), or `None` to drop it.
fn kept_attribute(
    element: &str,
    attribute: &roxmltree::Attribute<'_, '_>,
) -> Option<(String, String)> {
    // Judged as it will be written: without the characters XML forbids, which could
    // otherwise hide a `url(` until the value is read back.
    let value = escape::xml_clean(attribute.value());
    let value = value.as_str();
    let is_href =
        attribute.name() == "href" && matches!(attribute.namespace(), None | Some(XLINK_NS));
    if is_href {
        let href = value.trim();
        let internal = href.starts_with('#') && element != "image";
        let picture = element == "image" && is_inline_picture(href);
        return (internal || picture).then(|| ("xlink:href".to_string(), href.to_string()));
    }
    if attribute.namespace().is_some_and(|ns| ns != SVG_NS) {
        return None;
    }
    let name = attribute.name();
    if !ATTRIBUTES.contains(&name) || !safe_value(value) {
        return None;
    }
    Some((name.to_string(), value.to_string()))
}

/// A value may point only inside the document: `url(#id)`; never a script or a stylesheet.
fn safe_value(value: &str) -> bool {
    let lower: String = value
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    if lower.contains("javascript:")
        || lower.contains("expression(")
        || lower.contains("@import")
        || lower.contains('\\')
    {
        return false;
    }
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("url(") {
        let target = rest[at + 4..].trim_start_matches(['"', '\'']);
        if !target.starts_with('#') {
            return false;
        }
        rest = &rest[at + 4..];
    }
    true
}

/// The width and height of the root in user units, rounded; 0 where neither is given.
fn viewport(root: &Node<'_, '_>) -> (u32, u32) {
    let number = |text: &str| {
        text.trim()
            .trim_end_matches("px")
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v > 0.0)
    };
    let view_box: Vec<f64> = root
        .attribute("viewBox")
        .unwrap_or("")
        .split([' ', ','])
        .filter_map(|v| v.parse().ok())
        .collect();
    let from_box = |i: usize| view_box.get(i).copied().filter(|_| view_box.len() == 4);
    let width = root.attribute("width").and_then(number).or(from_box(2));
    let height = root.attribute("height").and_then(number).or(from_box(3));
    let round = |v: Option<f64>| v.map_or(0, |v| v.round().min(f64::from(u32::MAX)) as u32);
    (round(width), round(height))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(svg: &str) -> String {
        sanitize(svg.as_bytes()).expect("parses").text
    }

    #[test]
    fn cleaning_twice_changes_nothing_even_for_line_ends() {
        let once = clean(
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><text>a&#13;b</text><desc>c\r\nd</desc><rect width=\"1&#10;2\" height=\"a&#9;b\"/></svg>",
        );
        assert_eq!(clean(&once), once);
    }

    #[test]
    fn a_forbidden_character_cannot_hide_a_reference() {
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"><text x=\"uu\u{7f}rl(uu\" fill=\"u\u{7f}rl(https://evil.example/x)\">Harbin</text></svg>";
        let out = clean(svg);
        assert!(!out.contains("url("), "{out}");
        assert_eq!(clean(&out), out);
    }

    #[test]
    fn drawings_survive() {
        let out = clean(
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" viewBox="0 0 40 20"><defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs><rect x="1" y="2" width="3" height="4" fill="url(#g)"/><text x="1" y="10">Harbin &amp; 哈尔滨</text></svg>"##,
        );
        assert!(out.contains(r##"<rect x="1" y="2" width="3" height="4" fill="url(#g)">"##));
        assert!(out.contains("Harbin &amp; 哈尔滨"));
        assert_eq!(
            sanitize(out.as_bytes()).unwrap().text,
            out,
            "sanitizing is idempotent"
        );
    }

    #[test]
    fn active_and_external_content_is_removed() {
        let hostile = r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)">
            <script>alert(2)</script>
            <a href="javascript:alert(3)"><rect width="1" height="1"/></a>
            <foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example/"/></foreignObject>
            <image href="https://evil.example/x.png" width="1" height="1"/>
            <image xlink:href="file:///etc/passwd" width="1" height="1"/>
            <use xlink:href="https://evil.example/s.svg#a"/>
            <rect style="fill:url(https://evil.example/t)" onclick="x()" width="1" height="1"/>
            <style>@import url(https://evil.example/c.css);</style>
            <animate attributeName="href" to="javascript:alert(4)"/>
        </svg>"##;
        let out = clean(hostile);
        for banned in [
            "script",
            "onload",
            "onclick",
            "javascript",
            "foreignObject",
            "iframe",
            "evil.example",
            "file:",
            "style",
            "animate",
            "alert",
        ] {
            assert!(!out.contains(banned), "{banned} survived in {out}");
        }
    }

    #[test]
    fn doctypes_and_non_svg_are_refused() {
        let xxe = r#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>"#;
        assert!(sanitize(xxe.as_bytes()).unwrap_err().contains("DOCTYPE"));
        assert!(sanitize(b"<html/>").is_err());
        assert!(sanitize(b"not xml").is_err());
        assert!(sanitize(&[0xff, 0xfe]).is_err());
    }
}
