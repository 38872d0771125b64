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
