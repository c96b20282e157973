//! Every mistake a user can make ends in a located message, exit code 1, no panic, and the
//! earlier outputs left byte-for-byte as they were.

mod common;

use std::fs;
use std::sync::OnceLock;

use common::*;

/// One bad input: how to break a valid book, and what the message must say.
struct Case {
    name: &'static str,
    mutate: fn(&Fixture),
    env: &'static [(&'static str, &'static str)],
    expect: &'static [&'static str],
}

fn edit(fixture: &Fixture, file: &str, from: &str, to: &str) {
    let text = fixture.read(file);
    assert!(text.contains(from), "{file} has no {from:?}");
    fixture.write(file, &text.replacen(from, to, 1));
}

fn append(fixture: &Fixture, file: &str, text: &str) {
    let old = fixture.read(file);
    fixture.write(file, &format!("{old}{text}"));
}

fn override_template(fixture: &Fixture, name: &str, change: impl Fn(String) -> String) {
    let text = fixture.read(&format!("layouts/base/{name}"));
    fixture.write(&format!("layouts/screen/{name}"), &change(text));
}

const CASES: &[Case] = &[
    Case {
        name: "unclosed TOML string",
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
    },
    Case {
        name: "wrong type",
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
    },
    Case {
        name: "unknown field in front matter",
        mutate: |f| edit(f, "chapters/01-harbin.md", "summary", "colour = 1\nsummary"),
        env: &[],
        expect: &["chapters/01-harbin.md:3:1", "unknown field `colour`"],
    },
    Case {
        name: "unknown field in a landmark",
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
    },
    Case {
        name: "missing required field",
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
    },
    Case {
        name: "unknown status",
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
    },
    Case {
        name: "duplicate landmark id",
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
    },
    Case {
        name: "latitude out of range",
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
    },
    Case {
        name: "link to a missing landmark",
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
    },
    Case {
        name: "link to a missing chapter",
        mutate: |f| {
            append(
                f,
                "chapters/01-harbin.md",
                "\nSee [elsewhere](chapter:nowhere).\n",
            )
        },
        env: &[],
        expect: &["chapters/01-harbin.md:20:", "unknown chapter `nowhere`"],
    },
    Case {
        name: "unknown citation key",
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
    },
    Case {
        name: "unknown source in a landmark",
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
    },
    Case {
        name: "javascript: link",
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
    },
    Case {
        name: "file: link",
        mutate: |f| {
            append(
                f,
                "chapters/01-harbin.md",
                "\n[secret](file:///etc/passwd)\n",
            )
        },
        env: &[],
        expect: &["chapters/01-harbin.md:20:1", "`file:` are not allowed"],
    },
    Case {
        name: "image outside the root",
        mutate: |f| append(f, "chapters/01-harbin.md", "\n![x](../../../etc/passwd)\n"),
        env: &[],
        expect: &["chapters/01-harbin.md:20:1", "leaves the chapters folder"],
    },
    Case {
        name: "absolute image path",
        mutate: |f| append(f, "chapters/01-harbin.md", "\n![x](/etc/passwd)\n"),
        env: &[],
        expect: &["chapters/01-harbin.md:20:1", "absolute"],
    },
    Case {
        name: "symlink out of the root",
        mutate: |f| {
            std::os::unix::fs::symlink("/etc/hostname", f.root().join("chapters/images/host.png"))
                .unwrap();
            append(f, "chapters/01-harbin.md", "\n![x](images/host.png)\n");
        },
        env: &[],
        expect: &["chapters/01-harbin.md:20:1", "access denied"],
    },
    Case {
        name: "missing image",
        mutate: |f| append(f, "chapters/01-harbin.md", "\n![x](images/none.png)\n"),
        env: &[],
        expect: &["chapters/01-harbin.md:20:1", "not found"],
    },
    Case {
        name: "raw HTML",
        mutate: |f| append(f, "chapters/01-harbin.md", "\n<script>alert(1)</script>\n"),
        env: &[],
        expect: &["chapters/01-harbin.md:20:1", "raw HTML"],
    },
    Case {
        name: "level-1 heading in a body",
        mutate: |f| append(f, "chapters/01-harbin.md", "\n# Title\n"),
        env: &[],
        expect: &["chapters/01-harbin.md:20:1", "use `##`"],
    },
    Case {
        name: "footnote without definition",
        mutate: |f| append(f, "chapters/01-harbin.md", "\nText.[^missing]\n"),
        env: &[],
        expect: &["chapters/01-harbin.md:20:", "no definition"],
    },
    Case {
        name: "NUL character",
        mutate: |f| append(f, "chapters/01-harbin.md", "\nA\0B\n"),
        env: &[],
        expect: &["chapters/01-harbin.md:20:2", "NUL"],
    },
    Case {
        name: "control character",
        mutate: |f| append(f, "chapters/01-harbin.md", "\nA\u{7}B\n"),
        env: &[],
        expect: &["chapters/01-harbin.md:20:2", "U+0007"],
    },
    Case {
        name: "U+2028 in a title",
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
    },
    Case {
        name: "a 10 MB paragraph",
        mutate: |f| append(f, "chapters/01-harbin.md", &"word ".repeat(2_000_000)),
        env: &[],
        expect: &["chapters/01-harbin.md", "larger than 4 MiB"],
    },
    Case {
        name: "invalid UTF-8",
        mutate: |f| {
            fs::write(
                f.root().join("chapters/01-harbin.md"),
                b"+++\ntitle = \"Har\xffbin\"\n+++\n",
            )
            .unwrap()
        },
        env: &[],
        expect: &["chapters/01-harbin.md:2:", "UTF-8"],
    },
    Case {
        name: "UTF-16 file",
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
    },
    Case {
        name: "front matter not closed",
        mutate: |f| {
            fs::write(
                f.root().join("chapters/01-harbin.md"),
                "+++\ntitle = \"x\"\n",
            )
            .unwrap()
        },
        env: &[],
        expect: &["chapters/01-harbin.md:1:1", "not closed"],
    },
    Case {
        name: "invalid date",
        mutate: |f| edit(f, "chapters/timeline.toml", "1950-02-14", "1950-14-02"),
        env: &[],
        expect: &["chapters/timeline.toml:2:8", "not a date"],
    },
    Case {
        name: "chapter listed without a file",
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
    },
    Case {
        name: "bibliography syntax error",
        mutate: |f| append(f, "chapters/references.yml", "broken: [\n"),
        env: &[],
        expect: &["chapters/references.yml:", "bibliography"],
    },
    Case {
        name: "figure placed twice",
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
    },
    Case {
        name: "template syntax error",
        mutate: |f| override_template(f, "chapter.typ", |t| t + "\n{% if %}\n"),
        env: &[],
        expect: &["layouts/screen/chapter.typ:", "template"],
    },
    Case {
        name: "template names a missing field",
        mutate: |f| override_template(f, "chapter.typ", |t| t + "\n{{ chapter.colour }}\n"),
        env: &[],
        expect: &["layouts/screen/chapter.typ:", "undefined"],
    },
    Case {
        name: "template using safe",
        mutate: |f| override_template(f, "chapter.typ", |t| t + "\n{{ chapter.title | safe }}\n"),
        env: &[],
        expect: &["layouts/screen/chapter.typ:", "`safe`"],
    },
    Case {
        name: "template turning escaping off",
        mutate: |f| {
            override_template(f, "chapter.typ", |t| {
                t + "\n{% autoescape false %}{{ chapter.title }}{% endautoescape %}\n"
            })
        },
        env: &[],
        expect: &["layouts/screen/chapter.typ:", "autoescape"],
    },
    Case {
        name: "endless template loop",
        mutate: |f| {
            override_template(f, "chapter.typ", |t| {
                t + "\n{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}\n"
            })
        },
        env: &[],
        expect: &["layouts/screen/chapter.typ", "endless loop"],
    },
    Case {
        name: "missing template in include",
        mutate: |f| {
            override_template(f, "chapter.typ", |t| {
                t + "\n{% include \"nowhere.typ\" %}\n"
            })
        },
        env: &[],
        expect: &["layouts/screen/chapter.typ:", "nowhere.typ"],
    },
    Case {
        name: "Typst error in an overridden template",
        mutate: |f| override_template(f, "chapter.typ", |t| t + "\n#let broken = \n"),
        env: &[],
        expect: &[
            "gen/chapters/harbin.typ:",
            "generated from layouts/screen/chapter.typ for chapters/01-harbin.md",
        ],
    },
    Case {
        name: "missing font",
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
    },
    Case {
        name: "SOURCE_DATE_EPOCH not a number",
        mutate: |_| {},
        env: &[("SOURCE_DATE_EPOCH", "abc")],
        expect: &["SOURCE_DATE_EPOCH", "`abc`"],
    },
    Case {
        name: "SOURCE_DATE_EPOCH out of range",
        mutate: |_| {},
        env: &[("SOURCE_DATE_EPOCH", "99999999999999")],
        expect: &["SOURCE_DATE_EPOCH"],
    },
];

/// A PDF built once from the valid fixture, to stand for "the earlier output".
fn earlier_pdf() -> &'static Vec<u8> {
    static PDF: OnceLock<Vec<u8>> = OnceLock::new();
    PDF.get_or_init(|| {
        let fixture = Fixture::new();
        assert_success(&fixture.build());
        fs::read(fixture.pdf_path()).unwrap()
    })
}

#[test]
fn bad_inputs_are_located_and_leave_outputs_alone() {
    assert!(CASES.len() >= 30);
    let mut failures = Vec::new();
    for case in CASES {
        let fixture = Fixture::new();
        fixture.write("out/.keep", "");
        fs::write(fixture.pdf_path(), earlier_pdf()).unwrap();
        (case.mutate)(&fixture);
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
        for (key, value) in case.env {
            command.env(key, value);
        }
        let output = command.output().unwrap();
        let message = stderr(&output);
        let mut problems = Vec::new();
        if output.status.code() != Some(1) {
            problems.push(format!("exit code {:?}", output.status.code()));
        }
        for part in case.expect {
            if !message.contains(part) {
                problems.push(format!("no {part:?}"));
            }
        }
        if message.contains("panicked") || message.contains("RUST_BACKTRACE") {
            problems.push("a panic".into());
        }
        if fs::read(fixture.pdf_path()).unwrap() != *earlier_pdf() {
            problems.push("the earlier PDF changed".into());
        }
        if !problems.is_empty() {
            failures.push(format!("{}: {}\n{message}", case.name, problems.join(", ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
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
        "written by layouts/screen/landmark.typ:18: fact([Oops], #oops),",
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
