//! Writes a synthetic but realistic fleet for benchmarks: N clusters over three environments and
//! many regions, M apps (half kustomize with their bases, half Helm) with environment, region and
//! cluster overrides, one agent per environment sharded every 100 clusters, a pipeline and alerts.
//!
//! With `--worst-case`, the shape of issue #13 and of the side-by-side comparison
//! (`benches/side-by-side.sh`, the same fleet as ../shared/bench/gen_fleetc_spec.py): N clusters
//! × M kustomize apps where every cluster overrides every app's replicas, so fleetc writes an
//! overlay per (cluster, app) and a targetCustomization per cluster in every fleet.yaml.
//!
//! `cargo run --release --example generate-fleet -- --clusters 1000 --apps 20 --out DIR`

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let mut clusters = 100usize;
    let mut apps = 20usize;
    let mut out = PathBuf::from("target/bench-fleet");
    let mut worst = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match arg.as_str() {
            "--worst-case" => worst = true,
            "--clusters" => clusters = value().parse().unwrap_or_else(|_| usage()),
            "--apps" => apps = value().parse().unwrap_or_else(|_| usage()),
            "--out" => out = PathBuf::from(value()),
            _ => usage(),
        }
    }
    let written = if worst {
        write_worst(&out, clusters, apps)
    } else {
        write(&out, clusters, apps)
    };
    if let Err(e) = written {
        eprintln!("generate-fleet: {e}");
        std::process::exit(1);
    }
}

fn usage() -> ! {
    eprintln!("usage: generate-fleet [--clusters N] [--apps M] [--out DIR] [--worst-case]");
    std::process::exit(2);
}

const ENVS: [(&str, &str, &str); 3] = [
    ("dev", "development", "automatic"),
    ("staging", "staging", "automatic"),
    ("production", "production", "manual"),
];
const REGIONS: [&str; 12] = [
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "ca-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-central-1",
    "eu-north-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "sa-east-1",
];

fn cluster_name(i: usize) -> String {
    let (env, _, _) = ENVS[i % ENVS.len()];
    format!("{env}-{}-{i:05}", REGIONS[(i / 3) % REGIONS.len()])
}

fn write(out: &std::path::Path, clusters: usize, apps: usize) -> std::io::Result<()> {
    std::fs::create_dir_all(out)?;
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(
        w,
        "# Synthetic fleet: {clusters} clusters, {apps} apps (benches/generate.rs)."
    );
    let _ = writeln!(w, "version: 1");
    let _ = writeln!(
        w,
        "fleet:\n  repo: https://gitlab.example.com/platform/fleet.git\n  branch: main\n  clientSecretName: fleet-git"
    );
    let _ = writeln!(w, "environments:");
    for (name, tier, promotion) in ENVS {
        let _ = writeln!(
            w,
            "  - {{name: {name}, tier: {tier}, promotion: {promotion}}}"
        );
    }
    let _ = writeln!(w, "clusters:");
    for i in 0..clusters {
        let (env, _, _) = ENVS[i % ENVS.len()];
        let region = REGIONS[(i / 3) % REGIONS.len()];
        let tier = ["web", "batch", "edge", "core"][i % 4];
        let _ = writeln!(
            w,
            "  - {{name: {}, environment: {env}, region: {region}, labels: {{tier: {tier}}}}}",
            cluster_name(i)
        );
    }
    let _ = writeln!(w, "agents:");
    for (name, _, _) in ENVS {
        let _ = writeln!(w, "  - {{name: {name}, environments: [{name}]}}");
    }
    let _ = writeln!(w, "  - {{name: fleet-management}}");
    let _ = writeln!(w, "apps:");
    for a in 0..apps {
        let name = format!("app{a:02}");
        let kustomize = a % 2 == 0;
        let _ = writeln!(w, "  - name: {name}\n    namespace: {name}");
        if kustomize {
            let _ = writeln!(
                w,
                "    path: apps/{name}\n    source:\n      kustomize: {{base: base}}"
            );
            write_base(out, &name)?;
        } else {
            let _ = writeln!(
                w,
                "    source:\n      helm: {{repo: https://charts.example.com, chart: {name}, version: 1.{a}.0}}"
            );
            let _ = writeln!(
                w,
                "    values:\n      service: {{type: ClusterIP, port: 8080}}\n      podLabels: {{team: t{}}}",
                a % 5
            );
        }
        let _ = writeln!(
            w,
            "    images:\n      - name: registry.gitlab.example.com/platform/fleet/{name}\n        tag: 1.0.{a}\n        build: {{context: src/{name}}}"
        );
        let _ = writeln!(w, "    replicas: 2");
        let _ = writeln!(
            w,
            "    targets:\n      - environment: dev\n      - environment: staging"
        );
        let _ = writeln!(
            w,
            "      - environment: production\n        selector:\n          matchExpressions:\n            - {{key: tier, operator: Exists}}"
        );
        let _ = writeln!(
            w,
            "    overrides:\n      - environment: production\n        replicas: 4"
        );
        let _ = writeln!(
            w,
            "        resources: {{requests: {{cpu: 500m, memory: 512Mi}}, limits: {{memory: 1Gi}}}}"
        );
        // Only regions some cluster is in: an override of an empty region is an error.
        let used_regions = clusters.div_ceil(3).clamp(1, REGIONS.len());
        let _ = writeln!(
            w,
            "      - region: {}\n        replicas: 6",
            REGIONS[a % used_regions]
        );
        // A handful of per-cluster pins, as real fleets hold a canary or a laggard.
        for c in (a..clusters).step_by(clusters.div_ceil(5).max(1)).take(5) {
            let _ = writeln!(
                w,
                "      - cluster: {}\n        images: {{registry.gitlab.example.com/platform/fleet/{name}: 0.9.{c}}}",
                cluster_name(c)
            );
        }
        if a > 0 {
            let _ = writeln!(w, "    dependsOn: [app00]");
        }
    }
    let _ = writeln!(
        w,
        "gitlab:\n  url: https://gitlab.example.com\n  agentProject: platform/fleet-agents\n  manifestsProject: platform/fleet\n  registry: registry.gitlab.example.com"
    );
    let _ = writeln!(
        w,
        "pipeline:\n  fleetcImage: registry.gitlab.example.com/platform/fleetc:0.1\n  verify: {{dev: skip}}\n  driftCheck: {{agent: fleet-management, schedule: \"*/30 * * * *\"}}"
    );
    let _ = writeln!(
        w,
        "monitoring:\n  namespace: cattle-monitoring-system\n  labels: {{release: rancher-monitoring}}"
    );
    std::fs::write(out.join("fleetc.yaml"), s)
}

/// The worst realistic shape: clusters `c<i>` over three environments and four regions, apps
/// `app<j>` with an environment override each and a replicas override for every cluster.
fn write_worst(out: &std::path::Path, clusters: usize, apps: usize) -> std::io::Result<()> {
    const ENVS: [(&str, &str, &str); 3] = [
        ("dev", "development", "automatic"),
        ("staging", "staging", "automatic"),
        ("prod", "production", "manual"),
    ];
    std::fs::create_dir_all(out)?;
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(
        w,
        "# Worst case: {clusters} clusters x {apps} apps, an override per cluster per app (benches/generate.rs --worst-case).\nversion: 1"
    );
    let _ = writeln!(
        w,
        "fleet:\n  namespace: fleet-default\n  repo: https://gitlab.example.com/platform/fleet.git\n  branch: main\nenvironments:"
    );
    for (name, tier, promotion) in ENVS {
        let _ = writeln!(
            w,
            "  - {{name: {name}, tier: {tier}, promotion: {promotion}}}"
        );
    }
    let _ = writeln!(w, "clusters:");
    for i in 0..clusters {
        let _ = writeln!(
            w,
            "  - {{name: c{i}, environment: {}, region: r{}}}",
            ENVS[i % 3].0,
            i % 4
        );
    }
    let _ = writeln!(w, "apps:");
    for j in 0..apps {
        let name = format!("app{j}");
        let image = format!("registry.example.com/{name}");
        let r = 1 + j % 3;
        let _ = writeln!(
            w,
            "  - name: {name}\n    namespace: {name}\n    path: apps/{name}\n    source:\n      kustomize: {{base: base}}\n    images:\n      - {{name: {image}, tag: latest}}\n    replicas: {r}\n    targets:"
        );
        for (env, _, _) in ENVS {
            let _ = writeln!(w, "      - environment: {env}");
        }
        let _ = writeln!(w, "    overrides:");
        for (env, _, _) in ENVS {
            let (tag, replicas) = if env == "prod" {
                ("1.0.0", 2 * r)
            } else {
                ("latest", r)
            };
            let _ = writeln!(
                w,
                "      - {{environment: {env}, replicas: {replicas}, images: {{{image}: \"{tag}\"}}}}"
            );
        }
        for i in 0..clusters {
            let env_replicas = if i % 3 == 2 { 2 * r } else { r };
            let _ = writeln!(
                w,
                "      - {{cluster: c{i}, replicas: {}}}",
                env_replicas + i % 3
            );
        }
        write_base(out, &name)?;
    }
    std::fs::write(out.join("fleetc.yaml"), s)
}

fn write_base(out: &std::path::Path, name: &str) -> std::io::Result<()> {
    let dir = out.join("apps").join(name).join("base");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(
        dir.join("kustomization.yaml"),
        "resources: [deployment.yaml]\n",
    )?;
    std::fs::write(
        dir.join("deployment.yaml"),
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n      containers: [{{name: {name}, image: registry.gitlab.example.com/platform/fleet/{name}:latest}}]\n"
        ),
    )
}
