//! Compile the generated Typst with the embedded compiler and export a PDF.

use std::collections::HashMap;

use typst::World;
use typst::diag::{Severity as TypstSeverity, SourceDiagnostic};
use typst::foundations::Smart;
use typst::layout::{Frame, FrameItem};
use typst::syntax::Span;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard as TypstPdfStandard, PdfStandards, Timestamp};

use crate::diagnostics::{Diagnostic, Error, Result, Severity, SourceFile};
use crate::edition::PdfStandard;
use crate::world::BookWorld;

/// Compile the world's main file into pages.
pub fn compile(
    world: &BookWorld,
    origins: &HashMap<String, String>,
) -> Result<(PagedDocument, Vec<Diagnostic>)> {
    let warned = typst::compile::<PagedDocument>(world);
    let warnings: Vec<Diagnostic> = warned
        .warnings
        .iter()
        .map(|d| typst_diagnostic(world, d, origins))
        .collect();
    match warned.output {
        Ok(document) => {
            missing_glyphs(world, &document, origins)?;
            Ok((document, warnings))
        }
        Err(errors) => {
            let mut all: Vec<Diagnostic> = errors
                .iter()
                .map(|d| typst_diagnostic(world, d, origins))
                .collect();
            all.extend(warnings);
            Err(Error::from(all))
        }
    }
}

/// Export pages as PDF with fixed identity and timestamp, so equal input gives equal bytes.
pub fn export(
    world: &BookWorld,
    document: &PagedDocument,
    ident: &str,
    standard: PdfStandard,
    origins: &HashMap<String, String>,
) -> Result<Vec<u8>> {
    let mut list = vec![];
    if standard.archival {
        list.push(TypstPdfStandard::A_2b);
    }
    if standard.accessible {
        list.push(TypstPdfStandard::Ua_1);
    }
    if list.is_empty() {
        list.push(TypstPdfStandard::V_1_7);
    }
    let standards = PdfStandards::new(&list)
        .map_err(|e| Error::msg(format!("PDF standard: {}", e.message())))?;
    let options = PdfOptions {
        ident: Smart::Custom(ident.to_string()),
        creator: Smart::Custom(Some(format!("guidebook {}", env!("CARGO_PKG_VERSION")))),
        timestamp: Some(Timestamp::new_utc(world.today())),
        page_ranges: None,
        standards,
        tagged: true,
        pretty: false,
    };
    typst_pdf::pdf(document, &options).map_err(|errors| {
        Error::from(
            errors
                .iter()
                .map(|d| typst_diagnostic(world, d, origins))
                .collect::<Vec<_>>(),
        )
    })
}

/// Fail when any character was set with no font that has it (it would print as a box).
fn missing_glyphs(
    world: &BookWorld,
    document: &PagedDocument,
    origins: &HashMap<String, String>,
) -> Result<()> {
    let mut found: Vec<(char, Span)> = Vec::new();
    for page in document.pages() {
        collect_missing(&page.frame, &mut found);
    }
    if found.is_empty() {
        return Ok(());
    }
    found.sort_by_key(|(c, _)| *c);
    found.dedup_by_key(|(c, _)| *c);
    let diagnostics = found
        .into_iter()
        .take(20)
        .map(|(c, span)| {
            let diagnostic = Diagnostic::error(format!(
                "no font in fonts/ has the character `{c}` (U+{:04X})",
                c as u32
            ))
            .with_note("add a font that covers it to fonts/, or write the text differently");
            locate(world, diagnostic, span, origins)
        })
        .collect::<Vec<_>>();
    Err(Error::from(diagnostics))
}

fn collect_missing(frame: &Frame, found: &mut Vec<(char, Span)>) {
    for (_, item) in frame.items() {
        match item {
            FrameItem::Group(group) => collect_missing(&group.frame, found),
            FrameItem::Text(text) => {
                for glyph in &text.glyphs {
                    if glyph.id == 0 {
                        let range = glyph.range();
                        let chars = text.text.get(range).unwrap_or("");
                        for c in chars
                            .chars()
                            .filter(|c| !c.is_whitespace() && !c.is_control())
                        {
                            found.push((c, glyph.span.0));
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// Translate a Typst diagnostic, saying which template and content file made the code.
fn typst_diagnostic(
    world: &BookWorld,
    diagnostic: &SourceDiagnostic,
    origins: &HashMap<String, String>,
) -> Diagnostic {
    let severity = match diagnostic.severity {
        TypstSeverity::Error => Severity::Error,
        TypstSeverity::Warning => Severity::Warning,
    };
    let mut ours = Diagnostic::error(format!("typst: {}", diagnostic.message));
    ours.severity = severity;
    for hint in &diagnostic.hints {
        ours = ours.with_note(format!("hint: {}", hint.v));
    }
    let span = diagnostic.span;
    match span.id() {
        Some(id) => {
            let range = typst::WorldExt::range(world, span);
            place(world, ours, id, range, origins)
        }
        None => ours,
    }
}

fn locate(
    world: &BookWorld,
    diagnostic: Diagnostic,
    span: Span,
    origins: &HashMap<String, String>,
) -> Diagnostic {
    match span.id() {
        Some(id) => {
            let range = typst::WorldExt::range(world, span);
            place(world, diagnostic, id, range, origins)
        }
        None => diagnostic,
    }
}

fn place(
    world: &BookWorld,
    diagnostic: Diagnostic,
    id: typst::syntax::FileId,
    range: Option<std::ops::Range<usize>>,
    origins: &HashMap<String, String>,
) -> Diagnostic {
    let path = id.vpath().get_with_slash().to_string();
    let Ok(source) = world.source(id) else {
        return diagnostic.with_note(format!("in {path}"));
    };
    let name = path.trim_start_matches('/').to_string();
    let file = SourceFile::new(name, source.text());
    let diagnostic = match range {
        Some(range) => diagnostic.at(&file, range),
        None => diagnostic.in_file(&file),
    };
    match origins.get(&path) {
        Some(origin) => {
            let mut diagnostic = diagnostic;
            diagnostic.message =
                format!("{} (in code generated from {origin})", diagnostic.message);
            diagnostic
        }
        None => diagnostic,
    }
}

/// Give every page a BleedBox `bleed` points beyond its TrimBox.
///
/// Typst writes the MediaBox (trim + bleed + slug for crop marks) and the TrimBox; print
/// shops also expect the BleedBox, which Typst does not write.
pub fn set_bleed_box(pdf: Vec<u8>, bleed: f64) -> Result<Vec<u8>> {
    use lopdf::{Document, Object};
    let fail = |e: lopdf::Error| Error::msg(format!("cannot set the PDF's bleed box: {e}"));
    let mut document = Document::load_mem(&pdf).map_err(fail)?;
    let pages: Vec<lopdf::ObjectId> = document.get_pages().into_values().collect();
    for id in pages {
        let page = document.get_dictionary_mut(id).map_err(fail)?;
        let boxes = |name: &[u8]| -> Option<Vec<f64>> {
            let values = page.get(name).ok()?.as_array().ok()?;
            values
                .iter()
                .map(|v| v.as_float().ok().map(f64::from))
                .collect()
        };
        let (Some(trim), Some(media)) = (boxes(b"TrimBox"), boxes(b"MediaBox")) else {
            return Err(Error::msg(
                "the PDF has a page without TrimBox; is the edition's bleed set?",
            ));
        };
        let bleed_box = [
            (trim[0] - bleed).max(media[0]),
            (trim[1] - bleed).max(media[1]),
            (trim[2] + bleed).min(media[2]),
            (trim[3] + bleed).min(media[3]),
        ];
        let array = bleed_box.iter().map(|v| Object::Real(*v as f32)).collect();
        page.set("BleedBox", Object::Array(array));
    }
    let mut out = Vec::with_capacity(pdf.len());
    document
        .save_to(&mut out)
        .map_err(|e| Error::msg(format!("cannot write the PDF: {e}")))?;
    Ok(out)
}
