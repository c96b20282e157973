//! Watch mode: rebuild one edition on every change, keeping the compiler's state.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};

use crate::diagnostics::{self, Diagnostic, Error, MessageFormat, Result};
use crate::world::{BookWorld, Fonts};
use crate::{Format, Project};

/// Folders whose changes trigger a rebuild.
const WATCHED: [&str; 3] = ["chapters", "layouts", "fonts"];

/// How long to wait after a change for the burst of events an editor's save makes.
const SETTLE: Duration = Duration::from_millis(120);

/// One edition kept compiled: the world survives between rebuilds so that comemo and
/// Typst's incremental parser reuse everything an edit did not touch.
pub struct Incremental {
    root: PathBuf,
    edition: Option<String>,
    out: PathBuf,
    fonts: Fonts,
    world: Option<BookWorld>,
    figures: crate::figures::FigureCache,
}

/// What one rebuild did.
pub struct Rebuilt {
    pub path: PathBuf,
    pub pages: usize,
    pub warnings: Vec<Diagnostic>,
    pub timings: crate::Timings,
}

impl Incremental {
    /// Prepare to rebuild `edition` (or the book's default) of the project at `root`.
    pub fn new(root: &Path, edition: Option<String>, out: &Path) -> Result<Self> {
        let fonts = Fonts::load(&root.join("fonts"))?;
        Ok(Self {
            root: root.to_path_buf(),
            edition,
            out: out.to_path_buf(),
            fonts,
            world: None,
            figures: Default::default(),
        })
    }

    /// Reload the fonts (after `fonts/` changed); the next rebuild starts a new world.
    pub fn reload_fonts(&mut self) -> Result<()> {
        self.fonts = Fonts::load(&self.root.join("fonts"))?;
        self.world = None;
        Ok(())
    }

    /// Load the content again, render, compile in the kept world, and write the PDF.
    /// On error the previous PDF stays as it was.
    pub fn rebuild(&mut self) -> Result<Rebuilt> {
        let project = Project::open_with_fonts(&self.root, self.fonts.clone())?;
        let name = self
            .edition
            .clone()
            .unwrap_or_else(|| project.book.meta.default_edition.clone());
        let edition = project.edition(&name)?;
        let world = match &mut self.world {
            Some(world) => world,
            None => self.world.insert(project.world()?),
        };
        let built = project.build_pdf_in(world, &edition, Some(&mut self.figures));
        // Drop cached results not used in the last few compilations, as typst-cli does.
        comemo::evict(10);
        let built = built?;
        let path = self.out.join(project.output_name(&name, Format::Pdf));
        crate::write_atomic(&path, &built.bytes)?;
        let mut warnings = project.book.warnings.clone();
        warnings.extend(built.warnings);
        Ok(Rebuilt {
            path,
            pages: built.pages,
            warnings,
            timings: built.timings,
        })
    }
}

/// Build once, then rebuild on every change until interrupted.
pub fn run(root: &Path, edition: Option<String>, out: &Path, format: MessageFormat) -> Result<()> {
    let root = &root.canonicalize().map_err(|e| {
        Error::msg(format!(
            "cannot open the project folder {}: {e}",
            root.display()
        ))
    })?;
    let out = &if out.is_absolute() {
        out.to_path_buf()
    } else {
        root.join(out)
    };
    let mut incremental = Incremental::new(root, edition, out)?;
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
    println!("watching chapters/, layouts/ and fonts/ (Ctrl-C to stop)");

    let out_dir = out.canonicalize().unwrap_or_else(|_| out.to_path_buf());
    while let Ok(first) = receiver.recv() {
        let mut changed = first;
        while let Ok(more) = receiver.recv_timeout(SETTLE) {
            changed.extend(more);
        }
        changed.retain(|p| !p.starts_with(&out_dir) && !is_editor_noise(p));
        changed.sort();
        changed.dedup();
        if changed.is_empty() {
            continue;
        }
        let fonts_changed = changed
            .iter()
            .any(|p| p.components().any(|c| c.as_os_str() == "fonts"));
        if fonts_changed && let Err(error) = incremental.reload_fonts() {
            diagnostics::emit(&error.diagnostics, format);
            continue;
        }
        let names: Vec<String> = changed
            .iter()
            .map(|p| p.strip_prefix(root).unwrap_or(p).display().to_string())
            .collect();
        report(&mut incremental, &names, format);
    }
    Ok(())
}

/// Rebuild and print what changed, how long it took, and any problem.
fn report(incremental: &mut Incremental, changed: &[String], format: MessageFormat) {
    let started = Instant::now();
    if !changed.is_empty() {
        println!("changed: {}", changed.join(", "));
    }
    match incremental.rebuild() {
        Ok(rebuilt) => {
            diagnostics::emit(&rebuilt.warnings, format);
            let t = rebuilt.timings;
            println!(
                "rebuilt {} ({} pages) in {:.2} s (render {:.2}, compile {:.2}, export {:.2})",
                rebuilt.path.display(),
                rebuilt.pages,
                started.elapsed().as_secs_f64(),
                t.render.as_secs_f64(),
                t.compile.as_secs_f64(),
                t.export.as_secs_f64()
            );
        }
        Err(error) => {
            diagnostics::emit(&error.diagnostics, format);
            println!(
                "build failed after {:.2} s; the last good PDF is kept",
                started.elapsed().as_secs_f64()
            );
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
