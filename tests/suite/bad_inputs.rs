//! Every mistake a user can make ends in a located message, exit code 1, no panic, and the
//! earlier outputs left byte-for-byte as they were.

use std::fs;
use std::sync::OnceLock;

use crate::common::*;

/// One named test per bad input: how to break a valid book, the environment of the run,
/// and what the message must say.
macro_rules! bad_inputs {
    ($($name:ident { mutate: $mutate:expr, env: $env:expr, expect: $expect:expr $(,)? })*) => {
        $(
            #[test]
            fn $name() {
                assert_refused($mutate, $env, $expect);
            }
        )*
    };
}

pub(crate) fn edit(fixture: &Fixture, file: &str, from: &str, to: &str) {
    let text = fixture.read(file);
    assert!(text.contains(from), "{file} has no {from:?}");
    fixture.write(file, &text.replacen(from, to, 1));
}

pub(crate) fn append(fixture: &Fixture, file: &str, text: &str) {
    let old = fixture.read(file);
    fixture.write(file, &format!("{old}{text}"));
}

pub(crate) fn override_template(fixture: &Fixture, name: &str, change: impl Fn(String) -> String) {
    let text = fixture.read(&format!("layouts/base/{name}"));
    fixture.write(&format!("layouts/screen/{name}"), &change(text));
}

bad_inputs! {
    template_reads_a_file_outside_the_project {
        mutate: |f| {
            std::os::unix::fs::symlink("/etc/hostname", f.root().join("layouts/outside.txt"))
                .unwrap();
            override_template(f, "chapter.typ", |t| t + "\n#read(\"/layouts/outside.txt\")\n");
        },
        env: &[],
        expect: &["access denied", "gen/chapters/harbin.typ"],
    }
    template_imports_a_package {
        mutate: |f| {
            override_template(f, "chapter.typ", |t| t + "\n#import \"@preview/cetz:0.3.0\"\n")
        },
        env: &[],
        expect: &["never downloads"],
    }
    a_character_no_font_has {
        mutate: |f| append(f, "chapters/01-harbin.md", "\nA hieroglyph: \u{13000}.\n"),
        env: &[],
        expect: &["chapters/01-harbin.md:20:15", "U+13000"],
    }
    unclosed_toml_string {
            mutate: |f| {
                edit(
                    f,
                    "chapters/01-harbin.md",
                    "title = \"Harbin\"",
                    "title = \"Harbin",
                )
            },
            env: &[],
            expect: &["chapters/01-harbin.md:2:"],
    }
    wrong_type {
            mutate: |f| {
                edit(
                    f,
                    "chapters/01-harbin.md",
                    "title = \"Harbin\"",
                    "title = 5",
                )
            },
            env: &[],
            expect: &["chapters/01-harbin.md:2:9", "invalid type"],
    }
    unknown_field_in_front_matter {
            mutate: |f| edit(f, "chapters/01-harbin.md", "summary", "colour = 1\nsummary"),
            env: &[],
            expect: &["chapters/01-harbin.md:3:1", "unknown field `colour`"],
    }
    unknown_field_in_a_landmark {
            mutate: |f| {
                edit(
                    f,
                    "chapters/landmarks.toml",
                    "style = \"Art Nouveau\"",
                    "style = \"Art Nouveau\"\nheight = 3",
                )
            },
            env: &[],
            expect: &["chapters/landmarks.toml:", "unknown field `height`"],
    }
    missing_required_field {
            mutate: |f| {
                edit(
                    f,
                    "chapters/landmarks.toml",
                    "name = \"Harbin Railway Station\"\n",
                    "",
                )
            },
            env: &[],
            expect: &["chapters/landmarks.toml:", "missing field `name`"],
    }
    unknown_status {
            mutate: |f| {
                edit(
                    f,
                    "chapters/landmarks.toml",
                    "status = \"rebuilt\"",
                    "status = \"ruined\"",
                )
            },
            env: &[],
            expect: &["chapters/landmarks.toml:33:10", "unknown variant `ruined`"],
    }
    duplicate_landmark_id {
            mutate: |f| {
                edit(
                    f,
                    "chapters/landmarks.toml",
                    "id = \"harbin-station\"",
                    "id = \"harbin-st-sophia\"",
                )
            },
            env: &[],
            expect: &["chapters/landmarks.toml:21:6", "duplicate landmark id"],
    }
    latitude_out_of_range {
            mutate: |f| {
                edit(
                    f,
                    "chapters/landmarks.toml",
                    "lat = 45.7612",
                    "lat = 145.7612",
                )
            },
            env: &[],
            expect: &["chapters/landmarks.toml:28:7", "latitude"],
    }
    link_to_a_missing_landmark {
            mutate: |f| {
                edit(
                    f,
                    "chapters/01-harbin.md",
                    "landmark:harbin-station",
                    "landmark:atlantis",
                )
            },
            env: &[],
            expect: &["chapters/01-harbin.md:7:", "unknown landmark `atlantis`"],
    }
    link_to_a_missing_chapter {
            mutate: |f| {
                append(
                    f,
                    "chapters/01-harbin.md",
                    "\nSee [elsewhere](chapter:nowhere).\n",
                )
            },
            env: &[],
            expect: &["chapters/01-harbin.md:20:", "unknown chapter `nowhere`"],
    }
    unknown_citation_key {
            mutate: |f| {
                edit(
                    f,
                    "chapters/01-harbin.md",
                    "cite:carter2002",
                    "cite:nobody1999",
                )
            },
            env: &[],
            expect: &[
                "chapters/01-harbin.md:8:",
                "unknown bibliography key `nobody1999`",
            ],
    }
    unknown_source_in_a_landmark {
            mutate: |f| {
                edit(
                    f,
                    "chapters/landmarks.toml",
                    "sources = [\"carter2002\"]",
                    "sources = [\"ghost2020\"]",
                )
            },
            env: &[],
            expect: &[
                "chapters/landmarks.toml:18:12",
                "unknown bibliography key `ghost2020`",
            ],
    }
    javascript_link {
            mutate: |f| {
                append(
                    f,
                    "chapters/01-harbin.md",
                    "\n[click](javascript:alert(1))\n",
                )
            },
            env: &[],
            expect: &[
                "chapters/01-harbin.md:20:1",
                "`javascript:` are not allowed",
            ],
    }
    file_link {
            mutate: |f| {
                append(
                    f,
                    "chapters/01-harbin.md",
                    "\n[secret](file:///etc/passwd)\n",
                )
            },
            env: &[],
            expect: &["chapters/01-harbin.md:20:1", "`file:` are not allowed"],
    }
    image_outside_the_root {
            mutate: |f| append(f, "chapters/01-harbin.md", "\n![x](../../../etc/passwd)\n"),
            env: &[],
            expect: &["chapters/01-harbin.md:20:1", "leaves the chapters folder"],
    }
    absolute_image_path {
            mutate: |f| append(f, "chapters/01-harbin.md", "\n![x](/etc/passwd)\n"),
            env: &[],
            expect: &["chapters/01-harbin.md:20:1", "absolute"],
    }
    symlink_out_of_the_root {
            mutate: |f| {
                std::os::unix::fs::symlink("/etc/hostname", f.root().join("chapters/images/host.png"))
                    .unwrap();
                append(f, "chapters/01-harbin.md", "\n![x](images/host.png)\n");
            },
            env: &[],
            expect: &["chapters/01-harbin.md:20:1", "access denied"],
    }
    missing_image {
            mutate: |f| append(f, "chapters/01-harbin.md", "\n![x](images/none.png)\n"),
            env: &[],
            expect: &["chapters/01-harbin.md:20:1", "not found"],
    }
    raw_html {
            mutate: |f| append(f, "chapters/01-harbin.md", "\n<script>alert(1)</script>\n"),
            env: &[],
            expect: &["chapters/01-harbin.md:20:1", "raw HTML"],
    }
    level_1_heading_in_a_body {
            mutate: |f| append(f, "chapters/01-harbin.md", "\n# Title\n"),
            env: &[],
            expect: &["chapters/01-harbin.md:20:1", "use `##`"],
    }
    footnote_without_definition {
            mutate: |f| append(f, "chapters/01-harbin.md", "\nText.[^missing]\n"),
            env: &[],
            expect: &["chapters/01-harbin.md:20:", "no definition"],
    }
    nul_character {
            mutate: |f| append(f, "chapters/01-harbin.md", "\nA\0B\n"),
            env: &[],
            expect: &["chapters/01-harbin.md:20:2", "NUL"],
    }
    control_character {
            mutate: |f| append(f, "chapters/01-harbin.md", "\nA\u{7}B\n"),
            env: &[],
            expect: &["chapters/01-harbin.md:20:2", "U+0007"],
    }
    u_2028_in_a_title {
            mutate: |f| {
                edit(
                    f,
                    "chapters/book.toml",
                    "Fixture Guide",
                    "Fixture\u{2028}Guide",
                )
            },
            env: &[],
            expect: &["chapters/book.toml:1:17", "U+2028"],
    }
    a_10_mb_paragraph {
            mutate: |f| append(f, "chapters/01-harbin.md", &"word ".repeat(2_000_000)),
            env: &[],
            expect: &["chapters/01-harbin.md", "larger than 4 MiB"],
    }
    invalid_utf_8 {
            mutate: |f| {
                fs::write(
                    f.root().join("chapters/01-harbin.md"),
                    b"+++\ntitle = \"Har\xffbin\"\n+++\n",
                )
                .unwrap()
            },
            env: &[],
            expect: &["chapters/01-harbin.md:2:", "UTF-8"],
    }
    utf_16_file {
            mutate: |f| {
                let utf16: Vec<u8> = [0xFF, 0xFE]
                    .into_iter()
                    .chain(
                        "+++\ntitle = \"x\"\n+++\n"
                            .encode_utf16()
                            .flat_map(u16::to_le_bytes),
                    )
                    .collect();
                fs::write(f.root().join("chapters/01-harbin.md"), utf16).unwrap();
            },
            env: &[],
            expect: &["chapters/01-harbin.md", "UTF-16"],
    }
    front_matter_not_closed {
            mutate: |f| {
                fs::write(
                    f.root().join("chapters/01-harbin.md"),
                    "+++\ntitle = \"x\"\n",
                )
                .unwrap()
            },
            env: &[],
            expect: &["chapters/01-harbin.md:1:1", "not closed"],
    }
    invalid_date {
            mutate: |f| edit(f, "chapters/timeline.toml", "1950-02-14", "1950-14-02"),
            env: &[],
            expect: &["chapters/timeline.toml:2:8", "not a date"],
    }
    chapter_listed_without_a_file {
            mutate: |f| {
                edit(
                    f,
                    "chapters/book.toml",
                    "chapters = [\"harbin\"]",
                    "chapters = [\"harbin\", \"dalian\"]",
                )
            },
            env: &[],
            expect: &["chapters/book.toml:14:23", "no chapter file for `dalian`"],
    }
    bibliography_syntax_error {
            mutate: |f| append(f, "chapters/references.yml", "broken: [\n"),
            env: &[],
            expect: &["chapters/references.yml:", "bibliography"],
    }
    figure_placed_twice {
            mutate: |f| {
                edit(
                    f,
                    "chapters/01-harbin.md",
                    "summary = ",
                    "figures = [\"map-overview\", \"map-overview\"]\nsummary = ",
                )
            },
            env: &[],
            expect: &["chapters/01-harbin.md:3:28", "already placed"],
    }
    template_syntax_error {
            mutate: |f| override_template(f, "chapter.typ", |t| t + "\n{% if %}\n"),
            env: &[],
            expect: &["layouts/screen/chapter.typ:", "template"],
    }
    template_names_a_missing_field {
            mutate: |f| override_template(f, "chapter.typ", |t| t + "\n{{ chapter.colour }}\n"),
            env: &[],
            expect: &["layouts/screen/chapter.typ:", "undefined"],
    }
    template_using_safe {
            mutate: |f| override_template(f, "chapter.typ", |t| t + "\n{{ chapter.title | safe }}\n"),
            env: &[],
            expect: &["layouts/screen/chapter.typ:", "`safe`"],
    }
    template_turning_escaping_off {
            mutate: |f| {
                override_template(f, "chapter.typ", |t| {
                    t + "\n{% autoescape false %}{{ chapter.title }}{% endautoescape %}\n"
                })
            },
            env: &[],
            expect: &["layouts/screen/chapter.typ:", "autoescape"],
    }
    endless_template_loop {
            mutate: |f| {
                override_template(f, "chapter.typ", |t| {
                    t + "\n{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}\n"
                })
            },
            env: &[],
            expect: &["layouts/screen/chapter.typ", "endless loop"],
    }
    missing_template_in_include {
            mutate: |f| {
                override_template(f, "chapter.typ", |t| {
                    t + "\n{% include \"nowhere.typ\" %}\n"
                })
            },
            env: &[],
            expect: &["layouts/screen/chapter.typ:", "nowhere.typ"],
    }
    typst_error_in_an_overridden_template {
            mutate: |f| override_template(f, "chapter.typ", |t| t + "\n#let broken = \n"),
            env: &[],
            expect: &[
                "gen/chapters/harbin.typ:",
                "generated from layouts/screen/chapter.typ for chapters/01-harbin.md",
            ],
    }
    missing_font {
            mutate: |f| {
                append(
                    f,
                    "layouts/screen/edition.toml",
                    "\n[fonts]\nserif = \"Missing Serif\"\n",
                )
            },
            env: &[],
            expect: &[
                "layouts/screen/edition.toml:",
                "unknown font `Missing Serif`",
            ],
    }
    source_date_epoch_not_a_number {
            mutate: |_| {},
            env: &[("SOURCE_DATE_EPOCH", "abc")],
            expect: &["SOURCE_DATE_EPOCH", "`abc`"],
    }
    source_date_epoch_out_of_range {
            mutate: |_| {},
            env: &[("SOURCE_DATE_EPOCH", "99999999999999")],
            expect: &["SOURCE_DATE_EPOCH"],
    }
}

/// A PDF built once from the valid fixture, to stand for "the earlier output".
fn earlier_pdf() -> &'static Vec<u8> {
    static PDF: OnceLock<Vec<u8>> = OnceLock::new();
    PDF.get_or_init(|| {
        let fixture = Fixture::new();
        assert_success(&fixture.build());
        fs::read(fixture.pdf_path()).unwrap()
    })
}

/// Break a valid book that has an earlier PDF: the build must exit 1 with every `expect`
/// part in its message, panic nowhere and leave the earlier PDF byte for byte.
fn assert_refused(mutate: fn(&Fixture), env: &[(&str, &str)], expect: &[&str]) {
    let fixture = Fixture::new();
    fixture.write("out/.keep", "");
    fs::write(fixture.pdf_path(), earlier_pdf()).unwrap();
    mutate(&fixture);
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_guidebook"));
    command
        .args([
            "--root",
            fixture.root().to_str().unwrap(),
            "--message-format",
            "short",
            "build",
        ])
        .args(["--out", fixture.root().join("out").to_str().unwrap()])
        .env("SOURCE_DATE_EPOCH", EPOCH);
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().unwrap();
    let message = stderr(&output);
    assert_eq!(
        output.status.code(),
        Some(1),
        "exit code; stderr:\n{message}"
    );
    for part in expect {
        assert!(message.contains(part), "no {part:?} in:\n{message}");
    }
    assert!(
        !message.contains("panicked") && !message.contains("RUST_BACKTRACE"),
        "{message}"
    );
    assert!(
        fs::read(fixture.pdf_path()).unwrap() == *earlier_pdf(),
        "the earlier PDF changed"
    );
}

#[test]
fn a_typst_error_names_the_template_line_that_wrote_it_once() {
    let fixture = Fixture::new();
    override_template(&fixture, "landmark.typ", |t| {
        t.replacen(
            "    fact([Style], [{{ landmark.style }}]),\n",
            "    fact([Style], [{{ landmark.style }}]),\n    fact([Oops], #oops),\n",
            1,
        )
    });
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_guidebook"))
        .args(["--root", fixture.root().to_str().unwrap(), "build"])
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .output()
        .unwrap();
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{message}");
    // Shown at the generated line, naming the template line that wrote it, once for the
    // fixture's two landmarks.
    for part in [
        "gen/chapters/harbin.typ:",
        "written by layouts/screen/landmark.typ:16: fact([Oops], #oops),",
        "the same problem occurs 1 more times",
    ] {
        assert!(message.contains(part), "no {part:?} in\n{message}");
    }
    assert_eq!(
        message.matches("is not valid in code").count(),
        1,
        "{message}"
    );
}
