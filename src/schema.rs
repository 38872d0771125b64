//! The spec's JSON Schema, derived with schemars from the same types the compiler reads.
//!
//! The loader validates every spec against it (so the CLI and an editor using the committed
//! `schemas/fleetc.schema.json` agree), and `fleetc schema` prints it.

use std::sync::LazyLock;

use schemars::generate::SchemaSettings;
use serde_json::{Map, Value};

use crate::spec::Spec;

/// The JSON Schema (draft-07, the dialect editors read most widely) of `fleetc.yaml`.
pub fn spec_schema() -> Value {
    let generator = SchemaSettings::draft07().into_generator();
    let mut schema = generator.into_root_schema_for::<Spec>().to_value();
    polish(&mut schema);
    schema
}

/// The schema as committed under `schemas/`: pretty JSON with a trailing newline.
pub fn spec_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&*SCHEMA).expect("a JSON value serializes");
    text.push('\n');
    text
}

/// Fleet's fleet.yaml schema (vendored under `third_party/fleet/`), for the parts of fleet.yaml
/// a spec may carry as they are.
const FLEET_YAML_SCHEMA: &str = include_str!("../third_party/fleet/fleet.yaml.schema.json");

/// Fleet's fleet.yaml schema, parsed once.
static FLEET_YAML: LazyLock<Value> =
    LazyLock::new(|| serde_json::from_str(FLEET_YAML_SCHEMA).expect("the vendored schema is JSON"));

/// The keys Fleet's fleet.yaml takes at its top (`FleetYAML`).
pub fn fleet_yaml_keys() -> impl Iterator<Item = &'static str> {
    property_names(&FLEET_YAML["properties"])
}

/// The keys of a fleet.yaml targetCustomization (`BundleTarget`).
pub fn fleet_customization_keys() -> impl Iterator<Item = &'static str> {
    property_names(&FLEET_YAML["$defs"]["BundleTarget"]["properties"])
}

fn property_names(v: &'static Value) -> impl Iterator<Item = &'static str> {
    v.as_object()
        .into_iter()
        .flat_map(|m| m.keys().map(String::as_str))
}

/// A list of Fleet targetCustomizations: Fleet's own `BundleTarget` schema with its references
/// inlined, so that the spec's schema (another JSON Schema dialect) checks them and editors
/// complete them.
pub fn fleet_customizations(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let defs = FLEET_YAML["$defs"].as_object().cloned().unwrap_or_default();
    let mut item = defs
        .get("BundleTarget")
        .cloned()
        .unwrap_or(Value::Bool(true));
    inline_refs(&mut item, &defs, 0);
    if let Value::Object(m) = &mut item {
        m.insert("$comment".to_owned(), Value::from(UPSTREAM_COMMENT));
    }
    let mut list = serde_json::json!({
        "type": "array",
        "description": "Fleet targetCustomizations as fleet.yaml holds them.",
        "examples": [[{"name": "dev", "clusterSelector": {"matchLabels": {"env": "dev"}}, "kustomize": {"dir": "overlays/dev"}}]],
    });
    list["items"] = item;
    schemars::Schema::try_from(list).expect("an object is a schema")
}

/// Marks Fleet's own schema inside the spec's: described by Fleet, without fleetc's examples.
const UPSTREAM_COMMENT: &str =
    "Fleet's BundleTarget (rancher/fleet schemas/fleet.yaml.json, vendored in third_party/fleet)";

/// Replaces `#/$defs/X` references by the definitions themselves. Fleet's BundleTarget is not
/// recursive; the depth bound only guards against a future one.
fn inline_refs(node: &mut Value, defs: &Map<String, Value>, depth: usize) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref")
                && let Some(def) = r.strip_prefix("#/$defs/").and_then(|n| defs.get(n))
                && depth < 16
            {
                let mut def = def.clone();
                inline_refs(&mut def, defs, depth + 1);
                map.remove("$ref");
                if let Value::Object(d) = def {
                    for (k, v) in d {
                        map.entry(k).or_insert(v);
                    }
                }
            }
            for v in map.values_mut() {
                inline_refs(v, defs, depth);
            }
        }
        Value::Array(list) => list.iter_mut().for_each(|v| inline_refs(v, defs, depth)),
        _ => {}
    }
}

/// The schema, built once.
pub static SCHEMA: LazyLock<Value> = LazyLock::new(spec_schema);

/// The compiled validator, built once.
pub static VALIDATOR: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    jsonschema::validator_for(&SCHEMA).expect("the derived spec schema is a valid JSON Schema")
});

/// The subschema that describes the instance at `ptr`, following `$ref`, `properties`, `items`
/// and `additionalProperties`. `None` where the schema branches (`anyOf`) or allows anything.
pub fn subschema_at<'a>(root: &'a Value, ptr: &str) -> Option<&'a Value> {
    let mut node = deref(root, root)?;
    for seg in ptr.split('/').skip(1) {
        let seg = crate::load::unescape(seg);
        let next = if let Some(p) = node.get("properties").and_then(|p| p.get(&seg)) {
            p
        } else if let Some(items) = node.get("items") {
            items
        } else if let Some(ap) = node.get("additionalProperties").filter(|v| v.is_object()) {
            ap
        } else if let Some(any) = node.get("anyOf").and_then(Value::as_array) {
            // `Option<T>` derives as anyOf [T, null]: follow the non-null branch.
            let non_null: Vec<&Value> = any
                .iter()
                .filter(|s| s.get("type") != Some(&Value::from("null")))
                .collect();
            match non_null.as_slice() {
                [only] => {
                    let only = deref(root, only)?;
                    let p = only.get("properties").and_then(|p| p.get(&seg));
                    p.or_else(|| only.get("items"))?
                }
                _ => return None,
            }
        } else {
            return None;
        };
        node = deref(root, next)?;
    }
    Some(node)
}

/// The keys a mapping at `ptr` accepts.
pub fn known_keys(root: &Value, ptr: &str) -> Vec<String> {
    let Some(node) = subschema_at(root, ptr) else {
        return Vec::new();
    };
    let node = match node.get("anyOf").and_then(Value::as_array) {
        Some(any) => any
            .iter()
            .filter_map(|s| deref(root, s))
            .find(|s| s.get("properties").is_some())
            .unwrap_or(node),
        None => node,
    };
    node.get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

fn deref<'a>(root: &'a Value, node: &'a Value) -> Option<&'a Value> {
    let mut node = node;
    for _ in 0..16 {
        if let Some(r) = node.get("$ref").and_then(Value::as_str) {
            node = root.pointer(r.strip_prefix('#')?)?;
        } else if let Some([only]) = node
            .get("allOf")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            // draft-07 output wraps a `$ref` that has a description in a one-element `allOf`.
            node = only;
        } else {
            return Some(node);
        }
    }
    None
}

/// Editor-facing polish: `markdownDescription` beside every `description` (yaml-language-server
/// shows it on hover and completion), and enums of documented constants as a plain `enum` with
/// `markdownEnumDescriptions`, which both validators and editors understand.
fn polish(node: &mut Value) {
    match node {
        Value::Object(map) => {
            collapse_const_one_of(map);
            drop_null(map);
            // `default: null` (from `Option` fields) makes yaml-language-server drop the
            // completions that follow it; an absent key already means "unset".
            if map.get("default") == Some(&Value::Null) {
                map.remove("default");
            }
            if let Some(Value::String(d)) = map.get("description") {
                let d = d.clone();
                map.insert("markdownDescription".to_owned(), Value::String(d));
            }
            for v in map.values_mut() {
                polish(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(polish),
        _ => {}
    }
}

/// `Option<T>` derives as "T or null". An absent key already means "unset", and the nullable
/// `anyOf` wrapper hides the real error inside a block behind "not valid under any of the schemas
/// listed in anyOf", so the spec schema does not accept null: a typo inside `gitlab:` is reported
/// as the unknown key it is.
fn drop_null(map: &mut Map<String, Value>) {
    if let Some(Value::Array(types)) = map.get_mut("type") {
        types.retain(|t| t != "null");
        if let [only] = types.as_slice() {
            let only = only.clone();
            map.insert("type".to_owned(), only);
        }
    }
    let Some(Value::Array(alts)) = map.get("anyOf") else {
        return;
    };
    let is_null = |v: &Value| v.get("type") == Some(&Value::from("null"));
    if alts.len() == 2 && alts.iter().any(is_null) {
        let keep = alts
            .iter()
            .find(|a| !is_null(a))
            .cloned()
            .unwrap_or_default();
        map.remove("anyOf");
        // A `$ref` beside other keywords is ignored in draft-07: wrap it in a one-element allOf.
        map.insert("allOf".to_owned(), Value::Array(vec![keep]));
    }
}

fn collapse_const_one_of(map: &mut Map<String, Value>) {
    let Some(Value::Array(alts)) = map.get("oneOf") else {
        return;
    };
    if alts.is_empty() || !alts.iter().all(|a| a.get("const").is_some()) {
        return;
    }
    let consts: Vec<Value> = alts.iter().map(|a| a["const"].clone()).collect();
    let docs: Vec<Value> = alts
        .iter()
        .map(|a| a.get("description").cloned().unwrap_or(Value::from("")))
        .collect();
    map.remove("oneOf");
    map.insert("type".to_owned(), Value::from("string"));
    map.insert("enum".to_owned(), Value::Array(consts));
    map.insert("markdownEnumDescriptions".to_owned(), Value::Array(docs));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_of_nested_mappings() {
        let keys = known_keys(&SCHEMA, "/clusters/0");
        assert!(keys.contains(&"environment".to_owned()), "{keys:?}");
        let keys = known_keys(&SCHEMA, "/apps/2/source/helm");
        assert!(keys.contains(&"chart".to_owned()), "{keys:?}");
        let keys = known_keys(&SCHEMA, "/apps/0/drift/correctDrift");
        assert!(keys.contains(&"enabled".to_owned()), "{keys:?}");
    }

    /// Editors show these on completion: every key has a description and an example (directly,
    /// or on the definition it refers to).
    #[test]
    fn every_key_is_described_with_an_example() {
        fn walk(root: &Value, v: &Value, path: &str, missing: &mut Vec<String>) {
            // Fleet's own schema, inlined: Fleet describes it, fleetc adds no examples.
            if v.get("$comment").and_then(Value::as_str) == Some(UPSTREAM_COMMENT) {
                return;
            }
            if let Some(props) = v.get("properties").and_then(Value::as_object) {
                for (k, p) in props {
                    let target = deref(root, p).unwrap_or(p);
                    let has = |key: &str| p.get(key).is_some() || target.get(key).is_some();
                    if !has("examples") || !has("description") {
                        missing.push(format!("{path}.{k}"));
                    }
                }
            }
            match v {
                Value::Object(m) => m
                    .iter()
                    .for_each(|(k, c)| walk(root, c, &format!("{path}/{k}"), missing)),
                Value::Array(a) => a.iter().for_each(|c| walk(root, c, path, missing)),
                _ => {}
            }
        }
        let mut missing = Vec::new();
        walk(&SCHEMA, &SCHEMA, "", &mut missing);
        assert!(
            missing.is_empty(),
            "keys without description or example: {missing:#?}"
        );
    }

    /// The examples editors offer are valid spec fragments.
    #[test]
    fn examples_validate_against_their_own_schema() {
        fn walk(root: &Value, v: &Value, path: &str, bad: &mut Vec<String>, seen: &mut usize) {
            if let Some(examples) = v.get("examples").and_then(Value::as_array) {
                *seen += examples.len();
                let mut sub = v.clone();
                if let Some(m) = sub.as_object_mut() {
                    m.insert("definitions".into(), root["definitions"].clone());
                    m.insert("$schema".into(), root["$schema"].clone());
                }
                let validator = jsonschema::validator_for(&sub).expect("subschemas compile");
                for e in examples {
                    if let Some(err) = validator.iter_errors(e).next() {
                        bad.push(format!("{path}: {e} ({err})"));
                    }
                }
            }
            match v {
                Value::Object(m) => m
                    .iter()
                    .filter(|(k, _)| k.as_str() != "definitions" || path.is_empty())
                    .for_each(|(k, c)| walk(root, c, &format!("{path}/{k}"), bad, seen)),
                Value::Array(a) => a.iter().for_each(|c| walk(root, c, path, bad, seen)),
                _ => {}
            }
        }
        let (mut bad, mut seen) = (Vec::new(), 0);
        walk(&SCHEMA, &SCHEMA, "", &mut bad, &mut seen);
        assert!(bad.is_empty(), "invalid examples: {bad:#?}");
        assert!(seen > 100, "the walk reached the examples ({seen})");
    }

    #[test]
    fn every_object_is_closed() {
        fn walk(v: &Value, path: &str) {
            if let Some(m) = v.as_object() {
                if m.contains_key("properties") {
                    assert_eq!(
                        m.get("additionalProperties"),
                        Some(&Value::Bool(false)),
                        "{path} accepts unknown keys"
                    );
                }
                for (k, v) in m {
                    walk(v, &format!("{path}/{k}"));
                }
            } else if let Some(a) = v.as_array() {
                for (i, v) in a.iter().enumerate() {
                    walk(v, &format!("{path}/{i}"));
                }
            }
        }
        walk(&SCHEMA, "");
    }
}
