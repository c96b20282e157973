//! `guidebook serve`: a live preview of an edition on `127.0.0.1`, updated in place as
//! files under `chapters/`, `layouts/` or `fonts/` change. The browser receives the numbers
//! of the pages that changed (Server-Sent Events) and fetches only those.

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use guidebook::diagnostics::{self, Error, Result};
use guidebook::preview::{Outcome, Preview, Snapshot};
use guidebook::sandbox::Sandbox;
use serde::Serialize;
use tiny_http::{Header, Method, Request, Response, Server, StatusCode};

use super::changes::Changes;
use super::say;
use crate::cli::{Cli, ServeArgs};

/// The page the browser loads: layout, spreads, zoom, edition switcher, updates.
const PAGE: &str = include_str!("preview.html");

/// How long to wait after a change for the rest of an editor's save. An editor writes a
/// file (or a copy and a rename) within a few milliseconds; every millisecond waited here
/// is one more before the page shows, and a save split across two rebuilds costs only a
/// second rebuild (at worst a moment's error overlay in between).
const SETTLE: Duration = Duration::from_millis(30);

/// Set by Ctrl-C: the server stops and says so.
static STOP: AtomicBool = AtomicBool::new(false);

/// The state shared by the request handlers and the rebuilder.
struct Shared {
    preview: Mutex<Preview>,
    /// One sender per open event stream.
    listeners: Mutex<Vec<Sender<String>>>,
    /// Event streams still writing, so that stopping can wait for them to say so.
    streams: AtomicUsize,
    /// The port listened on: a request must name this machine at this port as its host.
    port: u16,
}

impl Shared {
    /// Send an event to every browser; forget those that went away.
    fn broadcast(&self, event: &str, data: &str) {
        let message = format!("event: {event}\ndata: {data}\n\n");
        if let Ok(mut listeners) = self.listeners.lock() {
            listeners.retain(|l| l.send(message.clone()).is_ok());
        }
    }

    /// Tell every browser the server stops, close the streams and wait (briefly) until each
    /// has written that: a browser told stops reconnecting and says the preview ended.
    fn close_streams(&self) {
        self.broadcast("stopped", "{}");
        if let Ok(mut listeners) = self.listeners.lock() {
            listeners.clear();
        }
        let deadline = Instant::now() + Duration::from_secs(2);
        while self.streams.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Rebuild and tell the browsers what changed (or what went wrong).
    fn rebuild(&self) {
        let started = Instant::now();
        let Ok(mut preview) = self.preview.lock() else {
            return;
        };
        let outcome = preview.rebuild();
        let (event, data) = match &outcome {
            Outcome::Updated { changed, pages } => (
                "update",
                serde_json::to_string(&Update {
                    changed,
                    pages: *pages,
                    state: preview.snapshot(),
                }),
            ),
            Outcome::Failed => ("problems", serde_json::to_string(preview.snapshot())),
        };
        drop(preview);
        self.broadcast(event, &data.unwrap_or_default());
        match outcome {
            Outcome::Updated { changed, pages } => say(format_args!(
                "updated {} of {pages} pages in {:.2} s",
                changed.len(),
                started.elapsed().as_secs_f64()
            )),
            Outcome::Failed => say("the build failed; the last good pages stay (see the browser)"),
        }
    }
}

/// The `update` event: the pages drawn again (0-based), how many there are, and the state
/// the browser lays them out from.
#[derive(Serialize)]
struct Update<'a> {
    changed: &'a [usize],
    pages: usize,
    state: &'a Snapshot,
}

pub fn run(cli: &Cli, args: &ServeArgs) -> Result<()> {
    let sandbox = Sandbox::new(&cli.root)?;
    // Watched from the start, so that a file saved during the first build is not missed.
    let changes = Changes::watch(sandbox.root(), SETTLE, None)?;
    let started = Instant::now();
    let mut preview = Preview::new(&sandbox, args.edition.clone())?;
    preview.rebuild();
    if !preview.snapshot().errors.is_empty() {
        say("the first build failed; fix the problem and the preview updates");
    }
    let server = Server::http(("127.0.0.1", args.port))
        .map_err(|e| Error::msg(format!("cannot listen on 127.0.0.1:{}: {e}", args.port)))?;
    install_interrupt();
    let shared = Arc::new(Shared {
        preview: Mutex::new(preview),
        listeners: Mutex::new(Vec::new()),
        streams: AtomicUsize::new(0),
        port: server.server_addr().to_ip().map_or(args.port, |a| a.port()),
    });
    let rebuilder = shared.clone();
    std::thread::spawn(move || rebuild_on_change(&changes, &rebuilder));
    // Printed last: whoever reads the address (a person, an editor, a script) may use it at
    // once, and Ctrl-C and changes to the files are already heeded.
    announce(&server, &shared, args.port, started);
    serve(&server, &shared)?;
    shared.close_streams();
    say("stopped");
    Ok(())
}

/// Print the edition, its size and the address (the real port when 0 asked for any).
fn announce(server: &Server, shared: &Shared, asked: u16, started: Instant) {
    let port = server.server_addr().to_ip().map_or(asked, |a| a.port());
    let Ok(preview) = shared.preview.lock() else {
        return;
    };
    say(format_args!(
        "preview of `{}` ({} pages, {:.1} s) at http://127.0.0.1:{port}/ (Ctrl-C to stop)",
        preview.snapshot().edition,
        preview.snapshot().pages.len(),
        started.elapsed().as_secs_f64()
    ));
}

/// Answer requests, each on its own thread (event streams stay open), until Ctrl-C.
fn serve(server: &Server, shared: &Arc<Shared>) -> Result<()> {
    while !STOP.load(Ordering::Relaxed) {
        match server.recv_timeout(Duration::from_millis(200)) {
            Ok(Some(request)) => {
                let shared = shared.clone();
                std::thread::spawn(move || respond(request, &shared));
            }
            Ok(None) => {}
            Err(e) => return Err(Error::msg(format!("the preview server stopped: {e}"))),
        }
    }
    Ok(())
}

/// Ctrl-C (or SIGTERM) sets [`STOP`]; the request loop sees it within a fifth of a second.
fn install_interrupt() {
    // A second handler cannot be set; then Ctrl-C simply ends the process.
    let _ = ctrlc::set_handler(|| STOP.store(true, Ordering::Relaxed));
}

/// Rebuild after each burst of changes, reloading fonts when `fonts/` changed.
fn rebuild_on_change(changes: &Changes, shared: &Shared) {
    while let Some(changed) = changes.next() {
        if changes.touches_fonts(&changed)
            && let Ok(mut preview) = shared.preview.lock()
            && let Err(error) = preview.reload_fonts()
        {
            diagnostics::emit(&error.diagnostics, diagnostics::MessageFormat::Short);
        }
        shared.rebuild();
    }
}

/// Answer one request: the page, the state, a page's SVG, the event stream, or 404.
fn respond(request: Request, shared: &Shared) {
    if !local_host(&request, shared.port) {
        return reply(
            request,
            421,
            "text/plain",
            b"this preview answers only 127.0.0.1 and localhost".to_vec(),
        );
    }
    let url = request.url().to_string();
    let path = url.split('?').next().unwrap_or("");
    let method = request.method().clone();
    match (method, path) {
        (Method::Get, "/") => reply(
            request,
            200,
            "text/html; charset=utf-8",
            PAGE.as_bytes().to_vec(),
        ),
        (Method::Get, "/state") => {
            let body = shared
                .preview
                .lock()
                .map(|p| serde_json::to_vec(p.snapshot()).unwrap_or_default())
                .unwrap_or_default();
            reply(request, 200, "application/json", body);
        }
        (Method::Get, "/events") => events(request, shared),
        (Method::Post, _) if path.starts_with("/edition/") => {
            let name = &path["/edition/".len()..];
            let known = shared
                .preview
                .lock()
                .map(|p| p.snapshot().editions.iter().any(|e| e == name))
                .unwrap_or(false);
            if !known {
                return reply(request, 404, "text/plain", b"no such edition".to_vec());
            }
            if let Ok(mut preview) = shared.preview.lock() {
                preview.switch(name);
            }
            shared.rebuild();
            reply(request, 204, "text/plain", Vec::new());
        }
        (Method::Get, _) if path.starts_with("/page/") && path.ends_with(".svg") => {
            let index = path["/page/".len()..path.len() - 4].parse::<usize>().ok();
            let svg = index.and_then(|i| shared.preview.lock().ok()?.page_svg(i));
            match svg {
                Some(svg) => reply(request, 200, "image/svg+xml", svg.as_bytes().to_vec()),
                None => reply(request, 404, "text/plain", b"no such page".to_vec()),
            }
        }
        (Method::Get, _) if path.starts_with("/text/") => {
            let index = path["/text/".len()..].parse::<usize>().ok();
            let text = index.and_then(|i| shared.preview.lock().ok()?.page_text(i));
            match text {
                Some(text) => reply(
                    request,
                    200,
                    "text/plain; charset=utf-8",
                    text.as_bytes().to_vec(),
                ),
                None => reply(request, 404, "text/plain", b"no such page".to_vec()),
            }
        }
        // Nothing else is served: no file of the project, nothing outside it.
        _ => reply(request, 404, "text/plain", b"not found".to_vec()),
    }
}

/// Whether the request names this machine as its host. A web page elsewhere could point a
/// name of its own at 127.0.0.1 (DNS rebinding) and read the preview through the reader's
/// browser; its requests carry that name, and are refused.
fn local_host(request: &Request, port: u16) -> bool {
    let Some(host) = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Host"))
        .map(|h| h.value.as_str().to_ascii_lowercase())
    else {
        return false;
    };
    ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .any(|name| host == format!("{name}:{port}"))
}

fn reply(request: Request, status: u16, content_type: &str, body: Vec<u8>) {
    let header = Header::from_bytes("Content-Type", content_type).expect("a valid header");
    let cache = Header::from_bytes("Cache-Control", "no-store").expect("a valid header");
    let response = Response::from_data(body)
        .with_status_code(StatusCode(status))
        .with_header(header)
        .with_header(cache);
    let _ = request.respond(response);
}

/// An event stream: one `update` or `problems` event per rebuild, written and flushed as
/// it happens, a comment every 15 seconds to keep the connection open, until the browser
/// leaves or the server, stopping, has sent its last event and closed the channel.
fn events(request: Request, shared: &Shared) {
    let (sender, receiver) = mpsc::channel();
    let _open = OpenStream::new(&shared.streams);
    if let Ok(mut listeners) = shared.listeners.lock() {
        listeners.push(sender);
    }
    let mut writer = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\nretry: 1000\n\n";
    if writer
        .write_all(head.as_bytes())
        .and_then(|()| writer.flush())
        .is_err()
    {
        return;
    }
    loop {
        let message = match receiver.recv_timeout(Duration::from_secs(15)) {
            Ok(message) => message,
            Err(mpsc::RecvTimeoutError::Timeout) => ": keep-alive\n\n".to_string(),
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        };
        if writer
            .write_all(message.as_bytes())
            .and_then(|()| writer.flush())
            .is_err()
        {
            return;
        }
    }
}

/// Counts an event stream as open for as long as it lives.
struct OpenStream<'a>(&'a AtomicUsize);

impl<'a> OpenStream<'a> {
    fn new(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Self(count)
    }
}

impl Drop for OpenStream<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}
