//! The EPUB on a phone: chapters rendered 400 CSS pixels wide by headless Chromium, by day
//! and by night, with the size of every word on their maps and charts measured as it lands
//! on the screen.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;

/// Smallest size, in CSS pixels, of a place name on a map at 400 pixels of width.
const MIN_LABEL_PX: f64 = 10.0;
/// Smallest size of any other word of a figure (legend, scale, notes, credits).
const MIN_TEXT_PX: f64 = 8.0;

/// Node's modules with puppeteer-core (where `.ci/run` installs DAISY Ace) and Chromium.
/// `None` when either is missing: then the test fails on CI and is skipped elsewhere.
fn browser() -> Option<(PathBuf, PathBuf)> {
    let modules = std::env::var("GUIDEBOOK_NODE_MODULES")
        .map(PathBuf::from)
        .unwrap_or_else(|_| repo().join(".ci/node/node_modules"));
    let chromium = ["chromium", "chromium-browser"].iter().find_map(|name| {
        Command::new("sh")
            .args(["-c", &format!("command -v {name}")])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
    });
    let node = Command::new("node").arg("--version").output().is_ok();
    match chromium {
        Some(chromium) if node && modules.join("puppeteer-core").is_dir() => {
            Some((modules, chromium))
        }
        _ => {
            assert!(
                !std::env::var("CI").is_ok_and(|v| v == "true"),
                "Chromium, Node and puppeteer-core are required on CI (.ci/run installs them with DAISY Ace)"
            );
            eprintln!("notice: Chromium or puppeteer-core not found; phone rendering skipped");
            None
        }
    }
}

/// Every file of the EPUB, unpacked into `dir`.
fn unpack(epub: &Path, dir: &Path) {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(epub).unwrap()).unwrap();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let path = dir.join(file.name().unwrap().as_ref());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

/// Where a figure landed on the page, in CSS pixels.
#[derive(Debug)]
struct Placed {
    src: String,
    x: f64,
    y: f64,
    width: f64,
    height: f64,
}

/// Render `page` by day and by night into `day` and `night` (PNG): the figures it shows and
/// how far the view was scrolled to show the first.
fn render(
    browser: &(PathBuf, PathBuf),
    page: &Path,
    day: &Path,
    night: &Path,
) -> (Vec<Placed>, f64) {
    let script = repo().join("tests/suite/phone/phone.js");
    let output = Command::new("node")
        .arg(&script)
        .arg(&browser.0)
        .arg(page)
        .arg(day)
        .arg(night)
        .env("PUPPETEER_EXECUTABLE_PATH", &browser.1)
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "phone rendering failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let figures = json["figures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| Placed {
            src: f["src"].as_str().unwrap().to_string(),
            x: f["x"].as_f64().unwrap(),
            y: f["y"].as_f64().unwrap(),
            width: f["width"].as_f64().unwrap(),
            height: f["height"].as_f64().unwrap(),
        })
        .collect();
    (figures, json["scroll"].as_f64().unwrap())
}

/// The words of an SVG: each text's font size (inherited from its groups) and whether it is
/// a place name (inside a group of class `label`).
fn words(svg: &str) -> (f64, Vec<(f64, bool, String)>) {
    let document = roxmltree::Document::parse(svg).unwrap();
    let root = document.root_element();
    let view_width: f64 = root
        .attribute("viewBox")
        .and_then(|v| v.split_whitespace().nth(2))
        .and_then(|w| w.parse().ok())
        .expect("a viewBox");
    let mut words = Vec::new();
    for text in document.descendants().filter(|n| n.has_tag_name("text")) {
        let size = text
            .ancestors()
            .find_map(|n| n.attribute("font-size"))
            .and_then(|s| s.parse::<f64>().ok())
            .unwrap_or(16.0);
        let label = text.ancestors().any(|n| {
            n.attribute("class")
                .is_some_and(|c| c.split_whitespace().any(|c| c == "label"))
        });
        let content: String = text
            .descendants()
            .filter(|n| n.is_text())
            .filter_map(|n| n.text())
            .collect();
        words.push((size, label, content));
    }
    (view_width, words)
}

/// Mean luminance (0–1) of a rectangle of a screenshot.
fn luminance(png: &Path, (x, y, w, h): (f64, f64, f64, f64)) -> f64 {
    let image = image::open(png).unwrap().to_rgb8();
    let (x0, y0) = (x.max(0.0) as u32, y.max(0.0) as u32);
    let x1 = ((x + w) as u32).min(image.width());
    let y1 = ((y + h) as u32).min(image.height());
    let mut sum = 0.0;
    let mut count = 0.0;
    for py in y0..y1 {
        for px in x0..x1 {
            let p = image.get_pixel(px, py);
            sum += (0.2126 * p[0] as f64 + 0.7152 * p[1] as f64 + 0.0722 * p[2] as f64) / 255.0;
            count += 1.0;
        }
    }
    if count == 0.0 { 0.0 } else { sum / count }
}

#[test]
fn maps_and_charts_are_legible_on_a_phone_by_day_and_by_night() {
    let Some(browser) = browser() else { return };
    let dir = tempfile::tempdir().unwrap();
    unpack(&shipped().epub(), dir.path());
    let epub = dir.path().join("EPUB");
    // Screenshots stay where a person can look at them.
    let shots = repo().join("target/phone");
    std::fs::create_dir_all(&shots).unwrap();
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&epub)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            name.starts_with("chapter-")
                && std::fs::read_to_string(p)
                    .unwrap()
                    .contains("figure class=\"generated")
        })
        .collect();
    pages.sort();
    assert!(
        pages.len() >= 5,
        "only {} chapters show figures",
        pages.len()
    );
    let mut small: Vec<String> = Vec::new();
    let mut smallest: BTreeMap<String, f64> = BTreeMap::new();
    let mut figures_seen = 0;
    for page in &pages {
        let stem = page.file_stem().unwrap().to_string_lossy().to_string();
        let (day, night) = (
            shots.join(format!("{stem}-day.png")),
            shots.join(format!("{stem}-night.png")),
        );
        let (figures, scroll) = render(&browser, page, &day, &night);
        assert!(!figures.is_empty(), "{stem}: no figure rendered");
        for figure in &figures {
            figures_seen += 1;
            let svg = std::fs::read_to_string(epub.join(&figure.src)).unwrap();
            let (view_width, words) = words(&svg);
            let scale = figure.width / view_width;
            for (size, label, text) in &words {
                let px = size * scale;
                let least = if *label { MIN_LABEL_PX } else { MIN_TEXT_PX };
                let entry = smallest.entry(figure.src.clone()).or_insert(f64::MAX);
                *entry = entry.min(px);
                if px < least - 0.05 {
                    small.push(format!(
                        "{}: '{text}' at {px:.1} px ({}, at least {least} px)",
                        figure.src,
                        if *label { "place name" } else { "text" }
                    ));
                }
            }
        }
        // By night the page is dark and the first figure keeps its light ground.
        let first = &figures[0];
        let rect = (
            first.x,
            first.y - scroll,
            first.width,
            first.height.min(600.0),
        );
        let ground = luminance(&night, rect);
        let page_ground = luminance(&night, (0.0, 0.0, 6.0, 600.0));
        assert!(
            page_ground < 0.2,
            "{stem}: the night page is not dark ({page_ground:.2})"
        );
        assert!(
            ground > 0.7,
            "{stem}: {} loses its light ground by night (mean luminance {ground:.2}); see {}",
            first.src,
            night.display()
        );
    }
    println!("smallest text per figure, in CSS px at 400 px: {smallest:#?}");
    println!("screenshots: {}", shots.display());
    assert!(figures_seen >= 10, "only {figures_seen} figures rendered");
    small.sort();
    small.dedup();
    assert!(
        small.is_empty(),
        "{} words too small on a phone:\n{}",
        small.len(),
        small.join("\n")
    );
}
