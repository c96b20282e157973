//! `guidebook watch`: build one edition, then rebuild it on every change under `chapters/`,
//! `layouts/` or `fonts/`, printing what changed and where the time went.

use std::time::{Duration, Instant};

use guidebook::diagnostics::{self, MessageFormat, Result};
use guidebook::incremental::Incremental;
use guidebook::sandbox::Sandbox;

use super::changes::Changes;
use super::say;
use crate::cli::{Cli, WatchArgs};

/// How long to wait after a change for the burst of events an editor's save makes.
const SETTLE: Duration = Duration::from_millis(120);

/// Build once, then rebuild on every change until interrupted.
pub fn run(cli: &Cli, args: &WatchArgs) -> Result<()> {
    let format = cli.message_format();
    let sandbox = Sandbox::new(&cli.root)?;
    let root = sandbox.root().to_path_buf();
    let out = cli.out_dir(args.out.as_deref());
    let mut incremental = Incremental::new(&sandbox, args.edition.clone(), &out)?;
    report(&mut incremental, &[], format);

    let out_dir = out.canonicalize().unwrap_or(out);
    let changes = Changes::watch(&root, SETTLE, Some(out_dir))?;
    say("watching chapters/, layouts/ and fonts/ (Ctrl-C to stop)");
    while let Some(changed) = changes.next() {
        if changes.touches_fonts(&changed)
            && let Err(error) = incremental.reload_fonts()
        {
            diagnostics::emit(&error.diagnostics, format);
            continue;
        }
        report(&mut incremental, &changes.names(&changed), format);
    }
    Ok(())
}

/// Rebuild and print what changed, how long it took, and any problem.
fn report(incremental: &mut Incremental, changed: &[String], format: MessageFormat) {
    let started = Instant::now();
    if !changed.is_empty() {
        say(format_args!("changed: {}", changed.join(", ")));
    }
    match incremental.rebuild() {
        Ok(rebuilt) => {
            diagnostics::emit(&rebuilt.warnings, format);
            let t = rebuilt.timings;
            say(format_args!(
                "rebuilt {} ({} pages) in {:.2} s (render {:.2}, compile {:.2}, export {:.2})",
                rebuilt.path.display(),
                rebuilt.pages,
                started.elapsed().as_secs_f64(),
                t.render.as_secs_f64(),
                t.compile.as_secs_f64(),
                t.export.as_secs_f64()
            ));
        }
        Err(error) => {
            diagnostics::emit(&error.diagnostics, format);
            say(format_args!(
                "build failed after {:.2} s; the last good PDF is kept",
                started.elapsed().as_secs_f64()
            ));
        }
    }
}
