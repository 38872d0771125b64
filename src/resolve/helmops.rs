//! Apps delivered by Fleet HelmOps (`helmOp`): what a HelmOp can carry, checked as Fleet's
//! HelmOp controller checks it (rancher/fleet v0.16.1
//! internal/cmd/controller/helmops/reconciler/helmop_controller.go).

use super::Cx;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{
    ChartForm, Customization, DeployOptions, Fleet, HelmOpSettings, HelmOptions, Scope, Settings,
    chart_form, strict_semver,
};
use crate::pointer::Ptr;
use crate::spec;
use crate::values::GoDuration;
use crate::versions::Version;

impl Cx<'_> {
    pub(super) fn helm_op(
        &mut self,
        i: usize,
        a: &spec::App,
        fleet: &Fleet,
        customizations: &[Customization],
    ) -> Option<HelmOpSettings> {
        let h = a.helm_op.as_ref()?;
        let base = Ptr::item("apps", i);
        let at = base.key("helmOp");
        let refuse = |cx: &mut Self, ptr: &Ptr, msg: &str, label: &str, help: &str| {
            cx.push(
                Diagnostic::new(Code::NotForSource, msg.to_owned())
                    .label(cx.ix.key(ptr), label.to_owned())
                    .help(help.to_owned()),
            );
        };
        if a.git_repo.is_some() {
            refuse(
                self,
                &base.key("gitRepo"),
                "an app delivered by HelmOps has no GitRepo",
                "`helmOp` delivers it without Git",
                "choose one: `gitRepo` pulls it from Git, `helmOp` straight from the chart repository",
            );
        }
        if a.verbatim
            .as_ref()
            .is_some_and(|v| !v.target_customizations.is_empty())
        {
            refuse(
                self,
                &base.key("verbatim"),
                "an app delivered by HelmOps keeps no targetCustomizations verbatim",
                "fleetc writes a HelmOp's customizations per target, ANDed with it",
                "express them as `overrides`, or deliver the app with a GitRepo (remove `helmOp`)",
            );
        }
        let Some(src) = &a.source.helm else {
            refuse(
                self,
                &at,
                "`helmOp` only delivers Helm charts",
                "this app is not a Helm chart",
                "remove `helmOp`, or switch the app's source to `helm` with a chart repository",
            );
            return None;
        };
        let form = chart_form(&src.chart, src.repo.as_deref());
        let chart_at = base.key("source").key("helm").key("chart");
        match form {
            ChartForm::Local => refuse(
                self,
                &chart_at,
                "a HelmOp cannot read a chart from Git",
                "a chart directory in this repository",
                "publish the chart to a Helm repository or OCI registry, or deliver the app with a GitRepo (remove `helmOp`)",
            ),
            ChartForm::Tarball if src.version.is_some() => refuse(
                self,
                &base.key("source").key("helm").key("version"),
                "a HelmOp takes no version with a tarball URL",
                "Fleet refuses the HelmOp: the archive is one version already",
                "remove `version`, or name the chart by repository and version",
            ),
            _ => {}
        }
        if src.chart.to_ascii_lowercase().ends_with(".tar.gz") && src.repo.is_none() {
            refuse(
                self,
                &chart_at,
                "a HelmOp takes a tarball URL only ending `.tgz`",
                "Fleet reads this as a chart name without a repository and refuses the HelmOp",
                "use the archive's `.tgz` URL, or name the chart by repository and version",
            );
        }
        // Everything that lives in Git: a HelmOp's bundle has no files of its own.
        let files = "a HelmOp carries no files: Fleet downloads only the chart";
        if !a.patches.is_empty() {
            refuse(
                self,
                &base.key("patches"),
                "post-render `patches` need files from Git",
                files,
                "set it through chart values, or deliver the app with a GitRepo",
            );
        }
        if !src.values_files.is_empty() {
            refuse(
                self,
                &base.key("source").key("helm").key("valuesFiles"),
                "`valuesFiles` are read from Git",
                files,
                "move the values into `values`, or into a ConfigMap or Secret with `valuesFrom`",
            );
        }
        for (j, o) in a.overrides.iter().enumerate() {
            let ob = base.key("overrides").index(j);
            if !o.patches.is_empty() {
                refuse(
                    self,
                    &ob.key("patches"),
                    "post-render `patches` need files from Git",
                    files,
                    "set it through chart values, or deliver the app with a GitRepo",
                );
            }
            if o.helm
                .as_ref()
                .is_some_and(|oh| !oh.values_files.is_empty())
            {
                refuse(
                    self,
                    &ob.key("helm").key("valuesFiles"),
                    "`valuesFiles` are read from Git",
                    files,
                    "move the values into `values`, or into a ConfigMap or Secret with `valuesFrom`",
                );
            }
        }
        let polling_interval: Option<GoDuration> = h.polling_interval.as_ref().and_then(|p| {
            self.parse_because(p, &at.key("pollingInterval"), "Fleet rejects this duration")
        });
        // Fleet polls only for a version a newer chart can match: not a tarball, not an exact
        // `MAJOR.MINOR.PATCH` (helmop_controller.go:423-442, semver.StrictNewVersion).
        let polling = polling_interval.as_ref().is_some_and(|d| d.seconds() > 0);
        let exact = src.version.as_deref().is_some_and(strict_semver);
        let polls = polling && !exact && form != ChartForm::Tarball;
        if polling && (exact || form == ChartForm::Tarball) {
            self.push(
                Diagnostic::new(Code::IgnoredByFleet, "Fleet never polls for this chart")
                    .label(self.ix.key(&at.key("pollingInterval")), if exact { "the version is exact" } else { "a tarball has one version" })
                    .help("remove `pollingInterval`, or give a version constraint such as `~1.4` to follow new releases"),
            );
        }
        if let Some(s) = &h.helm_secret_name {
            self.dns_subdomain(s, &at.key("helmSecretName"), "Secret name");
        }
        // Fleet 0.13.0 polls no OCI chart (v0.13.0 helmop_controller.go:427-429; 0.13.1 does).
        if form == ChartForm::Oci && fleet.fleet_version == Version::new(0, 13, 0) && polling {
            self.push(
                Diagnostic::new(Code::IgnoredByFleet, "Fleet 0.13.0 never polls an OCI chart")
                    .label(self.ix.key(&at.key("pollingInterval")), "the targeted Fleet is 0.13.0")
                    .help("upgrade to Fleet 0.13.1 or later (and set `fleet.version`), or remove `pollingInterval`"),
            );
        }
        if fleet.fleet_version < Version::new(0, 13, 0) {
            self.push(
                Diagnostic::new(Code::VersionTooOld, "HelmOps need Fleet 0.13.0")
                    .label(self.ix.key(&at), format!("the targeted Fleet is {}", fleet.fleet_version))
                    .help("Fleet before that has no HelmOp resource; set `fleet.version` to the Fleet you run, or deliver the app with a GitRepo"),
            );
        }
        // A target with Helm options of its own gets the root's version as written, a range
        // too, and keeps it when Fleet resolves or polls a newer one for the root
        // (propagateHelmOpProperties, helmop_controller.go:383-403; handleVersion 278-300;
        // polling_job.go:159): its clusters would stay behind. The environment's own override
        // goes to the root (emit/helmop.rs), so only narrower ones count.
        // (An empty version is copied as empty, and the root's resolved one applies.)
        let at_root: Vec<usize> = customizations
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                matches!(c.scope, Scope::Env(_))
                    && !c.excludes()
                    && c.delta.deploy == DeployOptions::default()
            })
            .map(|(k, _)| k)
            .collect();
        let ranged = src.version.is_some() && !exact;
        if ranged && form != ChartForm::Tarball {
            let narrower = customizations.iter().enumerate().find_map(|(k, c)| {
                (!at_root.contains(&k) && !c.excludes() && changes_helm(&c.delta)).then_some(c)
            });
            if let Some(c) = narrower {
                let version = src.version.as_deref().unwrap_or_default();
                self.push(
                    Diagnostic::new(
                        Code::IgnoredByFleet,
                        format!("the clusters of customization `{}` would never follow the chart version Fleet resolves", fleet.scope_name(&c.scope)),
                    )
                    .label(
                        self.ix.key(&base.key("source").key("helm").key("version")),
                        format!("Fleet resolves `{version}` for the HelmOp, but copies it unresolved into that customization"),
                    )
                    .help("pin an exact `version` (MAJOR.MINOR.PATCH), or set these values for the whole environment, which fleetc writes at the HelmOp's root"),
                );
            }
        }
        Some(HelmOpSettings {
            polling_interval,
            helm_secret_name: h.helm_secret_name.clone(),
            insecure_skip_tls_verify: h.insecure_skip_tls_verify,
            polls,
            at_root,
        })
    }
}

/// Whether a customization changes the chart's values or Helm options (then Fleet gives its
/// HelmOp target a `helm` block).
fn changes_helm(s: &Settings) -> bool {
    !s.values.is_empty()
        || s.replicas.is_some()
        || !s.tags.is_empty()
        || s.resources.is_some()
        || s.helm != HelmOptions::default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ChartForm, chart_form};

    #[test]
    fn forms_as_fleet_validates_them() {
        assert_eq!(
            chart_form("web", Some("https://charts.example.com")),
            ChartForm::Repository
        );
        assert_eq!(
            chart_form("oci://r.example.com/charts/web", None),
            ChartForm::Oci
        );
        assert_eq!(
            chart_form("https://e.com/web-1.2.3.tgz", None),
            ChartForm::Tarball
        );
        assert_eq!(
            chart_form("https://e.com/web-1.2.3.TGZ", None),
            ChartForm::Tarball
        );
        assert_eq!(chart_form("./charts/web", None), ChartForm::Local);
        assert!(strict_semver("1.2.3"));
        assert!(strict_semver("1.2.3-rc.1+b5"));
        for loose in ["v1.2.3", "1.2", "~1.4", "^2", "01.2.3", "*", ""] {
            assert!(!strict_semver(loose), "{loose}");
        }
    }
}
