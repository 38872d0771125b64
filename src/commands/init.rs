//! `fleetc init`: a commented starter spec and the schema editors complete it with.

use super::CliError;
use crate::cli::InitArgs;
use crate::{output, schema};

/// The starter spec; a text template, because its comments are the point.
const STARTER: &str = include_str!("../templates/starter.yaml");

pub(super) fn run(args: &InitArgs) -> Result<(), CliError> {
    let spec = args.dir.join("fleetc.yaml");
    let schema_path = args.dir.join("fleetc.schema.json");
    for path in [&spec, &schema_path] {
        if path.exists() {
            return Err(CliError::Failed(format!(
                "{} exists; fleetc init never overwrites a file",
                path.display()
            )));
        }
    }
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .keep_trailing_newline(true)
            .build()
            .expect("the default delimiters are valid"),
    );
    // Values go into YAML scalars: JSON-quote them so any URL or branch name stays one string.
    let quote = |s: &str| serde_json::to_string(s).expect("strings serialize");
    let text = env
        .render_str(
            STARTER,
            minijinja::context! { repo => quote(&args.repo), branch => quote(&args.branch) },
        )
        .expect("the starter template renders");
    std::fs::create_dir_all(&args.dir)
        .and_then(|()| output::write_atomic(&schema_path, schema::spec_schema_text().as_bytes()))
        .and_then(|()| output::write_atomic(&spec, text.as_bytes()))
        .map_err(|e| CliError::Io(format!("cannot write the starter spec: {e}")))?;
    eprintln!(
        "fleetc: wrote {} and {}; edit the spec, then run `fleetc build`",
        spec.display(),
        schema_path.display()
    );
    Ok(())
}
