//! Release pins (`releases.yaml` beside the spec), written by the pipeline (`fleetc pin`) and
//! read by every build:
//!
//! - `images`: the tag of every image the pipeline builds (the commit it was built from), for
//!   all environments alike;
//! - `revisions`: the commit each environment's GitRepos pull. An environment runs exactly the
//!   tree of its revision: images, values, replicas, chart versions, targets. Promotion is
//!   moving a revision, so every change waits for its environment's gate. An environment without
//!   a revision follows the branch.
//!
//! A promotion changes this file and the generated files that carry what it pins, nothing else.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Code, Diagnostic};
use crate::workspace::Workspace;

/// The pins file, relative to the output root.
pub const FILE: &str = "releases.yaml";

/// What the pipeline pinned.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pins {
    /// App → image → tag.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub images: BTreeMap<String, BTreeMap<String, String>>,
    /// Environment → the commit its GitRepos pull.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub revisions: BTreeMap<String, String>,
}

const HEADER: &str = "# Release pins: the tag of each image the pipeline builds, and the commit each environment\n# runs. Written by `fleetc pin` in the pipeline and read by `fleetc build`; edit the spec,\n# not this file.\n";

/// A full commit SHA (what Fleet can fetch by `revision`).
pub fn is_commit_sha(s: &str) -> bool {
    s.len() == 40
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

fn bad(message: String, help: &str) -> Diagnostic {
    Diagnostic::new(Code::InvalidValue, message)
        .file(FILE)
        .help(help.to_owned())
}

/// Reads the pins of the output root; no file means no pins.
pub fn read(root: &dyn Workspace) -> Result<Pins, Diagnostic> {
    let text = match root.read(FILE) {
        Ok(Some(t)) => t,
        Ok(None) => return Ok(Pins::default()),
        Err(e) => {
            return Err(bad(
                format!("cannot read `{FILE}`: {e}"),
                "check the file's permissions",
            ));
        }
    };
    if text.len() > crate::load::MAX_SPEC_BYTES {
        return Err(
            Diagnostic::new(Code::InputLimit, format!("`{FILE}` is too large"))
                .file(FILE)
                .help("it holds one tag per image and one commit per environment"),
        );
    }
    let pins: Option<Pins> =
        serde_saphyr::from_str_with_options(&text, crate::load::yaml_options()).map_err(|e| {
            bad(
                format!(
                    "`{FILE}` is not `images: {{app: {{image: tag}}}}` and `revisions: {{environment: commit}}`: {}",
                    e.without_snippet()
                ),
                "restore it from Git, or delete it and pin again with `fleetc pin` (the format changed in fleetc 0.2: tags are no longer per environment)",
            )
        })?;
    let pins = pins.unwrap_or_default();
    // The pins are committed and copied into generated files: no token belongs in them.
    let strings = pins
        .images
        .iter()
        .flat_map(|(app, images)| {
            images
                .iter()
                .flat_map(move |(image, tag)| [app.as_str(), image.as_str(), tag.as_str()])
        })
        .chain(
            pins.revisions
                .iter()
                .flat_map(|(env, rev)| [env.as_str(), rev.as_str()]),
        );
    for s in strings {
        if let Some(f) = crate::load::secrets::find(s) {
            return Err(Diagnostic::new(Code::SecretInSpec, format!("{} is in `{FILE}`", f.what))
                .file(FILE)
                .help("restore the file from Git or pin again with `fleetc pin`; then revoke the token"));
        }
    }
    for (app, images) in &pins.images {
        for (image, tag) in images {
            if <crate::values::ImageTag as crate::values::Parse>::parse(tag).is_err() {
                return Err(bad(
                    format!(
                        "`{FILE}` pins `{image}` of `{app}` to `{tag}`, which is not an image tag"
                    ),
                    "restore the file from Git, or pin again with `fleetc pin`",
                ));
            }
        }
    }
    for (env, rev) in &pins.revisions {
        if !is_commit_sha(rev) {
            return Err(bad(
                format!("`{FILE}` pins `{env}` to `{rev}`, which is not a full commit SHA"),
                "pin again with `fleetc pin --environment <env> --revision <40-hex commit>`",
            ));
        }
    }
    Ok(pins)
}

/// The file's content for `pins`.
pub fn render(pins: &Pins) -> String {
    let mut text = HEADER.to_owned();
    if *pins == Pins::default() {
        text.push_str("{}\n");
    } else {
        text.push_str(&crate::emit::to_yaml(pins));
    }
    text
}

/// Why a pin was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// Not an image tag / not a full commit SHA, with the message.
    Invalid(String),
    /// The pin would move backwards: an older pipeline after a newer one.
    Older(String),
    /// The pin cannot be checked against the current one.
    Unknown(String),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Invalid(m) | Refused::Older(m) | Refused::Unknown(m) => f.write_str(m),
        }
    }
}

/// Pins `tag` for every image the pipeline builds (of `apps`, or of all apps). A commit-SHA tag
/// must not be older than the one it replaces, so an old pipeline cannot roll images back.
/// Returns how many images it pinned.
pub fn pin_tag(
    pins: &mut Pins,
    fleet: &crate::model::Fleet,
    tag: &str,
    apps: &[String],
    is_ancestor: &dyn Fn(&str, &str) -> std::io::Result<bool>,
) -> Result<usize, Refused> {
    if <crate::values::ImageTag as crate::values::Parse>::parse(tag).is_err() {
        return Err(Refused::Invalid(format!("`{tag}` is not an image tag")));
    }
    if let Some(f) = crate::load::secrets::find(tag) {
        return Err(Refused::Invalid(format!(
            "the tag looks like {}, which would be committed in {FILE}; pin a commit SHA instead",
            f.what
        )));
    }
    if let Some(unknown) = apps
        .iter()
        .find(|a| !fleet.apps.iter().any(|x| &x.name == *a))
    {
        return Err(Refused::Invalid(format!("no app `{unknown}`")));
    }
    let mut pinned = 0;
    for app in &fleet.apps {
        if !apps.is_empty() && !apps.contains(&app.name) {
            continue;
        }
        for img in app.images.iter().filter(|i| i.build.is_some()) {
            if let Some(old) = pins.images.get(&app.name).and_then(|m| m.get(&img.name))
                && is_commit_sha(old)
                && is_commit_sha(tag)
            {
                match is_ancestor(old, tag) {
                    Ok(true) => {}
                    Ok(false) => {
                        return Err(Refused::Older(format!(
                            "`{}` is pinned to {old}, which is newer than {tag}: an older pipeline must not roll it back",
                            img.name
                        )));
                    }
                    Err(e) => return Err(Refused::Unknown(e.to_string())),
                }
            }
            pins.images
                .entry(app.name.clone())
                .or_default()
                .insert(img.name.clone(), tag.to_owned());
            pinned += 1;
        }
    }
    Ok(pinned)
}

/// Pins environment `env` to commit `revision`, which must descend from its current revision.
pub fn pin_revision(
    pins: &mut Pins,
    fleet: &crate::model::Fleet,
    env: &str,
    revision: &str,
    is_ancestor: &dyn Fn(&str, &str) -> std::io::Result<bool>,
) -> Result<(), Refused> {
    if !fleet.environments.iter().any(|e| e.name == env) {
        let known: Vec<&str> = fleet.environments.iter().map(|e| e.name.as_str()).collect();
        return Err(Refused::Invalid(format!(
            "no environment `{env}` (declared: {})",
            known.join(", ")
        )));
    }
    if !is_commit_sha(revision) {
        return Err(Refused::Invalid(format!(
            "`{revision}` is not a full commit SHA (40 lowercase hex digits)"
        )));
    }
    if let Some(old) = pins.revisions.get(env) {
        match is_ancestor(old, revision) {
            Ok(true) => {}
            Ok(false) => {
                return Err(Refused::Older(format!(
                    "`{env}` runs {old}, which {revision} does not descend from: an older pipeline must not roll it back"
                )));
            }
            Err(e) => return Err(Refused::Unknown(e.to_string())),
        }
    }
    pins.revisions.insert(env.to_owned(), revision.to_owned());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::is_commit_sha;

    #[test]
    fn commit_shas_are_forty_lowercase_hex_digits() {
        let sha = "0123456789abcdef0123456789abcdef01234567";
        assert!(is_commit_sha(sha));
        assert!(!is_commit_sha(&sha[..39]));
        assert!(!is_commit_sha(&format!("{sha}0")));
        // Git prints lowercase; an uppercase or non-hex character is not a commit it names.
        assert!(!is_commit_sha(&sha.replace('a', "A")));
        assert!(!is_commit_sha(&sha.replace('a', "g")));
        assert!(!is_commit_sha(&sha.replace('a', "-")));
    }
}
