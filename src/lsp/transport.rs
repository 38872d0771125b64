//! stdin and stdout as a `lsp_server::Connection`: lsp-server's own stdio transport ends the
//! session on the first body that is not a JSON-RPC message; an editor's stray message should
//! cost one error reply, not the server.

use std::io::{self, BufRead, Write};
use std::thread::JoinHandle;

use crossbeam_channel::{Sender, unbounded};
use lsp_server::{Connection, Message, Request, RequestId};

/// The reader and writer threads; join them after the connection is dropped.
pub struct Threads {
    reader: JoinHandle<()>,
    writer: JoinHandle<io::Result<()>>,
}

impl Threads {
    /// Waits for both; the writer's error (stdout closed) is the one that matters.
    pub fn join(self) -> io::Result<()> {
        // The reader ends with stdin; when the client quits without closing it, it is left.
        drop(self.reader);
        self.writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the writer thread panicked")))
    }
}

/// A connection over this process's stdin and stdout.
pub fn stdio() -> (Connection, Threads) {
    let (to_client, outgoing) = unbounded::<Message>();
    let (incoming, from_client) = unbounded::<Message>();
    let writer = std::thread::spawn(move || {
        let mut out = io::stdout().lock();
        for msg in outgoing {
            msg.write(&mut out)?;
        }
        out.flush()
    });
    // The reader holds no sender to the writer: once the server drops the connection the
    // writer drains and ends, even while a client keeps stdin open.
    let reader = std::thread::spawn(move || {
        let mut input = io::stdin().lock();
        read_all(&mut input, &incoming);
    });
    (
        Connection {
            sender: to_client,
            receiver: from_client,
        },
        Threads { reader, writer },
    )
}

/// The method a body that is not a JSON-RPC message arrives as, when it has an id to answer:
/// the server replies InvalidRequest with the reason in `params`.
pub const INVALID: &str = "$/fleetc/invalidMessage";

/// Reads framed messages until the input ends or its framing breaks (then nothing after it can
/// be trusted). A well-framed body that is not a message is passed on as [`INVALID`] when it has
/// an id, else logged.
fn read_all(input: &mut impl BufRead, incoming: &Sender<Message>) {
    loop {
        let body = match frame(input) {
            Ok(Some(body)) => body,
            Ok(None) => return,
            Err(e) => {
                log(&format!("lsp: stopped reading: {e}"));
                return;
            }
        };
        match serde_json::from_slice::<Message>(&body) {
            Ok(msg) => {
                if incoming.send(msg).is_err() {
                    return;
                }
            }
            Err(e) => {
                let id = serde_json::from_slice::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| serde_json::from_value::<RequestId>(v.get("id")?.clone()).ok());
                log(&format!("lsp: not a JSON-RPC message ({e})"));
                if let Some(id) = id {
                    let invalid = Request::new(id, INVALID.to_owned(), e.to_string());
                    if incoming.send(Message::Request(invalid)).is_err() {
                        return;
                    }
                }
            }
        }
    }
}

/// One `Content-Length` framed body; `None` at the end of the input.
fn frame(input: &mut impl BufRead) -> io::Result<Option<Vec<u8>>> {
    let mut length = None;
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let header = line.trim_end_matches(['\r', '\n']);
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = Some(
                value
                    .trim()
                    .parse::<usize>()
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?,
            );
        }
    }
    let length = length.ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "a message without Content-Length",
        )
    })?;
    // A frame larger than any spec fleetc reads (with JSON escaping) is not from an editor.
    if length > 4 * crate::load::MAX_SPEC_BYTES {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "a message larger than 128 MiB",
        ));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    Ok(Some(body))
}

/// The server's log: stderr, which editors show as the server's output (stdout is the protocol).
#[allow(clippy::print_stderr)]
fn log(line: &str) {
    eprintln!("{line}");
}
