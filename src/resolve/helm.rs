//! Helm options of apps and overrides: values files that exist, `valuesFrom` references that
//! name one object, and the settings Fleet would silently ignore (E032): options it does not
//! merge from a customization, flags switched off per target, template values it never renders.

use super::Cx;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::HelmOptions;
use crate::pointer::Ptr;
use crate::spec::{HelmOverride, HelmSource, ValuesFrom};

impl Cx<'_> {
    /// An app's Helm options (`apps[i].source.helm`).
    pub(super) fn helm_options(
        &mut self,
        h: &HelmSource,
        at: &Ptr,
        bundle_dir: &str,
    ) -> HelmOptions {
        self.values_files(&h.values_files, &at.key("valuesFiles"), bundle_dir);
        self.values_from(&h.values_from, &at.key("valuesFrom"));
        if h.disable_pre_process && !h.template_values.is_empty() {
            self.push(
                Diagnostic::new(Code::IgnoredByFleet, "`templateValues` are never rendered")
                    .label(
                        self.ix.key(&at.key("templateValues")),
                        "ignored with `disablePreProcess: true`",
                    )
                    .label(self.at(&at.key("disablePreProcess")), "templating is off")
                    .help("Fleet renders templateValues only when it preprocesses values (rancher/fleet v0.16.1 internal/cmd/controller/target/builder.go:304-328); remove one of the two"),
            );
        }
        HelmOptions {
            values_files: h.values_files.clone(),
            values_from: h.values_from.clone(),
            template_values: h.template_values.clone(),
            timeout_seconds: h.timeout_seconds,
            max_history: h.max_history,
            take_ownership: h.take_ownership,
            force: h.force,
            atomic: h.atomic,
            wait_for_jobs: h.wait_for_jobs,
            disable_dns: h.disable_dns,
            skip_schema_validation: h.skip_schema_validation,
            disable_pre_process: h.disable_pre_process,
            disable_dependency_update: h.disable_dependency_update,
            chart: Default::default(),
        }
    }

    /// An override's Helm options (`apps[i].overrides[j].helm`), laid over `app` by Fleet.
    pub(super) fn helm_override(
        &mut self,
        o: &HelmOverride,
        at: &Ptr,
        app: &HelmOptions,
        root: Option<&HelmSource>,
        bundle_dir: &str,
    ) -> HelmOptions {
        self.values_files(&o.values_files, &at.key("valuesFiles"), bundle_dir);
        self.values_from(&o.values_from, &at.key("valuesFrom"));
        for (key, set) in [
            ("maxHistory", o.max_history.is_some()),
            ("skipSchemaValidation", o.skip_schema_validation.is_some()),
            (
                "disableDependencyUpdate",
                o.disable_dependency_update.is_some(),
            ),
        ] {
            if set {
                self.push(
                    Diagnostic::new(
                        Code::IgnoredByFleet,
                        format!("Fleet ignores `{key}` per target"),
                    )
                    .label(self.ix.key(&at.key(key)), "not merged from a targetCustomization")
                    .help(format!(
                        "set `source.helm.{key}` on the app instead (rancher/fleet v0.16.1 internal/cmd/controller/options/calculate.go:74-114 never reads it from a customization)"
                    )),
                );
            }
        }
        let flags = [
            ("takeOwnership", o.take_ownership),
            ("force", o.force),
            ("atomic", o.atomic),
            ("waitForJobs", o.wait_for_jobs),
            ("disableDNS", o.disable_dns),
            ("disablePreProcess", o.disable_pre_process),
        ];
        for (key, value) in flags {
            if value == Some(false) {
                let why = if app.flag(key) {
                    format!("the app sets `{key}: true`, and Fleet ORs it with the target's")
                } else {
                    "`false` is already what every cluster gets".to_owned()
                };
                self.push(
                    Diagnostic::new(
                        Code::IgnoredByFleet,
                        format!("an override cannot switch `{key}` off"),
                    )
                    .label(self.at(&at.key(key)), why)
                    .help("Fleet only switches Helm flags on per target (calculate.go:108-113): set it on the app only where it holds everywhere, or remove this line"),
                );
            }
        }
        if o.disable_pre_process == Some(true) && !app.template_values.is_empty() {
            self.push(
                Diagnostic::new(
                    Code::IgnoredByFleet,
                    "the app's `templateValues` would not be rendered on these clusters",
                )
                .label(self.at(&at.key("disablePreProcess")), "templating is off here")
                .help("Fleet renders templateValues only when it preprocesses values (builder.go:304-328): drop the app's templateValues or keep templating on"),
            );
        }
        let disabled = o.disable_pre_process == Some(true) || app.disable_pre_process;
        if disabled && !o.template_values.is_empty() {
            self.push(
                Diagnostic::new(Code::IgnoredByFleet, "`templateValues` are never rendered")
                    .label(
                        self.ix.key(&at.key("templateValues")),
                        "ignored with `disablePreProcess: true`",
                    )
                    .help("Fleet renders templateValues only when it preprocesses values (builder.go:304-328); remove one of the two"),
            );
        }
        let chart = self.chart_override(o, at, root);
        let on = |v: Option<bool>| v == Some(true);
        HelmOptions {
            chart,
            values_files: o.values_files.clone(),
            values_from: o.values_from.clone(),
            template_values: o.template_values.clone(),
            timeout_seconds: o.timeout_seconds,
            take_ownership: on(o.take_ownership),
            force: on(o.force),
            atomic: on(o.atomic),
            wait_for_jobs: on(o.wait_for_jobs),
            disable_dns: on(o.disable_dns),
            disable_pre_process: on(o.disable_pre_process),
            ..HelmOptions::default()
        }
    }

    /// Values files are read by Fleet from the bundle directory when it builds the bundle: a
    /// missing one fails the whole bundle.
    fn values_files(&mut self, files: &[String], at: &Ptr, bundle_dir: &str) {
        let mut seen = std::collections::BTreeMap::new();
        for (n, f) in files.iter().enumerate() {
            let ptr = at.index(n);
            if let Some(first) = seen.insert(f.as_str(), n) {
                self.push(
                    Diagnostic::new(
                        Code::DuplicateName,
                        format!("values file `{f}` is listed twice"),
                    )
                    .label(self.at(&ptr), "listed again here")
                    .label(self.at(&at.index(first)), "first listed here")
                    .help("list each values file once; later files win"),
                );
                continue;
            }
            if self.safe_path(f, &ptr) && !self.root.is_file(&format!("{bundle_dir}/{f}")) {
                self.push(
                    Diagnostic::new(
                        Code::MissingBase,
                        format!("values file `{bundle_dir}/{f}` does not exist"),
                    )
                    .label(self.at(&ptr), "Fleet reads it from the bundle directory")
                    .help("values files are relative to the app's bundle directory (`path`); add the file or fix the path"),
                );
            }
        }
    }

    fn values_from(&mut self, list: &[ValuesFrom], at: &Ptr) {
        for (n, v) in list.iter().enumerate() {
            let ptr = at.index(n);
            let (kind, r) = match (&v.config_map_key_ref, &v.secret_key_ref) {
                (Some(r), None) => ("configMapKeyRef", r),
                (None, Some(r)) => ("secretKeyRef", r),
                (both, _) => {
                    let msg = if both.is_some() {
                        "a `valuesFrom` entry names both a ConfigMap and a Secret"
                    } else {
                        "a `valuesFrom` entry names neither a ConfigMap nor a Secret"
                    };
                    self.push(
                        Diagnostic::new(Code::InvalidValue, msg)
                            .label(self.at(&ptr), "exactly one is needed")
                            .help("use one entry per object: `configMapKeyRef: {name: ...}` or `secretKeyRef: {name: ...}`"),
                    );
                    continue;
                }
            };
            let base = ptr.key(kind);
            self.dns_subdomain(&r.name, &base.key("name"), "object name");
            if let Some(ns) = &r.namespace {
                self.dns_label(ns, &base.key("namespace"), "namespace");
            }
        }
    }
}

impl Cx<'_> {
    /// An override's chart, repository, version and release name (Fleet takes each a target
    /// sets, and downloads each target's chart: internal/cmd/controller/options/calculate.go:96-107,
    /// internal/bundlereader/read.go:293-314).
    fn chart_override(
        &mut self,
        o: &HelmOverride,
        at: &Ptr,
        root: Option<&HelmSource>,
    ) -> crate::model::ChartOverride {
        if let Some(h) = root {
            self.chart_combination(o, at, h);
        }
        if let Some(r) = &o.repo
            && !["https://", "http://", "oci://"]
                .iter()
                .any(|p| r.starts_with(p))
        {
            self.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("`{r}` is not a Helm repository URL"),
                )
                .label(self.at(&at.key("repo")), "expected https:// (or oci://)")
                .help("give the repository's URL, e.g. `https://charts.example.com`"),
            );
        }
        for (key, v) in [("version", &o.version), ("chart", &o.chart)] {
            if let Some(v) = v
                && (v.trim().is_empty() || v.contains(char::is_whitespace))
            {
                self.push(
                    Diagnostic::new(Code::InvalidValue, format!("`{key}` `{v}` is not one word"))
                        .label(self.at(&at.key(key)), "Fleet would fail to fetch the chart")
                        .help(format!(
                            "give the chart's {key} as its repository spells it"
                        )),
                );
            }
        }
        if let Some(name) = &o.release_name {
            self.helm_release_name(name, &at.key("releaseName"), true, "releaseName");
        }
        crate::model::ChartOverride {
            repo: o.repo.clone(),
            chart: o.chart.clone(),
            version: o.version.clone(),
            release_name: o.release_name.clone(),
        }
    }
}

impl Cx<'_> {
    /// A target's chart settings against the app's: Fleet fills a target's empty `repo`,
    /// `chart` and `version` from the app's (internal/bundlereader/read.go:294-313) and then
    /// fetches each target's chart as the app's: an `oci://` chart with a repository is looked
    /// up in that repository's index and fails; with an `oci://` repository the chart name is
    /// not used; a chart in the bundle or an archive URL is fetched by no version
    /// (internal/bundlereader/charturl.go:122-137, 346-351; resources.go:221, style.go:24-29).
    fn chart_combination(&mut self, o: &HelmOverride, at: &Ptr, h: &HelmSource) {
        let repo = o.repo.as_deref().or(h.repo.as_deref());
        let chart = o.chart.as_deref().unwrap_or(&h.chart);
        let refuse = |cx: &mut Self, code: Code, key: &str, msg: String, why: &str, help: &str| {
            cx.push(
                Diagnostic::new(code, msg)
                    .label(cx.at(&at.key(key)), why.to_owned())
                    .help(help.to_owned()),
            );
        };
        if chart.starts_with("oci://") && repo.is_some() && (o.chart.is_some() || o.repo.is_some())
        {
            let key = if o.repo.is_some() { "repo" } else { "chart" };
            refuse(
                self,
                Code::InvalidValue,
                key,
                format!(
                    "`{chart}` with the repository `{}`",
                    repo.unwrap_or_default()
                ),
                "Fleet would look the OCI reference up in the repository's index and fail the bundle",
                "an OCI chart takes no `repo`: give the chart as `oci://...` alone, or a chart name with `repo`",
            );
            return;
        }
        // fleetc writes an OCI chart as `repo` (fleet_yaml::oci_as_repository), which Fleet then
        // fetches whatever `chart` a target names.
        let oci = |r: &str| r.to_ascii_lowercase().starts_with("oci://");
        if o.chart.as_deref().is_some_and(|c| !oci(c))
            && (h.repo.as_deref().is_some_and(oci) || oci(&h.chart))
            && o.repo.is_none()
        {
            refuse(
                self,
                Code::IgnoredByFleet,
                "chart",
                "a chart name beside an `oci://` repository".to_owned(),
                "Fleet fetches the OCI repository itself and ignores the name",
                "give the target its own `repo: oci://...` instead",
            );
        }
        let in_bundle = h.repo.is_none() && !h.chart.contains("://");
        let archive = h.repo.is_none() && h.chart.contains("://") && !h.chart.starts_with("oci://");
        if (in_bundle || archive) && o.chart.is_none() {
            if o.version.is_some() {
                refuse(
                    self,
                    Code::IgnoredByFleet,
                    "version",
                    "a version for a chart Fleet does not download by version".to_owned(),
                    if in_bundle {
                        "the app's chart is a directory of the bundle"
                    } else {
                        "the app's chart is an archive URL"
                    },
                    "give the target its own `chart` (and `repo`) to run another version there, or remove this",
                );
            }
            if o.repo.is_some() && in_bundle {
                refuse(
                    self,
                    Code::InvalidValue,
                    "repo",
                    format!(
                        "a repository for the bundle's chart directory `{}`",
                        h.chart
                    ),
                    "Fleet would fetch the directory's name from that repository",
                    "give the target its own `chart` from that repository",
                );
            }
        }
    }
}
