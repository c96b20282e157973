//! One error type and one renderer for every located problem: TOML, Markdown, templates, Typst.

use std::fmt;
use std::io::{IsTerminal, Write};
use std::ops::Range;
use std::sync::Arc;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, Config, DisplayStyle, termcolor};

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// A source file a diagnostic points into: its display name and full text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path as shown to the user, relative to the project root.
    pub name: String,
    /// The whole text, so that snippets and line numbers can be computed.
    pub text: Arc<str>,
}

impl SourceFile {
    /// A named file with its text.
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> Self {
        Self {
            name: name.into(),
            text: text.into(),
        }
    }

    /// One-based line and column of a byte offset (column counted in characters).
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[line_start..].chars().count() + 1)
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Where a diagnostic points: a file, and optionally a byte range inside it.
#[derive(Debug, Clone)]
pub struct Location {
    pub file: SourceFile,
    pub range: Option<Range<usize>>,
}

/// One problem found while loading, rendering or compiling a book.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub location: Option<Location>,
    /// Extra lines: hints, and where generated code came from.
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// An error that points nowhere in particular (I/O, configuration).
    pub fn error(message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            message: message.into(),
            location: None,
            notes: vec![],
        }
    }

    /// A warning that points nowhere in particular.
    pub fn warning(message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(message)
        }
    }

    /// Point the diagnostic at a byte range of a file.
    pub fn at(mut self, file: &SourceFile, range: Range<usize>) -> Self {
        self.location = Some(Location {
            file: file.clone(),
            range: Some(range),
        });
        self
    }

    /// Point the diagnostic at a whole file.
    pub fn in_file(mut self, file: &SourceFile) -> Self {
        self.location = Some(Location {
            file: file.clone(),
            range: None,
        });
        self
    }

    /// Add a hint or note line.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// `file:line:col` of the diagnostic, if it has a location.
    pub fn position(&self) -> Option<String> {
        let location = self.location.as_ref()?;
        Some(match &location.range {
            Some(range) => {
                let (line, col) = location.file.line_col(range.start);
                format!("{}:{line}:{col}", location.file.name)
            }
            None => location.file.name.clone(),
        })
    }

    /// One line: `file:line:col: error: message`.
    pub fn short(&self) -> String {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        match self.position() {
            Some(position) => format!("{position}: {kind}: {}", self.message),
            None => format!("{kind}: {}", self.message),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.short())
    }
}

/// The error type of the whole library: one or more diagnostics.
#[derive(Debug, Clone)]
pub struct Error {
    pub diagnostics: Vec<Diagnostic>,
}

impl Error {
    /// An error made of a single diagnostic.
    pub fn one(diagnostic: Diagnostic) -> Self {
        Self {
            diagnostics: vec![diagnostic],
        }
    }

    /// An error with a plain message and no location.
    pub fn msg(message: impl Into<String>) -> Self {
        Self::one(Diagnostic::error(message))
    }
}

impl From<Diagnostic> for Error {
    fn from(diagnostic: Diagnostic) -> Self {
        Self::one(diagnostic)
    }
}

impl From<Vec<Diagnostic>> for Error {
    fn from(diagnostics: Vec<Diagnostic>) -> Self {
        Self { diagnostics }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, diagnostic) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Result type used throughout the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Collects diagnostics so that one pass can report every problem, not just the first.
#[derive(Debug, Default)]
pub struct Sink {
    pub diagnostics: Vec<Diagnostic>,
}

impl Sink {
    /// Record a diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Whether any error (not warning) was recorded.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    /// Fail with every recorded diagnostic if any is an error; otherwise return the warnings.
    pub fn finish(self) -> Result<Vec<Diagnostic>> {
        if self.has_errors() {
            Err(Error::from(self.diagnostics))
        } else {
            Ok(self.diagnostics)
        }
    }
}

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageFormat {
    /// Source snippets, colour on a terminal.
    Human,
    /// One line per diagnostic, for editors and scripts.
    Short,
}

/// Print diagnostics to standard error.
pub fn emit(diagnostics: &[Diagnostic], format: MessageFormat) {
    let color = if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        termcolor::ColorChoice::Auto
    } else {
        termcolor::ColorChoice::Never
    };
    let stream = termcolor::StandardStream::stderr(color);
    let mut out = stream.lock();
    for diagnostic in diagnostics {
        match format {
            MessageFormat::Short => {
                let _ = writeln!(out, "{}", terminal_safe(&diagnostic.short()));
            }
            MessageFormat::Human => render_human(&mut out, diagnostic),
        }
    }
}

/// A message as it may reach a terminal: control characters (escape sequences, bells,
/// bidirectional overrides) written as `\u{…}` so that nothing a file contains can drive the
/// terminal or hide text.
pub fn terminal_safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_unsafe(c) && c != '\n' {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Characters a terminal would act on instead of showing.
fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Source text for a snippet: every unsafe character replaced by a visible one of the same
/// length in bytes, so that byte ranges still point at the same places.
fn visible_source(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => c,
            c if is_unsafe(c) => match c.len_utf8() {
                1 => '?',
                2 => '\u{BF}',
                _ => '\u{FFFD}',
            },
            c => c,
        })
        .collect()
}

/// Render one diagnostic with a snippet into a string without colour (tests, logs).
pub fn render_plain(diagnostic: &Diagnostic) -> String {
    let mut buffer = termcolor::NoColor::new(Vec::new());
    render_human(&mut buffer, diagnostic);
    String::from_utf8_lossy(&buffer.into_inner()).into_owned()
}

fn render_human(out: &mut dyn termcolor::WriteColor, diagnostic: &Diagnostic) {
    let file = diagnostic
        .location
        .as_ref()
        .map(|l| {
            SimpleFile::new(
                terminal_safe(&l.file.name),
                Arc::from(visible_source(&l.file.text)),
            )
        })
        .unwrap_or_else(|| SimpleFile::new(String::new(), Arc::from("")));
    let mut rendered = match diagnostic.severity {
        Severity::Error => CsDiagnostic::error(),
        Severity::Warning => CsDiagnostic::warning(),
    }
    .with_message(terminal_safe(&diagnostic.message))
    .with_notes(diagnostic.notes.iter().map(|n| terminal_safe(n)).collect());
    if let Some(location) = &diagnostic.location {
        let range = location.range.clone().unwrap_or(0..0);
        let range = clamp_range(&location.file.text, range);
        let label = Label::primary((), range);
        rendered = rendered.with_labels(vec![label]);
    }
    let config = Config {
        display_style: DisplayStyle::Rich,
        ..Config::default()
    };
    if term::emit_to_write_style(out, &config, &file, &rendered).is_err() {
        // The snippet could not be drawn (e.g. a stale range); the short form never fails.
        let _ = writeln!(out, "{}", terminal_safe(&diagnostic.short()));
    }
}

fn clamp_range(text: &str, range: Range<usize>) -> Range<usize> {
    let start = floor_char_boundary(text, range.start.min(text.len()));
    let end = floor_char_boundary(text, range.end.clamp(start, text.len()));
    start..end
}
