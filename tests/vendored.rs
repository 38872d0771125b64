//! The vendored oracles in `third_party/` are the published files: byte-identical to the copies
//! in `../shared` when that directory is beside the repository (skipped, saying so, when it is
//! not; under CI it must be there).

use crate::common;

#[test]
fn vendored_files_match_their_shared_copies() {
    let shared = common::repo().join("../shared");
    if !shared.is_dir() {
        assert!(
            std::env::var_os("CI").is_none(),
            "../shared is missing: CI checks the vendored files against it"
        );
        eprintln!("SKIPPED, not verified: ../shared is not beside the repository");
        return;
    }
    let pairs = [
        ("fleet/crds.yaml", "upstream/fleet/crds.yaml"),
        (
            "fleet/fleet.yaml.schema.json",
            "upstream/fleet/fleet.yaml.schema.json",
        ),
        ("gitlab/ci.json", "upstream/gitlab/ci.json"),
        (
            "gitlab/gitlab-agent-chart-values.yaml",
            "upstream/gitlab/gitlab-agent-chart-values.yaml",
        ),
        ("gitlab/agentcfg.proto", "upstream/gitlab/agentcfg.proto"),
        (
            "kustomize/kustomization.schema.json",
            "upstream/kustomize/kustomization.schema.json",
        ),
        (
            "prometheus-operator/monitoring.coreos.com_prometheusrules.yaml",
            "upstream/prometheus-operator/monitoring.coreos.com_prometheusrules.yaml",
        ),
    ];
    for (ours, theirs) in pairs {
        let a = std::fs::read(common::repo().join("third_party").join(ours)).unwrap();
        let b = std::fs::read(shared.join(theirs)).unwrap();
        assert!(
            a == b,
            "third_party/{ours} differs from shared/{theirs}: refresh it and its SOURCE.md"
        );
    }
    // Every folder names its sources and carries its licence.
    for dir in ["fleet", "gitlab", "kustomize", "prometheus-operator"] {
        for f in ["SOURCE.md", "LICENSE"] {
            assert!(
                common::repo()
                    .join("third_party")
                    .join(dir)
                    .join(f)
                    .is_file(),
                "{dir}/{f}"
            );
        }
    }
}
