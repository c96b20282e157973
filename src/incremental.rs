//! Rebuilding one edition again and again in the same compiler state (watch mode): the
//! Typst world and the figures survive between rebuilds, so only what changed is redone.

use std::path::{Path, PathBuf};

use crate::Project;
use crate::diagnostics::{Diagnostic, Result};
use crate::figures::FigureCache;
use crate::fonts::Fonts;
use crate::output::pdf::Timings;
use crate::output::pdf::world::BookWorld;
use crate::output::{Format, write_atomic};
use crate::sandbox::Sandbox;

/// One edition kept compiled: the world survives between rebuilds so that comemo and
/// Typst's incremental parser reuse everything an edit did not touch.
pub struct Incremental {
    sandbox: Sandbox,
    edition: Option<String>,
    out: PathBuf,
    fonts: Fonts,
    world: Option<BookWorld>,
    figures: FigureCache,
}

/// What one rebuild did.
pub struct Rebuilt {
    pub path: PathBuf,
    pub pages: usize,
    pub warnings: Vec<Diagnostic>,
    pub timings: Timings,
}

impl Incremental {
    /// Prepare to rebuild `edition` (or the book's default) of the project at `root`.
    pub fn new(sandbox: &Sandbox, edition: Option<String>, out: &Path) -> Result<Self> {
        let fonts = Fonts::load(sandbox)?;
        Ok(Self {
            sandbox: sandbox.clone(),
            edition,
            out: out.to_path_buf(),
            fonts,
            world: None,
            figures: Default::default(),
        })
    }

    /// Reload the fonts (after `fonts/` changed); the next rebuild starts a new world.
    pub fn reload_fonts(&mut self) -> Result<()> {
        self.fonts = Fonts::load(&self.sandbox)?;
        self.world = None;
        Ok(())
    }

    /// Load the content again, render, compile in the kept world, and write the PDF.
    /// On error the previous PDF stays as it was.
    pub fn rebuild(&mut self) -> Result<Rebuilt> {
        let project = Project::open_with_fonts(&self.sandbox, self.fonts.clone())?;
        let edition = project.edition_or_default(self.edition.as_deref())?;
        let world = match &mut self.world {
            Some(world) => world,
            None => self.world.insert(project.world()),
        };
        let built = project.build_pdf_in(world, &edition, Some(&mut self.figures));
        // Drop cached results not used in the last few compilations, as typst-cli does.
        comemo::evict(10);
        let built = built?;
        let path = self
            .out
            .join(project.output_name(&edition.name, Format::Pdf));
        write_atomic(&path, &built.bytes)?;
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
