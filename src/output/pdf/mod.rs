//! The PDF output: render an edition's Typst sources ([`render`]), compile them in the
//! sandboxed [`world`], check every character has a glyph, export the PDF, and finish
//! print files ([`boxes`]); [`lint`] reads the laid-out pages for collisions and leaks.

pub mod boxes;
pub mod cover;
pub mod lint;
pub mod preflight;
pub mod print;
pub mod render;
pub mod world;

use std::time::{Duration, Instant};

use typst::World;
use typst::diag::{Severity as TypstSeverity, SourceDiagnostic};
use typst::foundations::Smart;
use typst::layout::{Frame, FrameItem};
use typst::syntax::Span;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard as TypstPdfStandard, PdfStandards, Timestamp};

use crate::diagnostics::{Diagnostic, Error, Result, Severity, SourceFile};
use crate::edition::{Edition, PdfStandard};

use self::render::{Generated, Origins};
use self::world::BookWorld;

/// A PDF built in memory, not yet written.
pub struct BuiltPdf {
    pub bytes: Vec<u8>,
    pub pages: usize,
    /// The cover of a print edition.
    pub cover: Option<Vec<u8>>,
    pub warnings: Vec<Diagnostic>,
    pub timings: Timings,
}

/// Where the time of a PDF build went.
#[derive(Debug, Clone, Copy, Default)]
pub struct Timings {
    /// Templates and Markdown (and the figures) into Typst.
    pub render: Duration,
    /// Typst compilation and layout.
    pub compile: Duration,
    /// PDF export (and the bleed boxes of print editions).
    pub export: Duration,
}

/// Compile rendered sources in `world` (updating what it parsed before, so that comemo
/// reuses the layout of whatever did not change) and export the edition's PDF.
pub fn build(
    world: &mut BookWorld,
    generated: Generated,
    edition: &Edition,
    ident: &str,
    profile: Option<&[u8]>,
    started: Instant,
) -> Result<BuiltPdf> {
    let render = started.elapsed();
    world.set_generated(generated.files, &generated.images);
    let (document, mut warnings) = compile(world, &generated.origins)?;
    let compile = started.elapsed() - render;
    // A print file carries no tagging (it serves readers on screen, and PDF/X has no use
    // for it); every other edition is tagged.
    let tagged = edition.print.is_none();
    let mut bytes = export(
        world,
        &document,
        ident,
        edition.standard,
        tagged,
        &generated.origins,
    )?;
    if edition.page.bleed > 0.0 || edition.page.crop_marks {
        bytes = boxes::set_bleed_box(bytes, edition.page.bleed)?;
    }
    if let (Some(print), Some(profile)) = (&edition.print, profile) {
        let job = print::PrintJob {
            print,
            process_colours: &edition.process_colours,
            profile,
            bleed: edition.page.bleed,
            cover: false,
        };
        bytes = print::finish(&bytes, &job)?;
    }
    warnings.extend(generated.warnings);
    let timings = Timings {
        render,
        compile,
        export: started.elapsed() - render - compile,
    };
    Ok(BuiltPdf {
        bytes,
        cover: None,
        pages: document.pages().len(),
        warnings,
        timings,
    })
}

/// Compile a print edition's cover in `world` (whose main file is the cover) and finish it
/// as a print file.
pub fn build_cover(
    world: &mut BookWorld,
    generated: Generated,
    edition: &Edition,
    ident: &str,
    profile: &[u8],
) -> Result<Vec<u8>> {
    let Some(print) = &edition.print else {
        return Err(Error::msg("only print editions have a cover"));
    };
    world.set_generated(generated.files, &generated.images);
    let (document, _) = compile(world, &generated.origins)?;
    let bytes = export(
        world,
        &document,
        ident,
        edition.standard,
        false,
        &generated.origins,
    )?;
    let bytes = boxes::set_bleed_box(bytes, edition.page.bleed)?;
    let job = print::PrintJob {
        print,
        process_colours: &edition.process_colours,
        profile,
        bleed: edition.page.bleed,
        cover: true,
    };
    print::finish(&bytes, &job)
}

/// Compile the world's main file into pages.
pub fn compile(world: &BookWorld, origins: &Origins) -> Result<(PagedDocument, Vec<Diagnostic>)> {
    let warned = typst::compile::<PagedDocument>(world);
    let warnings = collapse(
        warned
            .warnings
            .iter()
            .map(|d| typst_diagnostic(world, d, origins))
            .collect(),
    );
    match warned.output {
        Ok(document) => {
            missing_glyphs(world, &document, origins)?;
            Ok((document, warnings))
        }
        Err(errors) => {
            let mut all = collapse(
                errors
                    .iter()
                    .map(|d| typst_diagnostic(world, d, origins))
                    .collect(),
            );
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
    tagged: bool,
    origins: &Origins,
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
        tagged,
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
fn missing_glyphs(world: &BookWorld, document: &PagedDocument, origins: &Origins) -> Result<()> {
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
            // Point at what the user wrote, where the character first occurs in the content.
            let written = origins
                .content
                .iter()
                .find_map(|file| file.text.find(c).map(|at| (file, at)));
            match written {
                Some((file, at)) => diagnostic.at(file, at..at + c.len_utf8()),
                None => locate(world, diagnostic, span, origins),
            }
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
    origins: &Origins,
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

fn locate(world: &BookWorld, diagnostic: Diagnostic, span: Span, origins: &Origins) -> Diagnostic {
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
    origins: &Origins,
) -> Diagnostic {
    let path = id.vpath().get_with_slash().to_string();
    let Ok(source) = world.source(id) else {
        return diagnostic.with_note(format!("in {path}"));
    };
    let name = path.trim_start_matches('/').to_string();
    let file = SourceFile::new(name, source.text());
    let mut diagnostic = match &range {
        Some(range) => diagnostic.at(&file, range.clone()),
        None => diagnostic.in_file(&file),
    };
    let Some(origin) = origins.files.get(&path) else {
        return diagnostic;
    };
    diagnostic.message = format!("{} (in code generated from {origin})", diagnostic.message);
    // Name the template line that wrote the generated one, when it can be told.
    if let Some(range) = &range {
        let start = file.text[..range.start.min(file.text.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let end = file.text[start..]
            .find('\n')
            .map_or(file.text.len(), |i| start + i);
        if let Some((template, line)) =
            crate::templates::source_line(&origins.templates, &file.text[start..end])
        {
            let (number, _) = template.line_col(line.start);
            diagnostic = diagnostic.with_note(format!(
                "written by {}:{number}: {}",
                template.name,
                template.text[line].trim()
            ));
        }
    }
    diagnostic
}

/// Typst reports an error once for every place a template's output appears (each landmark,
/// each chapter): show each distinct error once, saying how often it occurred.
fn collapse(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut out: Vec<(Diagnostic, usize)> = Vec::new();
    for diagnostic in diagnostics {
        let key = |d: &Diagnostic| (d.severity, d.message.clone(), d.notes.clone());
        match out.iter_mut().find(|(d, _)| key(d) == key(&diagnostic)) {
            Some((_, n)) => *n += 1,
            None => out.push((diagnostic, 1)),
        }
    }
    out.into_iter()
        .map(|(d, n)| {
            if n > 1 {
                d.with_note(format!("the same problem occurs {} more times", n - 1))
            } else {
                d
            }
        })
        .collect()
}
