//! Which directories of a GitRepo's `paths` Fleet makes bundles of, by its own scan
//! (rancher/fleet v0.16.1 internal/cmd/cli/apply/apply.go:105-127 `globDirs`, 131-223
//! `CreateBundles`, 804-860 `shouldCreateBundleForThisPath`).

use super::scan::{Entry, Repo};

/// What Fleet's scan of a GitRepo's `paths` walks and finds.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    /// The directories it walks from (`paths` with globs expanded; `""` is the root).
    pub bases: Vec<String>,
    /// The bundle directories it finds, each once, in the order its walk meets them.
    pub bundles: Vec<String>,
}

impl Scan {
    /// Whether the walk passes through `dir`: a fleet.yaml written there makes a bundle of it.
    pub fn walks(&self, dir: &str) -> bool {
        self.bases
            .iter()
            .any(|b| b.is_empty() || dir == b || dir.starts_with(&format!("{b}/")))
    }
}

/// Fleet's scan of `paths`, or why fleetc cannot say what it finds.
pub fn scan(repo: &Repo, paths: &[String]) -> Result<Scan, String> {
    // CreateBundles: no paths is the repository root.
    let default = [".".to_owned()];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let mut out = Scan::default();
    for p in paths {
        for base in glob_dirs(repo, p)? {
            walk(repo, &base, &base, &mut out.bundles)?;
            out.bases.push(base);
        }
    }
    Ok(out)
}

/// `globDirs`: leading slashes dropped, the rest a `filepath.Glob` pattern, directories only.
fn glob_dirs(repo: &Repo, pattern: &str) -> Result<Vec<String>, String> {
    let pattern = pattern.trim_start_matches('/');
    // `filepath.Glob("")` finds nothing (apply.go:105-119): a path of only slashes pulls nothing.
    if pattern.is_empty() {
        return Ok(Vec::new());
    }
    let mut segments: Vec<&str> = Vec::new();
    for seg in pattern.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                return Err(format!("path `{pattern}` leaves the repository (`..`)"));
            }
            s => segments.push(s),
        }
    }
    if segments.iter().any(|s| s.contains(['[', '\\'])) {
        return Err(format!(
            "path `{pattern}` uses a character class or escape, which fleetc import does not expand"
        ));
    }
    let mut found = vec![String::new()];
    for seg in segments {
        let mut next = Vec::new();
        for dir in &found {
            if seg.contains(['*', '?']) {
                for (name, entry) in repo.children(dir) {
                    // filepath.Glob: `*` does not match a leading dot only by shell habit; Go's
                    // Match lets it, and so does this.
                    if matches!(entry, Entry::Dir | Entry::Link) && glob_match(seg, name) {
                        next.push(join(dir, name));
                    }
                }
            } else {
                next.push(join(dir, seg));
            }
        }
        found = next;
    }
    // Only existing directories (os.Stat follows links, but fleetc does not read through them).
    let mut out = Vec::new();
    for f in found {
        match repo.entry(&f) {
            Some(Entry::Dir) => out.push(f),
            Some(Entry::Link) => {
                return Err(format!(
                    "path `{f}` is a symbolic link, which fleetc import does not follow"
                ));
            }
            _ => {}
        }
    }
    Ok(out)
}

/// Go's `path.Match` for `*` and `?` (no classes: refused above).
fn glob_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// `dir/name`, or `name` at the root (`""`).
pub(super) fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

/// `fleetyaml.FoundFleetYamlInDirectory`: `fleet.yaml`, else `fleet.yml`; or why fleetc cannot
/// say (a linked one).
pub fn fleet_yaml_in(repo: &Repo, dir: &str) -> Result<Option<String>, String> {
    for name in ["fleet.yaml", "fleet.yml"] {
        let path = join(dir, name);
        match repo.entry(&path) {
            Some(Entry::File(_)) => return Ok(Some(path)),
            Some(Entry::Link) => {
                return Err(format!(
                    "`{path}` is a symbolic link, which fleetc import does not follow"
                ));
            }
            Some(Entry::Dir | Entry::Other) | None => {}
        }
    }
    Ok(None)
}

/// WalkDir from `base`: the base is a bundle when it has a fleet.yaml or resources outside
/// bundles of their own; every directory below with a fleet.yaml is one.
fn walk(repo: &Repo, base: &str, dir: &str, out: &mut Vec<String>) -> Result<(), String> {
    let here = fleet_yaml_in(repo, dir)?.is_some();
    let bundle = if dir == base {
        here || has_loose_resources(repo, dir)?
    } else {
        here
    };
    if bundle && !out.iter().any(|d| d == dir) {
        out.push(dir.to_owned());
    }
    let subdirs: Vec<String> = repo
        .children(dir)
        .filter(|(_, e)| *e == Entry::Dir)
        .map(|(n, _)| join(dir, n))
        .collect();
    for sub in subdirs {
        walk(repo, base, &sub, out)?;
    }
    Ok(())
}

/// `hasSubDirectoryWithResourcesAndWithoutFleetYaml`.
fn has_loose_resources(repo: &Repo, dir: &str) -> Result<bool, String> {
    if fleet_yaml_in(repo, dir)?.is_some() {
        return Ok(false);
    }
    for (name, entry) in repo.children(dir) {
        match entry {
            Entry::Dir if has_loose_resources(repo, &join(dir, name))? => return Ok(true),
            Entry::Dir => {}
            _ if name.ends_with(".yaml") || name.ends_with(".yml") => return Ok(true),
            _ => {}
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(files: &[&str]) -> (tempfile::TempDir, Repo) {
        let dir = tempfile::tempdir().unwrap();
        for f in files {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "a: 1\n").unwrap();
        }
        let r = Repo::open(dir.path()).unwrap();
        (dir, r)
    }

    #[test]
    fn the_walk_finds_what_fleet_finds() {
        // rancher/fleet v0.16.1 apply.go:804-860: the root is a bundle for loose resources,
        // subdirectories only with a fleet.yaml of their own.
        let (_d, r) = repo(&[
            "apps/a/fleet.yaml",
            "apps/a/deploy.yaml",
            "apps/a/nested/fleet.yaml",
            "apps/b/x.yaml",
            "apps/README.md",
            "other/c/fleet.yaml",
        ]);
        let found = |paths: &[&str]| {
            let paths: Vec<String> = paths.iter().map(|p| (*p).to_owned()).collect();
            scan(&r, &paths).map(|s| s.bundles)
        };
        assert_eq!(
            found(&["apps"]).unwrap(),
            ["apps", "apps/a", "apps/a/nested"]
        );
        assert_eq!(found(&["/apps/a"]).unwrap(), ["apps/a", "apps/a/nested"]);
        assert_eq!(found(&["*/c"]).unwrap(), ["other/c"]);
        assert!(found(&["../x"]).is_err());
        // Only slashes: Fleet's Glob of "" finds nothing.
        assert!(found(&["/"]).unwrap().is_empty());
        let s = scan(&r, &["apps".to_owned()]).unwrap();
        assert!(s.walks("apps/b") && !s.walks("other/c") && !s.walks("app"));
        let (_d, r) = repo(&["apps/a/fleet.yaml", "apps/README.md"]);
        assert_eq!(scan(&r, &["apps".to_owned()]).unwrap().bundles, ["apps/a"]);
    }

    #[test]
    fn globs_match_as_go_does() {
        assert!(glob_match("multi-*", "multi-cluster"));
        assert!(glob_match("?ouse", "house"));
        assert!(!glob_match("a*b", "ac"));
        assert!(glob_match("*", ""));
    }
}
