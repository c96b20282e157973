//! The MiniJinja environment: templates from `layouts/<edition>` over `layouts/base`, every
//! value escaped for the language of the output the environment renders (Typst markup or
//! XML), whatever a template file is called, partials included; escaping is never off.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use minijinja::syntax::SyntaxConfig;
use minijinja::value::ValueKind;
use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior, Value};

use crate::diagnostics::{Diagnostic, Result, SourceFile};
use crate::escape::{self, Trusted};
use crate::sandbox::{Denied, Sandbox};

/// Name of the custom auto-escape mode for Typst markup.
const TYPST: &str = "typst";

/// Upper bound on template work per render; stops a template that loops forever.
const FUEL: u64 = 50_000_000;

/// Most a single template may write: far beyond any chapter, far below exhausting memory.
const MAX_OUTPUT_BYTES: usize = 32 * 1024 * 1024;

/// A writer that refuses to grow beyond [`MAX_OUTPUT_BYTES`].
#[derive(Default)]
struct CappedOutput {
    bytes: Vec<u8>,
    overflowed: bool,
}

impl std::io::Write for CappedOutput {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > MAX_OUTPUT_BYTES {
            self.overflowed = true;
            return Err(std::io::Error::other("template output too large"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Template files read so far, by template name, so that errors can show their source.
#[derive(Debug, Default, Clone)]
pub struct TemplateFiles {
    files: Arc<Mutex<HashMap<String, SourceFile>>>,
    /// A located lint failure found while loading, reported instead of MiniJinja's error.
    refused: Arc<Mutex<Option<Diagnostic>>>,
}

impl TemplateFiles {
    fn insert(&self, name: &str, file: SourceFile) {
        if let Ok(mut files) = self.files.lock() {
            files.insert(name.to_string(), file);
        }
    }

    fn refuse(&self, diagnostic: Diagnostic) {
        if let Ok(mut refused) = self.refused.lock() {
            refused.get_or_insert(diagnostic);
        }
    }

    fn take_refused(&self) -> Option<Diagnostic> {
        self.refused.lock().ok()?.take()
    }

    /// Every template file loaded so far, in name order.
    pub fn all(&self) -> Vec<SourceFile> {
        let Ok(files) = self.files.lock() else {
            return vec![];
        };
        let mut all: Vec<SourceFile> = files.values().cloned().collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        all
    }

    /// The file a template name was loaded from.
    pub fn get(&self, name: &str) -> Option<SourceFile> {
        self.files.lock().ok()?.get(name).cloned()
    }
}

/// The language an environment's templates write, which decides the escaping of every value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// Typst markup (the PDF editions).
    Typst,
    /// XHTML and other XML (the EPUB).
    Xml,
}

/// A template environment for one output language.
pub struct Templates {
    pub env: Environment<'static>,
    pub files: TemplateFiles,
}

impl Templates {
    /// Build the environment that loads templates from `dirs` (first match wins), project
    /// folders read through the sandbox.
    pub fn new(sandbox: &Sandbox, dirs: Vec<String>, language: Language) -> Self {
        let files = TemplateFiles::default();
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_fuel(Some(FUEL));
        if let Ok(syntax) = SyntaxConfig::builder()
            .keep_trailing_newline(true)
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
        {
            env.set_syntax(syntax);
        }
        env.remove_filter("safe");
        // Every template of the environment, and every partial it includes, writes the one
        // output language; a file's name never changes its escaping.
        env.set_auto_escape_callback(move |_| match language {
            Language::Typst => AutoEscape::Custom(TYPST.into()),
            Language::Xml => AutoEscape::Html,
        });
        env.set_formatter(format_value);
        if language == Language::Typst {
            env.add_filter("typst_str", |value: Value| {
                Trusted::value(escape::string_literal(&plain(&value)))
            });
        }
        // `page_anchor(key)`: where a block begins, for the EPUB's page list (see
        // `escape::PAGE_ANCHOR_LABEL`); the same key in a Typst and an XHTML template ties
        // the two places together.
        // `index_mark(kind, term, main=false)`: an index reference to entry `kind:term` here
        // (`main`: the entry's own place, printed in bold).
        env.add_function(
            "index_mark",
            move |kind: Value, term: Value, main: Option<bool>| {
                let (kind, term) = (plain(&kind), plain(&term));
                let main = main.unwrap_or(false);
                Trusted::value(match language {
                    Language::Typst => format!(
                        "#index-mark({}, {}, main: {main})",
                        escape::string_literal(&kind),
                        escape::string_literal(&term)
                    ),
                    Language::Xml => {
                        crate::content::markdown::index_marker(&kind, &term, main, None)
                    }
                })
            },
        );
        // `index_span(term, edge)`: where a passage about subject `term` starts or ends
        // (`edge` = "start" or "end"); the index gives the range between.
        env.add_function("index_span", move |term: Value, edge: Value| {
            let (term, edge) = (plain(&term), plain(&edge));
            Trusted::value(match language {
                Language::Typst => format!(
                    "#index-span({}, {});",
                    escape::string_literal(&term),
                    escape::string_literal(&edge)
                ),
                Language::Xml => {
                    crate::content::markdown::index_marker("subject", &term, false, Some(&edge))
                }
            })
        });
        env.add_function("page_anchor", move |key: Value| {
            let key = plain(&key);
            Trusted::value(match language {
                Language::Typst => escape::page_anchor_typst(&key),
                Language::Xml => escape::page_anchor_xml(&key),
            })
        });
        let sandbox = sandbox.clone();
        let loader_files = files.clone();
        env.set_loader(move |name| load_template(&sandbox, &dirs, name, &loader_files));
        Self { env, files }
    }

    /// Render a template with a context, turning any failure into a located diagnostic.
    pub fn render(&self, name: &str, context: &Value) -> Result<String> {
        let template = self
            .env
            .get_template(name)
            .map_err(|e| self.diagnostic(e))?;
        let mut out = CappedOutput::default();
        match template.render_captured_to(context, &mut out) {
            Ok(_) => String::from_utf8(out.bytes)
                .map_err(|_| Diagnostic::error(format!("template {name} wrote invalid UTF-8")).into()),
            Err(_) if out.overflowed => Err(self
                .diagnostic(minijinja::Error::new(
                    ErrorKind::InvalidOperation,
                    format!(
                        "the template wrote more than {} MiB (an endless loop, or text multiplied?) and was stopped",
                        MAX_OUTPUT_BYTES / 1024 / 1024
                    ),
                ))
                .in_file_named(&self.files, name)
                .into()),
            Err(error) => Err(self.diagnostic(error).into()),
        }
    }

    /// Translate a MiniJinja error into our diagnostic, pointing at the template line.
    pub fn diagnostic(&self, error: minijinja::Error) -> Diagnostic {
        if let Some(refused) = self.files.take_refused() {
            return refused;
        }
        let mut message = error
            .detail()
            .map_or_else(|| error.kind().to_string(), str::to_string);
        if error.kind() == ErrorKind::OutOfFuel {
            message = "the template did too much work (an endless loop?) and was stopped".into();
        }
        if let Some(source) = std::error::Error::source(&error) {
            message = format!("{message}: {source}");
        }
        let name = error.name().map(str::to_string);
        let file = name.as_deref().and_then(|n| self.files.get(n));
        let diagnostic = Diagnostic::error(format!("template: {message}"));
        match (file, error.range(), error.line()) {
            (Some(file), Some(range), _) => diagnostic.at(&file, range),
            (Some(file), None, Some(line)) => {
                let start = line_start(&file.text, line);
                diagnostic.at(&file, start..start)
            }
            (Some(file), None, None) => diagnostic.in_file(&file),
            (None, ..) => match name {
                Some(name) => diagnostic.with_note(format!("in template {name}")),
                None => diagnostic,
            },
        }
    }
}

trait InFileNamed {
    /// Point a diagnostic without a location at the template file `name`.
    fn in_file_named(self, files: &TemplateFiles, name: &str) -> Diagnostic;
}

impl InFileNamed for Diagnostic {
    fn in_file_named(self, files: &TemplateFiles, name: &str) -> Diagnostic {
        match (&self.location, files.get(name)) {
            (None, Some(file)) => self.in_file(&file),
            _ => self,
        }
    }
}

fn line_start(text: &str, line: usize) -> usize {
    text.split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum()
}

/// Write a value into a template's output, escaped for the environment's language. Only
/// [`Trusted`] text, which this program wrote in that language, is written as it is; any
/// other string is escaped, even one MiniJinja marks safe (captured output, a macro's
/// result, a filter applied to either), so no template can turn content into code.
fn format_value(
    out: &mut minijinja::Output<'_>,
    state: &mut minijinja::State<'_, '_>,
    value: &Value,
) -> std::result::Result<(), minijinja::Error> {
    let typst = matches!(state.auto_escape(), AutoEscape::Custom(name) if name == TYPST);
    if let Some(trusted) = value.downcast_object_ref::<Trusted>() {
        let text = if typst {
            trusted.0.clone()
        } else {
            // Pre-escaped XHTML is written by our converters; clean it all the same.
            escape::xml_clean(&trusted.0)
        };
        return out.write_str(&text).map_err(Into::into);
    }
    let language = if typst { "Typst" } else { "XML" };
    let text = match value.kind() {
        ValueKind::None | ValueKind::Undefined => String::new(),
        // Numbers and booleans cannot carry markup; they go in as written so templates can
        // use them in code positions.
        ValueKind::Number => value.to_string(),
        ValueKind::Bool => value.is_true().to_string(),
        ValueKind::String if typst => escape::markup(value.as_str().unwrap_or_default()),
        // Plain text fields get the typographic quotes Typst gives them in the PDF.
        ValueKind::String => escape::xml(&escape::smart_quotes(value.as_str().unwrap_or_default())),
        kind => {
            return Err(minijinja::Error::new(
                ErrorKind::InvalidOperation,
                format!("a {kind} cannot be written into {language}; loop over it or pick a field"),
            ));
        }
    };
    out.write_str(&text).map_err(Into::into)
}

/// The plain text of a value, for filters.
fn plain(value: &Value) -> String {
    match value.as_str() {
        Some(s) => s.to_string(),
        None => value.to_string(),
    }
}

/// Find a template in the edition's folders, read it through the sandbox and lint it.
fn load_template(
    sandbox: &Sandbox,
    dirs: &[String],
    name: &str,
    files: &TemplateFiles,
) -> std::result::Result<Option<String>, minijinja::Error> {
    let invalid = |msg: String| minijinja::Error::new(ErrorKind::InvalidOperation, msg);
    if name.starts_with('/') || name.split('/').any(|part| part == ".." || part.is_empty()) {
        return Err(invalid(format!(
            "template name `{name}` must be a plain relative path"
        )));
    }
    for dir in dirs {
        let relative = format!("{dir}/{name}");
        match sandbox.file(&relative) {
            Ok(path) => {
                let layouts = sandbox
                    .resolve("layouts")
                    .map_err(|e| invalid(e.to_string()))?;
                if !path.starts_with(&layouts) {
                    return Err(invalid(format!(
                        "{relative} links outside layouts/; access denied"
                    )));
                }
            }
            Err(Denied::NotFound) => continue,
            Err(denied) => return Err(invalid(format!("cannot read {relative}: {denied}"))),
        }
        let file = sandbox
            .read_text(&relative)
            .map_err(|e| invalid(e.to_string()))?;
        let text = file.text.to_string();
        if let Some((problem, at)) = lint(&text) {
            files.refuse(Diagnostic::error(format!("template: {problem}")).at(&file, at..at));
            return Err(minijinja::Error::new(ErrorKind::InvalidOperation, problem));
        }
        files.insert(name, file);
        return Ok(Some(text));
    }
    Ok(None)
}

/// Refuse templates that switch escaping off: content must never become code.
/// Returns the problem and the byte offset of the offending tag.
pub fn lint(source: &str) -> Option<(String, usize)> {
    let mut rest = source;
    while let Some(open) = rest.find(['{']) {
        let after = &rest[open + 1..];
        let close = match after.chars().next() {
            Some('{') => "}}",
            Some('%') => "%}",
            _ => {
                rest = after;
                continue;
            }
        };
        let inner_start = &after[1..];
        let end = inner_start.find(close).unwrap_or(inner_start.len());
        let inner = &inner_start[..end];
        let words: Vec<&str> = inner
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '|'))
            .filter(|w| !w.is_empty())
            .collect();
        if close == "%}"
            && words
                .first()
                .is_some_and(|w| w.trim_start_matches('-') == "autoescape")
        {
            let at = source.len() - rest.len() + open;
            return Some((
                "templates may not use `autoescape`: escaping cannot be switched off".into(),
                at,
            ));
        }
        let compact: String = inner.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.split('|').skip(1).any(|filter| {
            filter
                .strip_prefix("safe")
                .is_some_and(|rest| !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_'))
        }) {
            let at = source.len() - rest.len() + open;
            return Some((
                "templates may not use the `safe` filter: every value is escaped".into(),
                at,
            ));
        }
        rest = &inner_start[end.min(inner_start.len())..];
    }
    None
}

/// The template line that most likely wrote a generated `line`: the one line, among all the
/// `templates`, whose literal text (what lies outside `{{ }}`, `{% %}` and `{# #}`) appears in
/// the generated line in order, starting and ending where the template line does. Returns
/// the file and the byte range of that line, or `None` when no line or several lines fit
/// (lines with too little literal text to tell them apart are not considered).
pub fn source_line<'a>(
    templates: &'a [SourceFile],
    line: &str,
) -> Option<(&'a SourceFile, std::ops::Range<usize>)> {
    let line = line.trim();
    let mut found = None;
    for file in templates {
        let mut start = 0;
        for template_line in file.text.split_inclusive('\n') {
            let range = start..start + template_line.trim_end_matches('\n').len();
            start += template_line.len();
            let Some(parts) = literal_parts(template_line.trim()) else {
                continue;
            };
            if parts.iter().map(|p| p.trim().len()).sum::<usize>() < 6 || !fits(&parts, line) {
                continue;
            }
            if found.is_some() {
                return None;
            }
            found = Some((file, range));
        }
    }
    found
}

/// The literal pieces of a template line between its tags, or `None` for a line with an
/// unclosed tag (a tag spanning lines).
fn literal_parts(line: &str) -> Option<Vec<&str>> {
    let mut parts = vec![];
    let mut rest = line;
    loop {
        let next = ["{{", "{%", "{#"]
            .iter()
            .filter_map(|open| rest.find(open).map(|i| (i, *open)))
            .min();
        let Some((i, open)) = next else {
            parts.push(rest);
            return Some(parts);
        };
        parts.push(&rest[..i]);
        let close = match open {
            "{{" => "}}",
            "{%" => "%}",
            _ => "#}",
        };
        let end = rest[i + 2..].find(close)? + i + 2 + 2;
        rest = &rest[end..];
    }
}

/// Whether `line` is the `parts` in order with anything between them.
fn fits(parts: &[&str], line: &str) -> bool {
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if parts.len() == 1 {
        return line == first;
    }
    if !line.starts_with(first) || !line.ends_with(last) || line.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &line[first.len()..line.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lint_refuses_escape_hatches() {
        assert!(lint("{{ x | safe }}").is_some());
        assert!(lint("{{ x|safe }}").is_some());
        assert!(lint("{% autoescape false %}{{ x }}{% endautoescape %}").is_some());
        assert!(lint("{%- autoescape false -%}").is_some());
        assert!(lint("{{ x | typst_str }} {{ safety }} {{ x | safest }}").is_none());
        assert!(lint("#let f(x) = { x }").is_none());
    }

    #[test]
    fn values_are_escaped_in_typst_templates() {
        let sandbox = Sandbox::new(&std::env::temp_dir()).unwrap();
        let templates = Templates::new(&sandbox, vec![], Language::Typst);
        let mut env = templates.env;
        env.add_template("t.typ", "[{{ v }}] #image({{ v | typst_str }})")
            .unwrap();
        let out = env
            .get_template("t.typ")
            .unwrap()
            .render(minijinja::context! { v => "#read(\"/etc/passwd\")]" })
            .unwrap();
        assert_eq!(
            out,
            r##"[\#read("\/etc\/passwd")\]] #image("#read(\"/etc/passwd\")]")"##
        );
    }

    #[test]
    fn values_are_escaped_and_cleaned_in_xhtml_templates() {
        let sandbox = Sandbox::new(&std::env::temp_dir()).unwrap();
        let templates = Templates::new(&sandbox, vec![], Language::Xml);
        let mut env = templates.env;
        env.add_template("t.xhtml", "<p title=\"{{ v }}\">{{ v }}</p>")
            .unwrap();
        let out = env
            .get_template("t.xhtml")
            .unwrap()
            .render(minijinja::context! { v => "<b>\"&'\u{1}\u{FFFF}" })
            .unwrap();
        assert_eq!(
            out,
            "<p title=\"&lt;b&gt;\u{201D}&amp;\u{2019}\">&lt;b&gt;\u{201D}&amp;\u{2019}</p>"
        );
    }

    /// Render `source` (with partials) in a fresh environment of `language`.
    fn render(language: Language, templates: &[(&'static str, &'static str)], v: &str) -> String {
        let sandbox = Sandbox::new(&std::env::temp_dir()).unwrap();
        let mut env = Templates::new(&sandbox, vec![], language).env;
        for (name, source) in templates {
            env.add_template(name, source).unwrap();
        }
        env.get_template(templates[0].0)
            .unwrap()
            .render(minijinja::context! { v => v })
            .unwrap()
    }

    #[test]
    fn escaping_follows_the_output_not_the_file_name() {
        let hostile = "#read(\"/etc/passwd\")";
        // A partial with any name inherits the environment's escaping.
        for partial in ["p.inc", "p.TYP", "p.htm", "p"] {
            let main: &'static str =
                Box::leak(format!("{{% include \"{partial}\" %}}").into_boxed_str());
            let out = render(
                Language::Typst,
                &[("main.typ", main), (partial, "{{ v }}")],
                hostile,
            );
            assert_eq!(out, r#"\#read("\/etc\/passwd")"#, "{partial}");
            let out = render(
                Language::Xml,
                &[("main.xhtml", main), (partial, "{{ v }}")],
                "<b>",
            );
            assert_eq!(out, "&lt;b&gt;", "{partial}");
        }
    }

    #[test]
    fn captured_or_filtered_output_is_escaped_again() {
        let hostile = "#read(\"/etc/passwd\")";
        let out = render(
            Language::Typst,
            &[(
                "t.typ",
                "{% set s %}{{ v }}{% endset %}{{ s | replace(\"\\\\\", \"\") }}",
            )],
            hostile,
        );
        assert!(out.starts_with("\\#read"), "{out}");
        let out = render(
            Language::Xml,
            &[(
                "t.xhtml",
                "{% set s %}<i>{{ v }}</i>{% endset %}{{ s | upper }}",
            )],
            "x",
        );
        assert_eq!(out, "&lt;I&gt;X&lt;/I&gt;");
    }

    #[test]
    fn typst_str_exists_only_for_typst() {
        let sandbox = Sandbox::new(&std::env::temp_dir()).unwrap();
        let mut env = Templates::new(&sandbox, vec![], Language::Xml).env;
        env.add_template("t.xhtml", "{{ v | typst_str }}").unwrap();
        assert!(
            env.get_template("t.xhtml")
                .unwrap()
                .render(minijinja::context! { v => "x" })
                .is_err()
        );
    }

    #[test]
    fn missing_fields_are_errors() {
        let sandbox = Sandbox::new(&std::env::temp_dir()).unwrap();
        let templates = Templates::new(&sandbox, vec![], Language::Typst);
        let mut env = templates.env;
        env.add_template("t.typ", "{{ nothing.here }}").unwrap();
        assert!(
            env.get_template("t.typ")
                .unwrap()
                .render(minijinja::context! {})
                .is_err()
        );
    }

    #[test]
    fn a_generated_line_is_traced_to_the_one_template_line_that_fits() {
        let landmark = SourceFile::new(
            "layouts/base/landmark.typ",
            "#landmark-entry(\n    fact([Where], [{{ l.city }}, {{ l.province }}]),\n    fact([Style], [{{ l.style }}]),\n)\n",
        );
        let chapter = SourceFile::new("layouts/base/chapter.typ", "= {{ title }}\n#pagebreak()\n");
        let files = [chapter, landmark];
        let (file, range) =
            source_line(&files, "    fact([Where], [Harbin, Heilongjiang]),").expect("found");
        assert_eq!(file.name, "layouts/base/landmark.typ");
        assert_eq!(
            &file.text[range],
            "    fact([Where], [{{ l.city }}, {{ l.province }}]),"
        );
        assert!(source_line(&files, "#pagebreak()").is_some());
        // Too little literal text to tell lines apart, or a line no template wrote.
        assert!(source_line(&files, "= Harbin").is_none());
        assert!(source_line(&files, "#emph[nothing]").is_none());
    }
}
