//! The `guidebook` command: parse arguments, run the library, print errors once.

mod cli;

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use guidebook::diagnostics::{self, Diagnostic, Error, MessageFormat, Result};
use guidebook::{Format, Project, Written};

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
    let mut warnings = project.book.warnings.clone();
    let mut failures = Vec::new();
    let mut epub_wanted = false;
    for name in selected(&project, &args.select)? {
        let started = Instant::now();
        match build_edition(&project, &name, args, &mut epub_wanted) {
            Ok((written, edition_warnings)) => {
                diagnostics::emit(&edition_warnings, format);
                for file in written {
                    report(&file, started);
                }
            }
            Err(error) => {
                let mut diagnostics = error.diagnostics;
                for diagnostic in &mut diagnostics {
                    diagnostic.message = format!("edition `{name}`: {}", diagnostic.message);
                }
                failures.extend(diagnostics);
            }
        }
    }
    if epub_wanted {
        // One EPUB for the whole book, however many editions asked for it.
        let started = Instant::now();
        match project.build_epub(&[]) {
            Ok(built) => {
                diagnostics::emit(&built.warnings, format);
                let path = args.out.join(project.epub_name());
                guidebook::write_atomic(&path, &built.bytes)?;
                report(
                    &Written {
                        path,
                        pages: None,
                        bytes: built.bytes.len() as u64,
                    },
                    started,
                );
            }
            Err(error) => failures.extend(error.diagnostics),
        }
    }
    if failures.is_empty() {
        Ok(std::mem::take(&mut warnings))
    } else {
        failures.extend(warnings);
        Err(Error::from(failures))
    }
}

/// Print one written file with its size and the time it took.
fn report(file: &Written, started: Instant) {
    let pages = file
        .pages
        .map(|p| format!("{p} pages, "))
        .unwrap_or_default();
    println!(
        "wrote {} ({pages}{}, {:.1} s)",
        file.path.display(),
        human_size(file.bytes),
        started.elapsed().as_secs_f64()
    );
}

/// Build an edition's PDFs; an EPUB request is noted in `epub_wanted` and built once after.
fn build_edition(
    project: &Project,
    name: &str,
    args: &BuildArgs,
    epub_wanted: &mut bool,
) -> Result<(Vec<Written>, Vec<Diagnostic>)> {
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
    let mut written = Vec::new();
    let mut warnings = Vec::new();
    if let Some(dir) = &args.emit_typ {
        // Emit before compiling, so that sources that fail to compile can be inspected.
        let generated = project.render(&edition)?;
        for (path, text) in &generated.files {
            let target = dir.join(name).join(path.trim_start_matches("/gen/"));
            guidebook::write_atomic(&target, text.as_bytes())?;
        }
    }
    for format in formats {
        match format {
            Format::Pdf => {
                let built = project.build_pdf(&edition)?;
                let path = args.out.join(project.output_name(name, Format::Pdf));
                guidebook::write_atomic(&path, &built.bytes)?;
                warnings.extend(built.warnings);
                written.push(Written {
                    path,
                    pages: Some(built.pages),
                    bytes: built.bytes.len() as u64,
                });
            }
            Format::Epub => *epub_wanted = true,
        }
    }
    Ok((written, warnings))
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
