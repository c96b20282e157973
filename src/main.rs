//! The `guidebook` command: parse arguments, run the library, print errors once.

mod cli;

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use guidebook::diagnostics::{self, Diagnostic, Error, MessageFormat, Result};
use guidebook::{EpubOutput, Format, Output, PdfOutput, Project};

use crate::cli::{BuildArgs, Cli, Command, SelectArgs};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let format = match cli.message_format {
        cli::MessageFormat::Human => MessageFormat::Human,
        cli::MessageFormat::Short => MessageFormat::Short,
    };
    // A panic inside a dependency must never reach the user as a stack trace.
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = std::panic::catch_unwind(|| run(&cli, format)).unwrap_or_else(|payload| {
        let detail = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(Error::msg(format!(
            "internal error: {detail} (please report this with the input that caused it)"
        )))
    });
    match outcome {
        Ok(warnings) => {
            diagnostics::emit(&warnings, format);
            ExitCode::SUCCESS
        }
        Err(error) => {
            diagnostics::emit(&error.diagnostics, format);
            ExitCode::from(1)
        }
    }
}

fn run(cli: &Cli, format: MessageFormat) -> Result<Vec<Diagnostic>> {
    match &cli.command {
        Command::Build(args) => build(&cli.root, args, format),
        Command::Check(args) => check(&cli.root, args),
        Command::Editions => editions(&cli.root),
    }
}

/// The editions a command works on: named, all, or the book's default.
fn selected(project: &Project, select: &SelectArgs) -> Result<Vec<String>> {
    if select.all {
        project.edition_names()
    } else if select.editions.is_empty() {
        Ok(vec![project.book.meta.default_edition.clone()])
    } else {
        Ok(select.editions.clone())
    }
}

fn build(root: &Path, args: &BuildArgs, format: MessageFormat) -> Result<Vec<Diagnostic>> {
    let project = Project::open(root)?;
    let mut failures = Vec::new();
    let mut epub_wanted = false;
    for name in selected(&project, &args.select)? {
        let prefix = |error: Error| -> Vec<Diagnostic> {
            let mut diagnostics = error.diagnostics;
            for diagnostic in &mut diagnostics {
                diagnostic.message = format!("edition `{name}`: {}", diagnostic.message);
            }
            diagnostics
        };
        let (edition, formats) = match prepare_edition(&project, &name, args) {
            Ok(prepared) => prepared,
            Err(error) => {
                failures.extend(prefix(error));
                continue;
            }
        };
        if formats.contains(&Format::Pdf)
            && let Err(error) = write_output(&project, &PdfOutput(&edition), args, format)
        {
            failures.extend(prefix(error));
        }
        epub_wanted |= formats.contains(&Format::Epub);
    }
    // One EPUB for the whole book, however many editions asked for it.
    if epub_wanted && let Err(error) = write_output(&project, &EpubOutput(&[]), args, format) {
        failures.extend(error.diagnostics);
    }
    let warnings = project.book.warnings.clone();
    if failures.is_empty() {
        Ok(warnings)
    } else {
        failures.extend(warnings);
        Err(Error::from(failures))
    }
}

/// Build one output, write it atomically, and print what was written and its warnings.
fn write_output(
    project: &Project,
    output: &dyn Output,
    args: &BuildArgs,
    format: MessageFormat,
) -> Result<()> {
    let started = Instant::now();
    let built = output.build(project)?;
    let path = args.out.join(output.file_name(project));
    guidebook::write_atomic(&path, &built.bytes)?;
    diagnostics::emit(&built.warnings, format);
    let pages = built
        .pages
        .map(|p| format!("{p} pages, "))
        .unwrap_or_default();
    println!(
        "wrote {} ({pages}{}, {:.1} s)",
        path.display(),
        human_size(built.bytes.len() as u64),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Resolve an edition and the formats it is built in; emit its Typst sources if asked.
fn prepare_edition(
    project: &Project,
    name: &str,
    args: &BuildArgs,
) -> Result<(guidebook::edition::Edition, Vec<Format>)> {
    let edition = project.edition(name)?;
    let formats: Vec<Format> = match args.format {
        Some(cli::Format::Pdf) => vec![Format::Pdf],
        Some(cli::Format::Epub) => vec![Format::Epub],
        None => edition
            .outputs
            .iter()
            .map(|o| {
                if o == "epub" {
                    Format::Epub
                } else {
                    Format::Pdf
                }
            })
            .collect(),
    };
    if let Some(dir) = &args.emit_typ {
        // Emit before compiling, so that sources that fail to compile can be inspected.
        let generated = project.render(&edition)?;
        for (path, text) in &generated.files {
            let target = dir.join(name).join(path.trim_start_matches("/gen/"));
            guidebook::write_atomic(&target, text.as_bytes())?;
        }
    }
    Ok((edition, formats))
}

fn check(root: &Path, select: &SelectArgs) -> Result<Vec<Diagnostic>> {
    let project = Project::open(root)?;
    let mut warnings = project.book.warnings.clone();
    let mut errors = Vec::new();
    let mut epub_wanted = false;
    for name in selected(&project, select)? {
        let edition = match project.edition(&name) {
            Ok(edition) => edition,
            Err(error) => {
                errors.extend(error.diagnostics);
                continue;
            }
        };
        epub_wanted |= edition.outputs.iter().any(|o| o == "epub");
        match project.render(&edition) {
            Ok(generated) => warnings.extend(generated.warnings),
            Err(error) => errors.extend(error.diagnostics),
        }
    }
    if epub_wanted {
        // The EPUB has no compile step: building it in memory is the check.
        match project.build_epub(&[]) {
            Ok(built) => warnings.extend(built.warnings),
            Err(error) => errors.extend(error.diagnostics),
        }
    }
    if errors.is_empty() {
        println!("ok: content, references, templates and editions are valid");
        Ok(warnings)
    } else {
        Err(Error::from(errors))
    }
}

fn editions(root: &Path) -> Result<Vec<Diagnostic>> {
    let project = Project::open(root)?;
    for name in project.edition_names()? {
        match project.edition(&name) {
            Ok(edition) => println!(
                "{name:<10} {:>5.0} × {:<5.0} mm  {:<8} {}",
                edition.page.width * 25.4 / 72.0,
                edition.page.height * 25.4 / 72.0,
                edition.outputs.join(","),
                edition.description
            ),
            Err(error) => println!(
                "{name:<10} (invalid: {})",
                error
                    .diagnostics
                    .first()
                    .map(|d| d.short())
                    .unwrap_or_default()
            ),
        }
    }
    Ok(vec![])
}

fn human_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MiB", bytes as f64 / 1024.0 / 1024.0)
    } else {
        format!("{:.0} KiB", bytes as f64 / 1024.0)
    }
}
