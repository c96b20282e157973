//! The `guidebook` command: parse arguments, run the library, print errors once.

mod cli;

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use guidebook::diagnostics::{self, Diagnostic, Error, MessageFormat, Result};
use guidebook::{EpubOutput, Format, Output, PdfOutput, Project};

use crate::cli::{BuildArgs, Cli, Command, NewEditionArgs, SelectArgs};

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
        Command::Watch(args) => {
            guidebook::watch::run(&cli.root, args.edition.clone(), &args.out, format)
                .map(|()| vec![])
        }
        Command::NewEdition(args) => new_edition(&cli.root, args),
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

/// One piece of work of a build: an edition's PDF, or the book's EPUB.
enum Job {
    Pdf(Box<guidebook::edition::Edition>),
    Epub,
}

fn build(root: &Path, args: &BuildArgs, format: MessageFormat) -> Result<Vec<Diagnostic>> {
    let project = Project::open(root)?;
    let mut failures = Vec::new();
    // Resolve every edition first (cheap), then build the PDFs and the one EPUB side by
    // side; fonts and content are loaded once and shared, and a failing edition is
    // reported with its name without stopping the others.
    let mut jobs = Vec::new();
    let mut epub_wanted = false;
    for name in selected(&project, &args.select)? {
        match prepare_edition(&project, &name, args) {
            Ok((edition, formats)) => {
                epub_wanted |= formats.contains(&Format::Epub);
                if formats.contains(&Format::Pdf) {
                    jobs.push((name, Job::Pdf(Box::new(edition))));
                }
            }
            Err(error) => failures.extend(with_edition(&name, error)),
        }
    }
    if epub_wanted {
        // The EPUB is the shortest job: start it first so it overlaps the PDFs.
        jobs.insert(0, ("epub".to_string(), Job::Epub));
    }
    let queue = std::sync::Mutex::new(jobs.into_iter().collect::<std::collections::VecDeque<_>>());
    let found = std::sync::Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some((name, job)) = queue.lock().ok().and_then(|mut q| q.pop_front()) {
                    let result = match &job {
                        Job::Pdf(edition) => {
                            write_output(&project, &PdfOutput(edition), args, format)
                        }
                        Job::Epub => guidebook::figures::epub_figures(&project.root, &project.book)
                            .and_then(|figures| {
                                write_output(&project, &EpubOutput(&figures), args, format)
                            }),
                    };
                    // Editions share little layout work; keep memory flat across them.
                    comemo::evict(1);
                    if let Err(error) = result {
                        let diagnostics = match job {
                            Job::Pdf(_) => with_edition(&name, error),
                            Job::Epub => error.diagnostics,
                        };
                        if let Ok(mut found) = found.lock() {
                            found.extend(diagnostics);
                        }
                    }
                }
            });
        }
    });
    failures.extend(found.into_inner().unwrap_or_default());
    let warnings = project.book.warnings.clone();
    guidebook::write_manifest(&args.out, &project.book.meta.slug)?;
    if failures.is_empty() {
        Ok(warnings)
    } else {
        Err(Error::from(
            failures.into_iter().chain(warnings).collect::<Vec<_>>(),
        ))
    }
}

/// The diagnostics of an edition's failure, each naming the edition.
fn with_edition(name: &str, error: Error) -> Vec<Diagnostic> {
    let mut diagnostics = error.diagnostics;
    for diagnostic in &mut diagnostics {
        diagnostic.message = format!("edition `{name}`: {}", diagnostic.message);
    }
    diagnostics
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
        guidebook::emit_typst_project(project, &edition, &dir.join(name))?;
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
        let built = guidebook::figures::epub_figures(&project.root, &project.book)
            .and_then(|figures| project.build_epub(&figures));
        match built {
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

fn new_edition(root: &Path, args: &NewEditionArgs) -> Result<Vec<Diagnostic>> {
    let written = guidebook::edition::copy(root, &args.from, &args.name)?;
    for path in &written {
        println!("wrote {}", path.display());
    }
    println!(
        "edition `{}` is a copy of `{}`: edit layouts/{}/edition.toml, or copy a template from layouts/base/ into layouts/{}/ to change it; build it with `guidebook build --edition {}`",
        args.name, args.from, args.name, args.name, args.name
    );
    Ok(vec![])
}

fn human_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MiB", bytes as f64 / 1024.0 / 1024.0)
    } else {
        format!("{:.0} KiB", bytes as f64 / 1024.0)
    }
}
