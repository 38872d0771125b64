//! Command-line interface.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Compiles one fleet spec into Rancher Fleet GitRepos, ClusterGroups, fleet.yaml bundles and
/// kustomize overlays.
#[derive(Debug, Parser)]
#[command(name = "fleetc", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compile the spec and write the generated tree.
    Build(CompileArgs),
    /// Verify that the generated tree on disk is exactly what the spec produces; writes nothing.
    Check(CompileArgs),
    /// Show what a spec change does: the generated files that change and, per app, which
    /// clusters change and how (reads the base revision through git, no checkout).
    Diff(DiffArgs),
    /// Pin an environment to the images built from one commit (run by the pipeline): writes
    /// `releases.yaml`, which `fleetc build` then reads.
    Pin(PinArgs),
    /// Wait until Fleet has rolled out a promotion on clusters, through their GitLab agents
    /// (run by the pipeline's verify jobs; needs kubectl and the agents' kubeconfig contexts).
    Verify(VerifyArgs),
    /// Print the JSON Schema of the spec.
    Schema,
    /// Write a commented starter spec (`fleetc.yaml`) and the schema editors complete it with
    /// (`fleetc.schema.json`).
    Init(InitArgs),
    /// Write a spec for an existing Fleet repository (its GitRepos and fleet.yaml bundles) that
    /// compiles back to what Fleet deploys now, and a report of what was imported, kept
    /// verbatim or left as it is.
    Import(ImportArgs),
    /// Explain a diagnostic code (`fleetc explain E012`, `fleetc explain list`), or what reaches
    /// a cluster (`fleetc explain cluster prod-eu-west-1`) or where an app goes
    /// (`fleetc explain app web`).
    Explain(ExplainArgs),
    /// Draw the fleet: environments in promotion order with their regions and clusters, where
    /// each app is deployed, `dependsOn` and the agents (Mermaid, for GitLab Markdown, or DOT).
    Graph(GraphArgs),
    /// Run the language server on stdin and stdout, for editors: fleetc's diagnostics as you
    /// type, go to definition, references, rename, hover, completion of names and quick fixes.
    Lsp,
    /// Print a completion script for a shell: `source <(fleetc completions bash)`, or see the
    /// README for zsh and fish.
    Completions(CompletionsArgs),
}

/// Options of `fleetc graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// The fleet spec.
    #[arg(long, default_value = "fleetc.yaml")]
    pub spec: PathBuf,
    /// Output root; spec paths are relative to it. Default: the spec's directory.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The diagram language.
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    pub format: GraphFormat,
    /// When to colour diagnostics.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

/// Output of `fleetc graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// A Mermaid flowchart (GitLab and GitHub render it in Markdown).
    Mermaid,
    /// Graphviz DOT (`fleetc graph --format dot | dot -Tsvg > fleet.svg`).
    Dot,
}

/// Options of `fleetc completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell the script is for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Options of commands that compile the spec.
#[derive(Debug, Args)]
pub struct CompileArgs {
    /// The fleet spec.
    #[arg(long, default_value = "fleetc.yaml")]
    pub spec: PathBuf,
    /// Output root; spec paths are relative to it. Default: the spec's directory.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Treat warnings as errors.
    #[arg(long)]
    pub deny_warnings: bool,
    /// `build`: exit 1 when it wrote or removed a file, so a pre-commit hook asks to stage them.
    #[arg(long)]
    pub exit_code: bool,
    /// When to colour diagnostics.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// How to print diagnostics: for people (stderr), or as JSON or a GitLab Code Quality
    /// report (stdout).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// Diagnostic output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Rendered with source snippets, on stderr.
    Human,
    /// `{"diagnostics": [...]}` on stdout.
    Json,
    /// A GitLab Code Quality report on stdout.
    Gitlab,
}

/// Options of `fleetc init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Directory to write into.
    #[arg(long, default_value = ".")]
    pub dir: PathBuf,
    /// Git repository Fleet will pull.
    #[arg(
        long,
        default_value = "https://gitlab.example.com/platform/fleet-manifests.git"
    )]
    pub repo: String,
    /// Branch Fleet will pull.
    #[arg(long, default_value = "main")]
    pub branch: String,
}

/// Options of `fleetc import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The Git repository Fleet pulls (its root).
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
    /// GitRepo objects exported from the cluster (`kubectl get gitrepos.fleet.cattle.io -A -o
    /// yaml`), a file or a directory of files; repeatable. Default: the GitRepo objects in the
    /// repository.
    #[arg(long = "gitrepos", value_name = "FILE_OR_DIR")]
    pub gitrepos: Vec<PathBuf>,
    /// The live Cluster objects (`kubectl get clusters.fleet.cattle.io -A -o yaml`), and any
    /// ClusterGroups (`kubectl get clustergroups.fleet.cattle.io -A -o yaml`); repeatable.
    /// Default: those in the `--gitrepos` exports, else in the repository.
    #[arg(long = "clusters", value_name = "FILE_OR_DIR")]
    pub clusters: Vec<PathBuf>,
    /// Where to write the spec: a file directly in the repository. Default: `fleetc.yaml` there.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an existing spec (and fleetc's manifest).
    #[arg(long)]
    pub force: bool,
    /// When to colour diagnostics.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

/// Options of `fleetc explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// What to explain.
    #[command(subcommand)]
    pub what: Explain,
    /// The fleet spec (for `cluster` and `app`).
    #[arg(long, global = true, default_value = "fleetc.yaml")]
    pub spec: PathBuf,
    /// Output root. Default: the spec's directory.
    #[arg(long, global = true)]
    pub out: Option<PathBuf>,
}

/// What `fleetc explain` explains.
#[derive(Debug, Subcommand)]
pub enum Explain {
    /// What reaches one cluster: apps, the target that selects it, the targetCustomization
    /// Fleet picks, the effective settings and the spec line of each, its agent.
    Cluster(ExplainName),
    /// Where one app goes and what each group of clusters gets.
    App(ExplainName),
    /// Every diagnostic code with its title.
    List,
    /// A diagnostic code's long explanation, e.g. `fleetc explain E012`.
    #[command(external_subcommand)]
    Code(Vec<String>),
}

/// A cluster or app of the spec.
#[derive(Debug, Args)]
pub struct ExplainName {
    /// Its name.
    pub name: String,
}

/// Options of `fleetc diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The fleet spec (in the working tree).
    #[arg(long, default_value = "fleetc.yaml")]
    pub spec: PathBuf,
    /// Output root. Default: the spec's directory.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Git revision to compare with, e.g. `origin/main` or `$CI_MERGE_REQUEST_DIFF_BASE_SHA`.
    #[arg(long)]
    pub base: String,
    /// Plain text, or a Markdown merge-request comment.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// When to colour diagnostics.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

/// Output of `fleetc diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// For a terminal.
    Text,
    /// For a merge-request comment.
    Markdown,
}

/// Options of `fleetc pin`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("what").required(true).multiple(true).args(["tag", "revision"])))]
pub struct PinArgs {
    /// The spec and output options.
    #[command(flatten)]
    pub compile: CompileArgs,
    /// Tag of the images the pipeline builds (it passes the commit SHA it built them from).
    /// Refused when it is an older commit than the tag already pinned.
    #[arg(long)]
    pub tag: Option<String>,
    /// With `--tag`: only these apps (default: every app with an image the pipeline builds).
    #[arg(long = "app", requires = "tag")]
    pub apps: Vec<String>,
    /// Environment whose revision to pin (with `--revision`).
    #[arg(long, requires = "revision")]
    pub environment: Option<String>,
    /// The commit (full SHA) the environment's GitRepos pull. Refused when it is not a
    /// descendant of the environment's current revision.
    #[arg(long, requires = "environment")]
    pub revision: Option<String>,
}

/// Options of `fleetc verify`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["cluster", "environment"])))]
pub struct VerifyArgs {
    /// The fleet spec.
    #[arg(long, default_value = "fleetc.yaml")]
    pub spec: PathBuf,
    /// Output root. Default: the spec's directory.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// These clusters.
    #[arg(long)]
    pub cluster: Vec<String>,
    /// Every cluster of this environment that runs an app.
    #[arg(long)]
    pub environment: Option<String>,
    /// With `--environment`: only shard K of N (`K/N`, as GitLab's `parallel` numbers jobs:
    /// `$CI_NODE_INDEX/$CI_NODE_TOTAL`).
    #[arg(long, requires = "environment")]
    pub shard: Option<String>,
    /// The tag the images the pipeline builds must run with (the pipeline's commit SHA).
    #[arg(long)]
    pub tag: Option<String>,
    /// The revision promoted: first wait until Fleet has applied it (every BundleDeployment of
    /// the environments' bundles at this commit and ready), read through the management
    /// cluster's registration (`pipeline.driftCheck.agent`).
    #[arg(long)]
    pub revision: Option<String>,
    /// How long to wait in all, as a Go duration. Default: `pipeline.verifyTimeout`.
    #[arg(long, value_parser = go_duration)]
    pub timeout: Option<crate::values::GoDuration>,
    /// Clusters verified at once.
    #[arg(long, default_value_t = 8)]
    pub parallel: usize,
}

/// Colour choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// Colour when stderr is a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// `--timeout`, read and refused as the spec's durations are.
fn go_duration(s: &str) -> Result<crate::values::GoDuration, String> {
    use crate::values::Parse;
    crate::values::GoDuration::parse(s).map_err(|e| format!("{}; {}", e.message, e.help))
}
