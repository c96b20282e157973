//! The commands of the binary: each resolves its arguments, runs the library and prints
//! what it did; problems are returned to `main`, which prints them once.

mod build;
mod changes;
mod check;
mod editions;
mod preflight;
mod serve;
mod watch;

use std::io::Write;

use guidebook::Project;
use guidebook::content::load::span_of;
use guidebook::diagnostics::{Diagnostic, Result};

use crate::cli::{Cli, Command, SelectArgs};

/// Run the command the arguments name; returns the warnings to print.
pub fn run(cli: &Cli) -> Result<Vec<Diagnostic>> {
    match &cli.command {
        Command::Build(args) => build::run(cli, args),
        Command::Check(args) => check::run(cli, args),
        Command::Editions => editions::list(cli),
        Command::Preflight(args) => preflight::run(args),
        Command::Serve(args) => serve::run(cli, args).map(|()| vec![]),
        Command::Watch(args) => watch::run(cli, args).map(|()| vec![]),
        Command::NewEdition(args) => editions::new(cli, args),
    }
}

/// The editions a command works on: named, all, or the book's default.
fn selected(project: &Project, select: &SelectArgs) -> Result<Vec<String>> {
    if select.all {
        project.edition_names()
    } else if select.editions.is_empty() {
        let default = &project.book.meta.default_edition;
        if !project.edition_names()?.contains(default.get_ref()) {
            return Err(Diagnostic::error(format!(
                "default_edition `{}` is not an edition under layouts/ (editions: {})",
                default.get_ref(),
                project.edition_names()?.join(", ")
            ))
            .at(&project.book.meta_file, span_of(default, 0))
            .into());
        }
        Ok(vec![default.get_ref().clone()])
    } else {
        Ok(select.editions.clone())
    }
}

/// Print a line on standard output; a reader that went away (`guidebook … | head -1`) is
/// not an error, so the work goes on quietly.
fn say(line: impl std::fmt::Display) {
    let _ = writeln!(std::io::stdout(), "{line}");
}

/// A size as people read it.
fn human_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MiB", bytes as f64 / 1024.0 / 1024.0)
    } else {
        format!("{:.0} KiB", bytes as f64 / 1024.0)
    }
}
