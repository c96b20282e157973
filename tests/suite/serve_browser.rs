//! The preview page in a real browser (headless Chromium driven by puppeteer-core): after an
//! edit the changed page's image is replaced in place, the other pages and the reader's
//! scroll position stay; a broken file shows its place over the pages until it is fixed;
//! the page's script raises no error and asks for nothing the server lacks.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::Duration;

use serde_json::Value;

use crate::bad_inputs::edit;
use crate::common::*;
use crate::serve::{PARAGRAPH, Serve, lines};

/// The browser's side: open the preview, scroll to the page that will change, say `ready`,
/// wait until that page's image has been replaced and loaded, then print what it saw; then
/// wait for the problems overlay to show and to go, printing what it showed.
const SCRIPT: &str = r##"
const puppeteer = require(process.env.PUPPETEER_CORE);
const [url, target] = [process.argv[2], Number(process.argv[3])];
(async () => {
  const browser = await puppeteer.launch({
    executablePath: process.env.PUPPETEER_EXECUTABLE_PATH,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu"],
  });
  const errors = [];
  try {
    const page = await browser.newPage();
    page.on("pageerror", e => errors.push(String(e)));
    page.on("console", m => { if (m.type() === "error") errors.push(m.text()); });
    page.on("response", r => { if (r.status() >= 400) errors.push(r.status() + " " + r.url()); });
    await page.setViewport({ width: 1000, height: 700 });
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.version !== undefined
      && document.querySelectorAll(".page img").length > 0 && events.readyState === 1);
    const id = "page-" + (target + 1);
    await page.evaluate(id => {
      document.getElementById(id).scrollIntoView();
      window.scrollBy(0, 37);
    }, id);
    await page.waitForFunction(id => {
      const img = document.querySelector("#" + id + " img");
      return img.getAttribute("src") && img.complete && img.naturalWidth > 0;
    }, {}, id);
    const before = await page.evaluate(id => {
      window.marked = document.querySelector("#" + id + " img");
      return { scroll: window.scrollY, top: document.getElementById(id).getBoundingClientRect().top, sources: [...document.querySelectorAll(".page img")].map(i => i.getAttribute("src")) };
    }, id);
    console.log("ready");
    await page.waitForFunction((id, src) => {
      const img = document.querySelector("#" + id + " img");
      return img.getAttribute("src") !== src && img.complete && img.naturalWidth > 0;
    }, { timeout: 60000 }, id, before.sources[target]);
    const after = await page.evaluate(id => ({
      scroll: window.scrollY,
      top: document.getElementById(id).getBoundingClientRect().top,
      same: document.querySelector("#" + id + " img") === window.marked,
      sources: [...document.querySelectorAll(".page img")].map(i => i.getAttribute("src")),
      status: document.getElementById("status").textContent,
    }), id);
    console.log(JSON.stringify({ before, after }));
    // A broken file: the overlay names the place; the pages stay; fixing it clears it.
    await page.waitForFunction(() => document.getElementById("problems").classList.contains("visible"),
      { timeout: 60000 });
    console.log(JSON.stringify(await page.evaluate(() => ({
      overlay: document.getElementById("problem-list").textContent,
      sources: [...document.querySelectorAll(".page img")].map(i => i.getAttribute("src")),
    }))));
    await page.waitForFunction(() => !document.getElementById("problems").classList.contains("visible"),
      { timeout: 60000 });
    console.log(JSON.stringify({ cleared: true, errors }));
  } finally {
    await browser.close();
  }
})().catch(e => { console.log(JSON.stringify({ failure: String(e), errors })); process.exit(1); });
"##;

/// puppeteer-core where `.ci/run` installs it (with DAISY Ace), and Chromium; `None` when
/// either is missing: then the test fails on CI and is skipped elsewhere.
fn browser() -> Option<(PathBuf, String)> {
    let module = repo().join(".ci/node/node_modules/puppeteer-core");
    let chromium = std::env::var("PUPPETEER_EXECUTABLE_PATH")
        .ok()
        .or_else(|| find_program(&["chromium", "chromium-browser"]));
    let node = find_program(&["node"]);
    if module.is_dir()
        && let (Some(chromium), Some(_)) = (chromium, node)
    {
        return Some((module, chromium));
    }
    assert!(
        !std::env::var("CI").is_ok_and(|v| v == "true"),
        "the browser test needs node, puppeteer-core in .ci/node and Chromium (see .ci/run)"
    );
    eprintln!("notice: node, puppeteer-core or Chromium not found; browser test skipped");
    None
}

/// The first of `names` on the PATH.
fn find_program(names: &[&str]) -> Option<String> {
    names.iter().find_map(|name| {
        Command::new("sh")
            .args(["-c", &format!("command -v {name}")])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    })
}

/// The node process, killed when dropped (and Chromium with it, as puppeteer's child).
struct Node {
    child: Child,
    stdout: Receiver<String>,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Node {
    fn line(&self) -> String {
        self.stdout
            .recv_timeout(Duration::from_secs(120))
            .expect("the browser script printed nothing within 120 s")
    }
}

/// The page (0-based) whose text contains `needle`.
fn page_with(serve: &Serve, needle: &str) -> usize {
    (0..serve.page_count())
        .find(|i| serve.get(&format!("/text/{i}")).text().contains(needle))
        .unwrap_or_else(|| panic!("no page shows {needle:?}"))
}

#[test]
fn the_browser_replaces_a_changed_page_in_place_and_shows_and_clears_problems() {
    let Some((module, chromium)) = browser() else {
        return;
    };
    let fixture = Fixture::new();
    let serve = Serve::start(&fixture, &[]);
    let target = page_with(&serve, PARAGRAPH);
    let script = fixture.root().join("preview-check.js");
    std::fs::write(&script, SCRIPT).unwrap();
    let mut child = Command::new("node")
        .arg(&script)
        .arg(format!("http://{}/", serve.addr))
        .arg(target.to_string())
        .env("PUPPETEER_CORE", &module)
        .env("PUPPETEER_EXECUTABLE_PATH", &chromium)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let node = Node {
        stdout: lines(child.stdout.take().unwrap()),
        child,
    };
    let ready = node.line();
    assert_eq!(ready, "ready", "{ready}");
    edit(
        &fixture,
        "chapters/01-harbin.md",
        PARAGRAPH,
        "Text with a footnote, and a sentence the browser must show.",
    );
    let report: Value = serde_json::from_str(&node.line()).unwrap();
    assert!(report.get("failure").is_none(), "{report}");
    let (before, after) = (&report["before"], &report["after"]);
    assert_eq!(after["same"], true, "the page was laid out again: {report}");
    // Neither the document scrolled nor did the page move under the reader (the browser's
    // scroll anchoring would hide a jump in the first, not in the second).
    assert_eq!(before["scroll"], after["scroll"], "{report}");
    assert_eq!(before["top"], after["top"], "{report}");
    assert!(before["scroll"].as_f64().unwrap() > 0.0, "{report}");
    let (old, new) = (
        before["sources"].as_array().unwrap(),
        after["sources"].as_array().unwrap(),
    );
    assert_eq!(old.len(), new.len());
    for (i, (old, new)) in old.iter().zip(new).enumerate() {
        assert_eq!(old != new, i == target, "page {i}: {old} → {new}");
    }
    let good = fixture.read("chapters/01-harbin.md");
    edit(
        &fixture,
        "chapters/01-harbin.md",
        "title = \"Harbin\"",
        "title = \"Harbin",
    );
    let overlay: Value = serde_json::from_str(&node.line()).unwrap();
    let text = overlay["overlay"].as_str().unwrap();
    assert!(text.contains("chapters/01-harbin.md:2:"), "{overlay}");
    assert_eq!(overlay["sources"], after["sources"], "the pages changed");
    fixture.write("chapters/01-harbin.md", &good);
    let cleared: Value = serde_json::from_str(&node.line()).unwrap();
    assert_eq!(cleared["cleared"], true, "{cleared}");
    assert_eq!(cleared["errors"], serde_json::json!([]), "{cleared}");
}
