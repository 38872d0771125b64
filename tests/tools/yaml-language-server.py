#!/usr/bin/env python3
"""Editor completion, tested with a real client: drives yaml-language-server (npm) over stdio
with a spec whose modeline points at schemas/fleetc.schema.json, and checks that it completes
top-level keys and a cluster's keys and reports an unknown key.

Usage: tests/tools/yaml-language-server.py [PATH/TO/yaml-language-server]
Without an argument it runs the pinned one that scripts/test.sh installs (tests/tools/install.sh):
$FLEETC_TOOLS_DIR/bin/yaml-language-server, by default target/tools/bin/yaml-language-server.
"""
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMA = "file://" + os.path.join(REPO, "schemas", "fleetc.schema.json")
TOOLS = os.environ.get("FLEETC_TOOLS_DIR") or os.path.join(REPO, "target", "tools")


class Client:
    def __init__(self, server):
        self.proc = subprocess.Popen([server, "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.next_id = 0
        self.responses = {}
        self.diagnostics = {}
        self.lock = threading.Condition()
        threading.Thread(target=self.read, daemon=True).start()

    def send(self, msg):
        body = json.dumps(msg).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            msg = json.loads(out.read(length))
            if "method" in msg and "id" in msg:  # a request from the server
                result = None
                if msg["method"] == "workspace/configuration":
                    result = [settings()["yaml"] for _ in msg["params"]["items"]]
                self.send({"jsonrpc": "2.0", "id": msg["id"], "result": result})
            elif msg.get("method") == "textDocument/publishDiagnostics":
                with self.lock:
                    self.diagnostics[msg["params"]["uri"]] = msg["params"]["diagnostics"]
                    self.lock.notify_all()
            elif "id" in msg:
                with self.lock:
                    self.responses[msg["id"]] = msg
                    self.lock.notify_all()

    def request(self, method, params, timeout=60):
        self.next_id += 1
        rid = self.next_id
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        with self.lock:
            if not self.lock.wait_for(lambda: rid in self.responses, timeout):
                raise SystemExit(f"no answer to {method} within {timeout}s")
            return self.responses.pop(rid)

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait_diagnostics(self, uri, pred, timeout=60):
        with self.lock:
            ok = self.lock.wait_for(lambda: pred(self.diagnostics.get(uri)), timeout)
            return ok, self.diagnostics.get(uri)


def settings():
    return {"yaml": {"validate": True, "completion": True, "hover": True, "schemaStore": {"enable": False}}}


def labels(resp):
    result = resp.get("result") or {}
    items = result.get("items", result) if isinstance(result, dict) else result
    return {i["label"] for i in items or []}


def main():
    if len(sys.argv) > 2:
        raise SystemExit(__doc__)
    server = sys.argv[1] if len(sys.argv) == 2 else os.path.join(TOOLS, "bin", "yaml-language-server")
    if not os.access(server, os.X_OK):
        raise SystemExit(f"{server} not found: run tests/tools/install.sh (or scripts/test.sh) first")
    client = Client(server)
    tmp = tempfile.mkdtemp()
    client.request("initialize", {
        "processId": os.getpid(),
        "rootUri": "file://" + tmp,
        "capabilities": {"workspace": {"configuration": True},
                         "textDocument": {"completion": {"completionItem": {"snippetSupport": False}},
                                          "publishDiagnostics": {}}},
    })
    client.notify("initialized", {})
    client.notify("workspace/didChangeConfiguration", {"settings": settings()})
    modeline = f"# yaml-language-server: $schema={SCHEMA}\n"
    failures = []

    def open_doc(name, text):
        uri = "file://" + os.path.join(tmp, name)
        client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}})
        return uri

    # 1. An unknown key is reported.
    uri = open_doc("unknown.yaml", modeline + "version: 1\nfleet:\n  repo: https://g.example/x.git\n  branch: main\n  brnach: x\n")
    ok, diags = client.wait_diagnostics(uri, lambda d: bool(d) and any("brnach" in x["message"] for x in d))
    if not ok:
        failures.append(f"no diagnostic for the unknown key `brnach`: {diags}")

    # 2. Top-level keys are offered.
    uri = open_doc("top.yaml", modeline + "version: 1\n\n")
    got = labels(client.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": {"line": 2, "character": 0}}))
    for want in ["fleet", "environments", "clusters", "agents", "apps"]:
        if want not in got:
            failures.append(f"top-level completion lacks `{want}`: {sorted(got)}")

    # 3. A cluster's keys are offered inside a cluster.
    uri = open_doc("cluster.yaml", modeline + "version: 1\nclusters:\n  - name: prod-1\n    \n")
    got = labels(client.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": {"line": 4, "character": 4}}))
    for want in ["environment", "region", "labels", "agent"]:
        if want not in got:
            failures.append(f"cluster completion lacks `{want}`: {sorted(got)}")

    client.proc.kill()
    if failures:
        print("yaml-language-server test FAILED:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("yaml-language-server: ok (unknown key reported; top-level and cluster keys completed)")


if __name__ == "__main__":
    main()
