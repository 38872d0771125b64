//! Resolving apps: sources, images, targets, dependencies.

use std::collections::{BTreeMap, HashMap};

use super::{Cx, Names, RefNames};
use crate::diagnostic::{Code, Diagnostic};
use crate::fleet_names::{self, MAX_HELM_RELEASE_NAME_LEN};
use crate::model::{
    App, AppSource, ClusterId, EnvGitRepo, EnvId, Fleet, HelmChart, ImageRef, LabelSelector,
    Settings, SharedPull, Target, WorkloadRef,
};
use crate::pointer::Ptr;
use crate::spec::{self, Spec};
use crate::values::{ImageTag, Parse};

impl Cx<'_> {
    pub(super) fn apps(&mut self, spec: &Spec, fleet: &Fleet, names: &RefNames) -> Vec<App> {
        let mut app_names = Names::new();
        for (i, a) in spec.apps.iter().enumerate() {
            let ptr = Ptr::item("apps", i).key("name");
            self.dns_label(&a.name, &ptr, "app name");
            self.unique(
                &mut app_names,
                &a.name,
                &ptr,
                "app",
                &Ptr::path(&["apps"]),
                i,
            );
        }
        let prefix = spec
            .fleet
            .repo_path
            .as_deref()
            .map(|p| p.trim_matches('/'))
            .filter(|p| !p.is_empty() && *p != ".");
        let mut apps: Vec<App> = spec
            .apps
            .iter()
            .enumerate()
            .map(|(i, a)| self.app(i, a, prefix, fleet, names, spec))
            .collect();
        self.dependencies(spec, &app_names, fleet, &mut apps);
        self.dependency_cycles(&apps);
        self.bundle_dir_overlaps(&mut apps, fleet);
        self.nested_bundles(&apps, fleet);
        self.release_collisions(&apps, fleet);
        apps
    }

    fn app(
        &mut self,
        i: usize,
        a: &spec::App,
        prefix: Option<&str>,
        fleet: &Fleet,
        names: &RefNames,
        spec: &Spec,
    ) -> App {
        let base = Ptr::item("apps", i);
        self.dns_label(&a.namespace, &base.key("namespace"), "namespace");
        let namespace_labels = self.labels(&a.namespace_labels, &base.key("namespaceLabels"));
        let namespace_annotations =
            self.annotations(&a.namespace_annotations, &base.key("namespaceAnnotations"));
        let bundle_dir = match &a.path {
            Some(p) => {
                self.safe_path(p, &base.key("path"));
                normalize(p)
            }
            None => format!("bundles/{}", a.name),
        };
        let repo_dir = match prefix {
            Some(pre) => format!("{pre}/{bundle_dir}"),
            None => bundle_dir.clone(),
        };
        let source = self.source(i, a, &bundle_dir);
        let is_helm = matches!(source, AppSource::Helm(_));
        let (images, tags) = self.images(i, a, is_helm);
        let image_names: Names = images
            .iter()
            .enumerate()
            .map(|(k, img)| (img.name.clone(), k))
            .collect();

        let helm = match &a.source.helm {
            Some(h) if is_helm => {
                self.helm_options(h, &base.key("source").key("helm"), &bundle_dir)
            }
            _ => Default::default(),
        };
        let mut settings = Settings {
            replicas: a.replicas,
            tags,
            resources: a.resources.clone(),
            values: a.values.clone().unwrap_or_default(),
            patches: a.patches.clone(),
            files: Default::default(),
            helm,
            deploy: Default::default(),
            origins: Default::default(),
        };
        settings.set_origins(&base, |name| {
            let j = a
                .images
                .iter()
                .position(|img| img.name == name)
                .unwrap_or(0);
            base.key("images").index(j).key("tag")
        });
        settings.set_helm_origins(&base.key("source").key("helm"));
        self.pinned_tags(a, &mut settings);
        self.source_fit(&base, is_helm, a.values.is_some());
        let manifests = matches!(source, AppSource::Manifests { .. });
        self.patch_files(
            &mut settings.patches,
            &base.key("patches"),
            manifests,
            &bundle_dir,
        );

        let shared = self.shared_pull(i, a, fleet, &repo_dir);
        let workspace = match &shared {
            Some(s) => fleet.git_repos[s.repo].workspace.clone(),
            None => fleet.workspace.clone(),
        };
        let (targets, clusters) = self.targets(
            &base.key("targets"),
            &a.name,
            &a.targets,
            fleet,
            names,
            &fleet.reach(&workspace),
        );
        if is_helm {
            self.templating(i, a, fleet, names, &clusters, &settings.helm);
        }
        // Environments with GitRepos: those of the targeted clusters (a `doNotDeploy` keeps
        // its environment's GitRepo, which then carries that customization), and those where
        // a target waits for clusters to opt in.
        let mut envs: Vec<EnvId> = clusters
            .iter()
            .map(|c| fleet.clusters[*c].environment)
            .collect();
        for t in targets.iter().filter(|t| t.awaits_opt_in) {
            envs.extend(opt_in_envs(fleet, t));
        }
        envs.sort_unstable();
        envs.dedup();
        let input = super::overrides::AppInput {
            i,
            spec: a,
            names,
            targeted: &clusters,
            is_helm,
            images: &image_names,
            bundle_dir: &bundle_dir,
            app_helm: &settings.helm,
            envs: &envs,
            open: targets.iter().any(|t| t.awaits_opt_in),
            manifests,
            workload_file: match &source {
                AppSource::Manifests {
                    workload: Some(w), ..
                } => Some(w.file.as_str()),
                _ => None,
            },
        };
        let (customizations, tag_held) = self.customizations(&input, fleet);
        // What the app deploys to: its targets' clusters but those a `doNotDeploy`
        // customization takes first (Fleet skips the bundle for them,
        // rancher/fleet v0.16.1 internal/cmd/controller/target/builder.go:128-139).
        let customization_of = App::index_customizations(&customizations);
        let clusters: Vec<ClusterId> = clusters
            .into_iter()
            .filter(|&c| {
                !App::picked(&customizations, &customization_of, c)
                    .is_some_and(crate::model::Customization::excludes)
            })
            .collect();

        let mut bundle = self.bundle_options(i, a, fleet, names, &clusters);
        self.gitrepo_options(i, a, fleet, spec, shared.as_ref(), &workspace, &mut bundle);
        if a.bundle_name.is_some() && a.git_repo.is_none() {
            self.push(
                Diagnostic::new(Code::InvalidValue, "`bundleName` without `gitRepo`")
                    .label(self.ix.key(&base.key("bundleName")), "this app has one bundle per environment")
                    .help("an app pulled per environment gets a bundle per environment, each named after its GitRepo; put the app in a shared `gitRepo` to name its one bundle"),
            );
        }
        let helm_op = self.helm_op(i, a, fleet, &customizations);
        let gitrepos = if a.git_repo.is_some() {
            Vec::new()
        } else {
            self.env_gitrepos(i, a, fleet, &targets, &envs, &repo_dir)
        };
        App {
            name: a.name.clone(),
            namespace: a.namespace.clone(),
            helm_op,
            overlays: "overlays".to_owned(),
            bundle_dir,
            repo_dir,
            gitrepos,
            shared,
            workspace,
            source,
            images,
            targets,
            clusters,
            base: settings,
            customizations,
            customization_of,
            depends_on: Vec::new(),
            drift: a.drift.clone(),
            tag_held,
            namespace_labels,
            namespace_annotations,
            bundle,
            dependencies: Vec::new(),
        }
    }

    /// The release pins replace the app's own tag of the images the pipeline builds (overrides
    /// that set a tag still win, as they do over the app's tag).
    fn pinned_tags(&mut self, a: &spec::App, settings: &mut Settings) {
        let Some(tags) = self.pins.images.get(&a.name) else {
            return;
        };
        for (image, tag) in tags {
            if !a.images.iter().any(|img| &img.name == image) {
                self.push(
                    Diagnostic::new(
                        Code::UnknownReference,
                        format!(
                            "`{}` pins image `{image}`, which app `{}` does not run",
                            crate::pins::FILE,
                            a.name
                        ),
                    )
                    .file(crate::pins::FILE)
                    .help("pin again with `fleetc pin`, or remove the entry"),
                );
                continue;
            }
            // `pins::load` refused a file whose tags are not tags.
            let Ok(tag) = ImageTag::parse(tag) else {
                continue;
            };
            settings.tags.insert(image.clone(), tag);
            settings.origins.insert(
                format!("images/{image}"),
                crate::model::Origin::File(crate::pins::FILE),
            );
        }
    }

    /// One GitRepo per environment the app reaches: `<app>-<environment>`, pulling its
    /// environment's pinned revision, with each target of the app restricted to that
    /// environment (its ClusterGroup, the rest of the target as a selector). A pinned
    /// environment's GitRepos are taken from the spec at its revision (`crate::promotion`), so
    /// a change to them waits for the promote job like everything else.
    fn env_gitrepos(
        &mut self,
        i: usize,
        a: &spec::App,
        fleet: &Fleet,
        targets: &[Target],
        envs: &[EnvId],
        repo_dir: &str,
    ) -> Vec<EnvGitRepo> {
        let keys = &fleet.label_keys;
        let mut out = Vec::new();
        for &e in envs {
            let env = &fleet.environments[e];
            let name = format!("{}-{}", a.name, env.name);
            if name.len() > fleet_names::MAX_LABEL_VALUE_LEN {
                self.push(
                    Diagnostic::new(
                        Code::NameTooLong,
                        format!("GitRepo name `{name}` has {} characters", name.len()),
                    )
                    .label(
                        self.at(&Ptr::item("apps", i).key("name")),
                        "GitRepos are named `<app>-<environment>`; Kubernetes allows 63 characters",
                    )
                    .help("shorten the app or the environment name"),
                );
            }
            let env_targets = targets
                .iter()
                .filter(|t| {
                    fleet
                        .clusters
                        .iter()
                        .any(|c| c.environment == e && t.matcher.matches(&c.labels))
                        || t.awaits_opt_in && opt_in_envs(fleet, t).contains(&e)
                })
                .map(|t| {
                    let mut rest = t.matcher.labels.clone();
                    let env_value = fleet.environments[e].name.clone();
                    if t.matcher.groups.is_some() {
                        // The target names its own groups: Fleet takes one `clusterGroup`, so
                        // the environment goes into the cluster selector.
                        rest.match_labels
                            .insert(keys.environment.to_string(), env_value);
                        return Target {
                            selector: Some(rest),
                            ..t.clone()
                        };
                    }
                    rest.match_labels.remove(keys.environment.as_str());
                    Target {
                        name: t.name.clone(),
                        cluster_group: Some(fleet.env_group(e)),
                        cluster_group_selector: None,
                        selector: (rest != LabelSelector::default()).then_some(rest),
                        matcher: t.matcher.clone(),
                        awaits_opt_in: t.awaits_opt_in,
                    }
                })
                .collect();
            out.push(EnvGitRepo {
                env: e,
                // A HelmOp's bundle has its name (helmop_controller.go:228-234).
                bundle: if a.helm_op.is_some() {
                    name.clone()
                } else {
                    fleet_names::bundle_name(&name, repo_dir)
                },
                name,
                targets: env_targets,
            });
        }
        out
    }

    /// The Helm release name: `releaseName` under `source` (`base`), else the app name; at
    /// most 53 characters, as Helm takes them.
    pub(super) fn release_name(
        &mut self,
        i: usize,
        a: &spec::App,
        set: Option<&String>,
        base: &Ptr,
    ) -> String {
        let release_name = set.cloned().unwrap_or_else(|| a.name.clone());
        let ptr = if set.is_some() {
            base.key("releaseName")
        } else {
            Ptr::item("apps", i).key("name")
        };
        let key = base
            .as_str()
            .trim_start_matches(&format!("/apps/{i}/"))
            .replace('/', ".");
        self.helm_release_name(
            &release_name,
            &ptr,
            set.is_some(),
            &format!("{key}.releaseName"),
        );
        release_name
    }

    /// A Helm release name at `at` (`key` in the help): at most 53 characters and, when the
    /// spec writes it (`written`), a lowercase DNS name, as Helm takes them.
    pub(super) fn helm_release_name(&mut self, name: &str, at: &Ptr, written: bool, key: &str) {
        if name.len() > MAX_HELM_RELEASE_NAME_LEN {
            self.push(
                Diagnostic::new(
                    Code::NameTooLong,
                    format!("Helm release name `{name}` has {} characters", name.len()),
                )
                .label(
                    self.at(at),
                    format!("at most {MAX_HELM_RELEASE_NAME_LEN} characters fit"),
                )
                .help(format!("set a shorter `{key}`")),
            );
        } else if written && !name.split('.').all(fleet_names::is_dns_label) {
            self.push(
                Diagnostic::new(
                    Code::InvalidName,
                    format!("invalid Helm release name `{name}`"),
                )
                .label(self.at(at), "Helm release names are lowercase DNS names")
                .help("use lowercase letters, digits, `-` and `.`"),
            );
        }
    }

    /// What the app's GitRepo decides for its bundle: a shared GitRepo's service account,
    /// `paused`, `keepResources` and `forceSyncGeneration`, and the service account a
    /// workspace's GitRepoRestriction gives a GitRepo that names none (Fleet sets them on
    /// every bundle of the GitRepo: rancher/fleet v0.16.1 internal/bundlereader/read.go:224-279,
    /// internal/cmd/controller/gitops/reconciler/restrictions.go:75-97, the same in v0.13.0).
    #[allow(clippy::too_many_arguments)]
    fn gitrepo_options(
        &mut self,
        i: usize,
        a: &spec::App,
        fleet: &Fleet,
        spec: &Spec,
        shared: Option<&SharedPull>,
        workspace: &str,
        bundle: &mut crate::model::BundleOptions,
    ) {
        let g = shared.map(|s| &fleet.git_repos[s.repo]);
        if let Some(g) = g {
            bundle.paused |= g.paused;
            bundle.keep_resources |= g.keep_resources;
            if g.force_sync_generation.is_some() {
                bundle.force_sync_generation = g.force_sync_generation;
            }
        }
        let default = spec
            .workspaces
            .iter()
            .find(|w| w.name == workspace)
            .and_then(|w| w.git_repo_restriction.as_ref())
            .and_then(|r| r.default_service_account.as_ref());
        match (g.and_then(|g| g.service_account.as_ref()), default) {
            (Some(sa), _) => bundle.service_account = Some(sa.clone()),
            (None, Some(sa)) => {
                if a.service_account.is_some() {
                    self.push(
                        Diagnostic::new(
                            Code::IgnoredByFleet,
                            format!("workspace `{workspace}` gives its GitRepos the service account `{sa}`"),
                        )
                        .label(self.ix.key(&Ptr::item("apps", i).key("serviceAccount")), "Fleet ignores this")
                        .help("Fleet sets the GitRepoRestriction's `defaultServiceAccount` on a GitRepo that names none, and a GitRepo's service account on all its bundles (read.go:228): give the app a shared GitRepo with the service account it needs, or remove this"),
                    );
                }
                bundle.service_account = Some(sa.clone());
            }
            (None, None) => {}
        }
    }

    /// The shared GitRepo that pulls the app (`gitRepo`), with the app's bundle name.
    fn shared_pull(
        &mut self,
        i: usize,
        a: &spec::App,
        fleet: &Fleet,
        repo_dir: &str,
    ) -> Option<SharedPull> {
        let name = a.git_repo.as_ref()?;
        let at = Ptr::item("apps", i).key("gitRepo");
        let names: Names = fleet
            .git_repos
            .iter()
            .enumerate()
            .map(|(k, g)| (g.name.clone(), k))
            .collect();
        let repo = self.reference(&names, name, &at, "GitRepo")?;
        self.shared_conflicts(i, a, &fleet.git_repos[repo], &at);
        let options = self.options_file(i, a, fleet.git_repos[repo].driven);
        let bundle = match &a.bundle_name {
            Some(b) => {
                self.dns_label(b, &Ptr::item("apps", i).key("bundleName"), "bundle name");
                b.clone()
            }
            // The driven scan names a bundle after its options file too:
            // HelmReleaseName(filepath.Join(gitrepo, base, <options file without extension>))
            // (rancher/fleet v0.16.1 internal/cmd/cli/apply/apply.go:459-466).
            None => match &options {
                Some(o) => {
                    let stem = o.rsplit_once('.').map_or(o.as_str(), |(s, _)| s);
                    let path = if repo_dir == "." {
                        stem.to_owned()
                    } else {
                        format!("{repo_dir}/{stem}")
                    };
                    fleet_names::bundle_name(name, &path)
                }
                None => fleet_names::bundle_name(name, repo_dir),
            },
        };
        Some(SharedPull {
            repo,
            bundle,
            named: a.bundle_name.is_some(),
            options,
        })
    }

    /// Reports `values` on apps that are not Helm charts. (`patches` apply to every source: a
    /// Helm chart's output is post-rendered with kustomize.)
    pub(super) fn source_fit(&mut self, base: &Ptr, is_helm: bool, has_values: bool) {
        if !is_helm && has_values {
            self.push(
                Diagnostic::new(Code::NotForSource, "`values` only apply to Helm apps")
                    .label(
                        self.ix.key(&base.key("values")),
                        "this app is not a Helm chart",
                    )
                    .help("use `patches` to change its manifests, or switch the source to `helm`"),
            );
        }
    }

    fn source(&mut self, i: usize, a: &spec::App, bundle_dir: &str) -> AppSource {
        let base = Ptr::item("apps", i).key("source");
        let given = [
            a.source.kustomize.is_some(),
            a.source.helm.is_some(),
            a.source.manifests.is_some(),
        ];
        if given.iter().filter(|g| **g).count() == 1
            && let Some(m) = &a.source.manifests
        {
            return self.manifests(i, a, m, bundle_dir);
        }
        match (&a.source.kustomize, &a.source.helm) {
            (Some(k), None) if a.source.manifests.is_none() => {
                let ptr = base.key("kustomize").key("base");
                let kbase = normalize(&k.base);
                if self.safe_path(&k.base, &ptr) {
                    let found = ["kustomization.yaml", "kustomization.yml", "Kustomization"]
                        .iter()
                        .any(|f| self.root.is_file(&format!("{bundle_dir}/{kbase}/{f}")));
                    if !found {
                        self.push(
                            Diagnostic::new(
                                Code::MissingBase,
                                format!("kustomize base `{bundle_dir}/{kbase}` has no kustomization.yaml"),
                            )
                            .label(self.at(&ptr), "resolved inside the app's bundle directory")
                            .help(format!(
                                "create `{bundle_dir}/{kbase}/kustomization.yaml`, or point `base` at the directory that has it (Fleet ships only files under `{bundle_dir}`)"
                            )),
                        );
                    }
                }
                let w = k.workload.clone().unwrap_or(spec::Workload {
                    kind: spec::WorkloadKind::Deployment,
                    name: None,
                    container: None,
                });
                let name = w.name.unwrap_or_else(|| a.name.clone());
                let container = w.container.unwrap_or_else(|| name.clone());
                let release_name =
                    self.release_name(i, a, k.release_name.as_ref(), &base.key("kustomize"));
                AppSource::Kustomize {
                    base: kbase,
                    workload: WorkloadRef {
                        kind: w.kind,
                        name,
                        container,
                    },
                    release_name,
                }
            }
            (None, Some(h)) if a.source.manifests.is_none() => {
                AppSource::Helm(self.helm(i, a, h, bundle_dir))
            }
            _ => {
                let named: Vec<&str> = ["kustomize", "helm", "manifests"]
                    .into_iter()
                    .zip(given)
                    .filter_map(|(k, g)| g.then_some(k))
                    .map(|k| match k {
                        "kustomize" => "`kustomize`",
                        "helm" => "`helm`",
                        _ => "`manifests`",
                    })
                    .collect();
                let msg = if named.is_empty() {
                    "an app's `source` names none of `kustomize`, `helm` and `manifests`".to_owned()
                } else if named.len() == 2 {
                    format!("an app's `source` has both {} and {}", named[0], named[1])
                } else {
                    format!(
                        "an app's `source` has {}, {} and {}",
                        named[0], named[1], named[2]
                    )
                };
                self.push(
                    Diagnostic::new(Code::SourceKind, msg)
                        .label(self.ix.head(&base, self.text), "exactly one is needed")
                        .help("keep `kustomize: {base: ...}` for a kustomize base, `helm: {chart: ...}` for a chart, or `manifests: {}` for plain YAML files"),
                );
                AppSource::Kustomize {
                    base: "base".to_owned(),
                    workload: WorkloadRef {
                        kind: spec::WorkloadKind::Deployment,
                        name: a.name.clone(),
                        container: a.name.clone(),
                    },
                    release_name: a.name.clone(),
                }
            }
        }
    }

    fn helm(
        &mut self,
        i: usize,
        a: &spec::App,
        h: &spec::HelmSource,
        bundle_dir: &str,
    ) -> HelmChart {
        let base = Ptr::item("apps", i).key("source").key("helm");
        // Fleet takes an `oci://` repo as the chart's whole reference and never reads `chart`
        // beside it (rancher/fleet v0.16.1 internal/bundlereader/charturl.go:118-121, 346-351).
        if h.repo
            .as_deref()
            .is_some_and(|r| r.to_ascii_lowercase().starts_with("oci://"))
        {
            self.push(
                Diagnostic::new(
                    Code::IgnoredByFleet,
                    "a chart name beside an `oci://` repository".to_owned(),
                )
                .label(
                    self.at(&base.key("chart")),
                    "Fleet fetches the OCI repository itself and ignores the name",
                )
                .help(format!(
                    "Fleet fetches `{}` as it is: give the whole OCI reference as `chart: oci://...` and remove `repo`",
                    h.repo.as_deref().unwrap_or_default()
                )),
            );
        }
        let remote = h.repo.is_some() || h.chart.contains("://");
        // A chart archive by URL (`https://…/web-1.2.3.tgz`) is one version already.
        let archive = h.repo.is_none()
            && !h.chart.starts_with("oci://")
            && (h.chart.ends_with(".tgz") || h.chart.ends_with(".tar.gz"));
        if remote && !archive && h.version.is_none() {
            self.push(
                Diagnostic::new(
                    Code::UnpinnedChart,
                    format!("chart `{}` has no version", h.chart),
                )
                .label(
                    self.at(&base.key("chart")),
                    "unpinned: every build could deploy another chart",
                )
                .help("pin the chart with `version:` (an exact version, or a semver range)"),
            );
        }
        let chart = if remote {
            h.chart.clone()
        } else {
            let ptr = base.key("chart");
            let local = normalize(&h.chart);
            // A HelmOp app has no directory: `helm_op` reports the local chart.
            if a.helm_op.is_none()
                && self.safe_path(&h.chart, &ptr)
                && !self
                    .root
                    .is_file(&format!("{bundle_dir}/{local}/Chart.yaml"))
            {
                self.push(
                    Diagnostic::new(
                        Code::MissingBase,
                        format!("local chart `{bundle_dir}/{local}` has no Chart.yaml"),
                    )
                    .label(self.at(&ptr), "a chart without `repo` is a directory inside the bundle directory")
                    .help("add `repo:` for a chart from a Helm repository, use an `oci://` reference, or point `chart` at the chart directory"),
                );
            }
            if local == "." {
                "./".to_owned()
            } else {
                format!("./{local}")
            }
        };
        let release_name = self.release_name(i, a, h.release_name.as_ref(), &base);
        HelmChart {
            chart,
            repo: h.repo.clone(),
            version: h.version.clone(),
            release_name,
            replicas_key: h.replicas_key.clone(),
            resources_key: h.resources_key.clone(),
        }
    }

    /// The app's images, and their tags by name.
    fn images(
        &mut self,
        i: usize,
        a: &spec::App,
        is_helm: bool,
    ) -> (Vec<ImageRef>, BTreeMap<String, ImageTag>) {
        let mut tags = BTreeMap::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut keys: HashMap<String, usize> = HashMap::new();
        let mut out = Vec::new();
        for (j, img) in a.images.iter().enumerate() {
            let base = Ptr::item("apps", i).key("images").index(j);
            if let Some(first) = seen.insert(img.name.clone(), j) {
                self.push(
                    Diagnostic::new(
                        Code::DuplicateName,
                        format!("image `{}` is listed twice", img.name),
                    )
                    .label(self.at(&base.key("name")), "listed again here")
                    .label(
                        self.at(&Ptr::item("apps", i).key("images").index(first).key("name")),
                        "first listed here",
                    )
                    .help("list each image once"),
                );
            }
            if let Some(tag) = self.parse(&img.tag, &base.key("tag")) {
                tags.insert(img.name.clone(), tag);
            }
            let values_key = if is_helm {
                let key = img.values_key.clone().unwrap_or_else(|| "image".to_owned());
                if let Some(first) = keys.insert(key.clone(), j) {
                    self.push(
                        Diagnostic::new(
                            Code::DuplicateName,
                            format!("two images write values key `{key}`"),
                        )
                        .label(self.at(&base.key("name")), "this image")
                        .label(
                            self.at(&Ptr::item("apps", i).key("images").index(first).key("name")),
                            "and this one",
                        )
                        .help("give each image its own `valuesKey`, e.g. `controller.image`"),
                    );
                }
                Some(key)
            } else {
                if img.values_key.is_some() {
                    self.push(
                        Diagnostic::new(
                            Code::NotForSource,
                            "`valuesKey` only applies to Helm apps",
                        )
                        .label(
                            self.ix.key(&base.key("valuesKey")),
                            "this app is built with kustomize",
                        )
                        .help("remove it; kustomize sets images by `name`"),
                    );
                }
                None
            };
            out.push(ImageRef {
                name: img.name.clone(),
                new_name: img.new_name.clone(),
                values_key,
                build: img.build.clone(),
            });
        }
        (out, tags)
    }

    fn dependency_cycles(&mut self, apps: &[App]) {
        // Iterative three-colour DFS; reports each cycle once, at its first app in spec order.
        let n = apps.len();
        let mut state = vec![0u8; n];
        for start in 0..n {
            if state[start] != 0 {
                continue;
            }
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            state[start] = 1;
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                if let Some(dep) = apps[node].depends_on.get(*next).map(|d| d.index()) {
                    *next += 1;
                    match state[dep] {
                        0 => {
                            state[dep] = 1;
                            stack.push((dep, 0));
                        }
                        1 => {
                            let pos = stack.iter().position(|(a, _)| *a == dep).unwrap_or(0);
                            let cycle: Vec<usize> = stack[pos..].iter().map(|(a, _)| *a).collect();
                            self.report_cycle(apps, &cycle);
                        }
                        _ => {}
                    }
                } else {
                    state[node] = 2;
                    stack.pop();
                }
            }
        }
    }

    fn report_cycle(&mut self, apps: &[App], cycle: &[usize]) {
        let first = *cycle.iter().min().unwrap_or(&0);
        let mut path: Vec<&str> = cycle.iter().map(|a| apps[*a].name.as_str()).collect();
        path.push(&apps[cycle[0]].name);
        let mut d = Diagnostic::new(
            Code::DependencyCycle,
            format!("apps depend on each other in a cycle: {}", path.join(" → ")),
        );
        for (k, &a) in cycle.iter().enumerate() {
            let next = cycle[(k + 1) % cycle.len()];
            let j = apps[a]
                .depends_on
                .iter()
                .position(|d| d.index() == next)
                .unwrap_or(0);
            let text = if a == first {
                "this dependency closes the cycle"
            } else {
                "part of the cycle"
            };
            d = d.label(
                self.at(&Ptr::item("apps", a).key("dependsOn").index(j)),
                text,
            );
        }
        // The primary label is the first app's edge.
        if let Some(p) = cycle.iter().position(|a| *a == first) {
            d.labels.rotate_left(p);
        }
        self.push(d.help("Fleet would wait forever; remove one of these dependencies"));
    }

    /// Two apps that install the same Helm release (namespace and name) on one cluster: each
    /// upgrade replaces the other's resources, and Fleet's agent removes releases it does not
    /// know (rancher/fleet v0.16.1 internal/cmd/agent/deployer/cleanup/cleanup.go:144-146).
    fn release_collisions(&mut self, apps: &[App], fleet: &Fleet) {
        let mut seen: BTreeMap<(ClusterId, &str, String), usize> = BTreeMap::new();
        let mut reported = std::collections::BTreeSet::new();
        for (a, app) in apps.iter().enumerate() {
            let own = match &app.source {
                AppSource::Helm(h) => &h.release_name,
                AppSource::Kustomize { release_name, .. }
                | AppSource::Manifests { release_name, .. } => release_name,
            };
            for &c in &app.clusters {
                let release = app
                    .customization_on(c)
                    // As `Customization::full` merges it (HelmOptions::merge), without the copy.
                    .and_then(|cu| {
                        cu.delta
                            .helm
                            .chart
                            .release_name
                            .clone()
                            .or_else(|| app.base.helm.chart.release_name.clone())
                    })
                    .unwrap_or_else(|| own.clone());
                let key = (c, app.namespace_on(c), release.clone());
                match seen.get(&key) {
                    Some(&first) if first != a && reported.insert((first, a)) => {
                        self.push(
                            Diagnostic::new(
                                Code::DuplicateName,
                                format!(
                                    "`{}` and `{}` both install the Helm release `{}/{release}` on `{}`",
                                    apps[first].name, app.name, app.namespace_on(c), fleet.clusters[c].name
                                ),
                            )
                            .label(self.at(&Ptr::item("apps", a).key("name")), "this app's release")
                            .label(self.at(&Ptr::item("apps", first).key("name")), "has the name of this one's")
                            .help("give one of them another `releaseName` (or namespace)"),
                        );
                    }
                    Some(_) => {}
                    None => {
                        seen.insert(key, a);
                    }
                }
            }
        }
    }

    /// Bundle directories must not overlap, but for apps of one driven GitRepo, which may share
    /// a directory (each its own options file): their overlays then go under `overlays/<app>`.
    fn bundle_dir_overlaps(&mut self, apps: &mut [App], fleet: &Fleet) {
        let mut dirs: Vec<(&str, usize)> = apps
            .iter()
            .enumerate()
            .map(|(i, a)| (a.bundle_dir.as_str(), i))
            .collect();
        dirs.sort_unstable();
        let mut shared_dirs = Vec::new();
        // Each directory against the nearest earlier one it equals or lies in: sorted, `a`,
        // `a-b`, `a/c` would hide `a/c` in `a` from a comparison of neighbours only.
        // (outer dir, its app, inner dir, its app)
        let mut pairs: Vec<(&str, usize, &str, usize)> = Vec::new();
        for (k, &(b, bi)) in dirs.iter().enumerate() {
            if let Some(&(a, ai)) = dirs[..k]
                .iter()
                .rev()
                .find(|(a, _)| *a == b || b.starts_with(&format!("{a}/")))
            {
                pairs.push((a, ai, b, bi));
            }
        }
        for (a, ai, b, bi) in pairs {
            if a == b && self.may_share_dir(&apps[ai], &apps[bi], fleet) {
                shared_dirs.extend([ai, bi]);
                continue;
            }
            {
                let ptr = |i: usize| Ptr::item("apps", i).key("path");
                self.push(
                    Diagnostic::new(
                        Code::UnsafePath,
                        if a == b {
                            format!("apps `{}` and `{}` share bundle directory `{a}`", apps[ai].name, apps[bi].name)
                        } else {
                            format!("bundle directories `{a}` and `{b}` overlap")
                        },
                    )
                    .label(
                        self.ix.key(&ptr(bi)).clone(),
                        format!("bundle of `{}`", apps[bi].name),
                    )
                    .label(
                        self.ix.key(&ptr(ai)).clone(),
                        format!("bundle of `{}`", apps[ai].name),
                    )
                    .help("give every app its own directory, not nested in another app's; apps of one `driven` GitRepo may share one, each with its own `optionsFile`"),
                );
            }
        }
        shared_dirs.sort_unstable();
        shared_dirs.dedup();
        for &i in &shared_dirs {
            apps[i].overlays = format!("overlays/{}", apps[i].name);
        }
        // Every app with an options file of its own gets one in its `.fleetignore`: Fleet
        // before 0.13.4 loads even the bundle's own options file as a manifest (v0.13.0
        // internal/bundlereader/resources.go:100).
        let mut with_options: Vec<usize> = (0..apps.len())
            .filter(|&i| apps[i].options_file() != "fleet.yaml")
            .collect();
        with_options.extend(shared_dirs.iter().copied());
        with_options.sort_unstable();
        with_options.dedup();
        self.ignored_by_options(apps, &with_options);
    }

    /// In a shared directory fleetc writes a `.fleetignore` naming every options file, and
    /// Fleet matches each entry against the base name of every file below it
    /// (rancher/fleet v0.16.1 internal/bundlereader/loaddirectory.go:39-66): a file deeper
    /// down with an options file's name would silently leave every bundle there.
    fn ignored_by_options(&mut self, apps: &[App], shared: &[usize]) {
        const WRITTEN: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Chart.yaml"];
        let mut seen_dirs: Vec<&str> = Vec::new();
        for &i in shared {
            let app = &apps[i];
            let at = Ptr::item("apps", i).key("optionsFile");
            if WRITTEN.contains(&app.options_file()) {
                self.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!("options file `{}` in a `.fleetignore`", app.options_file()),
                    )
                    .label(
                        self.at(&at),
                        "its `.fleetignore` entry would hide every file of this name below",
                    )
                    .help("name it after the app or environment, e.g. `production.yaml`"),
                );
                continue;
            }
            if seen_dirs.contains(&app.bundle_dir.as_str()) {
                continue;
            }
            seen_dirs.push(&app.bundle_dir);
            let options: Vec<&str> = shared
                .iter()
                .map(|&j| &apps[j])
                .filter(|a| a.bundle_dir == app.bundle_dir && a.options_file() != "fleet.yaml")
                .map(|a| a.options_file())
                .collect();
            for f in self.root.files_under(&app.bundle_dir) {
                let Some((_, name)) = f.rsplit_once('/') else {
                    continue;
                };
                if options.contains(&name) {
                    let owner = shared
                        .iter()
                        .find(|&&j| {
                            apps[j].bundle_dir == app.bundle_dir && apps[j].options_file() == name
                        })
                        .copied()
                        .unwrap_or(i);
                    self.push(
                        Diagnostic::new(
                            Code::UnsafePath,
                            format!(
                                "`{}/{f}` would be left out of every bundle in `{}`",
                                app.bundle_dir, app.bundle_dir
                            ),
                        )
                        .label(
                            self.at(&Ptr::item("apps", owner).key("optionsFile")),
                            "Fleet's `.fleetignore` matches this name in every directory below",
                        )
                        .help("rename the options file, or the file"),
                    );
                }
            }
        }
    }

    /// A `fleet.yaml` below an app's directory that fleetc did not write: scanning `paths`,
    /// Fleet makes every directory below with a fleet.yaml a bundle of its own, which the
    /// app's GitRepo then deploys to its targets (rancher/fleet v0.16.1
    /// internal/cmd/cli/apply/apply.go:153-190, 805-826). The driven scan reads no directory
    /// below (CreateBundlesDriven), and a HelmOp none at all.
    fn nested_bundles(&mut self, apps: &[App], fleet: &Fleet) {
        for (i, app) in apps.iter().enumerate() {
            let driven = app
                .shared
                .as_ref()
                .is_some_and(|s| fleet.git_repos[s.repo].driven);
            if driven || app.helm_op.is_some() || app.bundle_dir == "." {
                continue;
            }
            let nested: Vec<String> = self
                .root
                .files_under(&app.bundle_dir)
                .into_iter()
                .filter(|f| f.ends_with("/fleet.yaml"))
                .collect();
            if let Some(first) = nested.first() {
                let dir = first.trim_end_matches("/fleet.yaml");
                self.push(
                    Diagnostic::new(
                        Code::UnsafePath,
                        format!(
                            "Fleet would deploy `{}/{dir}` as a bundle of its own",
                            app.bundle_dir
                        ),
                    )
                    .label(
                        self.at(&Ptr::item("apps", i).key("name")),
                        format!("`{}/{first}` makes it one, under this app's GitRepo targets", app.bundle_dir),
                    )
                    .help("remove or rename that fleet.yaml (a vendored chart or example?), or make the directory an app of its own"),
                );
            }
        }
    }

    /// Two apps in one directory: both of one driven GitRepo, with their own options files,
    /// and neither raw YAML (whose manifests would be both apps' resources).
    fn may_share_dir(&self, a: &App, b: &App, fleet: &Fleet) -> bool {
        let (Some(sa), Some(sb)) = (&a.shared, &b.shared) else {
            return false;
        };
        if sa.repo != sb.repo || !fleet.git_repos[sa.repo].driven {
            return false;
        }
        let manifests = |x: &App| matches!(x.source, AppSource::Manifests { .. });
        if manifests(a) || manifests(b) {
            return false;
        }
        a.options_file() != b.options_file()
    }
}

/// Drops `./` prefixes and trailing slashes.
pub(super) fn normalize(p: &str) -> String {
    let mut p = p.trim_end_matches('/');
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    if p.is_empty() {
        ".".to_owned()
    } else {
        p.to_owned()
    }
}

/// The environments a target waiting for opt-in clusters may reach them in: those its
/// requirements on the environment label allow, directly or through the groups it accepts.
pub(super) fn opt_in_envs(fleet: &Fleet, t: &Target) -> Vec<EnvId> {
    let key = fleet.label_keys.environment.as_str();
    fleet
        .environment_ids()
        .filter(|(_, env)| t.matcher.allows(key, &env.name))
        .map(|(e, _)| e)
        .collect()
}
