//! Maps JSON pointers (`/clusters/3/name`) to byte spans in the spec, so that every stage can
//! point at the exact place a problem comes from without carrying spans through the model.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle};

use crate::diagnostic::Span;
use crate::pointer::Ptr;

/// Byte spans of every node of a YAML document, keyed by JSON pointer.
///
/// Built on the first question: a spec that compiles without a diagnostic never needs a span,
/// and indexing is a second parse of the whole text (a tenth of a build at 400 clusters,
/// BENCHMARKS.md).
#[derive(Debug, Default, Clone)]
pub struct SpanIndex {
    src: String,
    spans: OnceLock<Spans>,
}

#[derive(Debug, Default, Clone)]
struct Spans {
    values: HashMap<String, Span>,
    keys: HashMap<String, Span>,
    /// Unquoted values that YAML 1.1 reads as booleans and YAML 1.2 (the spec) as strings.
    yaml11_booleans: Vec<(String, Span)>,
}

/// What a YAML 1.1 reader makes of `word`, if it is one of [`YAML11_BOOLEANS`]: the table of
/// gopkg.in/yaml.v2 resolve.go, which sigs.k8s.io/yaml (Helm's values reader) keeps.
pub fn yaml11_boolean(word: &str) -> Option<bool> {
    match word {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some(true),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

/// Plain scalars a YAML 1.1 reader (Helm's, kubectl's) takes for booleans, which the spec's
/// YAML 1.2 reading keeps as strings (`true`, `false` and their capitalised forms are booleans
/// in both).
pub const YAML11_BOOLEANS: &[&str] = &[
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off",
    "OFF",
];

/// Escapes one JSON-pointer segment.
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// The segment [`escape`] made: `~1` back to `/`, `~0` to `~`.
pub fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

enum Frame {
    Map {
        ptr: String,
        key: Option<String>,
        start: usize,
    },
    Seq {
        ptr: String,
        idx: usize,
        start: usize,
    },
}

impl SpanIndex {
    /// An index of `src`, built when first asked. Call only on text that already parsed; on a
    /// parse error the index stops where the parser stopped.
    pub fn new(src: &str) -> SpanIndex {
        SpanIndex {
            src: src.to_owned(),
            spans: OnceLock::new(),
        }
    }

    fn spans(&self) -> &Spans {
        self.spans.get_or_init(|| Spans::build(&self.src))
    }
}

impl Spans {
    fn build(src: &str) -> Spans {
        let mut ix = Spans::default();
        let mut stack: Vec<Frame> = Vec::new();
        for event in Parser::new_from_str(src) {
            let Ok((event, span)) = event else { break };
            let r = span.byte_range().unwrap_or(0..0);
            match event {
                Event::Scalar(text, style, ..) => match slot(&mut stack) {
                    Some(ptr) => {
                        if style == ScalarStyle::Plain && YAML11_BOOLEANS.contains(&&*text) {
                            ix.yaml11_booleans.push((ptr.clone(), r.clone()));
                        }
                        ix.values.insert(ptr, r);
                    }
                    None => {
                        if let Some(Frame::Map { ptr, key, .. }) = stack.last_mut() {
                            ix.keys.insert(format!("{ptr}/{}", escape(&text)), r);
                            *key = Some(text.into_owned());
                        }
                    }
                },
                Event::Alias(_) => {
                    if let Some(ptr) = slot(&mut stack) {
                        ix.values.insert(ptr, r);
                    }
                }
                Event::MappingStart(..) => {
                    let ptr = slot(&mut stack).unwrap_or_default();
                    stack.push(Frame::Map {
                        ptr,
                        key: None,
                        start: r.start,
                    });
                }
                Event::SequenceStart(..) => {
                    let ptr = slot(&mut stack).unwrap_or_default();
                    stack.push(Frame::Seq {
                        ptr,
                        idx: 0,
                        start: r.start,
                    });
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    if let Some(Frame::Map { ptr, start, .. } | Frame::Seq { ptr, start, .. }) =
                        stack.pop()
                    {
                        ix.values.insert(ptr, start..r.end.max(start));
                    }
                }
                _ => {}
            }
        }
        ix
    }
}

impl SpanIndex {
    /// Span of the value at exactly `ptr`, if the spec has one there.
    pub fn exact(&self, ptr: &Ptr) -> Option<Span> {
        self.spans().values.get(ptr.as_str()).cloned()
    }

    /// Span of the value at `ptr`, or, when the spec leaves it out (a default), of its closest
    /// ancestor that is there: where a diagnostic about it can point.
    pub fn nearest(&self, ptr: &Ptr) -> Span {
        let mut p = ptr.as_str();
        loop {
            if let Some(s) = self.spans().values.get(p) {
                return s.clone();
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return 0..0,
            }
        }
    }

    /// Span of the key introducing the value at `ptr`; the value's span when there is no key
    /// (list items, the document root), or the nearest ancestor's when the spec leaves it out.
    pub fn key(&self, ptr: &Ptr) -> Span {
        self.spans()
            .keys
            .get(ptr.as_str())
            .cloned()
            .unwrap_or_else(|| self.nearest(ptr))
    }

    /// Unquoted values that YAML 1.1 would read as booleans (`no`, `on`, `Y`), which the spec
    /// reads as strings: their pointers and spans, in text order. Builds the index only when the
    /// text has such a word after `:`, `-`, `[` or `,` at all.
    pub fn yaml11_booleans(&self) -> &[(String, Span)] {
        static WORD: OnceLock<regex::Regex> = OnceLock::new();
        let word = WORD.get_or_init(|| {
            regex::Regex::new(r"(?m)[:\-\[,{]\s*(?:[yYnN]|[yY]es|YES|[nN]o|NO|[oO]n|ON|[oO]ff|OFF)\s*(?:$|[,}\]#])")
                .expect("a valid pattern")
        });
        if !word.is_match(&self.src) {
            return &[];
        }
        &self.spans().yaml11_booleans
    }

    /// The spec's text at `span`.
    pub fn source(&self, span: &Span) -> &str {
        self.src.get(span.clone()).unwrap_or("")
    }

    /// Span of the key introducing the value at exactly `ptr`, if it has one.
    pub fn key_exact(&self, ptr: &Ptr) -> Option<Span> {
        self.spans().keys.get(ptr.as_str()).cloned()
    }

    /// Where a cursor at `offset` is: the pointer of the innermost node whose key or value holds
    /// it (a span's end counts, so a cursor just after a word is on it), and whether it is on the
    /// key. Scans every node; for an editor's occasional question, not for the pipeline.
    pub fn at(&self, offset: usize) -> Option<(String, bool)> {
        let spans = self.spans();
        let holds = |s: &Span| s.start <= offset && offset <= s.end;
        let best = |m: &HashMap<String, Span>| {
            m.iter()
                .filter(|(_, s)| holds(s))
                .min_by_key(|(p, s)| (s.end - s.start, std::cmp::Reverse(p.len())))
                .map(|(p, s)| (p.clone(), s.end - s.start))
        };
        match (best(&spans.keys), best(&spans.values)) {
            (Some((k, _)), _) => Some((k, true)),
            (None, Some((v, _))) => Some((v, false)),
            (None, None) => None,
        }
    }

    /// Span of the first line of the value at `ptr` (or its nearest ancestor): for a mapping
    /// spread over many lines, the place a reader recognises it by.
    pub fn head(&self, ptr: &Ptr, src: &str) -> Span {
        let s = self.nearest(ptr);
        let end = src[s.start.min(src.len())..s.end.min(src.len())]
            .find('\n')
            .map_or(s.end, |n| s.start + n);
        s.start..end.max(s.start)
    }
}

/// The pointer of the next node in the current collection; `None` when the next scalar is a
/// mapping key.
fn slot(stack: &mut [Frame]) -> Option<String> {
    match stack.last_mut() {
        None => Some(String::new()),
        Some(Frame::Map { ptr, key, .. }) => key.take().map(|k| format!("{ptr}/{}", escape(&k))),
        Some(Frame::Seq { ptr, idx, .. }) => {
            let p = format!("{ptr}/{idx}");
            *idx += 1;
            Some(p)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The boolean words of gopkg.in/yaml.v2 v2.4.0 resolve.go (`init`, `resolveMapList`),
    /// which sigs.k8s.io/yaml's goyaml.v2 fork keeps and Helm reads values with; YAML 1.2's own
    /// `true`/`false` forms are booleans for fleetc too and are left out.
    #[test]
    fn yaml11_booleans_are_go_yaml_v2_s() {
        let v2: [(bool, &[&str]); 6] = [
            (true, &["y", "Y", "yes", "Yes", "YES"]),
            (true, &["true", "True", "TRUE"]),
            (true, &["on", "On", "ON"]),
            (false, &["n", "N", "no", "No", "NO"]),
            (false, &["false", "False", "FALSE"]),
            (false, &["off", "Off", "OFF"]),
        ];
        let core = ["true", "True", "TRUE", "false", "False", "FALSE"];
        let mut words = Vec::new();
        for (value, list) in v2 {
            for w in list.iter().filter(|w| !core.contains(w)) {
                assert_eq!(yaml11_boolean(w), Some(value), "{w}");
                words.push(*w);
            }
        }
        words.sort_unstable();
        let mut ours = YAML11_BOOLEANS.to_vec();
        ours.sort_unstable();
        assert_eq!(ours, words);
        for w in core {
            assert_eq!(yaml11_boolean(w), None);
        }
        // The regex that spares the index build sees each of them, block and flow.
        for w in YAML11_BOOLEANS {
            for text in [
                format!("k: {w}\n"),
                format!("k: [{w}, x]\n"),
                format!("k: {w} # c\n"),
            ] {
                assert_eq!(SpanIndex::new(&text).yaml11_booleans().len(), 1, "{text:?}");
            }
            assert!(
                SpanIndex::new(&format!("k: \"{w}\"\n"))
                    .yaml11_booleans()
                    .is_empty()
            );
        }
    }

    #[test]
    fn indexes_keys_values_and_collections() {
        let src = "a: 1\nb:\n  - x\n  - {c: d}\n";
        let ix = SpanIndex::new(src);
        let a = Ptr::path(&["a"]);
        let b = Ptr::path(&["b"]);
        assert_eq!(&src[ix.nearest(&a)], "1");
        assert_eq!(&src[ix.key(&a)], "a");
        assert_eq!(&src[ix.nearest(&b.index(0))], "x");
        assert_eq!(&src[ix.nearest(&b.index(1).key("c"))], "d");
        assert_eq!(&src[ix.key(&b.index(1).key("c"))], "c");
        // A pointer the spec leaves out: the exact lookup has nothing, the nearest one falls
        // back to the closest ancestor.
        assert_eq!(ix.exact(&b.index(1).key("zz")), None);
        assert_eq!(&src[ix.nearest(&b.index(1).key("zz"))], "{c: d}");
    }

    #[test]
    fn escapes_pointer_segments() {
        let src = "labels:\n  example.com/tier: web\n";
        let ix = SpanIndex::new(src);
        let p = Ptr::path(&["labels", "example.com/tier"]);
        assert_eq!(p.as_str(), "/labels/example.com~1tier");
        assert_eq!(&src[ix.exact(&p).unwrap()], "web");
    }
}
