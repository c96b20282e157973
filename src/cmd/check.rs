//! `guidebook check`: load, resolve and render everything a build would, without compiling.

use guidebook::Project;
use guidebook::diagnostics::{Diagnostic, Error, Result};

use super::{say, selected};
use crate::cli::{Cli, SelectArgs};

pub fn run(cli: &Cli, select: &SelectArgs) -> Result<Vec<Diagnostic>> {
    let project = Project::open(&cli.root)?;
    let mut warnings = project.book.warnings.clone();
    let mut errors = project.missing_characters();
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
        match project.build_epub() {
            Ok(built) => warnings.extend(built.warnings),
            Err(error) => errors.extend(error.diagnostics),
        }
    }
    if errors.is_empty() {
        say("ok: content, references, templates and editions are valid");
        Ok(warnings)
    } else {
        Err(Error::from(errors))
    }
}
