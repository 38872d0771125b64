//! `fleetc lsp` over stdio, driven by a scripted client as an editor drives it: the real binary,
//! Content-Length framed JSON-RPC on its stdin and stdout, on a copy of the example.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{copy_dir, repo};

/// Long enough for a loaded CI machine; a hung server fails the test rather than the run.
const WAIT: Duration = Duration::from_secs(60);

struct Client {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next: i64,
    /// Notifications that arrived while waiting for a response.
    notes: Vec<Value>,
    uri: String,
}

impl Client {
    fn start(dir: &Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_fleetc"))
            .arg("lsp")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    if out.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        len = n.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; len.expect("a Content-Length header")];
                out.read_exact(&mut body).unwrap();
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        let uri = format!(
            "file://{}",
            dir.join("fleetc.yaml").canonicalize().unwrap().display()
        );
        let mut c = Client {
            child,
            stdin,
            rx,
            next: 0,
            notes: Vec::new(),
            uri,
        };
        let init = c.request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": {}}),
        );
        let caps = &init["result"]["capabilities"];
        for cap in [
            "definitionProvider",
            "referencesProvider",
            "renameProvider",
            "hoverProvider",
            "completionProvider",
            "codeActionProvider",
        ] {
            assert!(!caps[cap].is_null(), "{cap} missing from {caps}");
        }
        assert_eq!(init["result"]["serverInfo"]["name"], "fleetc");
        c.notify("initialized", json!({}));
        c
    }

    fn send(&mut self, msg: &Value) {
        self.send_raw(&msg.to_string());
    }

    /// A framed body that need not be JSON-RPC at all.
    fn send_raw(&mut self, body: &str) {
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let msg = self.rx.recv_timeout(WAIT).expect("a response in time");
            if msg.get("method").is_none() && msg["id"] == json!(id) {
                return msg;
            }
            self.notes.push(msg);
        }
    }

    /// The next diagnostics published for the spec.
    fn diagnostics(&mut self) -> Value {
        if let Some(i) = self
            .notes
            .iter()
            .position(|n| n["method"] == "textDocument/publishDiagnostics")
        {
            return self.notes.remove(i)["params"].clone();
        }
        loop {
            let msg = self.rx.recv_timeout(WAIT).expect("diagnostics in time");
            if msg["method"] == "textDocument/publishDiagnostics" {
                return msg["params"].clone();
            }
            self.notes.push(msg);
        }
    }

    fn open(&mut self, text: &str) -> Value {
        let uri = self.uri.clone();
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
        );
        self.diagnostics()
    }

    fn change(&mut self, version: i32, text: &str) {
        let uri = self.uri.clone();
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    fn at(&mut self, method: &str, pos: Value, extra: Value) -> Value {
        let mut params = json!({"textDocument": {"uri": self.uri}, "position": pos});
        if let Value::Object(m) = extra {
            params.as_object_mut().unwrap().extend(m);
        }
        self.request(method, params)
    }

    /// The code actions for diagnostic `d` (as published), at its range.
    fn actions(&mut self, d: &Value) -> Value {
        let uri = self.uri.clone();
        self.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": d["range"], "context": {"diagnostics": [d]}}),
        )
    }

    fn stop(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert!(r["error"].is_null(), "{r}");
        self.notify("exit", Value::Null);
        let status = self.child.wait().unwrap();
        assert!(status.success(), "fleetc lsp exited with {status}");
    }
}

/// The position (line, UTF-16 column) of the `nth` occurrence of `needle` in `text`, plus
/// `delta` characters (all ASCII here).
fn pos(text: &str, needle: &str, nth: usize, delta: usize) -> Value {
    let at = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} #{nth} not in the spec"))
        .0
        + delta;
    let line = text[..at].matches('\n').count();
    let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": col})
}

/// The byte offset of an LSP position in `text` (ASCII here, so columns are bytes).
fn offset(text: &str, p: &Value) -> usize {
    let line = p["line"].as_u64().unwrap() as usize;
    let col = p["character"].as_u64().unwrap() as usize;
    text.split_inclusive('\n')
        .take(line)
        .map(str::len)
        .sum::<usize>()
        + col
}

/// The text of a range.
fn slice<'a>(text: &'a str, range: &Value) -> &'a str {
    &text[offset(text, &range["start"])..offset(text, &range["end"])]
}

/// Applies LSP text edits (one file) to `text`.
fn apply(text: &str, edits: &Value) -> String {
    let offset = |p: &Value| offset(text, p);
    let mut edits: Vec<(usize, usize, String)> = edits
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_owned();
    for (a, b, t) in edits {
        out.replace_range(a..b, &t);
    }
    out
}

fn example() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("examples/fleet"), dir.path());
    let text = std::fs::read_to_string(dir.path().join("fleetc.yaml")).unwrap();
    (dir, text)
}

#[test]
fn diagnostics_as_the_cli_reports_them_debounced_with_quick_fixes() {
    let (dir, text) = example();
    let mut c = Client::start(dir.path());
    let first = c.open(&text);
    assert_eq!(
        first["diagnostics"],
        json!([]),
        "the example compiles cleanly"
    );
    assert_eq!(first["version"], 1);

    // Three edits in a row: one compile, of the last text.
    let typo = text.replacen("environment: staging\n", "environment: stagign\n", 1);
    c.change(
        2,
        &text.replacen("environment: staging\n", "environment: st\n", 1),
    );
    c.change(
        3,
        &text.replacen("environment: staging\n", "environment: stag\n", 1),
    );
    c.change(4, &typo);
    let published = c.diagnostics();
    assert_eq!(published["version"], 4, "only the last edit is compiled");
    let diags = published["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let d = &diags[0];
    assert_eq!(d["code"], "E012");
    assert_eq!(d["source"], "fleetc");
    assert_eq!(d["severity"], 1);
    assert_eq!(slice(&typo, &d["range"]), "stagign");
    let message = d["message"].as_str().unwrap();
    assert!(
        message.starts_with("unknown environment `stagign`"),
        "{message}"
    );
    assert!(
        message.contains("help: did you mean `staging`?"),
        "{message}"
    );

    // The did-you-mean is a quick fix that writes the name over the typo.
    let actions = c.actions(d);
    let actions = actions["result"].as_array().unwrap();
    let fix = actions
        .iter()
        .find(|a| a["title"] == "Replace with `staging`")
        .unwrap_or_else(|| panic!("{actions:#?}"));
    assert_eq!(fix["kind"], "quickfix");
    let fixed = apply(&typo, &fix["edit"]["changes"][&c.uri]);
    assert_eq!(fixed, text);
    c.change(5, &fixed);
    let clean = c.diagnostics();
    assert_eq!(clean["version"], 5);
    assert_eq!(clean["diagnostics"], json!([]));

    // A diagnostic that needs the files around the spec: a kustomize base that is not there.
    std::fs::remove_dir_all(dir.path().join("apps/web/base")).unwrap();
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": c.uri}}),
    );
    let missing = c.diagnostics();
    let codes: Vec<&Value> = missing["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["code"])
        .collect();
    assert_eq!(codes, [&json!("E016")], "{missing:#}");

    // Text that is not YAML: a diagnostic, and a server that still answers.
    let broken = text.replacen("version: 1", "version: [1", 1);
    c.change(6, &broken);
    let e = c.diagnostics();
    assert_eq!(e["diagnostics"][0]["code"], "E001", "{e:#}");
    let hover = c.at(
        "textDocument/hover",
        pos(&broken, "version", 0, 1),
        json!({}),
    );
    assert!(hover["error"].is_null(), "{hover}");
    c.stop();
}

#[test]
fn definition_references_and_rename_cover_every_reference_position() {
    let (dir, text) = example();
    let mut c = Client::start(dir.path());
    c.open(&text);

    // `dependsOn: [ingress-nginx]` → the app's declaration.
    let def = c.at(
        "textDocument/definition",
        pos(&text, "dependsOn: [ingress-nginx]", 0, 13),
        json!({}),
    );
    let loc = &def["result"];
    assert_eq!(loc["uri"], json!(c.uri));
    assert_eq!(
        loc["range"]["start"],
        pos(&text, "- name: ingress-nginx", 0, 8)
    );
    assert_eq!(slice(&text, &loc["range"]), "ingress-nginx");

    // Every use of environment `staging`: clusters, the agent's environments, targets,
    // overrides, the pipeline's verify key, and its declaration.
    let refs = c.at(
        "textDocument/references",
        pos(&text, "- name: staging\n", 0, 9),
        json!({"context": {"includeDeclaration": true}}),
    );
    let mut lines: Vec<String> = refs["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            assert_eq!(slice(&text, &l["range"]), "staging");
            let line = l["range"]["start"]["line"].as_u64().unwrap() as usize;
            text.lines().nth(line).unwrap().trim().to_owned()
        })
        .collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            "- environment: staging",
            "- environment: staging",
            "- environment: staging",
            "- name: staging",
            "environment: staging",
            "environment: staging",
            "environments: [staging]",
            "staging: automatic",
        ]
    );

    // Rename a cluster: its declaration, the agent's list and the override, then it compiles.
    let at = pos(&text, "cluster: prod-eu-west-1", 0, 12);
    let prepared = c.at("textDocument/prepareRename", at.clone(), json!({}));
    assert_eq!(prepared["result"]["placeholder"], "prod-eu-west-1");
    let renamed = c.at(
        "textDocument/rename",
        at.clone(),
        json!({"newName": "prod-eu-west-2"}),
    );
    let edits = &renamed["result"]["changes"][&c.uri];
    assert_eq!(edits.as_array().unwrap().len(), 3, "{edits:#}");
    let after = apply(&text, edits);
    assert_eq!(after.matches("prod-eu-west-2").count(), 3);
    assert!(!after.contains("prod-eu-west-1\n") && !after.contains("prod-eu-west-1,"));
    c.change(2, &after);
    assert_eq!(
        c.diagnostics()["diagnostics"],
        json!([]),
        "the renamed spec compiles"
    );

    // Refused: a name already declared, and one YAML would have to quote.
    for (name, why) in [
        ("staging", "already declared"),
        ("a b", "not a valid environment name"),
        ("Prod_EU", "not a valid environment name"),
        ("123", "not a name"),
        ("true", "not a name"),
    ] {
        let r = c.at(
            "textDocument/rename",
            pos(&after, "- name: production", 0, 9),
            json!({"newName": name}),
        );
        let m = r["error"]["message"].as_str().unwrap_or_default();
        assert!(m.contains(why), "{r}");
    }

    // Images are named per app: an override's `images` key goes to the app's image.
    let def = c.at(
        "textDocument/definition",
        pos(
            &after,
            "registry.gitlab.example.com/platform/fleet-manifests/web: 1.4.3",
            0,
            3,
        ),
        json!({}),
    );
    assert_eq!(
        def["result"]["range"]["start"],
        pos(
            &after,
            "- name: registry.gitlab.example.com/platform/fleet-manifests/web",
            0,
            8
        )
    );
    c.stop();
}

#[test]
fn hover_explains_and_completion_offers_declared_names_and_labels() {
    let (dir, text) = example();
    let mut c = Client::start(dir.path());
    c.open(&text);

    let hover = |c: &mut Client, at: Value| -> String {
        let h = c.at("textDocument/hover", at, json!({}));
        h["result"]["contents"]["value"]
            .as_str()
            .unwrap_or_else(|| panic!("{h}"))
            .to_owned()
    };
    // A cluster: what `fleetc explain cluster` says (apps, their customization, spec lines).
    let cluster = hover(&mut c, pos(&text, "cluster: prod-eu-west-1", 0, 12));
    assert!(cluster.contains("cluster prod-eu-west-1"), "{cluster}");
    assert!(cluster.contains("app web"), "{cluster}");
    assert!(cluster.contains("replicas     6"), "{cluster}");
    assert!(cluster.contains("fleetc.yaml:166"), "{cluster}");
    // An app reference.
    let app = hover(&mut c, pos(&text, "dependsOn: [ingress-nginx]", 0, 13));
    assert!(app.starts_with("```text\napp ingress-nginx"), "{app}");
    // A target: the clusters it matches.
    let target = hover(&mut c, pos(&text, "name: production-eu", 0, 2));
    assert!(
        target.contains(
            "target production-eu matches 2 declared clusters: prod-eu-west-1, prod-eu-central-1"
        ),
        "{target}"
    );
    // An override: the customizations where its settings survive narrower ones.
    let over = hover(
        &mut c,
        pos(
            &text,
            "      - environment: production\n        replicas: 4",
            0,
            10,
        ),
    );
    assert!(
        over.starts_with("```text\noverride #2 of app web"),
        "{over}"
    );
    assert!(
        over.contains("customization env-production → prod-us-east-1\n    from this override: replicas, resources.limits.memory, resources.requests.cpu, resources.requests.memory\n"),
        "{over}"
    );
    // prod-eu-west-1's own override sets replicas: there only the resources come from this one.
    assert!(
        over.contains("customization cluster-prod-eu-west-1 → prod-eu-west-1\n    from this override: resources.limits.memory, resources.requests.cpu, resources.requests.memory\n"),
        "{over}"
    );
    // An override that only keeps the app off a cluster; the broader one is not credited there.
    let off = text.replacen(
        "      - region: ap-southeast-1\n",
        "      - {cluster: prod-us-east-1, doNotDeploy: true}\n      - region: ap-southeast-1\n",
        1,
    );
    c.change(2, &off);
    let over = hover(
        &mut c,
        pos(&off, "{cluster: prod-us-east-1, doNotDeploy", 0, 30),
    );
    assert!(
        over.contains("customization cluster-prod-us-east-1 → prod-us-east-1\n    doNotDeploy  these clusters do not get the app"),
        "{over}"
    );
    let broad = hover(
        &mut c,
        pos(
            &off,
            "      - environment: production\n        replicas: 3",
            0,
            10,
        ),
    );
    assert!(!broad.contains("cluster-prod-us-east-1"), "{broad}");
    c.change(3, &text);
    // An environment and an agent.
    let env = hover(&mut c, pos(&text, "- name: production", 0, 9));
    assert!(env.contains("clusters    5: prod-us-east-1"), "{env}");
    let agent = hover(&mut c, pos(&text, "- name: prod-eu\n", 0, 9));
    assert!(agent.contains("serves 3 clusters"), "{agent}");

    let labels = |c: &mut Client, at: Value| -> Vec<String> {
        let r = c.at("textDocument/completion", at, json!({}));
        let mut v: Vec<String> = r["result"]
            .as_array()
            .unwrap_or_else(|| panic!("{r}"))
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    // In `dependsOn: [ingress-nginx]`: apps.
    assert_eq!(
        labels(&mut c, pos(&text, "dependsOn: [ingress-nginx]", 0, 12)),
        ["data-pipeline", "ingress-nginx", "web"]
    );
    // A cluster's environment.
    assert_eq!(
        labels(&mut c, pos(&text, "environment: staging", 0, 15)),
        ["production", "staging"]
    );
    // `pipeline.verify`: its keys are environments, its values are not.
    let none = c.at(
        "textDocument/completion",
        pos(&text, "    staging: automatic", 0, 15),
        json!({}),
    );
    assert_eq!(none["result"], Value::Null, "{none}");
    // An agent's clusters, as a new block item being typed (the text still parses).
    let typing = text.replacen(
        "  - name: prod-ap\n    clusters: [prod-ap-southeast-1]\n",
        "  - name: prod-ap\n    clusters:\n      - prod-a\n",
        1,
    );
    c.change(2, &typing);
    let got = labels(&mut c, pos(&typing, "      - prod-a\n", 0, 14));
    assert!(
        got.contains(&"prod-ap-southeast-1".to_owned()) && got.len() == 7,
        "{got:?}"
    );
    // Selector label keys and values the declared clusters carry.
    assert_eq!(
        labels(
            &mut c,
            pos(&typing, "workload: data-processing\n    dependsOn", 0, 12)
        ),
        ["data-processing"]
    );
    let keys = labels(&mut c, pos(&typing, "- key: workload", 0, 8));
    assert_eq!(
        keys,
        [
            "env",
            "management.cattle.io/cluster-display-name",
            "region",
            "workload"
        ]
    );
    let regions = labels(
        &mut c,
        pos(&typing, "region: ap-southeast-1\n        values", 0, 9),
    );
    assert_eq!(
        regions,
        ["ap-southeast-1", "eu-central-1", "eu-west-1", "us-east-1"]
    );
    c.stop();
}

#[test]
fn acknowledging_a_warning_is_offered_only_where_it_silences_it() {
    let (dir, text) = example();
    let mut c = Client::start(dir.path());
    c.open(&text);
    // Production promoted automatically: W005 on the environment.
    let warned = text.replacen("    promotion: manual\n", "    promotion: automatic\n", 1);
    c.change(2, &warned);
    let published = c.diagnostics();
    let d = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "W005")
        .unwrap_or_else(|| panic!("{published:#}"))
        .clone();
    assert_eq!(d["severity"], 2);
    let actions = c.actions(&d);
    let titles: Vec<&str> = actions["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Acknowledge W005 on environment `production`"]);
    let edit = &actions["result"][0]["edit"]["changes"][&c.uri];
    let acked = apply(&warned, edit);
    assert!(acked.contains("acknowledge: [W012, W005]"), "{acked}");
    c.change(3, &acked);
    let after = c.diagnostics();
    assert_eq!(after["diagnostics"], json!([]), "{after:#}");
    c.stop();
}

/// Every reference resolve reports as unknown (E012 "unknown <kind> `name`") is a reference the
/// language server knows: navigation covers the positions resolve reads, kind for kind.
#[test]
fn every_unknown_reference_resolve_reports_is_a_symbol_of_its_kind() {
    let path = repo().join("tests/fixtures/err/E012-unknown-reference/fleetc.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let a = fleetc::lsp::Analysis::new(text.clone(), &path);
    let mut seen = 0;
    for d in &a.diagnostics {
        let Some(rest) = d.message.strip_prefix("unknown ") else {
            continue;
        };
        let Some((kind, name)) = rest.split_once(" `") else {
            continue;
        };
        if kind == "region" {
            continue; // a cluster attribute, not a declared name
        }
        let name = name.trim_end_matches('`');
        let span = &d.labels[0].span;
        let sym = a
            .symbols
            .at(span.start)
            .unwrap_or_else(|| panic!("no symbol at {:?} for {}", &text[span.clone()], d.message));
        assert_eq!((sym.kind.noun(), sym.name.as_str()), (kind, name));
        assert!(!sym.declares);
        // Its did-you-mean is a fix on exactly that word.
        if d.help
            .as_deref()
            .is_some_and(|h| h.starts_with("did you mean"))
        {
            let fix = d.fix.as_ref().expect("a did-you-mean carries its fix");
            assert_eq!(&text[fix.span.clone()], name);
        }
        seen += 1;
    }
    assert!(seen >= 5, "the fixture's unknown references: {seen}");
    // Every fix replaces the very word the message names (for a `matchExpressions` key, its
    // value, never the word `key`).
    let mut fixes = 0;
    for d in a.diagnostics.iter() {
        if let Some(fix) = &d.fix {
            let word = text[fix.span.clone()].trim_matches(['"', '\'']);
            assert!(d.message.contains(word), "{word:?}: {}", d.message);
            fixes += 1;
        }
    }
    assert!(fixes >= 8, "{fixes} fixes");
}

/// A did-you-mean for an unknown key is a fix only where it would not make a duplicate key.
#[test]
fn an_unknown_key_is_not_renamed_onto_a_key_that_is_there() {
    let dir = tempfile::tempdir().unwrap();
    let text = "version: 1\nfleet: {repo: https://g.example.com/a/b.git, branch: main}\nenvironments: [{name: dev, tier: development}]\nclusters:\n  - {name: c1, environment: dev, regoin: eu, region: us}\n  - {name: c2, environment: dev, regoin: eu}\n";
    let a = fleetc::lsp::Analysis::new(text.to_owned(), &dir.path().join("fleetc.yaml"));
    let unknown: Vec<_> = a
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == "E003")
        .collect();
    assert_eq!(unknown.len(), 2, "{:#?}", a.diagnostics);
    assert!(unknown[0].fix.is_none(), "{:?}", unknown[0]);
    assert!(
        unknown[0]
            .help
            .as_deref()
            .unwrap()
            .contains("set here already")
    );
    assert_eq!(unknown[1].fix.as_ref().unwrap().replacement, "region");
}

/// `exit` without `shutdown` ends the server with exit code 1, as the protocol asks.
#[test]
fn exit_without_shutdown_is_exit_code_1() {
    let (dir, _) = example();
    let mut c = Client::start(dir.path());
    c.notify("exit", Value::Null);
    let status = c.child.wait().unwrap();
    assert_eq!(status.code(), Some(1));
}

/// YAML that is not a spec (an editor may send any) gets no diagnostics; a spec with every
/// top-level key missing but `version` still does.
#[test]
fn other_yaml_files_are_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kustomization.yaml");
    let other = fleetc::lsp::Analysis::new("resources: [a.yaml]\n".to_owned(), &path);
    assert!(other.diagnostics.is_empty());
    let spec = fleetc::lsp::Analysis::new("version: 1\n".to_owned(), &path);
    assert_eq!(spec.diagnostics[0].code.as_str(), "E004");
    let chart = fleetc::lsp::Analysis::new(
        "apiVersion: v2\nname: x\nversion: 1.0.0\n".to_owned(),
        &path,
    );
    assert!(chart.diagnostics.is_empty());
}

/// The VS Code extension the README sets up: valid JSON naming an entry point that Node parses.
#[test]
fn the_vscode_extension_is_well_formed() {
    let dir = repo().join("editors/vscode");
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("package.json")).unwrap()).unwrap();
    let main = manifest["main"].as_str().unwrap();
    assert!(dir.join(main).is_file());
    assert_eq!(
        manifest["contributes"]["configuration"]["properties"]["fleetc.specs"]["default"],
        "**/fleetc.yaml"
    );
    let Some(node) = crate::common::tool("node", "Node.js 20 or newer") else {
        return;
    };
    let o = Command::new(node)
        .arg("--check")
        .arg(dir.join(main))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// W026: an unquoted `no` in Helm values. The fixes: the boolean, or the word quoted (which is the
/// example's own line); no acknowledgement, since no `acknowledge` silences W026.
#[test]
fn a_yaml_1_1_look_alike_is_fixed_either_way() {
    let (dir, text) = example();
    let mut c = Client::start(dir.path());
    c.open(&text);
    let bare = text.replacen("retries: \"no\"", "retries: no", 1);
    assert_ne!(bare, text);
    c.change(2, &bare);
    let published = c.diagnostics();
    let d = published["diagnostics"][0].clone();
    assert_eq!(d["code"], "W026", "{published:#}");
    assert_eq!(slice(&bare, &d["range"]), "no");
    let actions = c.actions(&d);
    let actions = actions["result"].as_array().unwrap().clone();
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Write `false`", "Quote `no` to keep the string"]);
    let boolean = apply(&bare, &actions[0]["edit"]["changes"][&c.uri]);
    assert!(boolean.contains("      retries: false\n"));
    assert_eq!(apply(&bare, &actions[1]["edit"]["changes"][&c.uri]), text);
    c.stop();
}

/// Stray messages cost an error reply, not the server; a request after `shutdown` is refused;
/// `exit` after `shutdown` is exit code 0.
#[test]
fn the_server_survives_bad_messages_and_ends_cleanly() {
    let (dir, text) = example();
    let mut c = Client::start(dir.path());
    c.open(&text);
    c.send_raw("{abc}");
    c.send_raw("[]");
    c.send_raw(r#"{"jsonrpc":"2.0","id":77,"method":5}"#);
    let reply = loop {
        let msg = c.rx.recv_timeout(WAIT).expect("a reply in time");
        if msg["id"] == 77 {
            break msg;
        }
    };
    assert_eq!(reply["error"]["code"], -32600, "{reply}");
    let hover = c.at(
        "textDocument/hover",
        pos(&text, "- name: web", 0, 9),
        json!({}),
    );
    assert!(
        hover["result"]["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("app web")
    );
    let r = c.request("shutdown", Value::Null);
    assert!(r["error"].is_null(), "{r}");
    let late = c.at(
        "textDocument/hover",
        pos(&text, "- name: web", 0, 9),
        json!({}),
    );
    assert_eq!(late["error"]["code"], -32600, "{late}");
    c.notify("exit", Value::Null);
    assert!(c.child.wait().unwrap().success());
}

/// A client that opens a document before saying `initialized` is served all the same.
#[test]
fn a_document_opened_before_initialized_is_served() {
    let (dir, text) = example();
    let mut child = Command::new(env!("CARGO_BIN_EXE_fleetc"))
        .arg("lsp")
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let uri = format!(
        "file://{}",
        dir.path()
            .join("fleetc.yaml")
            .canonicalize()
            .unwrap()
            .display()
    );
    let mut input = child.stdin.take().unwrap();
    for msg in [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}),
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text.replacen("environment: staging\n", "environment: stagin\n", 1)}}}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}),
        json!({"jsonrpc": "2.0", "method": "exit"}),
    ] {
        let body = msg.to_string();
        write!(input, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    }
    drop(input);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("unknown environment `stagin`"), "{stdout}");
}

/// A misspelt `pipeline.verify` key: the label and the did-you-mean are on the key.
#[test]
fn a_misspelt_verify_key_is_fixed_on_the_key() {
    let (dir, text) = example();
    let mut c = Client::start(dir.path());
    c.open(&text);
    let typo = text.replacen("    staging: automatic", "    stagign: automatic", 1);
    c.change(2, &typo);
    let d = c.diagnostics()["diagnostics"][0].clone();
    assert_eq!(slice(&typo, &d["range"]), "stagign", "{d}");
    let actions = c.actions(&d);
    let fix = &actions["result"][0];
    assert_eq!(fix["title"], "Replace with `staging`");
    assert_eq!(apply(&typo, &fix["edit"]["changes"][&c.uri]), text);
    c.stop();
}

/// Completion while typing: an empty selector value, a partly typed name (the item replaces the
/// whole word), and text that is not YAML at the moment (the names of the last text that was).
#[test]
fn completion_while_typing() {
    let (dir, text) = example();
    let mut c = Client::start(dir.path());
    c.open(&text);
    let empty = text.replacen(
        "          matchLabels:\n            workload: data-processing\n",
        "          matchLabels:\n            workload: \n",
        1,
    );
    assert_ne!(empty, text);
    c.change(2, &empty);
    let r = c.at(
        "textDocument/completion",
        pos(&empty, "workload: \n", 0, 10),
        json!({}),
    );
    let labels: Vec<&str> = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["data-processing"], "{r}");

    let partial = text.replacen(
        "clusters: [prod-ap-southeast-1]",
        "clusters: [prod-ap-s]",
        1,
    );
    c.change(3, &partial);
    let r = c.at(
        "textDocument/completion",
        pos(&partial, "prod-ap-s]", 0, 9),
        json!({}),
    );
    let item = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "prod-ap-southeast-1")
        .unwrap()
        .clone();
    assert_eq!(slice(&partial, &item["textEdit"]["range"]), "prod-ap-s");

    // A flow mapping being typed, and a verify value (not an environment).
    let flow = text.replacen(
        "      - cluster: prod-eu-west-1\n        replicas: 6\n        images:\n          registry.gitlab.example.com/platform/fleet-manifests/web: 1.4.3\n",
        "      - {cluster: , replicas: 6}\n",
        1,
    );
    assert_ne!(flow, text);
    c.change(5, &flow);
    let r = c.at(
        "textDocument/completion",
        pos(&flow, "{cluster: ,", 0, 10),
        json!({}),
    );
    assert_eq!(r["result"].as_array().map(Vec::len), Some(7), "{r}");
    let r = c.at(
        "textDocument/completion",
        pos(&flow, "    staging: automatic", 0, 13),
        json!({}),
    );
    assert_eq!(r["result"], Value::Null, "{r}");

    let broken = text.replacen("version: 1", "version: [1", 1);
    c.change(6, &broken);
    let r = c.at(
        "textDocument/completion",
        pos(&broken, "dependsOn: [ingress-nginx]", 0, 12),
        json!({}),
    );
    let mut labels: Vec<&str> = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    labels.sort();
    assert_eq!(labels, ["data-pipeline", "ingress-nginx", "web"]);
    c.stop();
}
