//! The committed JSON Schema is exactly what `fleetc schema` prints.

use crate::common;

#[test]
fn committed_schema_is_current() {
    let path = common::repo().join("schemas/fleetc.schema.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let current = fleetc::schema::spec_schema_text();
    assert!(
        committed == current,
        "schemas/fleetc.schema.json is stale; run `cargo run -- schema > schemas/fleetc.schema.json`"
    );
}

#[test]
fn example_and_fixtures_validate_against_the_committed_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::repo().join("schemas/fleetc.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut specs = vec![common::repo().join("examples/fleet/fleetc.yaml")];
    specs.extend(
        common::ok_fixtures()
            .into_iter()
            .map(|d| d.join("fleetc.yaml")),
    );
    for spec in specs {
        let value: serde_json::Value =
            serde_saphyr::from_str(&std::fs::read_to_string(&spec).unwrap()).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", spec.display());
    }
}

/// Every pointer segment the code can build names something the spec schema has: each
/// `.key("…")` and `Ptr::item("…", …)` segment is a property somewhere in the schema, and each
/// `Ptr::path(&[…])` walks the schema from its root. A renamed spec key that a diagnostic still
/// points at by its old name fails here instead of silently labelling the parent.
#[test]
fn every_pointer_segment_the_code_builds_is_in_the_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::repo().join("schemas/fleetc.schema.json")).unwrap(),
    )
    .unwrap();
    let defs = &schema["definitions"];
    let mut names = std::collections::BTreeSet::new();
    fn collect(v: &serde_json::Value, names: &mut std::collections::BTreeSet<String>) {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(serde_json::Value::Object(props)) = m.get("properties") {
                    names.extend(props.keys().cloned());
                }
                m.values().for_each(|v| collect(v, names));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| collect(v, names)),
            _ => {}
        }
    }
    collect(&schema, &mut names);
    // `fleetc import` points into the original fleet.yaml files: Fleet's schema names those.
    let fleet_yaml: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::upstream().join("fleet/fleet.yaml.schema.json")).unwrap(),
    )
    .unwrap();
    let mut fleet_names = std::collections::BTreeSet::new();
    collect(&fleet_yaml, &mut fleet_names);
    // Follows `$ref`s and `anyOf`/`allOf` to the object schemas a node can be.
    fn objects<'a>(
        v: &'a serde_json::Value,
        defs: &'a serde_json::Value,
    ) -> Vec<&'a serde_json::Value> {
        if let Some(r) = v.get("$ref").and_then(|r| r.as_str()) {
            let name = r.rsplit('/').next().unwrap();
            return objects(&defs[name], defs);
        }
        let mut out = vec![v];
        for k in ["anyOf", "allOf", "oneOf"] {
            for sub in v.get(k).and_then(|a| a.as_array()).into_iter().flatten() {
                out.extend(objects(sub, defs));
            }
        }
        out
    }
    // The literal after each `open` up to the next `close`.
    fn literals<'t>(text: &'t str, open: &str, close: char) -> Vec<&'t str> {
        text.match_indices(open)
            .filter_map(|(i, _)| {
                let rest = &text[i + open.len()..];
                rest.find(close).map(|end| &rest[..end])
            })
            .collect()
    }
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(common::repo().join("src")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "rs")
            || entry.path().ends_with("pointer.rs")
            || entry.path().ends_with("span_index.rs")
        {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let at = entry
            .path()
            .strip_prefix(common::repo())
            .unwrap()
            .display()
            .to_string();
        let segments =
            literals(&text, ".key(\"", '"')
                .into_iter()
                .chain(literals(&text, "Ptr::item(\"", '"'));
        let names = if at.starts_with("src/import/") {
            &fleet_names
        } else {
            &names
        };
        for seg in segments {
            assert!(
                names.contains(seg),
                "{at}: pointer segment `{seg}` is in no schema"
            );
            checked += 1;
        }
        for list in literals(&text, "Ptr::path(&[", ']') {
            let segs: Vec<&str> = list
                .split(',')
                .map(|s| s.trim().trim_matches('"'))
                .collect();
            let mut nodes = vec![&schema];
            for seg in &segs {
                nodes = nodes
                    .into_iter()
                    .flat_map(|n| objects(n, defs))
                    .filter_map(|n| n.get("properties").and_then(|p| p.get(*seg)))
                    .collect();
                assert!(
                    !nodes.is_empty(),
                    "{at}: `Ptr::path({segs:?})` leaves the schema at `{seg}`"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked} pointer segments checked");
}
