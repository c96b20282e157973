//! `guidebook serve`, run as a user runs it: the real binary on a fixture book, asked over
//! real HTTP. Requests are written by hand on a `TcpStream` so that a path such as
//! `/../Cargo.toml` reaches the server exactly as written (an HTTP client library would
//! normalise it away), and so that the event stream can be read as it arrives.

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::bad_inputs::edit;
use crate::common::*;

/// How long a server may take to build the fixture and say where it listens (the machine
/// may be busy with other builds).
const STARTUP: Duration = Duration::from_secs(180);

/// How long a rebuild may take to reach the event stream.
const REBUILD: Duration = Duration::from_secs(60);

/// A running `guidebook serve`; dropping it kills the process, so that a failed test never
/// leaves a server behind.
pub(crate) struct Serve {
    child: Child,
    pub(crate) addr: SocketAddr,
    /// The lines the server printed after its address.
    stdout: Receiver<String>,
}

impl Serve {
    /// Start `serve --port 0` on the fixture and wait until it prints its address.
    pub(crate) fn start(fixture: &Fixture, extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_guidebook"))
            .args(["--root", fixture.root().to_str().unwrap()])
            .args(["--message-format", "short", "serve", "--port", "0"])
            .args(extra)
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the guidebook binary runs");
        let stdout = lines(child.stdout.take().unwrap());
        let mut serve = Self {
            child,
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            stdout,
        };
        let line = serve.wait_for_line(STARTUP, |l| l.contains("http://"));
        serve.addr = address(&line);
        serve
    }

    /// The first line on standard output that `wanted` accepts, within `limit`.
    fn wait_for_line(&self, limit: Duration, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stdout.recv_timeout(left) {
                Ok(line) if wanted(&line) => return line,
                Ok(_) => {}
                Err(e) => panic!("serve printed no expected line within {limit:?}: {e}"),
            }
        }
    }

    pub(crate) fn get(&self, path: &str) -> Reply {
        request(self.addr, "GET", path)
    }

    fn state(&self) -> Value {
        let reply = self.get("/state");
        assert_eq!(reply.status, 200, "{}", reply.text());
        serde_json::from_slice(&reply.body).unwrap()
    }

    pub(crate) fn page_count(&self) -> usize {
        self.state()["pages"].as_array().unwrap().len()
    }

    fn events(&self) -> Events {
        Events::open(self.addr)
    }

    /// Wait for the process to end by itself within `limit`.
    fn wait(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A pipe's lines, read on a thread so that waiting for one can time out.
pub(crate) fn lines(pipe: impl Read + Send + 'static) -> Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { return };
            if sender.send(line).is_err() {
                return;
            }
        }
    });
    receiver
}

/// The address in `… at http://127.0.0.1:PORT/ …`.
fn address(line: &str) -> SocketAddr {
    let start = line.find("http://").unwrap() + "http://".len();
    let end = start + line[start..].find('/').unwrap();
    line[start..end]
        .parse()
        .unwrap_or_else(|e| panic!("no address in {line:?}: {e}"))
}

/// A whole response.
pub(crate) struct Reply {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Reply {
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One HTTP/1.0 request with the path exactly as given; the server closes the connection
/// after answering.
fn request(addr: SocketAddr, method: &str, path: &str) -> Reply {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(REBUILD)).unwrap();
    write!(stream, "{method} {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(&raw)));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap();
    Reply {
        status,
        head,
        body: raw[split + 4..].to_vec(),
    }
}

/// A GET naming `host` as the Host (or none), as a page elsewhere would send it.
fn request_with_host(addr: SocketAddr, path: &str, host: Option<&str>) -> u16 {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(REBUILD)).unwrap();
    let host = host.map(|h| format!("Host: {h}\r\n")).unwrap_or_default();
    write!(stream, "GET {path} HTTP/1.0\r\n{host}\r\n").unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let head = String::from_utf8_lossy(&raw);
    head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap()
}

/// The `/events` stream, read event by event.
struct Events {
    stream: TcpStream,
    /// What has arrived and is not yet returned, without carriage returns.
    buffer: Vec<u8>,
}

impl Events {
    /// Connect and read the response head and the `retry` line: from then on the server
    /// has registered the stream and every rebuild reaches it.
    fn open(addr: SocketAddr) -> Self {
        let mut stream = TcpStream::connect(addr).unwrap();
        write!(stream, "GET /events HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let mut events = Self {
            stream,
            buffer: Vec::new(),
        };
        let deadline = Instant::now() + REBUILD;
        let head = events.block(deadline).expect("the event stream answers");
        assert!(head.contains("text/event-stream"), "{head}");
        let retry = events.block(deadline).expect("the event stream starts");
        assert!(retry.starts_with("retry:"), "{retry}");
        events
    }

    /// The next block of lines up to a blank line, or `None` at the deadline.
    fn block(&mut self, deadline: Instant) -> Option<String> {
        loop {
            if let Some(end) = self.buffer.windows(2).position(|w| w == b"\n\n") {
                let block: Vec<u8> = self.buffer.drain(..end + 2).collect();
                return Some(String::from_utf8_lossy(&block[..end]).into_owned());
            }
            if Instant::now() >= deadline {
                return None;
            }
            let mut chunk = [0; 4096];
            match self.stream.read(&mut chunk) {
                Ok(0) => panic!(
                    "the event stream closed; unread: {:?}",
                    String::from_utf8_lossy(&self.buffer)
                ),
                Ok(n) => self
                    .buffer
                    .extend(chunk[..n].iter().filter(|&&b| b != b'\r')),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(e) => panic!("reading the event stream: {e}"),
            }
        }
    }

    /// The next event named `name` (others are skipped), with its data as JSON.
    fn next(&mut self, name: &str) -> Value {
        let deadline = Instant::now() + REBUILD;
        loop {
            let block = self
                .block(deadline)
                .unwrap_or_else(|| panic!("no `{name}` event within {REBUILD:?}"));
            let field = |key: &str| {
                block
                    .lines()
                    .find_map(|l| l.strip_prefix(key))
                    .map(|v| v.trim_start().to_string())
            };
            if field("event:").as_deref() == Some(name) {
                return serde_json::from_str(&field("data:").unwrap()).unwrap();
            }
        }
    }
}

/// Page count of a PDF.
fn pdf_pages(path: &std::path::Path) -> usize {
    lopdf::Document::load(path).unwrap().get_pages().len()
}

#[test]
fn serve_shows_as_many_pages_as_the_pdf_of_the_edition_has() {
    let fixture = Fixture::new();
    assert_success(&fixture.build());
    let serve = Serve::start(&fixture, &[]);
    let state = serve.state();
    assert_eq!(state["edition"], "screen");
    assert!(state["errors"].as_array().unwrap().is_empty(), "{state}");
    let pages = serve.page_count();
    assert_eq!(pages, pdf_pages(&fixture.pdf_path()));
    for index in [0, pages - 1] {
        let svg = serve.get(&format!("/page/{index}.svg"));
        assert_eq!(svg.status, 200);
        assert!(svg.head.contains("image/svg+xml"), "{}", svg.head);
        assert!(svg.text().starts_with("<svg"), "{}", &svg.text()[..80]);
    }
    let page = serve.get("/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("EventSource(\"/events\")"));
}

#[test]
fn serve_of_another_edition_shows_as_many_pages_as_its_pdf() {
    let fixture = Fixture::new();
    let out = fixture.root().join("out");
    let built = guidebook(
        fixture.root(),
        &[
            "build",
            "--edition",
            "pocket",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_success(&built);
    let serve = Serve::start(&fixture, &["--edition", "pocket"]);
    assert_eq!(serve.state()["edition"], "pocket");
    assert_eq!(
        serve.page_count(),
        pdf_pages(&out.join("fixture-pocket.pdf"))
    );
}

/// The paragraph of the fixture's chapter that the edit tests change.
pub(crate) const PARAGRAPH: &str = "Text with a footnote.";

#[test]
fn an_edited_paragraph_pushes_only_its_page() {
    let fixture = Fixture::new();
    let serve = Serve::start(&fixture, &[]);
    let pages = serve.page_count();
    let before: Vec<Vec<u8>> = (0..pages)
        .map(|i| serve.get(&format!("/page/{i}.svg")).body)
        .collect();
    let mut events = serve.events();
    edit(
        &fixture,
        "chapters/01-harbin.md",
        PARAGRAPH,
        "Text with a footnote, and a second sentence the test wrote.",
    );
    let update = events.next("update");
    let changed: Vec<usize> = update["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    assert_eq!(update["pages"], pages, "{update}");
    assert!(!changed.is_empty(), "nothing changed: {update}");
    assert!(changed.len() < pages, "every page was sent again: {update}");
    for (index, before) in before.iter().enumerate() {
        let after = serve.get(&format!("/page/{index}.svg")).body;
        assert_eq!(
            &after != before,
            changed.contains(&index),
            "page {index}: the event and the SVG disagree ({update})"
        );
    }
    let text: String = changed
        .iter()
        .map(|i| serve.get(&format!("/text/{i}")).text())
        .collect();
    assert!(text.contains("second sentence"), "{text}");
    let versions = &update["state"]["pages"];
    assert_eq!(versions, &serve.state()["pages"]);
}

#[test]
fn a_syntax_error_shows_its_place_and_fixing_it_clears_it() {
    let fixture = Fixture::new();
    let serve = Serve::start(&fixture, &[]);
    let pages = serve.page_count();
    let good = fixture.read("chapters/01-harbin.md");
    let mut events = serve.events();
    edit(
        &fixture,
        "chapters/01-harbin.md",
        "title = \"Harbin\"",
        "title = \"Harbin",
    );
    let problems = events.next("problems");
    let errors = problems["errors"].as_array().unwrap();
    assert!(!errors.is_empty(), "{problems}");
    let position = errors[0]["position"].as_str().unwrap();
    let place = regex::Regex::new(r"^chapters/01-harbin\.md:2:\d+$").unwrap();
    assert!(place.is_match(position), "{position}");
    assert!(
        errors[0]["rendered"]
            .as_str()
            .unwrap()
            .contains("chapters/01-harbin.md"),
        "{problems}"
    );
    // The last good pages stay.
    assert_eq!(serve.page_count(), pages);
    assert_eq!(serve.get("/page/0.svg").status, 200);
    assert!(!serve.state()["errors"].as_array().unwrap().is_empty());
    fixture.write("chapters/01-harbin.md", &good);
    let update = events.next("update");
    assert!(
        update["state"]["errors"].as_array().unwrap().is_empty(),
        "{update}"
    );
    assert!(serve.state()["errors"].as_array().unwrap().is_empty());
}

#[test]
fn serve_answers_404_to_every_other_path() {
    let fixture = Fixture::new();
    let serve = Serve::start(&fixture, &[]);
    let pages = serve.page_count();
    let out_of_range = format!("/page/{pages}.svg");
    let text_out_of_range = format!("/text/{pages}");
    for path in [
        "/../Cargo.toml",
        "/../../../../../../etc/passwd",
        "/etc/passwd",
        "/%2e%2e/Cargo.toml",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/chapters/01-harbin.md",
        "/chapters/book.toml",
        "/layouts/base/chapter.typ",
        "/fonts/",
        "/page/../../chapters/book.toml",
        "/page/-1.svg",
        "/page/0.png",
        "/page/0.svg/../../Cargo.toml",
        &out_of_range,
        "/page/99999999999999999999999.svg",
        &text_out_of_range,
        "/state/../chapters/book.toml",
        "//etc/passwd",
        "http://example.com/",
    ] {
        let reply = serve.get(path);
        assert_eq!(reply.status, 404, "{path}: {}", reply.text());
        assert!(!reply.text().contains("[[part]]"), "{path}");
    }
    for path in ["/edition/nothing", "/edition/../screen", "/edition/%2e%2e"] {
        let reply = request(serve.addr, "POST", path);
        assert_eq!(reply.status, 404, "{path}");
    }
    assert_eq!(serve.get("/page/0.svg").status, 200);
}

/// A web page on another site that points its own name at 127.0.0.1 (DNS rebinding) sends
/// that name as the Host: nothing is served to it.
#[test]
fn serve_answers_only_requests_naming_this_machine() {
    let fixture = Fixture::new();
    let serve = Serve::start(&fixture, &[]);
    let port = serve.addr.port();
    for host in [
        Some(format!("evil.example:{port}")),
        Some("evil.example".to_string()),
        Some(format!("127.0.0.1.evil.example:{port}")),
        Some(format!("localhost:{}", port.wrapping_add(1))),
        None,
    ] {
        for path in ["/", "/state", "/page/0.svg"] {
            let status = request_with_host(serve.addr, path, host.as_deref());
            assert_eq!(status, 421, "{host:?} {path}");
        }
    }
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("LOCALHOST:{port}"),
    ] {
        assert_eq!(
            request_with_host(serve.addr, "/state", Some(&host)),
            200,
            "{host}"
        );
    }
}

/// The listening sockets in `/proc/net/tcp` (or `tcp6`) on `port`, as hex local addresses.
fn listeners(table: &str, port: u16) -> Vec<String> {
    let text = std::fs::read_to_string(table).unwrap_or_default();
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (address, local_port) = fields.get(1)?.split_once(':')?;
            let listening = fields.get(3) == Some(&"0A");
            (listening && u16::from_str_radix(local_port, 16).ok()? == port)
                .then(|| address.to_string())
        })
        .collect()
}

/// An address of this machine other than loopback, if it has one: the source address of a
/// route to a documentation address (no packet is sent).
fn outward_address() -> Option<std::net::IpAddr> {
    let socket = UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[test]
fn serve_listens_on_loopback_only() {
    let fixture = Fixture::new();
    let serve = Serve::start(&fixture, &[]);
    assert_eq!(serve.addr.ip(), Ipv4Addr::LOCALHOST);
    let port = serve.addr.port();
    assert_eq!(listeners("/proc/net/tcp", port), ["0100007F"]);
    assert!(listeners("/proc/net/tcp6", port).is_empty());
    if let Some(ip) = outward_address() {
        let refused =
            TcpStream::connect_timeout(&SocketAddr::new(ip, port), Duration::from_secs(2));
        assert!(refused.is_err(), "{ip}:{port} answered");
    } else {
        eprintln!("notice: no address besides loopback; checked the bound address only");
    }
}

/// Send `signal` to a running server: it tells the browsers, says so, and exits 0.
fn assert_stops_cleanly_on(signal: libc::c_int) {
    let fixture = Fixture::new();
    let mut serve = Serve::start(&fixture, &[]);
    let mut events = serve.events();
    let pid = libc::pid_t::try_from(serve.child.id()).unwrap();
    // SAFETY: a plain signal to our own child process.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    let status = serve
        .wait(Duration::from_secs(5))
        .expect("serve still runs 5 s after the signal");
    assert_eq!(status.code(), Some(0), "{status:?}");
    serve.wait_for_line(Duration::from_secs(1), |l| l == "stopped");
    events.next("stopped");
}

#[test]
fn sigint_stops_serve_with_exit_0() {
    assert_stops_cleanly_on(libc::SIGINT);
}

#[test]
fn sigterm_stops_serve_with_exit_0() {
    assert_stops_cleanly_on(libc::SIGTERM);
}

#[test]
fn a_typst_error_names_the_chapter_line_and_column_and_the_pages_stay() {
    let fixture = Fixture::new();
    let serve = Serve::start(&fixture, &[]);
    let pages = serve.state()["pages"].clone();
    let good = fixture.read("chapters/01-harbin.md");
    let mut events = serve.events();
    crate::bad_inputs::append(
        &fixture,
        "chapters/01-harbin.md",
        "\nA hieroglyph: \u{13000}.\n",
    );
    let problems = events.next("problems");
    let error = &problems["errors"][0];
    assert_eq!(
        error["position"], "chapters/01-harbin.md:20:15",
        "{problems}"
    );
    assert!(
        error["message"].as_str().unwrap().contains("U+13000"),
        "{problems}"
    );
    assert_eq!(serve.state()["pages"], pages, "the last good pages changed");
    fixture.write("chapters/01-harbin.md", &good);
    let update = events.next("update");
    assert!(
        update["state"]["errors"].as_array().unwrap().is_empty(),
        "{update}"
    );
}

#[test]
fn a_change_under_layouts_is_pushed() {
    let fixture = Fixture::new();
    let serve = Serve::start(&fixture, &[]);
    let mut events = serve.events();
    crate::bad_inputs::override_template(&fixture, "chapter.typ", |t| {
        t + "\nA line the screen edition's chapter template adds.\n"
    });
    let update = events.next("update");
    let changed = update["changed"].as_array().unwrap();
    assert!(!changed.is_empty(), "{update}");
    let text: String = changed
        .iter()
        .map(|i| serve.get(&format!("/text/{i}")).text())
        .collect();
    assert!(text.contains("template adds"), "{text}");
}

#[test]
fn the_edition_switcher_shows_the_other_edition() {
    let fixture = Fixture::new();
    let out = fixture.root().join("out");
    let built = guidebook(
        fixture.root(),
        &[
            "build",
            "--edition",
            "pocket",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_success(&built);
    let serve = Serve::start(&fixture, &[]);
    let editions = serve.state()["editions"].clone();
    assert!(
        editions.as_array().unwrap().contains(&"pocket".into()),
        "{editions}"
    );
    let mut events = serve.events();
    let switched = request(serve.addr, "POST", "/edition/pocket");
    assert_eq!(switched.status, 204, "{}", switched.text());
    let update = events.next("update");
    assert_eq!(update["state"]["edition"], "pocket");
    let pages = pdf_pages(&out.join("fixture-pocket.pdf"));
    assert_eq!(update["pages"], pages);
    assert_eq!(update["changed"].as_array().unwrap().len(), pages);
    assert_eq!(serve.page_count(), pages);
}

#[test]
fn a_book_broken_at_start_is_served_once_fixed() {
    let fixture = Fixture::new();
    let good = fixture.read("chapters/01-harbin.md");
    edit(
        &fixture,
        "chapters/01-harbin.md",
        "title = \"Harbin\"",
        "title = 5",
    );
    let serve = Serve::start(&fixture, &[]);
    let state = serve.state();
    assert!(state["pages"].as_array().unwrap().is_empty(), "{state}");
    assert_eq!(state["errors"][0]["position"], "chapters/01-harbin.md:2:9");
    assert_eq!(serve.get("/page/0.svg").status, 404);
    let mut events = serve.events();
    fixture.write("chapters/01-harbin.md", &good);
    let update = events.next("update");
    assert!(update["pages"].as_u64().unwrap() > 0, "{update}");
    assert!(update["state"]["errors"].as_array().unwrap().is_empty());
    assert!(serve.get("/page/0.svg").text().starts_with("<svg"));
}

#[test]
fn a_change_under_fonts_rebuilds() {
    let fixture = Fixture::new();
    let serve = Serve::start(&fixture, &[]);
    let mut events = serve.events();
    let font = std::fs::read_dir(fixture.root().join("fonts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "ttf" || e == "otf"))
        .expect("the fixture has a font");
    std::fs::copy(&font, fixture.root().join("fonts/copy-of-a-font.ttf")).unwrap();
    let update = events.next("update");
    assert!(
        update["state"]["errors"].as_array().unwrap().is_empty(),
        "{update}"
    );
}

#[test]
fn a_template_reading_outside_the_project_is_refused() {
    let fixture = Fixture::new();
    let serve = Serve::start(&fixture, &[]);
    let mut events = serve.events();
    std::os::unix::fs::symlink("/etc/hostname", fixture.root().join("layouts/outside.txt"))
        .unwrap();
    crate::bad_inputs::override_template(&fixture, "chapter.typ", |t| {
        t + "\n#read(\"/layouts/outside.txt\")\n"
    });
    let problems = events.next("problems");
    assert!(problems.to_string().contains("access denied"), "{problems}");
}

#[test]
fn page_lint_findings_follow_the_edits() {
    let fixture = Fixture::new();
    let serve = Serve::start(&fixture, &[]);
    assert_eq!(serve.state()["lint"], serde_json::json!([]));
    let good = fixture.read("chapters/01-harbin.md");
    let mut events = serve.events();
    edit(
        &fixture,
        "chapters/01-harbin.md",
        PARAGRAPH,
        "Text with a footnote; see notes.md for more.",
    );
    let update = events.next("update");
    let lint = update["state"]["lint"].as_array().unwrap();
    assert_eq!(lint.len(), 1, "{update}");
    assert_eq!(lint[0]["problem"], "BuildPath");
    assert!(lint[0]["text"].as_str().unwrap().contains("notes.md"));
    let page = lint[0]["page"].as_u64().unwrap() as usize;
    assert_eq!(update["changed"], serde_json::json!([page - 1]), "{update}");
    let rect: Vec<f64> = serde_json::from_value(lint[0]["rect"].clone()).unwrap();
    assert!(rect[0] < rect[2] && rect[1] < rect[3], "{rect:?}");
    fixture.write("chapters/01-harbin.md", &good);
    let update = events.next("update");
    assert_eq!(update["state"]["lint"], serde_json::json!([]), "{update}");
}
