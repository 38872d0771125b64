//! The repository as `fleetc import` reads it: every entry below the root without following a
//! link (Fleet's scan does not follow linked directories either, and a link may lead out of the
//! repository), and YAML documents read the way Fleet reads them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// Largest file import reads: larger than any bundle Fleet accepts (etcd's 1.5 MiB object
/// limit, compressed), so a bigger one is not a Fleet file worth reading.
pub const MAX_FILE_BYTES: u64 = 8 << 20;
/// Most entries import lists, and deepest directory: a repository beyond them is refused.
const MAX_ENTRIES: usize = 200_000;
const MAX_DEPTH: usize = 64;

/// What is at a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    File(u64),
    Dir,
    Link,
    Other,
}

/// Where something came from: a file (relative to the repository, or as given on the command
/// line) and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Origin {
    pub file: String,
    pub line: usize,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// The listing of a repository, by `/`-separated path relative to its root (`""` is the root).
#[derive(Debug, Clone)]
pub struct Repo {
    pub root: PathBuf,
    entries: BTreeMap<String, Entry>,
}

impl Repo {
    /// Lists `root`, without following links and skipping `.git`.
    pub fn open(root: &Path) -> Result<Repo, String> {
        let meta = std::fs::metadata(root)
            .map_err(|e| format!("cannot read the repository {}: {e}", root.display()))?;
        if !meta.is_dir() {
            return Err(format!("{} is not a directory", root.display()));
        }
        let mut entries = BTreeMap::from([(String::new(), Entry::Dir)]);
        let mut todo = vec![(root.to_path_buf(), String::new(), 0usize)];
        while let Some((dir, rel, depth)) = todo.pop() {
            if depth > MAX_DEPTH {
                return Err(format!(
                    "`{rel}` is nested more than {MAX_DEPTH} directories deep; fleetc import reads no deeper"
                ));
            }
            let list = std::fs::read_dir(&dir)
                .map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
            for e in list {
                let e = e.map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
                let name = e.file_name().to_string_lossy().into_owned();
                if name == ".git" {
                    continue;
                }
                let sub = if rel.is_empty() {
                    name
                } else {
                    format!("{rel}/{name}")
                };
                let kind = match e.file_type() {
                    Ok(t) if t.is_symlink() => Entry::Link,
                    Ok(t) if t.is_dir() => {
                        todo.push((e.path(), sub.clone(), depth + 1));
                        Entry::Dir
                    }
                    Ok(t) if t.is_file() => Entry::File(e.metadata().map(|m| m.len()).unwrap_or(0)),
                    _ => Entry::Other,
                };
                entries.insert(sub, kind);
                if entries.len() > MAX_ENTRIES {
                    return Err(format!(
                        "{} holds more than {MAX_ENTRIES} files; fleetc import reads no more",
                        root.display()
                    ));
                }
            }
        }
        Ok(Repo {
            root: root.to_path_buf(),
            entries,
        })
    }

    pub fn entry(&self, rel: &str) -> Option<Entry> {
        self.entries.get(rel).copied()
    }

    pub fn is_dir(&self, rel: &str) -> bool {
        self.entry(rel) == Some(Entry::Dir)
    }

    /// The entries directly inside directory `dir`, by name, in byte order (Go's
    /// `os.ReadDir` and `filepath.WalkDir` order).
    pub fn children<'a>(&'a self, dir: &str) -> impl Iterator<Item = (&'a str, Entry)> + 'a {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let skip = prefix.len();
        self.entries
            .range(prefix.clone()..)
            .skip_while(|(k, _)| k.is_empty())
            .take_while(move |(k, _)| k.starts_with(&prefix))
            .filter_map(move |(k, e)| {
                let name = &k[skip..];
                (!name.contains('/')).then_some((name, *e))
            })
    }

    /// Every path, in byte order.
    pub fn paths(&self) -> impl Iterator<Item = (&str, Entry)> {
        self.entries.iter().map(|(k, e)| (k.as_str(), *e))
    }

    /// Whether plain file `rel` starts with `prefix` (only that much is read); `None` for what
    /// is not a plain file of the listing (a link, a directory, nothing).
    pub fn starts_with(&self, rel: &str, prefix: &[u8]) -> Option<bool> {
        use std::io::Read;
        let Some(Entry::File(_)) = self.entry(rel) else {
            return None;
        };
        let mut head = Vec::with_capacity(prefix.len());
        let read = std::fs::File::open(self.root.join(rel))
            .and_then(|f| f.take(prefix.len() as u64).read_to_end(&mut head));
        Some(read.is_ok() && head == prefix)
    }

    /// The text of file `rel`.
    pub fn read(&self, rel: &str) -> Result<String, String> {
        match self.entry(rel) {
            Some(Entry::File(n)) if n > MAX_FILE_BYTES => Err(format!(
                "`{rel}` is larger than {} MiB",
                MAX_FILE_BYTES >> 20
            )),
            Some(Entry::File(_)) => read_text(&self.root.join(rel), rel),
            Some(Entry::Link) => Err(format!(
                "`{rel}` is a symbolic link, which fleetc import does not follow"
            )),
            Some(_) => Err(format!("`{rel}` is not a file")),
            None => Err(format!("`{rel}` does not exist")),
        }
    }
}

/// The UTF-8 text of a file, at most [`MAX_FILE_BYTES`].
pub fn read_text(path: &Path, shown: &str) -> Result<String, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read `{shown}`: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read `{shown}`: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "`{shown}` is larger than {} MiB",
            MAX_FILE_BYTES >> 20
        ));
    }
    String::from_utf8(bytes).map_err(|_| format!("`{shown}` is not UTF-8 text"))
}

/// How Fleet reads YAML: `sigs.k8s.io/yaml` over go-yaml v2, so YAML 1.1 scalars (`no` and `on`
/// are booleans, `0755` is octal, `1_000` a number, tags kept, the last duplicate key wins),
/// within the spec's budgets. Not the same in corners the README names: go-yaml v2 resolves
/// plain mapping keys too (`on:` becomes `"true"`), takes booleans in its listed spellings
/// only, and reads `0x1F` as a number.
fn fleet_yaml_options() -> serde_saphyr::Options {
    let mut o = crate::load::yaml_options();
    o.strict_booleans = false;
    o.legacy_octal_numbers = true;
    o.leading_zero_numbers_as_strings = false;
    o.underscored_numbers_as_strings = false;
    o.reject_unsupported_tags = false;
    // go-yaml v2 keeps the last of duplicate keys, as JSON then does.
    o.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::LastWins;
    o
}

/// One YAML document as Fleet reads it.
pub fn parse_one(text: &str) -> Result<Value, String> {
    serde_saphyr::from_str_with_options::<Value>(text, fleet_yaml_options())
        .map_err(|e| first_line(&e.to_string()))
}

/// The documents of a multi-document YAML file, each with the line it starts on. Empty
/// documents are skipped. A document separator is a line starting with `---`, as in YAML
/// itself (it ends block scalars too).
pub fn parse_docs(text: &str, file: &str) -> Result<Vec<(Value, Origin)>, String> {
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut first_line = 1usize;
    let mut offset = 0usize;
    let mut lines_seen = 0usize;
    let mut chunks = Vec::new();
    for line in text.split_inclusive('\n') {
        lines_seen += 1;
        let is_separator =
            line.starts_with("---") && line[3..].chars().next().is_none_or(char::is_whitespace);
        if is_separator {
            chunks.push((&text[start..offset], first_line));
            start = offset + line.len();
            first_line = lines_seen + 1;
        }
        offset += line.len();
    }
    chunks.push((&text[start..], first_line));
    for (chunk, line) in chunks {
        if chunk.trim().is_empty() {
            continue;
        }
        let value = parse_one(chunk).map_err(|e| format!("{file}:{line}: {e}"))?;
        if value.is_null() {
            continue;
        }
        // The first line with content, for the report.
        let skip = chunk
            .lines()
            .take_while(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
            .count();
        out.push((
            value,
            Origin {
                file: file.to_owned(),
                line: line + skip,
            },
        ));
    }
    Ok(out)
}

/// Kubernetes objects of the documents: `List` kinds (what `kubectl get -o yaml` prints)
/// unfolded into their items.
pub fn objects(docs: Vec<(Value, Origin)>) -> Vec<(Value, Origin)> {
    let mut out = Vec::new();
    for (doc, origin) in docs {
        let is_list = doc["kind"].as_str().is_some_and(|k| k.ends_with("List"));
        match doc.get("items").and_then(Value::as_array) {
            Some(items) if is_list => {
                out.extend(items.iter().map(|i| (i.clone(), origin.clone())));
            }
            _ => out.push((doc, origin)),
        }
    }
    out
}

/// A mapping of strings (labels) as strings.
pub fn string_map(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
        .collect()
}

/// Whether an object is of Fleet's kind `kind`.
pub fn is_fleet(obj: &Value, kind: &str) -> bool {
    obj["kind"] == kind
        && obj["apiVersion"]
            .as_str()
            .is_some_and(|v| v.starts_with("fleet.cattle.io/"))
}

/// The line of `ptr` in `text` (1-based), or 1.
pub fn line_of(text: &str, index: &crate::load::SpanIndex, ptr: &crate::pointer::Ptr) -> usize {
    let at = index.nearest(ptr).start;
    text[..at.min(text.len())].matches('\n').count() + 1
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_keep_their_lines() {
        let text = "# GitRepos\nkind: A\n---\n\n---\n# b\nkind: B\n";
        let docs = parse_docs(text, "f.yaml").unwrap();
        let lines: Vec<usize> = docs.iter().map(|(_, o)| o.line).collect();
        assert_eq!(lines, [2, 7]);
        assert_eq!(docs[1].0["kind"], "B");
    }

    #[test]
    fn fleet_reads_yaml_1_1_scalars() {
        // go-yaml v2 (sigs.k8s.io/yaml): `no` and `on` are booleans.
        let v = parse_one("a: no\nb: on\nc: \"no\"\n").unwrap();
        assert_eq!(v["a"], false);
        assert_eq!(v["b"], true);
        assert_eq!(v["c"], "no");
    }

    #[test]
    fn lists_unfold() {
        let docs = parse_docs(
            "kind: GitRepoList\nitems:\n- kind: GitRepo\n- kind: GitRepo\n",
            "x",
        )
        .unwrap();
        assert_eq!(objects(docs).len(), 2);
    }
}
