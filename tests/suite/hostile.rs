//! Hostile inputs: content, layouts and file systems built to break the promises of the
//! README. Each probe runs the real binary on a small book in a temp folder, with a timeout,
//! and checks what the user sees (exit code, a message at file:line:col, no panic), that
//! earlier outputs are byte for byte as they were, and — where the probe tries to read or
//! leak something — that its bytes appear in no output, message or file outside `out/`.

use std::fs;
use std::io::Read;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::bad_inputs::{append, edit, override_template};
use crate::common::*;

/// Longest a probe may run before it counts as a hang.
const TIMEOUT: Duration = Duration::from_secs(90);

/// What a run of the binary showed.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Run `guidebook` in the fixture with `args` (short messages, fixed date), killing it and
/// failing the test when it runs past [`TIMEOUT`].
fn run(fixture: &Fixture, args: &[&str]) -> Run {
    run_with(fixture, args, |_| {})
}

fn run_with(fixture: &Fixture, args: &[&str], configure: impl Fn(&mut Command)) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_guidebook"));
    command
        .args([
            "--root",
            fixture.root().to_str().unwrap(),
            "--message-format",
            "short",
        ])
        .args(args)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    configure(&mut command);
    let mut child = command.spawn().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            panic!("guidebook {args:?} hung for {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: status.code(),
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// The valid fixture's outputs, built once: what "the earlier outputs" of every probe are.
fn earlier() -> &'static Vec<(String, Vec<u8>)> {
    static EARLIER: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    EARLIER.get_or_init(|| {
        let fixture = Fixture::new();
        assert_success(&fixture.build());
        let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(fixture.root().join("out"))
            .unwrap()
            .map(|e| e.unwrap())
            .map(|e| {
                (
                    e.file_name().into_string().unwrap(),
                    fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    })
}

/// A valid fixture whose `out/` holds the earlier outputs.
fn prepared() -> Fixture {
    let fixture = Fixture::new();
    fs::create_dir_all(fixture.root().join("out")).unwrap();
    for (name, bytes) in earlier() {
        fs::write(fixture.root().join("out").join(name), bytes).unwrap();
    }
    fixture
}

/// A file outside the project with a marker that must never reach an output or a message.
struct Secret {
    _dir: tempfile::TempDir,
    path: PathBuf,
    marker: &'static str,
}

fn secret() -> Secret {
    let dir = temp_dir();
    let path = dir.path().join("secret.txt");
    let marker = "SECRET-7f3a9c-DO-NOT-PUBLISH";
    fs::write(&path, format!("{marker}\n")).unwrap();
    Secret {
        _dir: dir,
        path,
        marker,
    }
}

/// The build refused: exit 1, every `expect` part in the message, no panic, and the earlier
/// outputs unchanged.
fn assert_refused(fixture: &Fixture, run: &Run, expect: &[&str]) {
    assert_eq!(run.code, Some(1), "exit code; stderr:\n{}", run.stderr);
    for part in expect {
        assert!(run.stderr.contains(part), "no {part:?} in:\n{}", run.stderr);
    }
    assert_no_panic(run);
    for (name, bytes) in earlier() {
        let now = fs::read(fixture.root().join("out").join(name)).unwrap();
        assert!(now == *bytes, "the earlier {name} changed");
    }
}

fn assert_no_panic(run: &Run) {
    for sign in [
        "panicked",
        "RUST_BACKTRACE",
        "internal error",
        "stack backtrace",
    ] {
        assert!(
            !run.stderr.contains(sign) && !run.stdout.contains(sign),
            "{sign}:\n{}",
            run.stderr
        );
    }
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            found.extend(files_under(&path));
        } else if entry.file_type().is_ok_and(|t| t.is_file()) {
            found.push(path);
        }
    }
    found
}

/// The marker appears in no message, no output (raw bytes, PDF text, EPUB entries), and the
/// run wrote nothing into the project outside `out/`.
fn assert_absent(fixture: &Fixture, run: &Run, marker: &str) {
    assert!(!run.stderr.contains(marker), "echoed: {}", run.stderr);
    assert!(!run.stdout.contains(marker));
    for path in files_under(&fixture.root().join("out")) {
        let bytes = fs::read(&path).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(marker),
            "{} holds the marker",
            path.display()
        );
        match path.extension().and_then(|e| e.to_str()) {
            Some("pdf") => assert!(!pdf_text(&path).contains(marker), "{}", path.display()),
            Some("epub") => {
                let mut archive = zip::ZipArchive::new(fs::File::open(&path).unwrap()).unwrap();
                for i in 0..archive.len() {
                    let mut entry = archive.by_index(i).unwrap();
                    let mut bytes = Vec::new();
                    entry.read_to_end(&mut bytes).unwrap();
                    assert!(
                        !String::from_utf8_lossy(&bytes).contains(marker),
                        "{} holds the marker",
                        entry.name().unwrap()
                    );
                }
            }
            _ => {}
        }
    }
}

/// Build the fixture's default edition (PDF and EPUB) into its `out/`.
fn build(fixture: &Fixture) -> Run {
    let out = fixture.root().join("out");
    run(fixture, &["build", "--out", out.to_str().unwrap()])
}

/// Append a Markdown image of `name` (under `chapters/images/`) to the fixture's chapter.
fn use_image(fixture: &Fixture, name: &str) {
    append(
        fixture,
        "chapters/01-harbin.md",
        &format!("\n![A picture for the test](images/{name})\n"),
    );
}

/// An SVG that tries something; the picture itself is a rectangle.
fn svg(body: &str) -> String {
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="20" viewBox="0 0 40 20"><rect width="40" height="20" fill="#c98a2b"/>{body}</svg>"##
    )
}

/// The EPUB entry of an image of the fixture.
fn epub_entry(fixture: &Fixture, name: &str) -> String {
    let path = fixture.root().join("out/fixture.epub");
    let mut archive = zip::ZipArchive::new(fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// An SVG with active or external content builds, and the EPUB carries it cleaned.
fn assert_svg_cleaned(body: &str, banned: &[&str]) {
    let fixture = prepared();
    fixture.write("chapters/images/hostile.svg", &svg(body));
    use_image(&fixture, "hostile.svg");
    let run = build(&fixture);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let packed = epub_entry(&fixture, "EPUB/images/hostile.svg");
    assert!(packed.contains("<rect"), "the drawing is kept: {packed}");
    for word in banned {
        assert!(!packed.contains(word), "{word} survived: {packed}");
    }
}

// ---- SVG images are parsed and rewritten, never copied ----

#[test]
fn svg_with_a_script() {
    assert_svg_cleaned("<script>alert('x')</script>", &["script", "alert"]);
}

#[test]
fn svg_with_an_event_handler() {
    assert_svg_cleaned(r#"<circle r="2" onload="alert(1)"/>"#, &["onload", "alert"]);
}

#[test]
fn svg_with_a_javascript_link() {
    assert_svg_cleaned(
        r#"<a xlink:href="javascript:alert(1)"><circle r="2"/></a>"#,
        &["javascript", "<a"],
    );
}

#[test]
fn svg_with_a_foreign_object_and_an_iframe() {
    assert_svg_cleaned(
        r#"<foreignObject width="9" height="9"><iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example/"/></foreignObject>"#,
        &["foreignObject", "iframe", "evil.example"],
    );
}

#[test]
fn svg_with_a_remote_image() {
    assert_svg_cleaned(
        r#"<image xlink:href="https://evil.example/x.png" width="9" height="9"/>"#,
        &["evil.example", "<image"],
    );
}

#[test]
fn svg_with_a_file_reference() {
    let secret = secret();
    assert_svg_cleaned(
        &format!(
            r#"<image xlink:href="file://{}" width="9" height="9"/><use xlink:href="file://{}#x"/>"#,
            secret.path.display(),
            secret.path.display()
        ),
        &["file:", secret.marker],
    );
}

#[test]
fn svg_with_an_external_entity() {
    let secret = secret();
    let fixture = prepared();
    fixture.write(
        "chapters/images/xxe.svg",
        &format!(
            "<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY x SYSTEM \"file://{}\">]><svg xmlns=\"http://www.w3.org/2000/svg\"><text>&x;</text></svg>",
            secret.path.display()
        ),
    );
    use_image(&fixture, "xxe.svg");
    let run = build(&fixture);
    assert_refused(&fixture, &run, &["chapters/01-harbin.md:20:1", "DOCTYPE"]);
    assert_absent(&fixture, &run, secret.marker);
}

#[test]
fn svg_with_a_billion_laughs() {
    let fixture = prepared();
    let mut doctype = String::from("<!DOCTYPE svg [<!ENTITY a0 \"lol\">");
    for i in 1..10 {
        doctype.push_str(&format!(
            "<!ENTITY a{i} \"&a{p};&a{p};&a{p};&a{p};&a{p};&a{p};&a{p};&a{p};&a{p};&a{p};\">",
            p = i - 1
        ));
    }
    doctype.push_str("]>");
    fixture.write(
        "chapters/images/laughs.svg",
        &format!("{doctype}<svg xmlns=\"http://www.w3.org/2000/svg\"><text>&a9;</text></svg>"),
    );
    use_image(&fixture, "laughs.svg");
    let run = build(&fixture);
    assert_refused(&fixture, &run, &["chapters/01-harbin.md:20:1", "DOCTYPE"]);
}

// ---- raster images are decoded before they are used ----

#[test]
fn text_file_named_png() {
    let fixture = prepared();
    fixture.write("chapters/images/fake.png", "just some words");
    use_image(&fixture, "fake.png");
    let run = build(&fixture);
    assert_refused(
        &fixture,
        &run,
        &["chapters/01-harbin.md:20:1", "not an image"],
    );
}

#[test]
fn truncated_png() {
    let fixture = prepared();
    let mut png = Vec::new();
    image::RgbImage::from_pixel(64, 64, image::Rgb([200, 30, 30]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    fs::write(
        fixture.root().join("chapters/images/cut.png"),
        &png[..png.len() / 2],
    )
    .unwrap();
    use_image(&fixture, "cut.png");
    let run = build(&fixture);
    assert_refused(
        &fixture,
        &run,
        &["chapters/01-harbin.md:20:1", "image `images/cut.png`"],
    );
}

#[test]
fn directory_named_png() {
    let fixture = prepared();
    fs::create_dir_all(fixture.root().join("chapters/images/folder.png")).unwrap();
    use_image(&fixture, "folder.png");
    let run = build(&fixture);
    assert_refused(
        &fixture,
        &run,
        &["chapters/01-harbin.md:20:1", "not a regular file"],
    );
}

/// A PNG whose header claims 40,000 × 40,000 pixels (1.6 gigapixels), in a few hundred bytes.
fn png_bomb() -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc_input = kind.to_vec();
        crc_input.extend_from_slice(data);
        out.extend_from_slice(&crc_input);
        out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    }
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::new();
    header.extend_from_slice(&40_000u32.to_be_bytes());
    header.extend_from_slice(&40_000u32.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &header);
    // A zlib stream of a few stored zero bytes: far too little data, but the header is what
    // a careless decoder would allocate for.
    chunk(
        &mut png,
        b"IDAT",
        &[
            0x78, 0x01, 0x01, 0x04, 0x00, 0xFB, 0xFF, 0, 0, 0, 0, 0, 4, 0, 1,
        ],
    );
    chunk(&mut png, b"IEND", &[]);
    png
}

#[test]
fn png_bomb_is_refused_by_size() {
    let fixture = prepared();
    fs::write(fixture.root().join("chapters/images/bomb.png"), png_bomb()).unwrap();
    use_image(&fixture, "bomb.png");
    let run = build(&fixture);
    assert_refused(
        &fixture,
        &run,
        &["chapters/01-harbin.md:20:1", "megapixels"],
    );
}

// ---- nothing is read from outside the project ----

#[test]
fn chapter_symlinked_outside() {
    let secret = secret();
    let fixture = prepared();
    fs::remove_file(fixture.root().join("chapters/01-harbin.md")).unwrap();
    symlink(&secret.path, fixture.root().join("chapters/01-harbin.md")).unwrap();
    let run = build(&fixture);
    assert_refused(
        &fixture,
        &run,
        &["chapters/01-harbin.md", "outside the project"],
    );
    assert_absent(&fixture, &run, secret.marker);
}

#[test]
fn chapter_symlinked_to_the_process_environment() {
    let fixture = prepared();
    fs::remove_file(fixture.root().join("chapters/01-harbin.md")).unwrap();
    symlink(
        "/proc/self/environ",
        fixture.root().join("chapters/01-harbin.md"),
    )
    .unwrap();
    let run = run_with(
        &fixture,
        &[
            "build",
            "--out",
            fixture.root().join("out").to_str().unwrap(),
        ],
        |c| {
            c.env("GUIDEBOOK_PROBE", "SECRET-ENVIRONMENT-VALUE");
        },
    );
    assert_refused(
        &fixture,
        &run,
        &["chapters/01-harbin.md", "outside the project"],
    );
    assert_absent(&fixture, &run, "SECRET-ENVIRONMENT-VALUE");
}

#[test]
fn landmarks_symlinked_outside() {
    let secret = secret();
    let fixture = prepared();
    fs::remove_file(fixture.root().join("chapters/landmarks.toml")).unwrap();
    symlink(&secret.path, fixture.root().join("chapters/landmarks.toml")).unwrap();
    let run = build(&fixture);
    assert_refused(
        &fixture,
        &run,
        &["chapters/landmarks.toml", "outside the project"],
    );
    assert_absent(&fixture, &run, secret.marker);
}

#[test]
fn timeline_symlinked_outside() {
    let secret = secret();
    let fixture = prepared();
    fs::remove_file(fixture.root().join("chapters/timeline.toml")).unwrap();
    symlink(&secret.path, fixture.root().join("chapters/timeline.toml")).unwrap();
    let run = build(&fixture);
    assert_refused(
        &fixture,
        &run,
        &["chapters/timeline.toml", "outside the project"],
    );
    assert_absent(&fixture, &run, secret.marker);
}

#[test]
fn chapters_folder_symlinked_outside() {
    let fixture = prepared();
    let elsewhere = temp_dir();
    fs::rename(
        fixture.root().join("chapters"),
        elsewhere.path().join("chapters"),
    )
    .unwrap();
    symlink(
        elsewhere.path().join("chapters"),
        fixture.root().join("chapters"),
    )
    .unwrap();
    let run = build(&fixture);
    assert_refused(&fixture, &run, &["chapters"]);
}

#[test]
fn images_folder_symlinked_outside() {
    let fixture = prepared();
    let elsewhere = temp_dir();
    fs::write(elsewhere.path().join("picture.png"), b"not a picture").unwrap();
    fs::remove_dir_all(fixture.root().join("chapters/images")).unwrap();
    symlink(elsewhere.path(), fixture.root().join("chapters/images")).unwrap();
    use_image(&fixture, "picture.png");
    let run = build(&fixture);
    assert_refused(
        &fixture,
        &run,
        &["chapters/01-harbin.md:20:1", "outside the project"],
    );
}

#[test]
fn hard_link_named_png() {
    let secret = secret();
    let fixture = prepared();
    let link = fixture.root().join("chapters/images/linked.png");
    if fs::hard_link(&secret.path, &link).is_err() {
        // Another file system: the probe cannot be set up here; a copy tests the same rule.
        fs::copy(&secret.path, &link).unwrap();
    }
    use_image(&fixture, "linked.png");
    let run = build(&fixture);
    assert_refused(
        &fixture,
        &run,
        &["chapters/01-harbin.md:20:1", "not an image"],
    );
    assert_absent(&fixture, &run, secret.marker);
}

#[test]
fn bibliography_outside_the_project() {
    let fixture = prepared();
    edit(
        &fixture,
        "chapters/book.toml",
        "bibliography = \"references.yml\"",
        "bibliography = \"../../outside.yml\"",
    );
    let run = build(&fixture);
    assert_refused(
        &fixture,
        &run,
        &["../../outside.yml", "stay inside the project"],
    );
}

#[test]
fn epub_stylesheet_symlinked_outside() {
    let secret = secret();
    let fixture = prepared();
    fs::remove_file(fixture.root().join("layouts/epub/style.css")).unwrap();
    symlink(&secret.path, fixture.root().join("layouts/epub/style.css")).unwrap();
    let run = build(&fixture);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains("layouts/epub/style.css"),
        "{}",
        run.stderr
    );
    assert_no_panic(&run);
    assert_absent(&fixture, &run, secret.marker);
}

#[test]
fn emitted_typst_never_copies_what_a_link_points_to() {
    let secret = secret();
    let fixture = prepared();
    symlink(
        &secret.path,
        fixture.root().join("chapters/images/linked.png"),
    )
    .unwrap();
    let emitted = fixture.root().join("emitted");
    let run = run(
        &fixture,
        &[
            "build",
            "--emit-typ",
            emitted.to_str().unwrap(),
            "--out",
            fixture.root().join("out").to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    for path in files_under(&emitted) {
        let bytes = fs::read(&path).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(secret.marker),
            "{}",
            path.display()
        );
    }
}

// ---- nothing is written outside `--out` ----

fn assert_slug_refused(slug: &str) {
    let fixture = prepared();
    edit(
        &fixture,
        "chapters/book.toml",
        "slug = \"fixture\"",
        &format!("slug = \"{slug}\""),
    );
    let run = build(&fixture);
    assert_refused(&fixture, &run, &["chapters/book.toml:8:8", "slug"]);
    // Nothing appeared where the slug points.
    let out = fixture.root().join("out");
    for name in [format!("{slug}-screen.pdf"), format!("{slug}.epub")] {
        assert!(!out.join(&name).exists(), "{name} was written");
    }
    assert!(!Path::new("/tmp/elsewhere").exists());
}

#[test]
fn slug_with_an_absolute_path() {
    assert_slug_refused("/tmp/elsewhere/x");
}

#[test]
fn slug_climbing_out() {
    assert_slug_refused("../../x");
}

#[test]
fn slug_empty() {
    assert_slug_refused("");
}

// ---- templates cannot turn content into code ----

/// Content that would be code if it reached Typst unescaped.
const TYPST_CODE: &str = "#read(\"/etc/hostname\")";

/// The chapter's summary set to Typst code, and a partial of another name that prints it.
fn assert_partial_escapes(partial: &str) {
    let fixture = prepared();
    edit(
        &fixture,
        "chapters/01-harbin.md",
        "summary = \"A test chapter.\"",
        &format!("summary = '{TYPST_CODE}'"),
    );
    fixture.write(
        &format!("layouts/screen/{partial}"),
        "{{ chapter.summary }}",
    );
    override_template(&fixture, "chapter.typ", |t| {
        format!("{t}\n{{% include \"{partial}\" %}}\n")
    });
    let run = build(&fixture);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let text = pdf_text(&fixture.root().join("out/fixture-screen.pdf"));
    // Typst sets the straight quotes as typographic ones; the rest is printed as written.
    assert!(
        text.contains("#read(") && text.contains("/etc/hostname"),
        "the code is printed as text"
    );
    let hostname = fs::read_to_string("/etc/hostname").unwrap_or_default();
    if !hostname.trim().is_empty() {
        assert!(!text.contains(hostname.trim()), "the file was read");
    }
}

#[test]
fn typst_partial_with_another_extension() {
    assert_partial_escapes("summary.inc");
}

#[test]
fn typst_partial_in_capitals() {
    assert_partial_escapes("summary.TYP");
}

#[test]
fn epub_partial_named_htm_escapes() {
    let fixture = prepared();
    edit(
        &fixture,
        "chapters/01-harbin.md",
        "summary = \"A test chapter.\"",
        "summary = '<script>alert(1)</script>'",
    );
    let chapter = fixture.read("layouts/epub/chapter.xhtml");
    fixture.write("layouts/epub/summary.htm", "<p>{{ chapter.summary }}</p>");
    fixture.write(
        "layouts/epub/chapter.xhtml",
        &chapter.replacen(
            "{% block content %}",
            "{% block content %}{% include \"summary.htm\" %}",
            1,
        ),
    );
    let run = build(&fixture);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let xhtml = epub_entry(&fixture, "EPUB/chapter-harbin.xhtml");
    assert!(xhtml.contains("&lt;script&gt;"), "{xhtml}");
    assert!(!xhtml.contains("<script>"));
}

#[test]
fn typst_str_in_an_epub_template() {
    let fixture = prepared();
    let chapter = fixture.read("layouts/epub/chapter.xhtml");
    fixture.write(
        "layouts/epub/chapter.xhtml",
        &chapter.replacen(
            "{% block content %}",
            "{% block content %}{{ chapter.title | typst_str }}",
            1,
        ),
    );
    let run = build(&fixture);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains("layouts/epub/chapter.xhtml:"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("typst_str"), "{}", run.stderr);
}

#[test]
fn captured_output_stripped_of_escapes() {
    let fixture = prepared();
    edit(
        &fixture,
        "chapters/01-harbin.md",
        "summary = \"A test chapter.\"",
        &format!("summary = '{TYPST_CODE}'"),
    );
    override_template(&fixture, "chapter.typ", |t| {
        format!(
            "{t}\n{{% set s %}}{{{{ chapter.summary }}}}{{% endset %}}{{{{ s | replace(\"\\\\\", \"\") }}}}\n"
        )
    });
    let run = build(&fixture);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let text = pdf_text(&fixture.root().join("out/fixture-screen.pdf"));
    assert!(squeeze(&text).contains("read("), "printed as text");
}

// ---- one URL policy ----

#[test]
fn javascript_address_in_the_bibliography() {
    let fixture = prepared();
    append(
        &fixture,
        "chapters/references.yml",
        "  url: \"javascript:alert(1)\"\n",
    );
    let run = build(&fixture);
    assert_refused(&fixture, &run, &["chapters/references.yml:", "javascript"]);
}

#[test]
fn file_address_in_the_bibliography() {
    let fixture = prepared();
    append(
        &fixture,
        "chapters/references.yml",
        "  url: \"file:///etc/passwd\"\n",
    );
    let run = build(&fixture);
    assert_refused(&fixture, &run, &["chapters/references.yml:", "file"]);
}

#[test]
fn web_link_without_a_host() {
    let fixture = prepared();
    append(
        &fixture,
        "chapters/01-harbin.md",
        "\nSee [this](https:///etc/passwd).\n",
    );
    let run = build(&fixture);
    assert_refused(&fixture, &run, &["chapters/01-harbin.md:20:", "no host"]);
}

#[test]
fn link_without_text() {
    let fixture = prepared();
    append(
        &fixture,
        "chapters/01-harbin.md",
        "\nSee [](https://example.org/).\n",
    );
    let run = build(&fixture);
    assert_refused(
        &fixture,
        &run,
        &["chapters/01-harbin.md:20:", "link needs text"],
    );
}

// ---- the terminal shows what a file holds, never obeys it ----

#[test]
fn escape_sequences_in_a_chapter_are_shown_escaped() {
    let fixture = prepared();
    append(
        &fixture,
        "chapters/01-harbin.md",
        "\nBell \u{7} and \u{1b}]0;owned\u{7} title \u{1b}[2J.\n",
    );
    let run = run_with(&fixture, &["build"], |c| {
        c.args(["--out", "/dev/null/never"]);
    });
    assert_eq!(run.code, Some(1));
    assert!(
        !run.stderr.contains('\u{1b}') && !run.stderr.contains('\u{7}'),
        "{:?}",
        run.stderr
    );
    assert!(
        run.stderr.contains("chapters/01-harbin.md:20:"),
        "{}",
        run.stderr
    );
}

// ---- no hangs, no memory exhaustion ----

fn make_fifo(path: &Path) {
    let name = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path and mode.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
}

#[test]
fn fifo_as_a_chapter() {
    let fixture = prepared();
    fs::remove_file(fixture.root().join("chapters/01-harbin.md")).unwrap();
    make_fifo(&fixture.root().join("chapters/01-harbin.md"));
    for args in [
        vec!["check"],
        vec![
            "build",
            "--out",
            fixture.root().join("out").to_str().unwrap(),
        ],
    ] {
        let run = run(&fixture, &args);
        assert_refused(&fixture, &run, &["chapters/01-harbin.md", "FIFO"]);
    }
}

#[test]
fn fifo_as_an_image() {
    let fixture = prepared();
    make_fifo(&fixture.root().join("chapters/images/pipe.png"));
    use_image(&fixture, "pipe.png");
    let run = build(&fixture);
    assert_refused(&fixture, &run, &["chapters/01-harbin.md:20:1", "FIFO"]);
}

#[test]
fn fifo_in_the_output_folder() {
    let fixture = prepared();
    make_fifo(&fixture.root().join("out/fixture-old.pdf"));
    let run = build(&fixture);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
}

#[test]
fn device_as_an_image() {
    let fixture = prepared();
    // /dev/zero reached through a link: outside the project, and not a regular file.
    symlink("/dev/zero", fixture.root().join("chapters/images/zero.png")).unwrap();
    use_image(&fixture, "zero.png");
    let run = build(&fixture);
    assert_refused(
        &fixture,
        &run,
        &["chapters/01-harbin.md:20:1", "image `images/zero.png`"],
    );
}

#[test]
fn text_multiplied_in_a_template_loop() {
    let fixture = prepared();
    override_template(&fixture, "chapter.typ", |t| {
        format!("{t}\n{{% for i in range(50) %}}{{{{ \"x\" * 90000000 }}}}{{% endfor %}}\n")
    });
    let run = build(&fixture);
    assert_refused(&fixture, &run, &["layouts/screen/chapter.typ", "MiB"]);
}

#[test]
fn a_hundred_thousand_footnotes() {
    let fixture = prepared();
    let mut text = String::from("\n");
    for i in 0..100_000 {
        text.push_str(&format!("N[^n{i}] "));
    }
    text.push('\n');
    for i in 0..100_000 {
        text.push_str(&format!("\n[^n{i}]: x"));
    }
    append(&fixture, "chapters/01-harbin.md", &text);
    let run = build(&fixture);
    assert_refused(&fixture, &run, &["chapters/01-harbin.md:", "footnotes"]);
}

#[test]
fn ten_thousand_nested_quotes() {
    let fixture = prepared();
    append(
        &fixture,
        "chapters/01-harbin.md",
        &format!("\n{}deep\n", "> ".repeat(10_000)),
    );
    let run = build(&fixture);
    assert_refused(&fixture, &run, &["chapters/01-harbin.md:20:", "nested"]);
}

// ---- every value a user can get wrong is located ----

macro_rules! located {
    ($($name:ident: $file:literal, $from:expr => $to:expr, $expect:expr;)*) => {
        $(
            #[test]
            fn $name() {
                let fixture = prepared();
                edit(&fixture, $file, $from, $to);
                let run = build(&fixture);
                assert_refused(&fixture, &run, $expect);
            }
        )*
    };
}

located! {
    a_day_that_does_not_exist: "chapters/timeline.toml", "1950-02-14" => "1950-02-30",
        &["chapters/timeline.toml:2:8", "a day that exists"];
    an_empty_identifier: "chapters/book.toml", "urn:uuid:00000000-0000-4000-8000-000000000000" => "",
        &["chapters/book.toml:4:14", "neither an ISBN-13"];
    an_isbn_with_a_wrong_check_digit: "chapters/book.toml", "urn:uuid:00000000-0000-4000-8000-000000000000" => "978-0-306-40615-8",
        &["chapters/book.toml:4:14", "check digit"];
    an_invalid_language: "chapters/book.toml", "language = \"en\"" => "language = \"english please\"",
        &["chapters/book.toml:3:12", "BCP 47"];
    an_unknown_default_edition: "chapters/book.toml", "default_edition = \"screen\"" => "default_edition = \"gold\"",
        &["chapters/book.toml:9:19", "default_edition `gold`"];
    an_unknown_citation_style: "chapters/book.toml", "bibliography = \"references.yml\"" => "bibliography = \"references.yml\"\ncitation_style = \"no-such-style\"",
        &["chapters/book.toml:11:18", "citation_style"];
    a_title_too_long: "chapters/01-harbin.md", "title = \"Harbin\"" => &format!("title = \"{}\"", "Harbin ".repeat(200)),
        &["chapters/01-harbin.md:2:", "chapter title"];
    a_character_no_font_has_in_toml: "chapters/landmarks.toml", "name = \"St. Sophia Cathedral\"" => "name = \"St. Sophia \u{13000} Cathedral\"",
        &["chapters/landmarks.toml:3:20", "U+13000"];
    a_footnote_inside_a_footnote: "chapters/01-harbin.md", "[^1]: The footnote text." => "[^1]: The footnote text.[^2]\n\n[^2]: Inner.",
        &["chapters/01-harbin.md:", "cannot hold another footnote"];
}

#[test]
fn negative_and_impossible_distances() {
    for distance in ["-2.0", "nan", "inf", "99999.0"] {
        let fixture = prepared();
        let chapter = fixture.read("chapters/01-harbin.md").replacen(
            "+++\n\nHarbin",
            &format!("\n[[itinerary]]\ntitle = \"Walk\"\ncity = \"Harbin\"\nmode = \"walk\"\nintro = \"Go.\"\n\n[[itinerary.stop]]\nlandmark = \"harbin-station\"\nnote = \"Start.\"\n\n[[itinerary.stop]]\nlandmark = \"harbin-st-sophia\"\nnote = \"End.\"\ndistance_km = {distance}\n+++\n\nHarbin"),
            1,
        );
        fixture.write("chapters/01-harbin.md", &chapter);
        let run = build(&fixture);
        assert_refused(
            &fixture,
            &run,
            &["chapters/01-harbin.md:", "is not a distance"],
        );
    }
}

#[test]
fn an_itinerary_without_stops() {
    let fixture = prepared();
    let chapter = fixture.read("chapters/01-harbin.md").replacen(
        "+++\n\nHarbin",
        "\n[[itinerary]]\ntitle = \"Walk\"\ncity = \"Harbin\"\nmode = \"walk\"\nintro = \"Go.\"\nstop = []\n+++\n\nHarbin",
        1,
    );
    fixture.write("chapters/01-harbin.md", &chapter);
    let run = build(&fixture);
    assert_refused(&fixture, &run, &["chapters/01-harbin.md:", "has 0 stops"]);
}

#[test]
fn too_many_crowded_stops() {
    let fixture = prepared();
    let mut stops = String::new();
    for i in 0..54 {
        let id = if i % 2 == 0 {
            "harbin-station"
        } else {
            "harbin-st-sophia"
        };
        stops.push_str(&format!(
            "\n[[itinerary.stop]]\nlandmark = \"{id}\"\nnote = \"Stop {i}.\"\n"
        ));
    }
    let chapter = fixture.read("chapters/01-harbin.md").replacen(
        "+++\n\nHarbin",
        &format!("\n[[itinerary]]\ntitle = \"Walk\"\ncity = \"Harbin\"\nmode = \"walk\"\nintro = \"Go.\"\n{stops}+++\n\nHarbin"),
        1,
    );
    fixture.write("chapters/01-harbin.md", &chapter);
    let run = build(&fixture);
    assert_refused(&fixture, &run, &["chapters/01-harbin.md:", "has 54 stops"]);
}

#[test]
fn two_itineraries_in_one_city() {
    let fixture = prepared();
    let walk = "\n[[itinerary]]\ntitle = \"Walk\"\ncity = \"Harbin\"\nmode = \"walk\"\nintro = \"Go.\"\n\n[[itinerary.stop]]\nlandmark = \"harbin-station\"\nnote = \"Start.\"\n\n[[itinerary.stop]]\nlandmark = \"harbin-st-sophia\"\nnote = \"End.\"\n";
    let chapter = fixture.read("chapters/01-harbin.md").replacen(
        "+++\n\nHarbin",
        &format!("{walk}{walk}+++\n\nHarbin"),
        1,
    );
    fixture.write("chapters/01-harbin.md", &chapter);
    let run = build(&fixture);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_no_panic(&run);
}

#[test]
fn empty_person_names_and_aliases() {
    for people in [
        "[[person]]\nname = \"\"\n",
        "[[person]]\nname = \"Mao Zedong\"\naliases = [\"\"]\n",
    ] {
        let fixture = prepared();
        fixture.write("chapters/people.toml", people);
        let run = build(&fixture);
        assert_refused(&fixture, &run, &["chapters/people.toml:", "non-empty name"]);
    }
}

#[test]
fn a_landmark_printed_by_two_chapters() {
    let fixture = prepared();
    edit(
        &fixture,
        "chapters/book.toml",
        "chapters = [\"harbin\"]",
        "chapters = [\"harbin\", \"again\"]",
    );
    fixture.write(
        "chapters/02-again.md",
        "+++\ntitle = \"Again\"\nlandmarks = [\"harbin-station\"]\n+++\n\nText.\n",
    );
    let run = build(&fixture);
    assert_refused(
        &fixture,
        &run,
        &["chapters/02-again.md:3:14", "already printed"],
    );
    let check = run_with(&fixture, &["check"], |_| {});
    assert_eq!(check.code, Some(1), "check finds it too: {}", check.stderr);
}

#[test]
fn a_duplicate_bibliography_key() {
    let fixture = prepared();
    append(
        &fixture,
        "chapters/references.yml",
        &REFERENCES.replace("Creating", "Again"),
    );
    let run = build(&fixture);
    assert_refused(
        &fixture,
        &run,
        &["chapters/references.yml:7:1", "defined twice"],
    );
}

/// Edition settings that are wrong are located in `edition.toml`.
fn assert_edition_refused(settings: &str, expect: &[&str]) {
    let fixture = prepared();
    fixture.write(
        "layouts/bad/edition.toml",
        &format!("inherits = \"base\"\n{settings}"),
    );
    let run = run(
        &fixture,
        &[
            "build",
            "--edition",
            "bad",
            "--out",
            fixture.root().join("out").to_str().unwrap(),
        ],
    );
    assert_refused(&fixture, &run, expect);
}

#[test]
fn a_page_ten_kilometres_wide() {
    assert_edition_refused(
        "[page]\nwidth = \"10000000mm\"\n",
        &["layouts/bad/edition.toml:3:9", "page width"],
    );
}

#[test]
fn a_font_size_of_zero() {
    assert_edition_refused(
        "[fonts]\nsize = \"0pt\"\n",
        &["layouts/bad/edition.toml:3:8", "body text size"],
    );
}

#[test]
fn too_many_columns() {
    assert_edition_refused(
        "[page]\ncolumns = 9\n",
        &["layouts/bad/edition.toml:3:11", "1 to 4 columns"],
    );
}

#[test]
fn a_colour_that_is_not_one() {
    assert_edition_refused(
        "[palette]\naccent = \"reddish\"\n",
        &["layouts/bad/edition.toml:3:10", "not a colour"],
    );
}

#[test]
fn cmyk_in_a_pdfa_edition() {
    assert_edition_refused(
        "[palette]\naccent = \"cmyk(0%, 90%, 80%, 20%)\"\n",
        &[
            "layouts/bad/edition.toml:3:10",
            "PDF/A editions need an RGB palette",
        ],
    );
}

// ---- the process behaves as a Unix tool ----

/// Run with standard output closed early, as `guidebook … | head -1` does.
fn run_into_closed_pipe(fixture: &Fixture, args: &[&str]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_guidebook"))
        .args(["--root", fixture.root().to_str().unwrap()])
        .args(args)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    Run {
        code: output.status.code(),
        stdout: String::new(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn listing_editions_into_a_closed_pipe() {
    let fixture = prepared();
    let run = run_into_closed_pipe(&fixture, &["editions"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_no_panic(&run);
}

#[test]
fn building_into_a_closed_pipe() {
    let fixture = prepared();
    let out = fixture.root().join("out");
    let run = run_into_closed_pipe(&fixture, &["build", "--out", out.to_str().unwrap()]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_no_panic(&run);
}

#[test]
fn every_failure_is_reported_when_the_manifest_cannot_be_written() {
    let fixture = prepared();
    fs::remove_file(fixture.root().join("out/manifest.json")).unwrap();
    fs::create_dir_all(fixture.root().join("out/manifest.json")).unwrap();
    fixture.write(
        "layouts/broken/edition.toml",
        "inherits = \"base\"\n[fonts]\nsans = \"Nope\"\n",
    );
    let out = fixture.root().join("out");
    let run = run(
        &fixture,
        &[
            "build",
            "--edition",
            "screen",
            "--edition",
            "broken",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("edition `broken`"), "{}", run.stderr);
    assert!(run.stderr.contains("manifest.json"), "{}", run.stderr);
}

#[test]
fn stale_temporary_files_are_removed() {
    let fixture = prepared();
    // What a build killed before its rename leaves: a temporary of a process that is gone.
    fixture.write("out/.guidebook-999999999-abc123", "half a PDF");
    let run = build(&fixture);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        !fixture
            .root()
            .join("out/.guidebook-999999999-abc123")
            .exists()
    );
}

#[test]
fn outputs_have_ordinary_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let fixture = prepared();
    let run = build(&fixture);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    for name in ["fixture-screen.pdf", "fixture.epub", "manifest.json"] {
        let mode = fs::metadata(fixture.root().join("out").join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o044,
            0o044,
            "{name} is {mode:o}: others and the group may read it"
        );
    }
}

#[test]
fn root_and_out_resolve_alike() {
    let fixture = prepared();
    fs::remove_dir_all(fixture.root().join("out")).unwrap();
    // Run from another folder: without --out, outputs go to the project's out/.
    let elsewhere = temp_dir();
    let output = Command::new(env!("CARGO_BIN_EXE_guidebook"))
        .current_dir(elsewhere.path())
        .args(["--root", fixture.root().to_str().unwrap(), "build"])
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(fixture.root().join("out/fixture-screen.pdf").is_file());
    assert!(!elsewhere.path().join("out").exists());
}
