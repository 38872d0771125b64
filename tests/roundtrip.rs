//! Round-trip: reading the emitted YAML back gives exactly the values fleetc meant, also with
//! a YAML 1.1 reader (the kind kubectl and GitLab use), which turns bare `no` into `false`.

use serde_json::{Map, Value, json};

use crate::common;

/// serde-saphyr's default reader resolves YAML 1.1 forms (`no`, `on`, `0755`, `1_000`) the way
/// YAML 1.1 readers do, so a string that survives it survives kubectl.
fn read_yaml11(text: &str) -> Value {
    serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// Every emitted file reads the same with fleetc's YAML 1.2 reader (`Artifact::value`) as with
/// a YAML 1.1 reader. Artifacts are serialized straight from their typed values (no value tree
/// is kept, BENCHMARKS.md); that the typed values serialize to what they mean is
/// `yaml11_lookalike_strings_stay_strings` below, and their shapes are the conformance tests'.
#[test]
fn emitted_files_read_back_as_emitted() {
    let mut dirs = vec![common::repo().join("examples/fleet")];
    dirs.extend(common::ok_fixtures());
    let mut checked = 0;
    for dir in dirs {
        let compiled = common::compile(&dir).unwrap();
        for a in &compiled.artifacts {
            let text = &compiled.files[&a.path];
            if a.kind == fleetc::emit::Kind::FleetIgnore {
                // Not YAML: one name per line after the header, as Fleet reads it
                // (internal/bundlereader/loaddirectory.go:131-165: `#` lines are comments).
                let lines: Vec<Value> = text
                    .lines()
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(Value::from)
                    .collect();
                assert_eq!(Value::Array(lines), a.value(), "{}", a.path);
                checked += 1;
                continue;
            }
            let read = if matches!(
                a.kind,
                fleetc::emit::Kind::AgentRbac | fleetc::emit::Kind::YamlReplacement
            ) {
                // Several documents in one file.
                let docs: Vec<Value> =
                    serde_saphyr::from_multiple(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
                Value::Array(docs)
            } else {
                read_yaml11(text)
            };
            assert_eq!(read, a.value(), "{} in {}", a.path, dir.display());
            checked += 1;
        }
    }
    assert!(checked > 20);
}

#[test]
fn yaml11_lookalike_strings_stay_strings() {
    let tricky = [
        "no",
        "No",
        "NO",
        "n",
        "N",
        "off",
        "Off",
        "OFF",
        "yes",
        "Yes",
        "y",
        "Y",
        "on",
        "On",
        "ON",
        "true",
        "False",
        "null",
        "Null",
        "~",
        "",
        " ",
        "0755",
        "0o17",
        "0x1F",
        "0b101",
        "1_000",
        "1:30",
        "12:30:00",
        "190:20:30",
        "2024-01-01",
        "2001-12-14t21:59:43.10-05:00",
        ".inf",
        "-.Inf",
        ".NaN",
        "1e3",
        "+1",
        "-0",
        "3.",
        "=",
        "<<",
        "a: b",
        "#comment",
        "- item",
        "[x]",
        "{y}",
        "*alias",
        "&anchor",
        "!tag",
        "%dir",
        "@at",
        "`tick",
        "'single'",
        "\"double\"",
        "multi\nline",
        "trailing\n",
        "tab\there",
        " leading",
        "trailing ",
        "ends with colon:",
        "https://example.com/a?b=c#d",
        "*/15 * * * *",
        "${ .ClusterName }",
        "ünïcødé",
        "1.4.2",
        "16.4",
    ];
    let mut map = Map::new();
    for (i, s) in tricky.iter().enumerate() {
        map.insert(format!("k{i:02}"), Value::String((*s).to_owned()));
        map.insert((*s).to_owned(), json!(i));
    }
    let value = Value::Object(map);
    let text = fleetc::emit::to_yaml(&value);
    assert_eq!(read_yaml11(&text), value, "\n{text}");
}

/// The spec is read as YAML 1.2, as editors and the schema read it: unquoted `no`, `on`, `y`,
/// `0755` and `1_000` in Helm values are strings, and reach fleet.yaml as those strings (a YAML
/// 1.1 reader would turn them into `false`, `true`, 493 and 1000).
#[test]
fn the_spec_is_read_as_yaml_1_2() {
    let text = "version: 1
fleet: {repo: https://gitlab.example.com/ops/fleet.git, branch: main}
environments: [{name: dev, tier: development}]
clusters: [{name: dev-1, environment: dev, region: local}]
apps:
  - name: web
    namespace: web
    source: {helm: {repo: https://charts.example.com, chart: web, version: 1.0.0}}
    targets: [{environment: dev}]
    values:
      a: no
      b: on
      c: y
      d: 0755
      e: 1_000
      f: true
";
    let src = fleetc::diagnostic::Source {
        name: "fleetc.yaml".to_owned(),
        text: text.to_owned(),
    };
    let compiled = fleetc::compile(&src, std::path::Path::new(".")).unwrap();
    let bundle: serde_json::Value =
        serde_saphyr::from_str(&compiled.files["bundles/web/fleet.yaml"]).unwrap();
    let values = &bundle["helm"]["values"];
    for (k, want) in [
        ("a", "no"),
        ("b", "on"),
        ("c", "y"),
        ("d", "0755"),
        ("e", "1_000"),
    ] {
        assert_eq!(values[k], serde_json::json!(want), "{k}: {values}");
    }
    assert_eq!(values["f"], serde_json::json!(true));
}
