//! `fleetc lsp`: a language server over stdio. It compiles each open spec as `fleetc build`
//! would (debounced while typing) and publishes the same diagnostics, and answers go to
//! definition, find references, rename, hover (what `fleetc explain` says), completion of names
//! in reference positions and quick fixes.
//!
//! The protocol plumbing is rust-analyzer's `lsp-server` (synchronous, one thread: a fleet spec
//! compiles in milliseconds); the messages are `lsp-types`. Each request reads the [`Analysis`]
//! of the document's current text, compiling it first when an edit is still waiting for its
//! debounce, so no answer is about text the editor no longer shows.

mod actions;
mod analysis;
mod complete;
mod hover;
mod navigate;
pub mod symbols;
mod text;
mod transport;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{self as note, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{
    CodeActionKind, CodeActionProviderCapability, CompletionOptions, DiagnosticRelatedInformation,
    DiagnosticSeverity, HoverProviderCapability, Location, NumberOrString, OneOf,
    PublishDiagnosticsParams, RenameOptions, ServerCapabilities, ServerInfo,
    TextDocumentSyncCapability, TextDocumentSyncKind, Url,
};

pub use analysis::Analysis;
pub use transport::{Threads, stdio};

use crate::diagnostic::{Diagnostic, Severity};

/// How long the server waits after an edit before compiling: typing stays responsive, and a
/// pause shows the diagnostics.
pub const DEBOUNCE: Duration = Duration::from_millis(200);

/// The longest an edited document waits for its compile while requests keep arriving.
pub const MAX_WAIT: Duration = Duration::from_secs(1);

/// How a session ended.
#[derive(Debug, PartialEq, Eq)]
pub enum End {
    /// `shutdown`, then `exit` (or the client closed the connection).
    Clean,
    /// `exit` without `shutdown`: the protocol asks for exit code 1.
    ExitWithoutShutdown,
}

/// Serves one client until it shuts down or the connection closes.
pub fn serve(conn: &Connection) -> Result<End, String> {
    let caps = serde_json::to_value(capabilities()).map_err(|e| e.to_string())?;
    let init = serde_json::json!({
        "capabilities": caps,
        "serverInfo": ServerInfo { name: "fleetc".into(), version: Some(env!("CARGO_PKG_VERSION").into()) },
    });
    // Requests before `initialize` get ServerNotInitialized (lsp-server's initialize_start).
    // The `initialized` notification that follows is not waited for: a client that sends
    // `didOpen` first is served all the same.
    let (id, _params) = conn.initialize_start().map_err(|e| e.to_string())?;
    send(conn, Message::Response(Response::new_ok(id, init)));
    let mut server = Server::default();
    let mut shut_down = false;
    loop {
        let msg = match server.dirty_since {
            None => match conn.receiver.recv() {
                Ok(m) => m,
                Err(_) => return Ok(End::Clean),
            },
            Some(since) => {
                // The debounce, but never more than MAX_WAIT after the first waiting edit.
                let wait = DEBOUNCE.min(MAX_WAIT.saturating_sub(since.elapsed()));
                match conn.receiver.recv_timeout(wait) {
                    Ok(m) => m,
                    Err(e) if e.is_timeout() => {
                        server.flush(conn);
                        continue;
                    }
                    Err(_) => return Ok(End::Clean),
                }
            }
        };
        match msg {
            Message::Request(r) => {
                let response = if shut_down {
                    Response::new_err(
                        r.id,
                        ErrorCode::InvalidRequest as i32,
                        "the server is shutting down: only `exit` is left".to_owned(),
                    )
                } else if r.method == transport::INVALID {
                    Response::new_err(
                        r.id,
                        ErrorCode::InvalidRequest as i32,
                        format!("not a JSON-RPC request: {}", r.params),
                    )
                } else if r.method == req::Shutdown::METHOD {
                    shut_down = true;
                    // Nothing is compiled or published after shutdown.
                    server.dirty.clear();
                    server.dirty_since = None;
                    Response::new_ok(r.id, ())
                } else {
                    server.request(conn, r)
                };
                send(conn, Message::Response(response));
            }
            Message::Notification(n) => {
                if n.method == note::Exit::METHOD {
                    return Ok(if shut_down {
                        End::Clean
                    } else {
                        End::ExitWithoutShutdown
                    });
                }
                if !shut_down {
                    server.notification(conn, n);
                }
            }
            Message::Response(_) => {}
        }
    }
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            lsp_types::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                // Saving compiles again: the files around the spec may have changed.
                save: Some(lsp_types::TextDocumentSyncSaveOptions::Supported(true)),
                ..Default::default()
            },
        )),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![
                ":".into(),
                " ".into(),
                "[".into(),
                ",".into(),
                "-".into(),
            ]),
            ..Default::default()
        }),
        code_action_provider: Some(CodeActionProviderCapability::Options(
            lsp_types::CodeActionOptions {
                code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                ..Default::default()
            },
        )),
        ..Default::default()
    }
}

/// An open document.
struct Document {
    path: PathBuf,
    text: String,
    version: Option<i32>,
    /// The analysis of `text`; `None` while an edit waits for its debounce.
    analysis: Option<Arc<Analysis>>,
    /// The last analysis whose text was YAML: completion's names while the text is not.
    parsed: Option<Arc<Analysis>>,
}

#[derive(Default)]
struct Server {
    docs: BTreeMap<Url, Document>,
    /// Documents edited since their last compile.
    dirty: BTreeSet<Url>,
    /// When the oldest of them was edited.
    dirty_since: Option<Instant>,
}

impl Server {
    /// Compiles every document waiting for it and publishes its diagnostics.
    fn flush(&mut self, conn: &Connection) {
        for uri in std::mem::take(&mut self.dirty) {
            self.analysed(conn, &uri);
        }
        self.dirty_since = None;
    }

    /// `uri` no longer waits for a compile; the wait clock stops with the last one.
    fn settled(&mut self, uri: &Url) {
        self.dirty.remove(uri);
        if self.dirty.is_empty() {
            self.dirty_since = None;
        }
    }

    /// The document's analysis, compiling (and publishing) first if it is stale.
    fn analysed(&mut self, conn: &Connection, uri: &Url) -> Option<Arc<Analysis>> {
        let doc = self.docs.get_mut(uri)?;
        if let Some(a) = &doc.analysis {
            return Some(a.clone());
        }
        let a = Arc::new(Analysis::new(doc.text.clone(), &doc.path));
        doc.analysis = Some(a.clone());
        if a.tree.is_some() {
            doc.parsed = Some(a.clone());
        }
        let version = doc.version;
        self.settled(uri);
        let diagnostics = a.diagnostics.iter().map(|d| to_lsp(d, &a, uri)).collect();
        publish(conn, uri.clone(), diagnostics, version);
        Some(a)
    }

    fn notification(&mut self, conn: &Connection, n: Notification) {
        match n.method.as_str() {
            note::DidOpenTextDocument::METHOD => {
                let Some(p) = params::<note::DidOpenTextDocument>(n) else {
                    return;
                };
                let uri = p.text_document.uri;
                let Some(path) = path_of(&uri) else { return };
                self.docs.insert(
                    uri.clone(),
                    Document {
                        path,
                        text: p.text_document.text,
                        version: Some(p.text_document.version),
                        analysis: None,
                        parsed: None,
                    },
                );
                self.analysed(conn, &uri);
            }
            note::DidChangeTextDocument::METHOD => {
                let Some(p) = params::<note::DidChangeTextDocument>(n) else {
                    return;
                };
                let uri = p.text_document.uri;
                if let (Some(doc), Some(change)) = (
                    self.docs.get_mut(&uri),
                    p.content_changes.into_iter().last(),
                ) {
                    // Full synchronisation: the last change is the whole text.
                    doc.text = change.text;
                    doc.version = Some(p.text_document.version);
                    doc.analysis = None;
                    self.dirty.insert(uri);
                    self.dirty_since.get_or_insert_with(Instant::now);
                }
            }
            note::DidSaveTextDocument::METHOD | note::DidChangeWatchedFiles::METHOD => {
                // The files around a spec (bases, charts, pins) may have changed: compile every
                // open spec again, now.
                for doc in self.docs.values_mut() {
                    doc.analysis = None;
                }
                self.dirty.extend(self.docs.keys().cloned());
                self.flush(conn);
            }
            note::DidCloseTextDocument::METHOD => {
                let Some(p) = params::<note::DidCloseTextDocument>(n) else {
                    return;
                };
                let uri = p.text_document.uri;
                self.docs.remove(&uri);
                self.settled(&uri);
                publish(conn, uri, Vec::new(), None);
            }
            _ => {}
        }
    }

    fn request(&mut self, conn: &Connection, r: Request) -> Response {
        let id = r.id.clone();
        let result = match r.method.as_str() {
            req::GotoDefinition::METHOD => self.with::<req::GotoDefinition>(conn, r, |a, p| {
                let uri = p.text_document_position_params.text_document.uri.clone();
                navigate::definition(a, &uri, p.text_document_position_params.position)
            }),
            req::References::METHOD => self.with::<req::References>(conn, r, |a, p| {
                let uri = p.text_document_position.text_document.uri.clone();
                navigate::references(
                    a,
                    &uri,
                    p.text_document_position.position,
                    p.context.include_declaration,
                )
            }),
            req::PrepareRenameRequest::METHOD => {
                self.with::<req::PrepareRenameRequest>(conn, r, |a, p| {
                    navigate::prepare_rename(a, p.position)
                })
            }
            req::Rename::METHOD => self.with_result::<req::Rename>(conn, r, |a, p| {
                let uri = p.text_document_position.text_document.uri.clone();
                navigate::rename(a, &uri, p.text_document_position.position, &p.new_name)
            }),
            req::HoverRequest::METHOD => self.with::<req::HoverRequest>(conn, r, |a, p| {
                hover::hover(a, p.text_document_position_params.position)
            }),
            req::Completion::METHOD => {
                let parsed =
                    document_of(&r.params).and_then(|uri| self.docs.get(&uri)?.parsed.clone());
                self.with::<req::Completion>(conn, r, |a, p| {
                    complete::complete(a, parsed.as_deref(), p.text_document_position.position)
                })
            }
            req::CodeActionRequest::METHOD => {
                self.with::<req::CodeActionRequest>(conn, r, |a, p| {
                    actions::actions(a, &p.text_document.uri, p.range)
                })
            }
            _ => Err((
                ErrorCode::MethodNotFound as i32,
                format!("fleetc lsp does not handle {}", r.method),
            )),
        };
        match result {
            Ok(v) => Response::new_ok(id, v),
            Err((code, message)) => Response::new_err(id, code, message),
        }
    }

    /// Answers request `R` with `f` over the analysis of its document.
    fn with<R>(
        &mut self,
        conn: &Connection,
        r: Request,
        f: impl FnOnce(&Analysis, &R::Params) -> R::Result,
    ) -> Result<serde_json::Value, (i32, String)>
    where
        R: req::Request,
    {
        self.with_result::<R>(conn, r, |a, p| Ok(f(a, p)))
    }

    fn with_result<R>(
        &mut self,
        conn: &Connection,
        r: Request,
        f: impl FnOnce(&Analysis, &R::Params) -> Result<R::Result, String>,
    ) -> Result<serde_json::Value, (i32, String)>
    where
        R: req::Request,
    {
        let params: R::Params = serde_json::from_value(r.params)
            .map_err(|e| (ErrorCode::InvalidParams as i32, e.to_string()))?;
        let uri = document_of(&serde_json::to_value(&params).unwrap_or_default()).ok_or((
            ErrorCode::InvalidParams as i32,
            "no textDocument".to_owned(),
        ))?;
        let Some(a) = self.analysed(conn, &uri) else {
            // A document the client never opened: nothing to say about it.
            return Ok(serde_json::Value::Null);
        };
        let result = f(&a, &params).map_err(|m| (ErrorCode::RequestFailed as i32, m))?;
        serde_json::to_value(result).map_err(|e| (ErrorCode::InternalError as i32, e.to_string()))
    }
}

/// The document a request's params name: `textDocument.uri`, where every request this server
/// answers has it (lsp-types flattens `TextDocumentPositionParams` into them).
fn document_of(params: &serde_json::Value) -> Option<Url> {
    serde_json::from_value(params.pointer("/textDocument/uri")?.clone()).ok()
}

fn path_of(uri: &Url) -> Option<PathBuf> {
    if uri.scheme() == "file" {
        uri.to_file_path().ok()
    } else {
        // An unsaved buffer: its paths resolve against the working directory.
        Some(PathBuf::from(
            uri.path_segments()
                .and_then(|mut s| s.next_back())
                .unwrap_or("fleetc.yaml"),
        ))
    }
}

/// A notification's params, when they are what its method says.
fn params<N: lsp_types::notification::Notification>(n: Notification) -> Option<N::Params> {
    serde_json::from_value(n.params).ok()
}

/// Sends a document's diagnostics (an empty list clears them).
fn publish(
    conn: &Connection,
    uri: Url,
    diagnostics: Vec<lsp_types::Diagnostic>,
    version: Option<i32>,
) {
    let params = PublishDiagnosticsParams {
        uri,
        diagnostics,
        version,
    };
    send(
        conn,
        Message::Notification(Notification::new(
            note::PublishDiagnostics::METHOD.to_owned(),
            params,
        )),
    );
}

fn send(conn: &Connection, msg: Message) {
    // A closed channel means the client is gone; the main loop sees it on its next receive.
    let _ = conn.sender.send(msg);
}

/// A fleetc diagnostic as the protocol has it: the primary label's range, the code, the message
/// with the label's text and the help, and the other labels as related information.
fn to_lsp(d: &Diagnostic, a: &Analysis, uri: &Url) -> lsp_types::Diagnostic {
    let text = a.text();
    let primary = d.labels.first();
    let range = a
        .lines
        .range(text, &primary.map_or(0..0, |l| l.span.clone()));
    let mut message = d.message.clone();
    if let Some(file) = &d.file {
        message = format!("{file}: {message}");
    }
    if let Some(l) = primary.filter(|l| !l.text.is_empty()) {
        message.push_str(&format!("\n{}", l.text));
    }
    if let Some(h) = &d.help {
        message.push_str(&format!("\nhelp: {h}"));
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .skip(1)
        .map(|l| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), a.lines.range(text, &l.span)),
            message: l.text.clone(),
        })
        .collect();
    lsp_types::Diagnostic {
        range,
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.as_str().to_owned())),
        source: Some("fleetc".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Default::default()
    }
}
