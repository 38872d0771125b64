//! `fleetc verify`, the verify jobs' one command, against a scripted kubectl that answers as a
//! cluster would (and records what it was asked), and the shape of the pipeline at scale.

use std::path::Path;

use crate::common;

/// A kubectl on PATH in `bin` that logs its arguments and answers from the environment:
/// `IMAGES` for `-o jsonpath`, `WORKLOADS` for `-o name`, exit `FAIL` for everything when set.
fn fake_kubectl(bin: &Path) {
    std::fs::create_dir_all(bin).unwrap();
    let script = r#"#!/bin/sh
echo "$*" >> "$KUBECTL_LOG"
if [ -n "$FAIL" ]; then echo "error: forbidden" >&2; exit "$FAIL"; fi
case "$*" in
  *bundledeployments*) printf '%b' "$BDS" ;;
  *jsonpath*) printf '%s' "$IMAGES" ;;
  *"-o name"*) printf '%s\n' $WORKLOADS ;;
  *rollout*) echo "rolled out" ;;
esac
"#;
    let path = bin.join("kubectl");
    std::fs::write(&path, script).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

struct Run {
    code: Option<i32>,
    stderr: String,
    calls: String,
}

fn verify(args: &[&str], env: &[(&str, &str)]) -> Run {
    verify_spec(
        &common::repo().join("examples/fleet/fleetc.yaml"),
        args,
        env,
    )
}

fn verify_spec(spec: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin");
    fake_kubectl(&bin);
    let log = tmp.path().join("calls.log");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_fleetc"));
    cmd.arg("verify")
        .arg("--spec")
        .arg(spec)
        .args(args)
        .env("PATH", path)
        .env("KUBECTL_LOG", &log)
        .env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().unwrap();
    Run {
        code: o.status.code(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        calls: std::fs::read_to_string(&log).unwrap_or_default(),
    }
}

const WEB: &str = "registry.gitlab.example.com/platform/fleet-manifests/web";

#[test]
fn waits_for_the_image_as_deployed_then_every_rollout_through_the_cluster_context() {
    let images = format!("{WEB}:abc123 registry.k8s.io/ingress-nginx/controller:v1");
    let r = verify(
        &[
            "--cluster",
            "prod-us-east-1",
            "--tag",
            "abc123",
            "--timeout",
            "30s",
        ],
        &[
            ("IMAGES", &images),
            ("WORKLOADS", "deployment.apps/ingress-nginx-controller"),
        ],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stderr.contains("ok      prod-us-east-1"), "{}", r.stderr);
    // Every call goes through the cluster's own registration.
    for line in r.calls.lines() {
        assert!(
            line.starts_with("--context platform/fleet-agents:prod-us-east-1 "),
            "{line}"
        );
    }
    assert!(
        r.calls
            .contains("--namespace web rollout status deployment/web --timeout="),
        "{}",
        r.calls
    );
    assert!(
        r.calls.contains(
            "--namespace ingress-nginx rollout status deployment.apps/ingress-nginx-controller"
        ),
        "{}",
        r.calls
    );
    // prod-eu-west-1 holds its web tag (a cluster override): no wait for this pipeline's image.
    let r = verify(
        &[
            "--cluster",
            "prod-eu-west-1",
            "--tag",
            "abc123",
            "--timeout",
            "30s",
        ],
        &[("IMAGES", ""), ("WORKLOADS", "deployment.apps/x")],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(!r.calls.contains("jsonpath"), "{}", r.calls);
}

#[test]
fn fails_on_kubectl_errors_absent_workloads_and_time() {
    let r = verify(
        &["--cluster", "prod-us-east-1", "--tag", "abc123"],
        &[("FAIL", "1")],
    );
    assert_eq!(r.code, Some(1));
    assert!(
        r.stderr
            .contains("FAILED  prod-us-east-1: cannot read the workloads of web: error: forbidden"),
        "{}",
        r.stderr
    );
    let images = format!("{WEB}:abc123");
    let r = verify(
        &[
            "--cluster",
            "prod-us-east-1",
            "--tag",
            "abc123",
            "--timeout",
            "30s",
        ],
        &[("IMAGES", &images), ("WORKLOADS", "")],
    );
    assert_eq!(r.code, Some(1));
    assert!(
        r.stderr
            .contains("no workload in ingress-nginx: Fleet has not deployed it"),
        "{}",
        r.stderr
    );
    let start = std::time::Instant::now();
    let r = verify(
        &[
            "--cluster",
            "prod-us-east-1",
            "--tag",
            "abc123",
            "--timeout",
            "2s",
        ],
        &[("IMAGES", "something:else")],
    );
    assert_eq!(r.code, Some(1));
    assert!(
        r.stderr
            .contains(&format!("Fleet has not rolled out {WEB}:abc123 in web")),
        "{}",
        r.stderr
    );
    assert!(start.elapsed() < std::time::Duration::from_secs(20));
}

#[test]
fn shards_split_an_environment_between_jobs() {
    let images =
        format!("{WEB}:t registry.gitlab.example.com/platform/fleet-manifests/data-pipeline:t");
    let mut seen = Vec::new();
    for k in 1..=2 {
        let shard = format!("{k}/2");
        let r = verify(
            &[
                "--environment",
                "production",
                "--shard",
                &shard,
                "--tag",
                "t",
                "--timeout",
                "30s",
            ],
            &[("IMAGES", &images), ("WORKLOADS", "deployment.apps/w")],
        );
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        seen.extend(
            r.stderr
                .lines()
                .filter_map(|l| l.strip_prefix("ok      "))
                .map(str::to_owned),
        );
    }
    seen.sort();
    assert_eq!(
        seen,
        [
            "prod-ap-southeast-1",
            "prod-data-eu-west-1",
            "prod-eu-central-1",
            "prod-eu-west-1",
            "prod-us-east-1"
        ],
        "every production cluster in exactly one shard"
    );
    let r = verify(&["--environment", "production", "--shard", "3/2"], &[]);
    assert_eq!(r.code, Some(2));
}

/// At fleet scale the pipeline stays far inside GitLab's limits: a 2 MB parsed-configuration
/// limit (max_yaml_size_bytes), 50 `needs` per job, `parallel` up to 200.
#[test]
fn the_pipeline_stays_small_at_thousands_of_clusters() {
    let tmp = tempfile::tempdir().unwrap();
    let mut spec = String::from(
        "version: 1\nfleet: {repo: https://gitlab.example.com/ops/fleet.git, branch: main}\nenvironments:\n  - {name: staging, tier: staging}\n  - {name: production, tier: production, promotion: manual}\nclusters:\n",
    );
    for n in 0..3000 {
        let env = if n < 100 { "staging" } else { "production" };
        spec.push_str(&format!(
            "  - {{name: c-{n}, environment: {env}, region: r-{}}}\n",
            n % 12
        ));
    }
    spec.push_str("agents:\n  - {name: all, environments: [staging, production]}\napps:\n  - name: web\n    namespace: web\n    source: {helm: {repo: https://charts.example.com, chart: web, version: 1.0.0}}\n    targets: [{environment: staging}, {environment: production}]\ngitlab: {url: https://gitlab.example.com, agentProject: ops/agents, manifestsProject: ops/fleet, registry: registry.example.com}\npipeline: {fleetcImage: registry.example.com/ops/fleetc:1}\n");
    std::fs::write(tmp.path().join("fleetc.yaml"), spec).unwrap();
    let compiled = common::compile(tmp.path()).unwrap();
    let ci = &compiled.files[".gitlab-ci.yml"];
    assert!(ci.len() < 64 * 1024, "{} bytes", ci.len());
    let value: serde_json::Value = serde_saphyr::from_str(ci).unwrap();
    let jobs = value.as_object().unwrap();
    for (name, job) in jobs {
        if let Some(needs) = job.get("needs").and_then(|n| n.as_array()) {
            assert!(needs.len() <= 50, "{name}");
        }
        if let Some(p) = job.get("parallel").and_then(serde_json::Value::as_u64) {
            assert!((2..=200).contains(&p), "{name}: parallel {p}");
        }
    }
    assert_eq!(jobs["verify:staging"]["parallel"], 2);
    assert_eq!(jobs["verify:production"]["parallel"], 50);
    assert!(jobs.keys().filter(|k| k.starts_with("verify:")).count() == 2);
}

/// With `--revision`, verification first waits until Fleet has applied the promoted commit:
/// every BundleDeployment of the environment's bundles at that commit and ready, read through
/// the management cluster's registration. The bundles are those of the spec *at that commit*
/// (the promote job may have promoted later merges than the job's checkout): an app only in the
/// checkout is not waited for.
#[test]
fn waits_until_fleet_applied_the_promoted_revision() {
    let repo = tempfile::tempdir().unwrap();
    let rev = common::example_repo(repo.path());
    common::edit(
        &repo.path().join("fleetc.yaml"),
        &[(
            "\napps:\n",
            "\napps:\n  - name: cache\n    namespace: cache\n    source: {helm: {repo: https://charts.example.com, chart: cache, version: 1.0.0}}\n    targets: [{environment: production}]\n",
        )],
    );
    let spec = repo.path().join("fleetc.yaml");
    let images = format!("{WEB}:t");
    let run = |bds: String, timeout: &str| {
        let vars = [
            ("IMAGES", images.as_str()),
            ("WORKLOADS", "deployment.apps/w"),
            ("BDS", bds.as_str()),
        ];
        verify_spec(
            &spec,
            &[
                "--cluster",
                "prod-us-east-1",
                "--tag",
                "t",
                "--revision",
                &rev,
                "--timeout",
                timeout,
            ],
            &vars,
        )
    };
    let r = run(format!("{rev} true\\n{rev} true\\n"), "30s");
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("ok      Fleet applied {rev}")),
        "{}",
        r.stderr
    );
    assert!(
        r.calls.lines().any(|l| l.starts_with("--context platform/fleet-agents:fleet-management get bundledeployments.fleet.cattle.io --all-namespaces --selector fleet.cattle.io/bundle-name=web-production-apps-web")),
        "{}",
        r.calls
    );
    assert!(!r.calls.contains("cache"), "{}", r.calls);
    // One cluster still at the old commit, or not ready: not applied, and the clusters are not
    // checked on the old state.
    for bds in [
        format!("{rev} true\\nold true\\n"),
        format!("{rev} true\\n{rev} false\\n"),
        String::new(),
    ] {
        let r = run(bds.clone(), "2s");
        assert_eq!(r.code, Some(1), "{bds}: {}", r.stderr);
        assert!(
            r.stderr.contains(&format!("Fleet has not applied {rev}")),
            "{}",
            r.stderr
        );
        assert!(!r.calls.contains("rollout"), "{}", r.calls);
    }
    // A commit the clone does not have is a usage error, with what to fetch.
    let r = verify_spec(
        &spec,
        &[
            "--cluster",
            "prod-us-east-1",
            "--revision",
            "0123456789abcdef0123456789abcdef01234567",
        ],
        &[],
    );
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("is not a commit"), "{}", r.stderr);
}
