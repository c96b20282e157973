//! `guidebook build`: every selected edition's PDF and the book's EPUB, built side by side
//! and written atomically, then the manifest.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

use guidebook::Project;
use guidebook::diagnostics::{self, Diagnostic, Error, MessageFormat, Result};
use guidebook::edition::Edition;
use guidebook::output::{self, EpubOutput, Format, Output, PdfOutput};

use super::{human_size, say, selected};
use crate::cli::{self, BuildArgs, Cli};

/// One piece of work of a build: an edition's PDF, or the book's EPUB.
enum Job {
    Pdf(Box<Edition>),
    Epub,
}

pub fn run(cli: &Cli, args: &BuildArgs) -> Result<Vec<Diagnostic>> {
    let project = Project::open(&cli.root)?;
    // A character no font has fails every edition: say so before anything is written.
    let missing = project.missing_characters();
    if !missing.is_empty() {
        return Err(Error::from(missing));
    }
    let out = cli.out_dir(args.out.as_deref());
    let format = cli.message_format();
    output::remove_stale_temporaries(&out);
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
    failures.extend(run_jobs(&project, jobs, &out, format));
    // Every failure is reported, even when the manifest cannot be written as well.
    if let Err(error) = output::write_manifest(&out, project.book.slug()) {
        failures.extend(error.diagnostics);
    }
    let warnings = project.book.warnings.clone();
    if failures.is_empty() {
        Ok(warnings)
    } else {
        Err(Error::from(
            failures.into_iter().chain(warnings).collect::<Vec<_>>(),
        ))
    }
}

/// Run the jobs on as many threads as there are cores; returns every failure.
fn run_jobs(
    project: &Project,
    jobs: Vec<(String, Job)>,
    out: &Path,
    format: MessageFormat,
) -> Vec<Diagnostic> {
    let queue = Mutex::new(jobs.into_iter().collect::<VecDeque<_>>());
    let found = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some((name, job)) = queue.lock().ok().and_then(|mut q| q.pop_front()) {
                    let result = match &job {
                        Job::Pdf(edition) => {
                            write_output(project, &PdfOutput(edition), out, format)
                        }
                        Job::Epub => write_output(project, &EpubOutput, out, format),
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
    found.into_inner().unwrap_or_default()
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
    out: &Path,
    format: MessageFormat,
) -> Result<()> {
    let started = Instant::now();
    let built = output.build(project)?;
    let path = out.join(output.file_name(project));
    output::write_atomic(&path, &built.bytes)?;
    for (name, bytes) in &built.companions {
        output::write_atomic(&out.join(name), bytes)?;
        say(format_args!(
            "wrote {} ({})",
            out.join(name).display(),
            human_size(bytes.len() as u64)
        ));
    }
    diagnostics::emit(&built.warnings, format);
    let pages = built
        .pages
        .map(|p| format!("{p} pages, "))
        .unwrap_or_default();
    say(format_args!(
        "wrote {} ({pages}{}, {:.1} s)",
        path.display(),
        human_size(built.bytes.len() as u64),
        started.elapsed().as_secs_f64()
    ));
    Ok(())
}

/// Resolve an edition and the formats it is built in; emit its Typst sources if asked.
fn prepare_edition(
    project: &Project,
    name: &str,
    args: &BuildArgs,
) -> Result<(Edition, Vec<Format>)> {
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
        output::emit_typst_project(project, &edition, &dir.join(name))?;
    }
    Ok((edition, formats))
}
