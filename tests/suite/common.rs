//! Shared helpers: run the real binary on real projects and read the PDFs it writes; the
//! shipped book, built once per run for every test that reads it.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use guidebook::content::model::Book;
use guidebook::sandbox::Sandbox;

/// The repository root, which holds the default book.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary folder on the same file system as the repository (so fonts can be linked).
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap()
}

/// Give a fixture the repository's fonts: hard links (the sandbox refuses symlinks that
/// leave a project), copies where linking is not possible.
pub fn link_fonts(root: &Path) {
    fs::create_dir_all(root.join("fonts")).unwrap();
    for entry in fs::read_dir(repo().join("fonts")).unwrap() {
        let entry = entry.unwrap();
        let target = root.join("fonts").join(entry.file_name());
        if fs::hard_link(entry.path(), &target).is_err() {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The shipped book, loaded through the library.
pub fn load_book(root: &Path) -> Result<Book, guidebook::diagnostics::Error> {
    guidebook::content::load::load_book(&Sandbox::new(root)?)
}

/// The shipped book built once with `build --all`: every edition's PDF and the EPUB.
pub struct Shipped {
    pub dir: tempfile::TempDir,
    /// What the build printed on standard output.
    pub stdout: String,
}

impl Shipped {
    /// The output file `name` (e.g. `friendship-years-trade.pdf`).
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The PDF of an edition.
    pub fn pdf(&self, edition: &str) -> PathBuf {
        self.path(&format!("friendship-years-{edition}.pdf"))
    }

    /// The EPUB.
    pub fn epub(&self) -> PathBuf {
        self.path("friendship-years.epub")
    }
}

/// The shipped book, built on first use and shared by the tests of this run.
pub fn shipped() -> &'static Shipped {
    static SHIPPED: OnceLock<Shipped> = OnceLock::new();
    SHIPPED.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let output = guidebook(
            &repo(),
            &["build", "--all", "--out", dir.path().to_str().unwrap()],
        );
        assert_success(&output);
        Shipped {
            dir,
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        }
    })
}

/// A fixed build date, so that outputs are reproducible.
pub const EPOCH: &str = "1767225600";

/// Run `guidebook` with arguments in `root`, with a fixed `SOURCE_DATE_EPOCH`.
pub fn guidebook(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_guidebook"))
        .args([
            "--root",
            root.to_str().unwrap(),
            "--message-format",
            "short",
        ])
        .args(args)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env("NO_COLOR", "1")
        .output()
        .expect("the guidebook binary runs")
}

/// Standard error of a run, as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Assert that a run succeeded, showing its output if not.
pub fn assert_success(output: &Output) {
    assert!(
        output.status.success(),
        "guidebook failed ({:?}):\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        stderr(output)
    );
}

/// A small, complete book project in a temporary folder, sharing the repository's
/// fonts and layouts, for tests that need to break or change things.
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    /// A valid small book with one chapter, two landmarks, a timeline and a bibliography.
    pub fn new() -> Self {
        let dir = temp_dir();
        let root = dir.path();
        link_fonts(root);
        copy_dir(&repo().join("layouts"), &root.join("layouts"));
        fs::create_dir_all(root.join("chapters/images")).unwrap();
        let fixture = Self { dir };
        fixture.write("chapters/book.toml", BOOK_TOML);
        fixture.write("chapters/01-harbin.md", CHAPTER);
        fixture.write("chapters/landmarks.toml", LANDMARKS);
        fixture.write("chapters/timeline.toml", TIMELINE);
        fixture.write("chapters/references.yml", REFERENCES);
        fixture
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Write a file relative to the project root.
    pub fn write(&self, relative: &str, text: &str) {
        let path = self.root().join(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    /// Read a file relative to the project root.
    pub fn read(&self, relative: &str) -> String {
        fs::read_to_string(self.root().join(relative)).unwrap()
    }

    /// Build the default edition into `out/` of the fixture.
    pub fn build(&self) -> Output {
        guidebook(
            self.root(),
            &["build", "--out", self.root().join("out").to_str().unwrap()],
        )
    }

    /// The PDF of the default edition.
    pub fn pdf_path(&self) -> PathBuf {
        self.root().join("out/fixture-screen.pdf")
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every page's text, in order.
pub fn pdf_text(path: &Path) -> String {
    let document = lopdf::Document::load(path).unwrap();
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    document.extract_text(&pages).unwrap()
}

/// Text with all whitespace removed, for comparisons that ignore line breaks.
pub fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

pub const BOOK_TOML: &str = r#"title = "Fixture Guide"
authors = ["A. Tester"]
language = "en"
identifier = "urn:uuid:00000000-0000-4000-8000-000000000000"
publisher = "Test Press"
rights = "Test rights"
description = "A small book for tests."
slug = "fixture"
default_edition = "screen"
bibliography = "references.yml"

[[part]]
title = "Places"
chapters = ["harbin"]
"#;

pub const CHAPTER: &str = r#"+++
title = "Harbin"
summary = "A test chapter."
landmarks = ["harbin-st-sophia", "harbin-station"]
+++

Harbin grew around the [railway station](landmark:harbin-station) and
[St. Sophia](landmark:harbin-st-sophia) [](cite:carter2002).

## A section

Text with a footnote.[^1]

| Name | Year |
|------|------|
| Station | 1903 |

[^1]: The footnote text.
"#;

pub const LANDMARKS: &str = r#"[[landmark]]
id = "harbin-st-sophia"
name = "St. Sophia Cathedral"
name_zh = "圣索菲亚教堂"
pinyin = "Shèng Suǒfēiyà Jiàotáng"
name_ru = "Собор Святой Софии"
city = "Harbin"
province = "Heilongjiang"
lat = 45.7722
lon = 126.6263
precision = "building"
built = "1923–1932"
style = "Russian Byzantine revival"
status = "extant"
address = "Toulong Street"
visiting = "Open daily."
description = "A church."
sources = ["carter2002"]

[[landmark]]
id = "harbin-station"
name = "Harbin Railway Station"
name_zh = "哈尔滨站"
pinyin = "Hā'ěrbīn Zhàn"
name_ru = "Вокзал Харбин"
city = "Harbin"
province = "Heilongjiang"
lat = 45.7612
lon = 126.6316
precision = "building"
built = "1903–1904; rebuilt 2018"
style = "Art Nouveau"
status = "rebuilt"
address = "Tielu Street"
visiting = "A working station."
description = "A station."
sources = ["carter2002"]
"#;

pub const TIMELINE: &str = r#"[[event]]
date = "1950-02-14"
title = "Treaty signed"
text = "The treaty is signed in Moscow."
sources = ["carter2002"]
"#;

pub const REFERENCES: &str = r#"carter2002:
  type: book
  title: "Creating a Chinese Harbin"
  author: ["Carter, James H."]
  date: 2002
  publisher: Cornell University Press
"#;
