//! Command-line arguments (clap derive only; commands resolve them in `cmd/`).

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Publish a guidebook kept as structured data: print-ready PDFs and an EPUB.
///
/// Content lives in chapters/ (book.toml, NN-slug.md chapters, landmarks.toml,
/// timeline.toml, the bibliography), page design in layouts/ (one folder per edition
/// over layouts/base), and fonts in fonts/. Run commands inside the project folder,
/// or point --root at it.
#[derive(Debug, Parser)]
#[command(name = "guidebook", version, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// The book project folder (with chapters/, layouts/ and fonts/).
    #[arg(long, global = true, default_value = ".")]
    pub root: PathBuf,
    /// How to print errors and warnings: with source snippets, or one line each.
    #[arg(long, global = true, value_enum, default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,
}

impl Cli {
    /// How diagnostics are printed.
    pub fn message_format(&self) -> guidebook::diagnostics::MessageFormat {
        match self.message_format {
            MessageFormat::Human => guidebook::diagnostics::MessageFormat::Human,
            MessageFormat::Short => guidebook::diagnostics::MessageFormat::Short,
        }
    }

    /// The output folder: `--out` as given (relative to the current folder), or `out/` in
    /// the project; the same rule for every command.
    pub fn out_dir(&self, out: Option<&Path>) -> PathBuf {
        match out {
            Some(out) => out.to_path_buf(),
            None => self.root.join("out"),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the book: one PDF per edition (and the EPUB), written to the output folder.
    ///
    /// Without --edition or --all, builds the default edition named in chapters/book.toml.
    /// Each file is written atomically: a failed build leaves earlier outputs untouched.
    Build(BuildArgs),
    /// Rebuild an edition's PDF whenever chapters/, layouts/ or fonts/ change.
    ///
    /// Keeps the compiler's state between rebuilds, so that after an edit only what changed
    /// is laid out again. An error is reported and the last good PDF is kept.
    Watch(WatchArgs),
    /// Check content, references, templates and editions without compiling a PDF (the EPUB
    /// of editions that output one is built in memory).
    Check(SelectArgs),
    /// List the editions under layouts/ with their page size and outputs.
    Editions,
    /// Preview an edition in the browser, updated in place as you edit.
    ///
    /// Builds the edition once and serves its pages on 127.0.0.1 only. On every change under
    /// chapters/, layouts/ or fonts/ it compiles again in the same compiler state and sends
    /// the browser the pages that changed; a problem shows over the pages, which stay.
    Serve(ServeArgs),
    /// Check a PDF as a print shop's prepress does: boxes, bleed, fonts, colour, images,
    /// transparency, annotations, strokes, small text, safety margins, ink and PDF/X.
    ///
    /// Prints a table of what it found; exits 1 when the file fails the target's rules.
    Preflight(PreflightArgs),
    /// Start a new edition as a copy of an existing one, ready for a designer to edit.
    ///
    /// Copies layouts/FROM/ (edition.toml and any templates) to layouts/NAME/. The copy
    /// builds unchanged; then edit its edition.toml or copy a template from layouts/base/
    /// into it to override that template.
    NewEdition(NewEditionArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The edition to preview (default: the book's default edition).
    #[arg(long, short = 'e', value_name = "NAME")]
    pub edition: Option<String>,
    /// The port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 5177)]
    pub port: u16,
}

#[derive(Debug, Args)]
pub struct PreflightArgs {
    /// The PDF to check.
    pub file: PathBuf,
    /// How the book is printed: offset (PDF/X-4, crop marks) or print on demand.
    #[arg(long, value_enum, default_value_t = PrintTarget::Offset)]
    pub target: PrintTarget,
    /// The print-on-demand service whose rules apply (default: the strictest of the three).
    #[arg(long, value_enum)]
    pub service: Option<PrintService>,
    /// The file is a cover (back, spine and front on one page): it bleeds on every side.
    #[arg(long)]
    pub cover: bool,
    /// Also list every finding, page by page.
    #[arg(long)]
    pub details: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PrintTarget {
    Offset,
    Pod,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PrintService {
    Kdp,
    Ingramspark,
    Lulu,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The edition to rebuild (default: the book's default edition).
    #[arg(long, short = 'e', value_name = "NAME")]
    pub edition: Option<String>,
    /// Folder to write the PDF to (default: out/ in the project).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct NewEditionArgs {
    /// Name of the new edition (lowercase letters, digits and hyphens).
    pub name: String,
    /// The edition to copy.
    #[arg(long, value_name = "EDITION")]
    pub from: String,
}

#[derive(Debug, Args)]
pub struct SelectArgs {
    /// An edition to use (a folder under layouts/); repeat for several.
    #[arg(long = "edition", short = 'e', value_name = "NAME")]
    pub editions: Vec<String>,
    /// Use every edition under layouts/.
    #[arg(long, conflicts_with = "editions")]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    /// Folder to write outputs to (default: out/ in the project).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Output format; by default each edition's outputs from its edition.toml.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Also write each edition's generated Typst sources as a standalone Typst project in
    /// DIR/<edition>/ (gen/ plus the bibliography and images), so that the Typst CLI can
    /// compile the same document: `typst compile --root DIR/trade --font-path fonts
    /// --ignore-system-fonts DIR/trade/gen/book.typ`.
    #[arg(long, value_name = "DIR")]
    pub emit_typ: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Pdf,
    Epub,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MessageFormat {
    Human,
    Short,
}
