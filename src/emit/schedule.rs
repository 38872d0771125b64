//! Fleet `Schedule` (fleet.cattle.io/v1alpha1): the maintenance windows of `schedules`.

use serde::Serialize;

use super::gitrepo::GitTarget;
use super::k8s::ObjectMeta;
use super::{Artifact, Kind, workspace_dir};
use crate::model::Fleet;
use crate::pointer::Ptr;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Schedule<'a> {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: ScheduleSpec<'a>,
}

#[derive(Serialize)]
struct ScheduleSpec<'a> {
    schedule: &'a str,
    duration: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<&'a str>,
    targets: ScheduleTargets,
}

/// A Schedule target has a GitRepo target's fields (schedule_types.go `ScheduleTarget`), and
/// Fleet matches it with the same cluster matcher
/// (internal/cmd/controller/target/matcher/schedulematch.go:42-53).
#[derive(Serialize)]
struct ScheduleTargets {
    clusters: Vec<GitTarget>,
}

pub(super) fn emit(fleet: &Fleet) -> Vec<Artifact> {
    fleet
        .schedules
        .iter()
        .map(|s| {
            let doc = Schedule {
                api_version: "fleet.cattle.io/v1alpha1",
                kind: "Schedule",
                metadata: ObjectMeta::managed(&s.name, &s.workspace, &[]),
                spec: ScheduleSpec {
                    schedule: &s.cron,
                    duration: s.duration.as_str(),
                    location: s.location.as_deref(),
                    targets: ScheduleTargets {
                        clusters: s.targets.iter().map(GitTarget::from).collect(),
                    },
                },
            };
            Artifact::new(
                format!(
                    "{}/schedules/{}.yaml",
                    workspace_dir(fleet, &s.workspace),
                    s.name
                ),
                Kind::Schedule,
                Ptr::item("schedules", s.origin).key("name"),
                &doc,
            )
        })
        .collect()
}
