//! `guidebook watch`: build one edition, then rebuild it on every change under `chapters/`,
//! `layouts/` or `fonts/`, printing what changed and where the time went.

use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use guidebook::diagnostics::{self, Error, MessageFormat, Result};
use guidebook::incremental::Incremental;
use guidebook::sandbox::Sandbox;
use notify::{RecursiveMode, Watcher};

use super::say;
use crate::cli::{Cli, WatchArgs};

/// Folders whose changes trigger a rebuild.
const WATCHED: [&str; 3] = ["chapters", "layouts", "fonts"];

/// How long to wait after a change for the burst of events an editor's save makes.
const SETTLE: Duration = Duration::from_millis(120);

/// The longest a burst of events may delay a rebuild (a tool writing files without pause
/// must not starve it).
const STARVE: Duration = Duration::from_millis(500);

/// Build once, then rebuild on every change until interrupted.
pub fn run(cli: &Cli, args: &WatchArgs) -> Result<()> {
    let format = cli.message_format();
    let sandbox = Sandbox::new(&cli.root)?;
    let root = sandbox.root().to_path_buf();
    let out = cli.out_dir(args.out.as_deref());
    let mut incremental = Incremental::new(&sandbox, args.edition.clone(), &out)?;
    report(&mut incremental, &[], format);

    let (sender, receiver) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        // Reading files (the rebuild itself) raises access events; only real changes count.
        if let Ok(event) = event {
            use notify::EventKind::{Create, Modify, Remove};
            use notify::event::ModifyKind;
            let relevant = matches!(
                event.kind,
                Create(_)
                    | Remove(_)
                    | Modify(ModifyKind::Data(_) | ModifyKind::Name(_) | ModifyKind::Any)
            );
            if relevant {
                let _ = sender.send(event.paths);
            }
        }
    })
    .map_err(|e| Error::msg(format!("cannot watch the project: {e}")))?;
    for folder in WATCHED {
        let path = root.join(folder);
        if path.is_dir() {
            watcher
                .watch(&path, RecursiveMode::Recursive)
                .map_err(|e| Error::msg(format!("cannot watch {}: {e}", path.display())))?;
        }
    }
    say("watching chapters/, layouts/ and fonts/ (Ctrl-C to stop)");

    let out_dir = out.canonicalize().unwrap_or(out);
    while let Ok(first) = receiver.recv() {
        let mut changed = first;
        let burst = Instant::now();
        while burst.elapsed() < STARVE
            && let Ok(more) = receiver.recv_timeout(SETTLE)
        {
            changed.extend(more);
        }
        changed.retain(|p| !p.starts_with(&out_dir) && !is_editor_noise(p));
        changed.sort();
        changed.dedup();
        if changed.is_empty() {
            continue;
        }
        let fonts_changed = changed.iter().any(|p| p.starts_with(root.join("fonts")));
        if fonts_changed && let Err(error) = incremental.reload_fonts() {
            diagnostics::emit(&error.diagnostics, format);
            continue;
        }
        let names: Vec<String> = changed
            .iter()
            .map(|p| p.strip_prefix(&root).unwrap_or(p).display().to_string())
            .collect();
        report(&mut incremental, &names, format);
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

/// Swap files and backups that editors write next to the real file.
fn is_editor_noise(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.starts_with(".#")
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.starts_with(".guidebook-")
}
