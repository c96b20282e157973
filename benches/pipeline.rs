//! Benchmarks of the pipeline's stages, per edition, plus an incremental rebuild and a
//! 10× scale test. Run with `cargo bench` (release build); prints medians.
//!
//! A plain harness (no criterion) keeps the dependency tree small; each measurement is the
//! median of several runs after one warm-up.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use guidebook::Project;

/// Runs per measurement (after a warm-up run).
const RUNS: usize = 5;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Time `f`, starting each run with an empty memoization cache, so that no run profits
/// from the work of the one before (comemo's cache is global to the process).
fn measure<T>(mut f: impl FnMut() -> T) -> Duration {
    f();
    median(
        (0..RUNS)
            .map(|_| {
                comemo::evict(0);
                let started = Instant::now();
                std::hint::black_box(f());
                started.elapsed()
            })
            .collect(),
    )
}

fn ms(duration: Duration) -> String {
    format!("{:8.1} ms", duration.as_secs_f64() * 1000.0)
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn stages(project: &Project, edition_name: &str) {
    let edition = project.edition(edition_name).expect("edition loads");
    let render = measure(|| project.render(&edition).expect("renders"));
    let generated = project.render(&edition).unwrap();
    let compile = measure(|| {
        let mut world = project.world();
        world.set_generated(generated.files.clone(), &generated.images);
        guidebook::output::pdf::compile(&world, &generated.origins).expect("compiles")
    });
    let mut world = project.world();
    world.set_generated(generated.files.clone(), &generated.images);
    let (document, _) = guidebook::output::pdf::compile(&world, &generated.origins).unwrap();
    let export = measure(|| {
        guidebook::output::pdf::export(
            &world,
            &document,
            "bench",
            edition.standard,
            edition.print.is_none(),
            &generated.origins,
        )
        .expect("exports")
    });
    let whole = measure(|| project.build_pdf(&edition).expect("builds"));
    println!(
        "{edition_name:<8} load+render {}  compile {}  export {}  whole build {}",
        ms(render),
        ms(compile),
        ms(export),
        ms(whole)
    );
}

/// Compile, change one paragraph of one chapter, compile again in the same world.
fn incremental(root: &Path) {
    let dir = tempfile::tempdir().unwrap();
    copy_project(root, dir.path(), 1);
    let chapter = dir.path().join("chapters/07-harbin.md");
    let original = std::fs::read_to_string(&chapter).unwrap();
    let project = Project::open(dir.path()).unwrap();
    let edition = project.edition("trade").unwrap();
    let cold = measure(|| project.build_pdf(&edition).unwrap());
    let mut world = project.world();
    let mut cache = guidebook::figures::FigureCache::default();
    project
        .build_pdf_in(&mut world, &edition, Some(&mut cache))
        .unwrap();
    let mut samples = Vec::new();
    for i in 0..=RUNS {
        let edited = original.replacen(
            "The Soviet contribution here",
            &format!("The Soviet contribution (edit {i}) here"),
            1,
        );
        std::fs::write(&chapter, edited).unwrap();
        let started = Instant::now();
        let project = Project::open_with_fonts(&project.sandbox, project.fonts.clone()).unwrap();
        project
            .build_pdf_in(&mut world, &edition, Some(&mut cache))
            .unwrap();
        comemo::evict(10);
        if i > 0 {
            samples.push(started.elapsed());
        }
    }
    let warm = median(samples);
    println!(
        "incremental (trade, one paragraph edited): cold {}  rebuild {}  ratio {:.2}",
        ms(cold),
        ms(warm),
        warm.as_secs_f64() / cold.as_secs_f64()
    );
}

/// Copy the book into `to`, with every chapter and landmark repeated `times` times.
fn copy_project(from: &Path, to: &Path, times: usize) {
    // Fonts are hard-linked: the sandbox refuses a symlink that leads out of the project.
    std::fs::create_dir_all(to.join("fonts")).unwrap();
    for entry in std::fs::read_dir(from.join("fonts")).unwrap() {
        let entry = entry.unwrap();
        let target = to.join("fonts").join(entry.file_name());
        if std::fs::hard_link(entry.path(), &target).is_err() {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    copy_dir(&from.join("layouts"), &to.join("layouts"));
    copy_dir(&from.join("chapters"), &to.join("chapters"));
    if times == 1 {
        return;
    }
    let chapters = to.join("chapters");
    let sandbox = guidebook::sandbox::Sandbox::new(from).unwrap();
    let book = guidebook::content::load::load_book(&sandbox).unwrap();
    let ids: Vec<String> = book
        .landmarks
        .iter()
        .map(|l| l.id.get_ref().clone())
        .collect();
    let rename = |text: &str, copy: usize| -> String {
        let mut text = text.to_string();
        for id in &ids {
            text = text.replace(&format!("\"{id}\""), &format!("\"{id}-x{copy}\""));
            text = text.replace(
                &format!("landmark:{id})"),
                &format!("landmark:{id}-x{copy})"),
            );
        }
        for chapter in book.parts.iter().flat_map(|p| &p.chapters) {
            text = text.replace(
                &format!("chapter:{})", chapter.slug),
                &format!("chapter:{}-x{copy})", chapter.slug),
            );
        }
        // A figure is printed once: copies do not place the originals' figures again.
        text.lines()
            .filter(|l| !l.starts_with("figures = "))
            .map(|l| format!("{l}\n"))
            .collect::<String>()
    };
    let landmarks = std::fs::read_to_string(chapters.join("landmarks.toml")).unwrap();
    let mut all_landmarks = landmarks.clone();
    let mut book_toml = std::fs::read_to_string(chapters.join("book.toml")).unwrap();
    for copy in 2..=times {
        all_landmarks.push_str(&rename(&landmarks, copy));
        let mut slugs = Vec::new();
        for chapter in book.parts.iter().flat_map(|p| &p.chapters) {
            let text = std::fs::read_to_string(from.join(&chapter.file.name)).unwrap();
            let slug = format!("{}-x{copy}", chapter.slug);
            std::fs::write(chapters.join(format!("99-{slug}.md")), rename(&text, copy)).unwrap();
            slugs.push(format!("\"{slug}\""));
        }
        book_toml.push_str(&format!(
            "\n[[part]]\ntitle = \"Copy {copy}\"\nchapters = [{}]\n",
            slugs.join(", ")
        ));
    }
    std::fs::write(chapters.join("landmarks.toml"), all_landmarks).unwrap();
    std::fs::write(chapters.join("book.toml"), book_toml).unwrap();
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

/// Peak resident memory of a child process, sampled from /proc while it runs.
fn run_measuring_memory(command: &mut Command) -> (Duration, u64) {
    let started = Instant::now();
    let mut child = command.spawn().expect("the guidebook binary runs");
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0;
    loop {
        let status = std::fs::read_to_string(&status_path).unwrap_or_default();
        if let Some(line) = status.lines().find(|l| l.starts_with("VmHWM:")) {
            let kib: u64 = line
                .split_whitespace()
                .nth(1)
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            peak_kib = peak_kib.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            if !status.success() {
                let output = command
                    .stderr(std::process::Stdio::piped())
                    .output()
                    .unwrap();
                panic!("build failed: {}", String::from_utf8_lossy(&output.stderr));
            }
            return (started.elapsed(), peak_kib);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn binary() -> PathBuf {
    let path = repo().join("target/release/guidebook");
    assert!(
        path.is_file(),
        "build the binary first: cargo build --release"
    );
    path
}

fn build_command(root: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(binary());
    command
        .args(["--root", root.to_str().unwrap(), "build"])
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1767225600");
    command
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    command
}

/// The default book and a book ten times its size: time and peak memory of a build.
fn scale(root: &Path) {
    let mut rows = Vec::new();
    for times in [1, 10] {
        let dir = tempfile::tempdir().unwrap();
        copy_project(root, dir.path(), times);
        let out = dir.path().join("out");
        let runs: Vec<(Duration, u64)> = (0..3)
            .map(|_| {
                run_measuring_memory(&mut build_command(
                    dir.path(),
                    &["--edition", "screen", "--out", out.to_str().unwrap()],
                ))
            })
            .collect();
        let time = median(runs.iter().map(|r| r.0).collect());
        let peak = runs.iter().map(|r| r.1).max().unwrap();
        let pages = lopdf::Document::load(out.join("friendship-years-screen.pdf"))
            .unwrap()
            .get_pages()
            .len();
        println!(
            "scale {times:>2}×: {pages:5} pages  {}  peak {:6.0} MiB",
            ms(time),
            peak as f64 / 1024.0
        );
        rows.push((time, peak));
    }
    println!(
        "scale 10× / 1×: time {:.2}×, peak memory {:.2}×",
        rows[1].0.as_secs_f64() / rows[0].0.as_secs_f64(),
        rows[1].1 as f64 / rows[0].1 as f64
    );
}

/// `build --all` against the sum of the single builds, and its peak memory.
fn all_editions(root: &Path) {
    let out = tempfile::tempdir().unwrap();
    let out_arg = out.path().to_str().unwrap().to_string();
    let project = Project::open(root).unwrap();
    let mut sum = Duration::ZERO;
    for name in project.edition_names().unwrap() {
        let runs: Vec<Duration> = (0..3)
            .map(|_| {
                run_measuring_memory(&mut build_command(
                    root,
                    &["--edition", &name, "--out", &out_arg],
                ))
                .0
            })
            .collect();
        sum += median(runs);
    }
    let runs: Vec<(Duration, u64)> = (0..3)
        .map(|_| run_measuring_memory(&mut build_command(root, &["--all", "--out", &out_arg])))
        .collect();
    let all = median(runs.iter().map(|r| r.0).collect());
    let peak = runs.iter().map(|r| r.1).max().unwrap();
    println!(
        "--all {}  vs sum of single builds {}  ratio {:.2}  peak {:.0} MiB",
        ms(all),
        ms(sum),
        all.as_secs_f64() / sum.as_secs_f64(),
        peak as f64 / 1024.0
    );
}

fn main() {
    // `cargo bench -- NAME` runs only the groups whose name contains NAME.
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()));
    // SAFETY: set before any other thread starts.
    unsafe { std::env::set_var("SOURCE_DATE_EPOCH", "1767225600") };
    let root = repo();
    if wanted("stages") {
        let project = Project::open(&root).expect("the default book loads");
        for edition in project.edition_names().unwrap() {
            stages(&project, &edition);
        }
    }
    if wanted("incremental") {
        incremental(&root);
    }
    if wanted("all") {
        all_editions(&root);
    }
    if wanted("scale") {
        scale(&root);
    }
}
