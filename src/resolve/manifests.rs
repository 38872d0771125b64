//! Raw YAML apps (`source.manifests`): the workload file read and checked, and patches that
//! name the file they change. Fleet changes raw YAML per cluster with `yaml.overlays`: a file
//! `overlays/<name>/<file>_patch.yaml` patches `<file>` as one document (rancher/fleet v0.16.1
//! internal/helmdeployer/render/patch/patch.go), so fleetc needs each file it patches to hold
//! exactly the object it means.

use std::collections::BTreeMap;

use serde_json::Value;

use super::Cx;
use super::apps::normalize;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{AppSource, ManifestWorkload, WorkloadRef};
use crate::pointer::Ptr;
use crate::spec::{self, WorkloadKind};

impl Cx<'_> {
    pub(super) fn manifests(
        &mut self,
        i: usize,
        a: &spec::App,
        m: &spec::ManifestsSource,
        bundle_dir: &str,
    ) -> AppSource {
        let base = Ptr::item("apps", i).key("source").key("manifests");
        let release_name = self.release_name(i, a, m.release_name.as_ref(), &base);
        // With a `kustomization.yaml` at the top of the bundle Fleet builds it with kustomize
        // instead (internal/bundlereader/style.go:32-37), and the overlays would never apply;
        // a `kustomization.yml` it would deploy as an object, which fails.
        if let Some(k) = ["kustomization.yaml", "kustomization.yml"]
            .iter()
            .find(|f| self.root.is_file(&format!("{bundle_dir}/{f}")))
        {
            self.push(
                Diagnostic::new(
                    Code::SourceKind,
                    format!("`{bundle_dir}/{k}` makes this a kustomize bundle"),
                )
                .label(self.ix.head(&base, self.text), "Fleet builds a directory with a kustomization with kustomize, not as plain YAML")
                .help("use `source.kustomize`, or move the kustomization out of the bundle directory"),
            );
        }
        let workload = m.workload.as_ref().and_then(|w| {
            let at = base.key("workload");
            let doc = self.manifest_file(&w.file, &at.key("file"), bundle_dir)?;
            let name = w.name.clone().unwrap_or_else(|| a.name.clone());
            let kind = match w.kind {
                WorkloadKind::Deployment => "Deployment",
                WorkloadKind::StatefulSet => "StatefulSet",
            };
            if doc["kind"] != kind || doc["metadata"]["name"] != name.as_str() {
                self.push(
                    Diagnostic::new(
                        Code::MissingBase,
                        format!("`{}` does not hold {kind} `{name}`", w.file),
                    )
                    .label(self.at(&at.key("file")), "Fleet patches this file as one object")
                    .help("name the file that holds the workload, or set `kind` and `name` to what it holds"),
                );
                return None;
            }
            let container = w.container.clone().unwrap_or_else(|| name.clone());
            let pod = &doc["spec"]["template"]["spec"];
            let mut own_resources = None;
            let mut containers: BTreeMap<String, Vec<(&'static str, String)>> = BTreeMap::new();
            for list in ["containers", "initContainers"] {
                for c in pod[list].as_array().into_iter().flatten() {
                    let cname = c["name"].as_str().unwrap_or_default().to_owned();
                    if list == "containers" && cname == container {
                        own_resources = Some(c["resources"].clone());
                    }
                    if let Some(image) = c["image"].as_str() {
                        containers
                            .entry(repository(image).to_owned())
                            .or_default()
                            .push((list, cname));
                    }
                }
            }
            let Some(own_resources) = own_resources else {
                self.push(
                    Diagnostic::new(
                        Code::MissingBase,
                        format!("{kind} `{name}` has no container `{container}`"),
                    )
                    .label(self.at(&at), format!("not among the containers in `{}`", w.file))
                    .help("set `container` to the workload's main container"),
                );
                return None;
            };
            for (k, img) in a.images.iter().enumerate() {
                if !containers.contains_key(&img.name) {
                    self.push(
                        Diagnostic::new(
                            Code::MissingBase,
                            format!("no container of {kind} `{name}` runs `{}`", img.name),
                        )
                        .label(self.at(&Ptr::item("apps", i).key("images").index(k).key("name")), format!("not an image of `{}`", w.file))
                        .help("a raw YAML app sets the tags of its workload's containers: name the image as the file spells it (without tag)"),
                    );
                }
            }
            Some(ManifestWorkload {
                file: normalize(&w.file),
                workload: WorkloadRef {
                    kind: w.kind,
                    name,
                    container,
                },
                own_resources,
                containers,
            })
        });
        if workload.is_none()
            && m.workload.is_none()
            && (a.replicas.is_some() || a.resources.is_some() || !a.images.is_empty())
        {
            self.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    "`replicas`, `resources` and `images` of a raw YAML app need its `workload`",
                )
                .label(self.ix.head(&base, self.text), "no workload named")
                .help("add `workload: {file: <file>, name: <name>}`: fleetc patches that file"),
            );
        }
        AppSource::Manifests {
            workload,
            release_name,
        }
    }

    /// A file of the bundle directory that Fleet patches: inside it, present, and one YAML
    /// document; its content.
    fn manifest_file(&mut self, file: &str, at: &Ptr, bundle_dir: &str) -> Option<Value> {
        if !self.safe_path(file, at) {
            return None;
        }
        let path = format!("{bundle_dir}/{}", normalize(file));
        // Fleet tells a patch by `_patch.` in its name (patch.go:86-93): the file needs an
        // extension for its patch to be one.
        if !normalize(file)
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .contains('.')
        {
            self.push(
                Diagnostic::new(Code::InvalidValue, format!("`{path}` has no extension"))
                    .label(self.at(at), "Fleet would take its patch for a new file")
                    .help("name the file with its extension, e.g. `deployment.yaml`"),
            );
            return None;
        }
        let text = match self.root.read(&path) {
            Ok(Some(t)) => t,
            _ => {
                self.push(
                    Diagnostic::new(Code::MissingBase, format!("`{path}` not found"))
                        .label(self.at(at), "resolved inside the app's bundle directory")
                        .help(format!(
                            "create `{path}`, or name a file of the bundle directory"
                        )),
                );
                return None;
            }
        };
        let docs: Result<Vec<Value>, _> =
            serde_saphyr::from_multiple_with_options(&text, crate::load::yaml_options());
        match docs.map(|d| d.into_iter().filter(|v| !v.is_null()).collect::<Vec<_>>()) {
            Ok(mut docs) if docs.len() == 1 => Some(docs.remove(0)),
            Ok(docs) => {
                self.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!("`{path}` holds {} YAML documents", docs.len()),
                    )
                    .label(self.at(at), "Fleet patches a file as one document")
                    .help("give the object fleetc patches a file of its own"),
                );
                None
            }
            Err(e) => {
                let why = e.to_string();
                self.push(
                    Diagnostic::new(Code::InvalidValue, format!("`{path}` is not YAML"))
                        .label(
                            self.at(at),
                            why.lines().next().unwrap_or_default().to_owned(),
                        )
                        .help("Fleet could not read it either: fix the file"),
                );
                None
            }
        }
    }

    /// Patches of an app or override (`patches` at `at`): each given inline or read from its
    /// `patchFile` (which fills in `patch`); a raw YAML app's name the file they change and
    /// hold a patch list or object; the others' name no file.
    pub(super) fn patch_files(
        &mut self,
        patches: &mut [spec::Patch],
        at: &Ptr,
        manifests: bool,
        bundle_dir: &str,
    ) {
        for (k, p) in patches.iter_mut().enumerate() {
            let here = at.index(k);
            match (&p.patch_file, p.patch.is_empty()) {
                (Some(_), false) | (None, true) => self.push(
                    Diagnostic::new(Code::InvalidValue, "a patch needs exactly one of `patch` and `patchFile`")
                        .label(self.ix.head(&here, self.text), "give the patch inline or name its file")
                        .help("`patch: |` with the patch, or `patchFile:` with a file (relative to the output root)"),
                ),
                (Some(f), true) => {
                    if let Some(text) =
                        self.kept_file(f, &here.key("patchFile"), bundle_dir, manifests, "patch")
                    {
                        p.patch = text;
                    }
                }
                (None, false) => {}
            }
            match (&p.file, manifests) {
                (Some(_), false) => self.push(
                    Diagnostic::new(Code::NotForSource, "`file` only applies to raw YAML apps")
                        .label(self.ix.key(&here.key("file")), "this app's patches go through kustomize")
                        .help("select the object with `target`, or leave it to the patch's own kind and name"),
                ),
                (None, true) => self.push(
                    Diagnostic::new(Code::InvalidValue, "a patch of a raw YAML app names no `file`")
                        .label(self.ix.head(&here, self.text), "Fleet patches whole files")
                        .help("add `file:` with the file it changes, relative to the bundle directory"),
                ),
                (Some(f), true) => {
                    if p.target.is_some() {
                        self.push(
                            Diagnostic::new(Code::NotForSource, "`target` does not apply to raw YAML apps")
                                .label(self.ix.key(&here.key("target")), "Fleet patches the whole `file`")
                                .help("remove `target`; `file` says what the patch changes"),
                        );
                    }
                    let _ = self.manifest_file(f, &here.key("file"), bundle_dir);
                    let parsed: Result<Value, _> =
                        serde_saphyr::from_str_with_options(&p.patch, crate::load::yaml_options());
                    if !matches!(parsed, Ok(Value::Object(_) | Value::Array(_))) {
                        self.push(
                            Diagnostic::new(Code::InvalidValue, "the patch is neither a patch list nor an object")
                                .label(self.at(&here.key("patch")), "Fleet reads it as a JSON 6902 list or a merge patch")
                                .help("write a list of operations (`- op: replace ...`) or the fields to change"),
                        );
                    }
                }
                (None, false) => {}
            }
        }
    }
}

impl Cx<'_> {
    /// An override's `replaceFiles`: raw YAML apps only; each a file of the bundle directory
    /// (not the workload file, nor one the app's own patches change: the replacement would
    /// drop what they did) and the content of its replacement.
    pub(super) fn replace_files(
        &mut self,
        o: &spec::Override,
        base: &Ptr,
        input: &super::overrides::AppInput<'_>,
    ) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        if o.replace_files.is_empty() {
            return out;
        }
        let at = base.key("replaceFiles");
        if !input.manifests {
            self.push(
                Diagnostic::new(
                    Code::NotForSource,
                    "`replaceFiles` only apply to raw YAML apps",
                )
                .label(
                    self.ix.key(&at),
                    "this app's files are not Fleet's raw YAML",
                )
                .help("use `patches` to change its manifests"),
            );
            return out;
        }
        let bundle_dir = input.bundle_dir;
        for (file, with) in &o.replace_files {
            let here = at.key(file);
            if !self.safe_path(file, &here) {
                continue;
            }
            let file = normalize(file);
            let own_patch = input
                .spec
                .patches
                .iter()
                .any(|p| p.file.as_deref().map(normalize).as_deref() == Some(file.as_str()));
            if input.workload_file == Some(file.as_str()) || own_patch {
                let what = if own_patch {
                    "the app's own patches change it"
                } else {
                    "it holds the workload"
                };
                self.push(
                    Diagnostic::new(Code::InvalidValue, format!("`{file}` cannot be replaced: {what}"))
                        .label(self.ix.key(&here), "the replacement would drop what the app's own overlay did to it")
                        .help("patch it in this override instead, or move the change into the replacement"),
                );
                continue;
            }
            if !self.root.is_file(&format!("{bundle_dir}/{file}")) {
                self.push(
                    Diagnostic::new(Code::MissingBase, format!("`{bundle_dir}/{file}` not found"))
                        .label(self.ix.key(&here), "a file of the bundle directory to replace")
                        .help("name a file of the bundle directory; a new file belongs in the directory itself"),
                );
                continue;
            }
            let Some(text) = self.kept_file(with, &here, bundle_dir, true, "replacement") else {
                continue;
            };
            let docs: Result<Vec<Value>, _> =
                serde_saphyr::from_multiple_with_options(&text, crate::load::yaml_options());
            if docs.is_err() {
                self.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!("`{}` is not YAML", normalize(with)),
                    )
                    .label(self.at(&here), "replaces a manifest")
                    .help("Fleet would deploy it as it is: fix the file"),
                );
            }
            out.insert(file, text);
        }
        out
    }
}

impl Cx<'_> {
    /// A file the spec keeps content in (a patch, a replacement), relative to the output root:
    /// safe, present, and for a raw YAML app (`raw_yaml`) not a file of its bundle directory
    /// outside `overlays/`, which Fleet would deploy as a manifest (patch.go:40-47). Its text.
    fn kept_file(
        &mut self,
        file: &str,
        at: &Ptr,
        bundle_dir: &str,
        raw_yaml: bool,
        what: &str,
    ) -> Option<String> {
        if !self.safe_path(file, at) {
            return None;
        }
        let path = normalize(file);
        let inside = path.strip_prefix(&format!("{bundle_dir}/"));
        if raw_yaml && inside.is_some_and(|rest| !rest.starts_with("overlays/")) {
            self.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("Fleet would deploy `{path}` as a manifest"),
                )
                .label(self.at(at), "a file of this raw YAML bundle")
                .help(format!(
                    "keep {what} files outside the bundle directory, or under its `overlays/`"
                )),
            );
        }
        match self.root.read(&path) {
            Ok(Some(text)) => Some(text),
            _ => {
                self.push(
                    Diagnostic::new(Code::MissingBase, format!("`{path}` not found"))
                        .label(self.at(at), "relative to the output root")
                        .help(format!("create `{path}`, or name another file")),
                );
                None
            }
        }
    }
}

/// An image reference without its tag or digest.
fn repository(image: &str) -> &str {
    let no_digest = image.split('@').next().unwrap_or(image);
    match no_digest.rsplit_once(':') {
        // A colon after the last slash is a tag; before it, a registry port.
        Some((repo, tag)) if !tag.contains('/') => repo,
        _ => no_digest,
    }
}

#[cfg(test)]
mod tests {
    use super::repository;

    #[test]
    fn repositories_drop_tags_and_digests_not_ports() {
        assert_eq!(repository("nginx:1.27"), "nginx");
        assert_eq!(
            repository("registry:5000/team/web"),
            "registry:5000/team/web"
        );
        assert_eq!(
            repository("registry:5000/team/web:1.0@sha256:ab"),
            "registry:5000/team/web"
        );
        assert_eq!(
            repository("quay.io/metallb/controller"),
            "quay.io/metallb/controller"
        );
    }
}
