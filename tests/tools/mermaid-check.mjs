#!/usr/bin/env node
// Checks that Mermaid diagrams parse with the real Mermaid grammar (version pinned
// in package.json / package-lock.json next to this script).
// Usage: node mermaid-check.mjs FILE...
//   *.md / *.markdown: each ```mermaid (or ~~~mermaid) fenced block is one diagram;
//   any other file (e.g. *.mmd): the whole file is one diagram.
// Errors go to stderr as FILE:LINE: mermaid block N: MESSAGE (LINE = opening fence).
// Exit: 0 all parse; 1 a diagram failed (or no diagram found at all); 2 usage/IO error.
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

// mermaid sanitizes labels with DOMPurify, which binds to `window` when its module
// loads, so the DOM must exist before mermaid is imported (hence the dynamic import).
const { window } = new JSDOM('');
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import('mermaid');

// Returns [{line, text}] for each mermaid fenced block; skips other fenced blocks.
function extractBlocks(src) {
  const blocks = [];
  let open = null; // { close: RegExp, indent, mermaid: bool, line, body: [] }
  src.split(/\r?\n/).forEach((l, i) => {
    if (!open) {
      const m = /^(\s*)(`{3,}|~{3,})\s*([^\s`{]*)/.exec(l);
      if (m) open = {
        close: new RegExp(`^\\s*${m[2][0]}{${m[2].length},}\\s*$`),
        indent: m[1].length, mermaid: m[3].toLowerCase() === 'mermaid', line: i + 1, body: [],
      };
    } else if (open.close.test(l)) {
      if (open.mermaid) blocks.push({ line: open.line, text: open.body.join('\n') + '\n' });
      open = null;
    } else if (open.mermaid) {
      const lead = l.length - l.trimStart().length;
      open.body.push(l.slice(Math.min(open.indent, lead)));
    }
  });
  if (open?.mermaid) blocks.push({ line: open.line, error: 'unclosed mermaid fence' });
  return blocks;
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node mermaid-check.mjs FILE...   (markdown or .mmd files)');
  process.exit(2);
}

let total = 0, failed = 0;
for (const file of files) {
  let src;
  try { src = readFileSync(file, 'utf8'); }
  catch (e) { console.error(`${file}: ${e.message}`); process.exit(2); }
  const blocks = /\.(md|markdown)$/i.test(file) ? extractBlocks(src) : [{ line: 1, text: src }];
  for (const [n, b] of blocks.entries()) {
    total++;
    let msg = b.error;
    if (!msg) {
      try { await mermaid.parse(b.text); }
      catch (e) { msg = String(e?.message ?? e) || String(e); }
    }
    if (msg) {
      failed++;
      console.error(`${file}:${b.line}: mermaid block ${n + 1}: ${msg.trim().replace(/\n/g, '\n    ')}`);
    }
  }
}
window.close();

let version = '?';
try { version = JSON.parse(readFileSync(new URL(import.meta.resolve('mermaid/package.json')), 'utf8')).version; } catch {}
if (total === 0) {
  console.error(`mermaid-check: no mermaid diagram found in ${files.length} file(s)`);
  process.exit(1);
}
console.log(`mermaid-check (mermaid ${version}): ${total - failed} of ${total} diagram(s) in ${files.length} file(s) parse`);
process.exit(failed ? 1 : 0);
