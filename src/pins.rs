//! Release pins: which image tag each environment runs, written by the pipeline
//! (`fleetc pin`) and read by every build.
//!
//! Pins live in their own small file (`releases.yaml` beside the spec) so that a promotion
//! changes that file and the few generated files that carry the tag, and nothing else: the
//! spec, the pipeline and every other artifact stay byte-identical.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic};
use crate::workspace::Workspace;

/// The pins file, relative to the output root.
pub const FILE: &str = "releases.yaml";

/// Environment → app → image → tag.
pub type Pins = BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>>;

const HEADER: &str = "# Release pins: the image tag each environment runs. Written by `fleetc pin` in the\n# pipeline and read by `fleetc build`; edit the spec, not this file.\n";

/// Reads the pins of the output root; no file means no pins.
pub fn read(root: &dyn Workspace) -> Result<Pins, Diagnostic> {
    let text = match root.read(FILE) {
        Ok(Some(t)) => t,
        Ok(None) => return Ok(Pins::new()),
        Err(e) => {
            return Err(
                Diagnostic::new(Code::InvalidValue, format!("cannot read `{FILE}`: {e}"))
                    .file(FILE)
                    .help("check the file's permissions"),
            );
        }
    };
    if text.len() > crate::load::MAX_SPEC_BYTES {
        return Err(
            Diagnostic::new(Code::InputLimit, format!("`{FILE}` is too large"))
                .file(FILE)
                .help("it holds one tag per environment, app and image"),
        );
    }
    let pins: Option<Pins> =
        serde_saphyr::from_str_with_options(&text, crate::load::yaml_options()).map_err(|e| {
            Diagnostic::new(
                Code::InvalidValue,
                format!(
                    "`{FILE}` is not a map of environment → app → image → tag: {}",
                    e.without_snippet()
                ),
            )
            .file(FILE)
            .help("restore it from Git, or delete it and pin again with `fleetc pin`")
        })?;
    let pins = pins.unwrap_or_default();
    // The pins are committed and copied into generated files: no token belongs in them.
    for (env, apps) in &pins {
        for (app, images) in apps {
            for (image, tag) in images {
                if !crate::fleet_names::is_oci_tag(tag) {
                    return Err(Diagnostic::new(
                        Code::InvalidValue,
                        format!("`{FILE}` pins `{image}` in `{env}` to `{tag}`, which is not an image tag"),
                    )
                    .file(FILE)
                    .help("restore the file from Git, or pin again with `fleetc pin`"));
                }
                for s in [env, app, image, tag] {
                    if let Some(f) = crate::load::secrets::find(s) {
                        return Err(Diagnostic::new(
                            Code::SecretInSpec,
                            format!("{} is in `{FILE}` (pin of `{image}` in `{env}`)", f.what),
                        )
                        .file(FILE)
                        .help("restore the file from Git or pin again with `fleetc pin --tag <commit SHA>`; then revoke the token"));
                    }
                }
            }
        }
    }
    Ok(pins)
}

/// The file's content for `pins`.
pub fn render(pins: &Pins) -> String {
    let mut text = HEADER.to_owned();
    if pins.is_empty() {
        text.push_str("{}\n");
    } else {
        text.push_str(&crate::emit::to_yaml(pins));
    }
    text
}
