//! Benchmarks of `guidebook serve`, run with `cargo bench --bench serve` (release build).
//!
//! - `latency`: a cold `build` of the edition against the time from writing a one-paragraph
//!   edit to the changed page's SVG having arrived over HTTP, measured on the real binary
//!   the way a browser sees it (event stream, then the page), watcher delay included. The
//!   goal is at most a tenth of the cold build.
//! - `raster`: drawing a page as SVG (what the preview serves) against rasterising it with
//!   typst-render and encoding it as PNG, per page, at the resolutions a browser needs.
//!
//! A plain harness, like `pipeline`: medians after a warm-up run.

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use guidebook::Project;
use guidebook::preview::{Outcome, Preview};
use guidebook::sandbox::Sandbox;

/// Runs per measurement (after a warm-up run).
const RUNS: usize = 5;

/// The chapter and the sentence the edit changes (as in `pipeline`'s incremental group).
const CHAPTER: &str = "chapters/07-harbin.md";
const SENTENCE: &str = "The Soviet contribution here";

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(duration: Duration) -> String {
    format!("{:8.1} ms", duration.as_secs_f64() * 1000.0)
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The book in a temporary folder, so that edits never touch the repository. Fonts are
/// hard-linked: the sandbox refuses a symlink that leads out of the project.
fn copy_project(to: &Path) {
    std::fs::create_dir_all(to.join("fonts")).unwrap();
    for entry in std::fs::read_dir(repo().join("fonts")).unwrap() {
        let entry = entry.unwrap();
        let target = to.join("fonts").join(entry.file_name());
        if std::fs::hard_link(entry.path(), &target).is_err() {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    copy_dir(&repo().join("layouts"), &to.join("layouts"));
    copy_dir(&repo().join("chapters"), &to.join("chapters"));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The chapter with the sentence changed, differently for every `run`.
fn edited(original: &str, run: usize) -> String {
    assert!(original.contains(SENTENCE), "{CHAPTER} has no {SENTENCE:?}");
    original.replacen(
        SENTENCE,
        &format!("The Soviet contribution (edit {run}) here"),
        1,
    )
}

/// A cold `guidebook build --edition NAME`: a new process, nothing cached.
fn cold_build(root: &Path, edition: &str) -> Duration {
    let out = root.join("out");
    let run = || {
        let started = Instant::now();
        let status = Command::new(env!("CARGO_BIN_EXE_guidebook"))
            .args([
                "--root",
                root.to_str().unwrap(),
                "build",
                "--edition",
                edition,
            ])
            .args(["--out", out.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "the build of {edition} failed");
        started.elapsed()
    };
    run();
    median((0..RUNS).map(|_| run()).collect())
}

/// A running `guidebook serve`, killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn start(root: &Path, edition: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_guidebook"))
            .args([
                "--root",
                root.to_str().unwrap(),
                "serve",
                "--edition",
                edition,
            ])
            .args(["--port", "0"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let line = stdout
            .lines()
            .map(Result::unwrap)
            .find(|l| l.contains("http://"))
            .expect("serve prints its address");
        let start = line.find("http://").unwrap() + "http://".len();
        let end = start + line[start..].find('/').unwrap();
        let addr = line[start..end].parse().unwrap();
        Self { child, addr }
    }

    /// The body of `GET path`.
    fn get(&self, path: &str) -> Vec<u8> {
        let mut stream = TcpStream::connect(self.addr).unwrap();
        write!(stream, "GET {path} HTTP/1.0\r\nHost: {}\r\n\r\n", self.addr).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        assert_eq!(head.split(' ').nth(1), Some("200"), "{path}: {head}");
        raw.split_off(split + 4)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The event stream, read up to the next `update` event.
struct Events {
    stream: TcpStream,
    buffer: Vec<u8>,
}

impl Events {
    fn open(addr: SocketAddr) -> Self {
        let mut stream = TcpStream::connect(addr).unwrap();
        write!(stream, "GET /events HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(120)))
            .unwrap();
        let mut events = Self {
            stream,
            buffer: Vec::new(),
        };
        // The head, then `retry:`: from here on the server sends every rebuild.
        events.block();
        events.block();
        events
    }

    fn block(&mut self) -> String {
        loop {
            if let Some(end) = self.buffer.windows(2).position(|w| w == b"\n\n") {
                let block: Vec<u8> = self.buffer.drain(..end + 2).collect();
                return String::from_utf8_lossy(&block[..end]).into_owned();
            }
            let mut chunk = [0; 65536];
            match self.stream.read(&mut chunk) {
                Ok(0) => panic!("the event stream closed"),
                Ok(n) => self
                    .buffer
                    .extend(chunk[..n].iter().filter(|&&b| b != b'\r')),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => panic!("reading the event stream: {e}"),
            }
        }
    }

    /// The pages (0-based) the next `update` event names.
    fn next_update(&mut self) -> Vec<usize> {
        loop {
            let block = self.block();
            if !block.lines().any(|l| l == "event: update") {
                assert!(
                    !block.contains("event: problems"),
                    "the edit broke the build"
                );
                continue;
            }
            let data = block
                .lines()
                .find_map(|l| l.strip_prefix("data: "))
                .unwrap();
            let data: serde_json::Value = serde_json::from_str(data).unwrap();
            return data["changed"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as usize)
                .collect();
        }
    }
}

/// From writing the edit to the first changed page's SVG received, as a browser sees it;
/// also how many pages changed.
fn edit_to_page(root: &Path, edition: &str) -> (Duration, usize) {
    let server = Server::start(root, edition);
    let mut events = Events::open(server.addr);
    let chapter = root.join(CHAPTER);
    let original = std::fs::read_to_string(&chapter).unwrap();
    let mut samples = Vec::new();
    let mut changed_pages = 0;
    for run in 0..=RUNS {
        let started = Instant::now();
        std::fs::write(&chapter, edited(&original, run)).unwrap();
        let changed = events.next_update();
        let first = *changed.first().expect("the edit changed a page");
        let svg = server.get(&format!("/page/{first}.svg"));
        assert!(svg.starts_with(b"<svg"));
        if run > 0 {
            samples.push(started.elapsed());
            changed_pages = changed.len();
        }
    }
    std::fs::write(&chapter, original).unwrap();
    (median(samples), changed_pages)
}

/// The same edit in-process: `Preview::rebuild` (load, render, compile in the same compiler
/// state, draw the changed pages), without the watcher's delay or HTTP.
fn preview_rebuild(root: &Path, edition: &str) -> Duration {
    let sandbox = Sandbox::new(root).unwrap();
    let mut preview = Preview::new(&sandbox, Some(edition.to_string())).unwrap();
    assert!(matches!(preview.rebuild(), Outcome::Updated { .. }));
    let chapter = root.join(CHAPTER);
    let original = std::fs::read_to_string(&chapter).unwrap();
    let mut samples = Vec::new();
    for run in 0..=RUNS {
        std::fs::write(&chapter, edited(&original, run + 100)).unwrap();
        let started = Instant::now();
        assert!(matches!(preview.rebuild(), Outcome::Updated { .. }));
        if run > 0 {
            samples.push(started.elapsed());
        }
    }
    std::fs::write(&chapter, original).unwrap();
    median(samples)
}

fn latency(edition: &str) {
    let dir = tempfile::tempdir().unwrap();
    copy_project(dir.path());
    let cold = cold_build(dir.path(), edition);
    let (warm, changed) = edit_to_page(dir.path(), edition);
    let rebuild = preview_rebuild(dir.path(), edition);
    println!(
        "serve {edition:<7} cold build {}  edit→page {}  ratio {:.3}  ({changed} page(s) changed; Preview::rebuild alone {})",
        ms(cold),
        ms(warm),
        warm.as_secs_f64() / cold.as_secs_f64(),
        ms(rebuild)
    );
}

/// Every `step`-th page of the edition, laid out.
fn sample_pages(edition: &str, step: usize) -> Vec<typst_layout::Page> {
    let project = Project::open(&repo()).unwrap();
    let document = project
        .document(&project.edition(edition).unwrap())
        .unwrap();
    document.pages().iter().step_by(step).cloned().collect()
}

/// Time `f` over all `pages`, per page (median of the runs after a warm-up), and the mean
/// size of what it made.
fn per_page(
    pages: &[typst_layout::Page],
    f: impl Fn(&typst_layout::Page) -> usize,
) -> (Duration, usize) {
    let bytes: usize = pages.iter().map(&f).sum();
    let samples = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            for page in pages {
                std::hint::black_box(f(page));
            }
            started.elapsed() / pages.len() as u32
        })
        .collect();
    (median(samples), bytes / pages.len())
}

fn raster(edition: &str) {
    let pages = sample_pages(edition, 8);
    let svg_options = typst_svg::SvgOptions {
        render_bleed: true,
        pretty: false,
    };
    let (svg, svg_bytes) = per_page(&pages, |page| typst_svg::svg(page, &svg_options).len());
    println!(
        "raster {edition:<7} {} pages sampled: SVG {} per page ({} KiB)",
        pages.len(),
        ms(svg),
        svg_bytes / 1024
    );
    // A browser's pixels per point at zoom 1: 96/72 on an ordinary screen, twice that on a
    // high-density one.
    for (label, pixel_per_pt) in [("1x", 96.0 / 72.0), ("2x", 192.0 / 72.0)] {
        let options = typst_render::RenderOptions {
            pixel_per_pt: pixel_per_pt.into(),
            render_bleed: true,
        };
        let (draw, _) = per_page(&pages, |page| {
            typst_render::render(page, &options).data().len()
        });
        let (png, png_bytes) = per_page(&pages, |page| {
            typst_render::render(page, &options)
                .encode_png()
                .unwrap()
                .len()
        });
        println!(
            "raster {edition:<7} PNG {label}: render {} per page, render+encode {} per page ({} KiB)",
            ms(draw),
            ms(png),
            png_bytes / 1024
        );
    }
}

fn main() {
    // `cargo bench --bench serve -- NAME` runs only the groups whose name contains NAME.
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()));
    // SAFETY: set before any other thread starts.
    unsafe { std::env::set_var("SOURCE_DATE_EPOCH", "1767225600") };
    // The edition `serve` opens by default, and the print edition.
    for edition in ["screen", "trade"] {
        if wanted("latency") {
            latency(edition);
        }
        if wanted("raster") {
            raster(edition);
        }
    }
}
