//! `guidebook watch`, run as an editor runs it: the real binary on a fixture book, files
//! saved while it runs, its messages read as they come.

use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use crate::bad_inputs::edit;
use crate::common::*;
use crate::serve::{PARAGRAPH, lines};

/// How long the first build or a rebuild may take on a busy machine.
const LIMIT: Duration = Duration::from_secs(180);

/// A running `guidebook watch`, killed when dropped.
struct Watch {
    child: Child,
    stdout: Receiver<String>,
    stderr: Receiver<String>,
}

impl Watch {
    /// Start `watch` on the fixture and wait until it watches.
    fn start(fixture: &Fixture) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_guidebook"))
            .args(["--root", fixture.root().to_str().unwrap()])
            .args(["--message-format", "short", "watch"])
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the guidebook binary runs");
        let stdout = lines(child.stdout.take().unwrap());
        let stderr = lines(child.stderr.take().unwrap());
        let watch = Self {
            child,
            stdout,
            stderr,
        };
        watch.line(&watch.stdout, |l| l.starts_with("watching"));
        watch
    }

    /// The first line of `pipe` that `wanted` accepts, within [`LIMIT`].
    fn line(&self, pipe: &Receiver<String>, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + LIMIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match pipe.recv_timeout(left) {
                Ok(line) if wanted(&line) => return line,
                Ok(_) => {}
                Err(e) => panic!("watch printed no expected line within {LIMIT:?}: {e}"),
            }
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A saved paragraph rebuilds the PDF, naming the file; a mistake is reported at its line and
/// column and the last good PDF stays; fixing it rebuilds again.
#[test]
fn watch_rebuilds_on_a_save_and_keeps_the_last_good_pdf_on_a_mistake() {
    let fixture = Fixture::new();
    let watch = Watch::start(&fixture);
    let first = std::fs::read(fixture.pdf_path()).expect("the first build wrote the PDF");

    edit(
        &fixture,
        "chapters/01-harbin.md",
        PARAGRAPH,
        "Text the editor changed.",
    );
    let changed = watch.line(&watch.stdout, |l| l.starts_with("changed:"));
    assert!(changed.contains("chapters/01-harbin.md"), "{changed}");
    let rebuilt = watch.line(&watch.stdout, |l| {
        l.starts_with("rebuilt") || l.contains("failed")
    });
    assert!(rebuilt.starts_with("rebuilt"), "{rebuilt}");
    let second = std::fs::read(fixture.pdf_path()).unwrap();
    assert_ne!(first, second, "the PDF did not change");

    edit(
        &fixture,
        "chapters/01-harbin.md",
        "title = \"Harbin\"",
        "title = \"Harbin",
    );
    let problem = watch.line(&watch.stderr, |l| l.contains("chapters/01-harbin.md:"));
    let place = regex::Regex::new(r"chapters/01-harbin\.md:2:\d+: error").unwrap();
    assert!(place.is_match(&problem), "{problem}");
    let failed = watch.line(&watch.stdout, |l| l.contains("failed"));
    assert!(failed.contains("last good PDF is kept"), "{failed}");
    assert_eq!(std::fs::read(fixture.pdf_path()).unwrap(), second);

    edit(
        &fixture,
        "chapters/01-harbin.md",
        "title = \"Harbin",
        "title = \"Harbin\"",
    );
    let rebuilt = watch.line(&watch.stdout, |l| l.starts_with("rebuilt"));
    assert!(rebuilt.contains("pages"), "{rebuilt}");
}
