//! `guidebook editions` and `guidebook new-edition`.

use guidebook::Project;
use guidebook::diagnostics::{Diagnostic, Result};
use guidebook::edition;
use guidebook::sandbox::Sandbox;

use super::say;
use crate::cli::{Cli, NewEditionArgs};

/// List the editions with their page size, outputs and description.
pub fn list(cli: &Cli) -> Result<Vec<Diagnostic>> {
    let project = Project::open(&cli.root)?;
    for name in project.edition_names()? {
        match project.edition(&name) {
            Ok(edition) => say(format_args!(
                "{name:<10} {:>5.0} × {:<5.0} mm  {:<8} {}",
                edition.page.width * 25.4 / 72.0,
                edition.page.height * 25.4 / 72.0,
                edition.outputs.join(","),
                edition.description
            )),
            Err(error) => say(format_args!(
                "{name:<10} (invalid: {})",
                error
                    .diagnostics
                    .first()
                    .map(|d| d.short())
                    .unwrap_or_default()
            )),
        }
    }
    Ok(vec![])
}

/// Start a new edition as a copy of another.
pub fn new(cli: &Cli, args: &NewEditionArgs) -> Result<Vec<Diagnostic>> {
    let sandbox = Sandbox::new(&cli.root)?;
    let written = edition::copy(&sandbox, &args.from, &args.name)?;
    for path in &written {
        say(format_args!("wrote {}", path.display()));
    }
    say(format_args!(
        "edition `{}` is a copy of `{}`: edit layouts/{}/edition.toml, or copy a template from layouts/base/ into layouts/{}/ to change it; build it with `guidebook build --edition {}`",
        args.name, args.from, args.name, args.name, args.name
    ));
    Ok(vec![])
}
