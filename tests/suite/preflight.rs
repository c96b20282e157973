//! Builds small PDFs with known problems and checks that preflight reports each on its page.

use guidebook::output::pdf::preflight::{
    Finding, PdfxLevel, Report, Rules, Service, Severity, check,
};
use lopdf::{Dictionary, Document, Object, Stream, StringFormat, dictionary};

/// Millimetres to points.
fn mm(v: f64) -> f64 {
    v * 72.0 / 25.4
}

/// Trim of every test page: 6 × 9 in placed at (30, 30).
const TRIM: [f64; 4] = [30.0, 30.0, 462.0, 678.0];

/// One page of a test document.
struct Page {
    /// Content stream.
    content: String,
    /// Resources.
    resources: Dictionary,
    /// MediaBox, BleedBox, TrimBox; `None` leaves the box out.
    media: [f64; 4],
    bleed: Option<[f64; 4]>,
    trim: Option<[f64; 4]>,
    /// Annotations.
    annots: Vec<Dictionary>,
    /// Extra page keys.
    extra: Dictionary,
}

impl Page {
    /// An offset page: 3 mm bleed on every side and a slug for marks.
    fn offset(content: &str) -> Page {
        let b = mm(3.0);
        Page {
            content: content.to_string(),
            resources: Dictionary::new(),
            media: [0.0, 0.0, 492.0, 708.0],
            bleed: Some([TRIM[0] - b, TRIM[1] - b, TRIM[2] + b, TRIM[3] + b]),
            trim: Some(TRIM),
            annots: Vec::new(),
            extra: Dictionary::new(),
        }
    }

    /// Adds a resource of one category.
    fn resource(mut self, category: &str, name: &str, value: Object) -> Page {
        let mut dict = match self.resources.remove(category.as_bytes()) {
            Some(Object::Dictionary(d)) => d,
            _ => Dictionary::new(),
        };
        dict.set(name, value);
        self.resources.set(category, Object::Dictionary(dict));
        self
    }
}

/// Numbers as a PDF array.
fn array(values: &[f64]) -> Object {
    Object::Array(values.iter().map(|v| Object::Real(*v as f32)).collect())
}

/// A fake output ICC profile header: class `prtr`, colour space `CMYK`.
fn icc_profile() -> Vec<u8> {
    let mut bytes = vec![0u8; 132];
    bytes[0..4].copy_from_slice(&132u32.to_be_bytes());
    bytes[12..16].copy_from_slice(b"prtr");
    bytes[16..20].copy_from_slice(b"CMYK");
    bytes[20..24].copy_from_slice(b"Lab ");
    bytes[36..40].copy_from_slice(b"acsp");
    bytes
}

/// XMP with everything PDF/X-4 asks for.
fn xmp(create: &str) -> String {
    format!(
        r#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/" pdf:Trapped="False"><dc:title><rdf:Alt><rdf:li xml:lang="x-default">Test</rdf:li></rdf:Alt></dc:title><xmp:CreateDate>{create}</xmp:CreateDate><xmp:ModifyDate>2026-01-01T00:00:00Z</xmp:ModifyDate><xmp:MetadataDate>2026-01-01T00:00:00Z</xmp:MetadataDate><xmpMM:DocumentID>uuid:1</xmpMM:DocumentID><xmpMM:VersionID>1</xmpMM:VersionID><xmpMM:RenditionClass>default</xmpMM:RenditionClass><pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"#
    )
}

/// An embedded TrueType font with 500-unit widths.
fn embedded_font(doc: &mut Document) -> Object {
    let file = doc.add_object(Stream::new(dictionary! {}, vec![0u8; 64]));
    let descriptor = doc.add_object(dictionary! {
        "Type" => "FontDescriptor",
        "FontName" => "ABCDEF+Test",
        "Ascent" => 750,
        "Descent" => -250,
        "FontFile2" => file,
    });
    let widths: Vec<Object> = (32..127).map(|_| Object::Integer(500)).collect();
    Object::Reference(doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "TrueType",
        "BaseFont" => "ABCDEF+Test",
        "FirstChar" => 32,
        "LastChar" => 126,
        "Widths" => widths,
        "FontDescriptor" => descriptor,
    }))
}

/// Builds a PDF/X-4-identified document; `pages` receives the document to add objects.
fn build(pages: impl FnOnce(&mut Document) -> Vec<Page>) -> Vec<u8> {
    build_with(pages, "2026-01-01T00:00:00Z")
}

/// Builds a document with a chosen XMP creation date.
fn build_with(pages: impl FnOnce(&mut Document) -> Vec<Page>, create: &str) -> Vec<u8> {
    let mut doc = Document::with_version("1.6");
    let pages_id = doc.new_object_id();
    let font = embedded_font(&mut doc);
    let specs = pages(&mut doc);
    let mut kids = Vec::new();
    for spec in specs {
        let content = doc.add_object(Stream::new(dictionary! {}, spec.content.into_bytes()));
        let mut resources = spec.resources;
        if !resources.has(b"Font") {
            resources.set("Font", dictionary! { "F1" => font.clone() });
        }
        let mut page = dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => array(&spec.media),
            "Contents" => content,
            "Resources" => resources,
        };
        if let Some(b) = spec.bleed {
            page.set("BleedBox", array(&b));
        }
        if let Some(t) = spec.trim {
            page.set("TrimBox", array(&t));
        }
        if !spec.annots.is_empty() {
            let annots: Vec<Object> = spec
                .annots
                .into_iter()
                .map(|a| Object::Reference(doc.add_object(a)))
                .collect();
            page.set("Annots", annots);
        }
        for (k, v) in spec.extra.iter() {
            page.set(k.clone(), v.clone());
        }
        kids.push(Object::Reference(doc.add_object(page)));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let profile = doc.add_object(Stream::new(dictionary! { "N" => 4 }, icc_profile()));
    let intent = doc.add_object(dictionary! {
        "Type" => "OutputIntent",
        "S" => "GTS_PDFX",
        "OutputConditionIdentifier" => Object::string_literal("FOGRA39"),
        "RegistryName" => Object::string_literal("http://www.color.org"),
        "DestOutputProfile" => profile,
    });
    let mut meta = Stream::new(
        dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
        xmp(create).into_bytes(),
    );
    meta.allows_compression = false;
    let metadata = doc.add_object(meta);
    let catalog = doc.add_object(dictionary! {
        "Type" => "Catalog",
        "Pages" => pages_id,
        "OutputIntents" => vec![Object::Reference(intent)],
        "Metadata" => metadata,
    });
    let info = doc.add_object(dictionary! {
        "Title" => Object::string_literal("Test"),
        "CreationDate" => Object::string_literal("D:20260101000000Z"),
        "ModDate" => Object::string_literal("D:20260101000000Z"),
        "GTS_PDFXVersion" => Object::string_literal("PDF/X-4"),
        "Trapped" => "False",
    });
    doc.trailer.set("Root", catalog);
    doc.trailer.set("Info", info);
    let id = Object::String(b"0123456789abcdef".to_vec(), StringFormat::Hexadecimal);
    doc.trailer.set("ID", vec![id.clone(), id]);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("save");
    bytes
}

/// The content of a clean page: 10 pt text and a 0.5 pt rule in 100 % K.
const CLEAN: &str = "0 0 0 1 k BT /F1 10 Tf 1 0 0 1 100 400 Tm (Clean text) Tj ET 0 0 0 1 K 0.5 w 100 300 m 300 300 l S";

/// Findings of one rule on one page.
fn on_page<'a>(report: &'a Report, rule: &str, page: usize) -> Vec<&'a Finding> {
    report
        .findings
        .iter()
        .filter(|f| f.rule == rule && f.page == Some(page))
        .collect()
}

/// Asserts that a rule was reported on a page at a severity, and on no other page.
fn assert_only(report: &Report, rule: &str, page: usize, severity: Severity) {
    let found = on_page(report, rule, page);
    assert!(
        found.iter().any(|f| f.severity == severity),
        "expected {severity:?} {rule} on page {page}, got:\n{}",
        report.details()
    );
    let elsewhere: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.rule == rule && f.page != Some(page))
        .collect();
    assert!(
        elsewhere.is_empty(),
        "{rule} reported elsewhere: {elsewhere:?}"
    );
}

#[test]
fn clean_cmyk_page_passes() {
    let pdf = build(|_| vec![Page::offset(CLEAN), Page::offset(CLEAN)]);
    let report = check(&pdf, &Rules::offset()).expect("check");
    assert!(report.passed(), "{}", report.details());
    assert_eq!(report.count(Severity::Warn), 0, "{}", report.details());
    assert_eq!(report.pages, 2);
    let facts = &report.page_facts[0];
    assert!((facts.bleed.top - 3.0).abs() < 0.01 && (facts.bleed.inside - 3.0).abs() < 0.01);
    assert!(facts.slug.outside > 7.0);
    assert_eq!(report.fonts.len(), 1);
    assert!(report.fonts[0].embedded && report.fonts[0].subset);
    assert_eq!(report.text_colours[0].0, "K 100");
    assert_eq!(
        facts.smallest_text_pt.map(|s| (s * 10.0).round()),
        Some(100.0)
    );
    assert_eq!(facts.thinnest_stroke_pt, Some(0.5));
    assert!(report.table().contains("Result: PASSED"));
}

#[test]
fn rgb_image_is_reported_with_its_page_and_resolution() {
    let pdf = build(|doc| {
        let image = doc.add_object(Stream::new(
            dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => 100, "Height" => 100,
                "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8 },
            vec![0u8; 30000],
        ));
        let content = format!("{CLEAN} q 72 0 0 72 100 100 cm /Im1 Do Q");
        vec![
            Page::offset(CLEAN),
            Page::offset(&content).resource("XObject", "Im1", Object::Reference(image)),
        ]
    });
    let report = check(&pdf, &Rules::offset()).expect("check");
    assert_only(&report, "colour", 2, Severity::Fail);
    assert_only(&report, "images", 2, Severity::Fail);
    assert_eq!(report.images.len(), 1);
    assert!(
        (report.images[0].ppi - 100.0).abs() < 0.5,
        "{:?}",
        report.images
    );
    assert_eq!(report.images[0].colour_space, "DeviceRGB");
    assert!(report.page_facts[1].colour_spaces.contains("DeviceRGB"));
}

#[test]
fn link_annotation_fails_print() {
    let pdf = build(|_| {
        let mut page = Page::offset(CLEAN);
        page.annots.push(dictionary! { "Type" => "Annot", "Subtype" => "Link", "Rect" => array(&[100.0, 100.0, 200.0, 120.0]) });
        page.annots.push(dictionary! { "Type" => "Annot", "Subtype" => "PrinterMark", "Rect" => array(&[0.0, 0.0, 10.0, 10.0]) });
        vec![Page::offset(CLEAN), Page::offset(CLEAN), page]
    });
    let report = check(&pdf, &Rules::offset()).expect("check");
    assert_only(&report, "annotations", 3, Severity::Fail);
    assert_eq!(report.page_facts[2].annotations, 1);
    assert!(
        on_page(&report, "annotations", 3)[0]
            .message
            .contains("Link ×1")
    );
}

#[test]
fn fill_opacity_is_transparency() {
    let make = || {
        build(|_| {
            let content = format!("{CLEAN} /GS1 gs 0 0 0 1 k 100 100 50 50 re f");
            let gs = Object::Dictionary(dictionary! { "Type" => "ExtGState", "ca" => 0.5 });
            vec![Page::offset(&content).resource("ExtGState", "GS1", gs)]
        })
    };
    let report = check(&make(), &Rules::offset()).expect("check");
    assert_only(&report, "transparency", 1, Severity::Warn);
    assert!(report.page_facts[0].transparency);
    assert!(
        on_page(&report, "transparency", 1)[0]
            .message
            .contains("fill opacity 50 %")
    );
    let x1a = check(&make(), &Rules::offset().with_pdfx(PdfxLevel::X1a)).expect("check");
    assert_only(&x1a, "transparency", 1, Severity::Fail);
}

#[test]
fn page_without_bleed_fails() {
    let pdf = build(|_| {
        let mut bare = Page::offset(CLEAN);
        bare.media = TRIM;
        bare.bleed = Some(TRIM);
        vec![Page::offset(CLEAN), bare]
    });
    let report = check(&pdf, &Rules::offset()).expect("check");
    assert_only(&report, "bleed", 2, Severity::Fail);
    assert_only(&report, "slug", 2, Severity::Fail);
    assert_eq!(
        on_page(&report, "bleed", 2).len(),
        4,
        "{}",
        report.details()
    );
}

#[test]
fn missing_boxes_fail() {
    let pdf = build(|_| {
        let mut bare = Page::offset(CLEAN);
        bare.bleed = None;
        bare.trim = None;
        vec![bare]
    });
    let report = check(&pdf, &Rules::offset()).expect("check");
    let boxes = on_page(&report, "boxes", 1);
    assert!(boxes.iter().any(|f| f.message.contains("no TrimBox")));
    assert!(boxes.iter().any(|f| f.message.contains("no BleedBox")));
}

#[test]
fn non_embedded_font_fails() {
    let pdf = build(|doc| {
        let helvetica = doc.add_object(
            dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" },
        );
        let content = "0 0 0 1 k BT /F2 10 Tf 1 0 0 1 100 400 Tm (Hi) Tj ET";
        let mut page = Page::offset(content);
        page.resources
            .set("Font", dictionary! { "F2" => helvetica });
        vec![
            Page::offset(CLEAN),
            Page::offset(CLEAN),
            Page::offset(CLEAN),
            page,
        ]
    });
    let report = check(&pdf, &Rules::offset()).expect("check");
    assert_only(&report, "fonts", 4, Severity::Fail);
    let font = report
        .fonts
        .iter()
        .find(|f| f.name == "Helvetica")
        .expect("font listed");
    assert!(!font.embedded && !font.subset);
}

#[test]
fn small_rgb_grey_text_is_rgb_and_misregistered() {
    let pdf = build(|_| {
        let content = "0.5 0.5 0.5 rg BT /F1 7 Tf 1 0 0 1 100 400 Tm (Small grey text) Tj ET";
        vec![Page::offset(CLEAN), Page::offset(content)]
    });
    let report = check(&pdf, &Rules::offset()).expect("check");
    assert_only(&report, "colour", 2, Severity::Fail);
    assert!(
        on_page(&report, "colour", 2)[0]
            .message
            .contains("set by rg")
    );
    let small = on_page(&report, "small-text", 2);
    assert!(
        small
            .iter()
            .any(|f| f.severity == Severity::Warn && f.message.contains("4 inks")),
        "{small:?}"
    );
    assert!(report.findings.iter().any(|f| f.rule == "text-colour"));
}

#[test]
fn four_colour_grey_small_text_in_cmyk_is_misregistration() {
    let pdf = build(|_| {
        vec![Page::offset(
            "0.4 0.3 0.3 0.2 k BT /F1 8 Tf 1 0 0 1 100 400 Tm (Grey) Tj ET",
        )]
    });
    let report = check(&pdf, &Rules::offset()).expect("check");
    assert_only(&report, "small-text", 1, Severity::Warn);
    assert!(on_page(&report, "colour", 1).is_empty());
}

#[test]
fn thin_rule_fails_and_thin_multi_ink_rule_warns() {
    let pdf = build(|_| {
        vec![
            Page::offset("0 0 0 1 K 0.1 w 100 100 m 300 100 l S"),
            Page::offset("0.2 0.2 0.25 0.45 K 0.3 w 100 100 m 300 100 l S"),
        ]
    });
    let report = check(&pdf, &Rules::offset()).expect("check");
    assert!(
        on_page(&report, "strokes", 1)
            .iter()
            .all(|f| f.severity == Severity::Fail)
    );
    assert_eq!(on_page(&report, "strokes", 1).len(), 1);
    assert!(
        on_page(&report, "strokes", 2)
            .iter()
            .all(|f| f.severity == Severity::Warn)
    );
    assert_eq!(on_page(&report, "strokes", 2).len(), 1);
    assert!((report.page_facts[0].thinnest_stroke_pt.unwrap() - 0.1).abs() < 1e-6);
}

#[test]
fn line_width_follows_the_ctm() {
    let pdf = build(|_| {
        vec![Page::offset(
            "q 0.2 0 0 0.2 0 0 cm 0 0 0 1 K 1 w 500 500 m 1500 500 l S Q",
        )]
    });
    let report = check(&pdf, &Rules::offset()).expect("check");
    assert_only(&report, "strokes", 1, Severity::Fail);
    assert!((report.page_facts[0].thinnest_stroke_pt.unwrap() - 0.2).abs() < 1e-6);
}

#[test]
fn text_size_uses_text_matrix_and_ctm() {
    let pdf = build(|_| {
        vec![Page::offset(
            "q 0.5 0 0 0.5 0 0 cm 0 0 0 1 k BT /F1 2 Tf 5 0 0 5 200 800 Tm (Tiny) Tj ET Q",
        )]
    });
    let report = check(&pdf, &Rules::offset()).expect("check");
    let size = report.page_facts[0].smallest_text_pt.unwrap();
    assert!((size - 5.0).abs() < 1e-6, "size {size}");
    assert_only(&report, "small-text", 1, Severity::Warn);
}

#[test]
fn text_near_the_trim_breaks_the_safety_margin() {
    let pdf = build(|_| {
        vec![
            Page::offset(
                "0 0 0 1 k BT /F1 10 Tf 1 0 0 1 100 400 Tm (ok) Tj ET BT /F1 10 Tf 1 0 0 1 455 400 Tm (edge) Tj ET",
            ),
            Page::offset("0 0 0 1 k BT /F1 6 Tf 1 0 0 1 40 5 Tm (slug info) Tj ET"),
        ]
    });
    let report = check(&pdf, &Rules::offset()).expect("check");
    let safety = on_page(&report, "safety", 1);
    assert!(
        safety.iter().any(|f| f.message.contains("outside trim")),
        "{safety:?}"
    );
    assert!(
        on_page(&report, "safety", 2).is_empty(),
        "text in the slug is not page content"
    );
    let clearance = report.page_facts[0].text_clearance.unwrap();
    assert!(
        clearance.outside < 0.0,
        "the word runs past the trim: {clearance:?}"
    );
}

#[test]
fn verso_pages_swap_inside_and_outside() {
    let content = "0 0 0 1 k BT /F1 10 Tf 1 0 0 1 36 400 Tm (near left) Tj ET";
    let pdf = build(|_| vec![Page::offset(content), Page::offset(content)]);
    let report = check(&pdf, &Rules::offset()).expect("check");
    assert!(on_page(&report, "safety", 1)[0].message.contains("inside"));
    assert!(on_page(&report, "safety", 2)[0].message.contains("outside"));
}

#[test]
fn total_ink_above_limit_fails_but_registration_marks_in_the_slug_do_not() {
    let pdf = build(|_| {
        vec![
            Page::offset("0.9 0.9 0.9 1 k 100 100 50 50 re f"),
            Page::offset("1 1 1 1 K 0.25 w 0 10 m 15 10 l S"),
        ]
    });
    let report = check(&pdf, &Rules::offset()).expect("check");
    assert_only(&report, "ink", 1, Severity::Fail);
    assert_eq!(report.page_facts[0].max_ink.map(f64::round), Some(370.0));
    assert!(on_page(&report, "strokes", 2).is_empty());
}

#[test]
fn nested_forms_carry_matrix_and_resources() {
    let pdf = build(|doc| {
        let image = doc.add_object(Stream::new(
            dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => 300, "Height" => 300,
                "ColorSpace" => "DeviceCMYK", "BitsPerComponent" => 8 },
            vec![0u8; 360000],
        ));
        let inner = doc.add_object(Stream::new(
            dictionary! { "Type" => "XObject", "Subtype" => "Form", "BBox" => array(&[0.0, 0.0, 1000.0, 1000.0]),
                "Resources" => dictionary! { "XObject" => dictionary! { "Im" => image } } },
            b"0 1 0 rg 0 0 10 10 re f q 144 0 0 144 0 0 cm /Im Do Q".to_vec(),
        ));
        let outer = doc.add_object(Stream::new(
            dictionary! { "Type" => "XObject", "Subtype" => "Form", "BBox" => array(&[0.0, 0.0, 1000.0, 1000.0]),
                "Matrix" => array(&[0.5, 0.0, 0.0, 0.5, 0.0, 0.0]),
                "Resources" => dictionary! { "XObject" => dictionary! { "Fm2" => inner } } },
            b"/Fm2 Do".to_vec(),
        ));
        let content = format!("{CLEAN} q 1 0 0 1 100 100 cm /Fm1 Do Q");
        vec![
            Page::offset(CLEAN),
            Page::offset(CLEAN),
            Page::offset(&content).resource("XObject", "Fm1", Object::Reference(outer)),
        ]
    });
    let report = check(&pdf, &Rules::offset()).expect("check");
    assert_only(&report, "colour", 3, Severity::Fail);
    let rgb = on_page(&report, "colour", 3);
    assert!(
        rgb[0]
            .object
            .as_deref()
            .unwrap_or("")
            .starts_with("form /Fm2"),
        "{rgb:?}"
    );
    assert_eq!(report.images.len(), 1);
    assert!(
        (report.images[0].ppi - 300.0).abs() < 0.5,
        "placed at 1 in: {:?}",
        report.images
    );
    assert!(report.findings.iter().all(|f| f.rule != "images"));
}

#[test]
fn inline_images_shadings_and_colour_spaces_are_classified() {
    let pdf = build(|doc| {
        let icc = doc.add_object(Stream::new(dictionary! { "N" => 3 }, vec![0u8; 16]));
        let shading = Object::Dictionary(dictionary! {
            "ShadingType" => 2, "ColorSpace" => "DeviceRGB", "Coords" => array(&[0.0, 0.0, 1.0, 0.0]),
        });
        let spot = Object::Array(vec![
            "Separation".into(),
            "PANTONE 186 C".into(),
            "DeviceRGB".into(),
            Object::Null,
        ]);
        let content = format!(
            "{CLEAN} q 20 0 0 20 100 100 cm BI /W 2 /H 2 /CS /RGB /BPC 8 ID {} EI Q \
             /CS1 cs 0.2 0.3 0.4 scn 100 100 10 10 re f /Sh1 sh /Spot cs 1 scn 120 100 10 10 re f",
            "\u{1}".repeat(12)
        );
        vec![
            Page::offset(&content)
                .resource(
                    "ColorSpace",
                    "CS1",
                    Object::Array(vec!["ICCBased".into(), Object::Reference(icc)]),
                )
                .resource("ColorSpace", "Spot", spot)
                .resource("Shading", "Sh1", shading),
        ]
    });
    let report = check(&pdf, &Rules::offset()).expect("check");
    let spaces = &report.page_facts[0].colour_spaces;
    for space in [
        "DeviceRGB",
        "ICCBased N=3",
        "Separation /PANTONE 186 C (alt DeviceRGB)",
        "DeviceCMYK",
    ] {
        assert!(spaces.contains(space), "{space} missing from {spaces:?}");
    }
    let colour = on_page(&report, "colour", 1);
    assert!(
        colour
            .iter()
            .any(|f| f.message.contains("image") && f.object.as_deref() == Some("inline image")),
        "{colour:?}"
    );
    assert!(colour.iter().any(|f| f.message.contains("shading")));
    assert!(colour.iter().any(|f| f.message.contains("set by scn")));
    assert!(
        colour
            .iter()
            .any(|f| f.message.contains("adds a printing plate"))
    );
}

#[test]
fn type3_glyph_colours_are_checked() {
    let pdf = build(|doc| {
        let glyph = doc.add_object(Stream::new(
            dictionary! {},
            b"0 0 d0 1 0 0 rg 0 0 500 500 re f".to_vec(),
        ));
        let font = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type3", "FontBBox" => array(&[0.0, 0.0, 500.0, 500.0]),
            "FontMatrix" => array(&[0.001, 0.0, 0.0, 0.001, 0.0, 0.0]), "FirstChar" => 65, "LastChar" => 65,
            "Widths" => vec![Object::Integer(500)], "CharProcs" => dictionary! { "a" => glyph },
            "Encoding" => dictionary! { "Differences" => vec![Object::Integer(65), "a".into()] },
        });
        let mut page = Page::offset("0 0 0 1 k BT /T3 12 Tf 1 0 0 1 100 400 Tm (A) Tj ET");
        page.resources.set("Font", dictionary! { "T3" => font });
        vec![page]
    });
    let report = check(&pdf, &Rules::offset()).expect("check");
    assert_only(&report, "colour", 1, Severity::Fail);
    assert!(report.fonts.iter().any(|f| f.kind == "Type3" && f.embedded));
}

#[test]
fn pdfx_identification_is_checked() {
    let pdf = build_with(|_| vec![Page::offset(CLEAN)], "2025-06-01T00:00:00Z");
    let report = check(&pdf, &Rules::offset()).expect("check");
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.rule == "xmp" && f.message.contains("disagree")),
        "{}",
        report.details()
    );
    assert_eq!(report.pdfx.info_trapped.as_deref(), Some("False"));
    assert_eq!(report.pdfx.xmp_trapped.as_deref(), Some("False"));
    assert_eq!(report.pdfx.xmp_version.as_deref(), Some("PDF/X-4"));
    assert_eq!(report.pdfx.output_intents[0].profile_components, Some(4));
    assert!(
        report.pdfx.output_intents[0]
            .profile
            .as_deref()
            .unwrap()
            .starts_with("prtr CMYK")
    );
}

#[test]
fn plain_pdf_lacks_pdfx_identification() {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let content = doc.add_object(Stream::new(
        dictionary! {},
        b"0 0 0 1 k 0 0 10 10 re f".to_vec(),
    ));
    let page = doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages_id, "MediaBox" => array(&[0.0, 0.0, 100.0, 100.0]), "Contents" => content });
    doc.objects.insert(pages_id, Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![Object::Reference(page)], "Count" => 1 }));
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut pdf = Vec::new();
    doc.save_to(&mut pdf).expect("save");
    let report = check(&pdf, &Rules::offset()).expect("check");
    let pdfx: Vec<&str> = report
        .by_rule("pdfx")
        .iter()
        .map(|f| f.message.as_str())
        .collect();
    assert!(
        pdfx.iter().any(|m| m.contains("no PDF/X output intent")),
        "{pdfx:?}"
    );
    assert!(pdfx.iter().any(|m| m.contains("no PDF/X version")));
    assert!(pdfx.iter().any(|m| m.contains("/Trapped")));
    assert!(
        report
            .by_rule("version")
            .iter()
            .any(|f| f.message.contains("1.7"))
    );
    let pod = check(&pdf, &Rules::pod()).expect("check");
    assert!(
        pod.by_rule("pdfx")
            .iter()
            .all(|f| f.severity == Severity::Info)
    );
}

#[test]
fn pod_pages_bleed_on_three_sides_only() {
    let b = 0.125 * 72.0;
    let pod_page = |recto: bool, content: &str| {
        let mut page = Page::offset(content);
        let (left, right) = if recto { (0.0, b) } else { (b, 0.0) };
        page.trim = Some([TRIM[0], TRIM[1], TRIM[2], TRIM[3]]);
        let bleed = [TRIM[0] - left, TRIM[1] - b, TRIM[2] + right, TRIM[3] + b];
        page.bleed = Some(bleed);
        page.media = bleed;
        page
    };
    let text = "0 0 0 1 k BT /F1 10 Tf 1 0 0 1 120 400 Tm (Body) Tj ET";
    let pdf = build(|_| {
        vec![
            pod_page(true, text),
            pod_page(false, text),
            Page::offset(text),
        ]
    });
    let report = check(&pdf, &Rules::pod()).expect("check");
    assert!(
        on_page(&report, "bleed", 1).is_empty() && on_page(&report, "slug", 1).is_empty(),
        "{}",
        report.details()
    );
    assert!(on_page(&report, "bleed", 2).is_empty() && on_page(&report, "slug", 2).is_empty());
    assert!(
        on_page(&report, "bleed", 3)
            .iter()
            .any(|f| f.message.contains("spine side"))
    );
    assert!(
        on_page(&report, "slug", 3)
            .iter()
            .any(|f| f.severity == Severity::Fail)
    );
    assert!((report.page_facts[1].bleed.outside - 3.175).abs() < 0.01);
    assert!(report.page_facts[1].bleed.inside.abs() < 0.01);
    let lulu = check(&pdf, &Rules::for_service(Service::Lulu)).expect("check");
    assert!(
        !on_page(&lulu, "bleed", 1).is_empty(),
        "Lulu wants bleed on the spine side too"
    );
}

#[test]
fn gutter_grows_with_page_count() {
    assert!((Rules::pod().gutter_mm(100) - 12.7).abs() < 1e-9);
    assert!((Rules::pod().gutter_mm(400) - 0.625 * 25.4).abs() < 1e-9);
    assert!((Rules::for_service(Service::Kdp).gutter_mm(100) - 0.375 * 25.4).abs() < 1e-9);
    assert!((Rules::offset().gutter_mm(400) - 5.0).abs() < 1e-9);
}

#[test]
fn unreadable_input_is_an_error() {
    assert!(check(b"not a pdf", &Rules::offset()).is_err());
}

#[test]
fn damaged_files_never_panic() {
    let pdf = build(|doc| {
        let image = doc.add_object(Stream::new(
            dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => 4, "Height" => 4,
            "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8 },
            vec![0u8; 48],
        ));
        let content = format!(
            "{CLEAN} q 72 0 0 72 100 100 cm /Im1 Do Q 0.5 0.5 0.5 rg BT /F1 7 Tf (x) Tj ET"
        );
        vec![Page::offset(&content).resource("XObject", "Im1", Object::Reference(image))]
    });
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..300 {
        let mut damaged = pdf.clone();
        for _ in 0..4 {
            let at = (next() % damaged.len() as u64) as usize;
            damaged[at] = (next() % 256) as u8;
        }
        let _ = check(&damaged, &Rules::offset());
    }
}
