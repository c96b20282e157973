//! Changes to a project's files, as `watch` and `serve` wait for them: the folders a build
//! reads are watched, an editor's save arrives as one burst, and swap files, backups and
//! the program's own outputs are left out.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use guidebook::diagnostics::{Error, Result};
use notify::{RecursiveMode, Watcher};

/// Folders whose changes trigger a rebuild.
pub const WATCHED: [&str; 3] = ["chapters", "layouts", "fonts"];

/// The longest a burst of events may delay a rebuild (a tool writing files without pause
/// must not starve it).
const STARVE: Duration = Duration::from_millis(500);

/// The project's folders, watched.
pub struct Changes {
    _watcher: notify::RecommendedWatcher,
    events: Receiver<Vec<PathBuf>>,
    root: PathBuf,
    /// How long a burst goes on after its last event.
    settle: Duration,
    /// A folder whose changes are the program's own (the output folder).
    ignored: Option<PathBuf>,
}

impl Changes {
    /// Watch `root`'s [`WATCHED`] folders; a burst ends `settle` after its last event.
    pub fn watch(root: &Path, settle: Duration, ignored: Option<PathBuf>) -> Result<Changes> {
        let (sender, events) = mpsc::channel();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                // Reading files (the rebuild itself) raises access events; only real
                // changes count.
                if let Ok(event) = event
                    && is_change(&event.kind)
                {
                    let _ = sender.send(event.paths);
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
        Ok(Changes {
            _watcher: watcher,
            events,
            root: root.to_path_buf(),
            settle,
            ignored,
        })
    }

    /// The files of the next burst of changes that matter, sorted; `None` once the watcher
    /// is gone.
    pub fn next(&self) -> Option<Vec<PathBuf>> {
        loop {
            let mut changed = self.events.recv().ok()?;
            let burst = Instant::now();
            while burst.elapsed() < STARVE
                && let Ok(more) = self.events.recv_timeout(self.settle)
            {
                changed.extend(more);
            }
            changed.retain(|p| {
                !is_editor_noise(p) && self.ignored.as_ref().is_none_or(|i| !p.starts_with(i))
            });
            changed.sort();
            changed.dedup();
            if !changed.is_empty() {
                return Some(changed);
            }
        }
    }

    /// Whether a burst changed a font, so that the fonts must be read again.
    pub fn touches_fonts(&self, changed: &[PathBuf]) -> bool {
        let fonts = self.root.join("fonts");
        changed.iter().any(|p| p.starts_with(&fonts))
    }

    /// The changed files as the project names them (`chapters/01-harbin.md`).
    pub fn names(&self, changed: &[PathBuf]) -> Vec<String> {
        changed
            .iter()
            .map(|p| {
                p.strip_prefix(&self.root)
                    .unwrap_or(p)
                    .display()
                    .to_string()
            })
            .collect()
    }
}

/// Creations, removals, and changes of content or name.
fn is_change(kind: &notify::EventKind) -> bool {
    use notify::EventKind::{Create, Modify, Remove};
    use notify::event::ModifyKind;
    matches!(
        kind,
        Create(_) | Remove(_) | Modify(ModifyKind::Data(_) | ModifyKind::Name(_) | ModifyKind::Any)
    )
}

/// Swap files and backups that editors write next to the real file, and the program's own
/// temporary files.
fn is_editor_noise(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.starts_with(".#")
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.starts_with(".guidebook-")
}
