//! targetCustomizations the spec's `overrides` say exactly: one per environment (or one per
//! region), each selecting by that label alone, changing only Helm values or keeping the app
//! off. Such customizations never overlap, so Fleet's first match and fleetc's broad-to-narrow
//! merge give every cluster the same options.

use serde_json::{Map, Value, json};

use super::clusters::Clusters;

/// The overrides for `customizations` of a Helm app (`helm`), or `None` where any of them is
/// more than the spec's overrides say (then all stay verbatim, their order being Fleet's).
pub fn from_customizations(
    customizations: &[Value],
    helm: bool,
    clusters: &Clusters,
) -> Option<Vec<Value>> {
    if customizations.is_empty() {
        return None;
    }
    // The label every customization selects by, and its value in each.
    let mut key: Option<&str> = None;
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for c in customizations {
        let c = c.as_object()?;
        let sel = c.get("clusterSelector")?.as_object()?;
        if sel
            .get("matchExpressions")
            .is_some_and(|e| e.as_array().is_none_or(|a| !a.is_empty()))
        {
            return None;
        }
        let labels = sel.get("matchLabels")?.as_object()?;
        let [(k, v)] = labels.iter().collect::<Vec<_>>()[..] else {
            return None;
        };
        let v = v.as_str()?;
        if key.is_some_and(|x| x != k) || !seen.insert(v.to_owned()) {
            return None;
        }
        key = Some(k);
        let scope = if clusters.env_found && *k == clusters.env_key {
            clusters
                .environments
                .iter()
                .any(|(e, _)| e == v)
                .then_some("environment")?
        } else if clusters.region_found && clusters.env_found && *k == clusters.region_key {
            // fleetc's region override selects the environment label too (Scope::EnvRegion),
            // which live clusters carry only when the environment convention is real.
            clusters
                .clusters
                .iter()
                .any(|cl| cl.region == v)
                .then_some("region")?
        } else {
            return None;
        };
        let mut o = Map::new();
        o.insert(scope.to_owned(), json!(v));
        for (field, value) in c {
            match field.as_str() {
                "name" | "clusterSelector" => {}
                "doNotDeploy" if value.is_boolean() => {
                    if value == true {
                        o.insert("doNotDeploy".into(), json!(true));
                    }
                }
                "helm" if helm => {
                    let h = value.as_object()?;
                    for (hk, hv) in h {
                        match (hk.as_str(), hv) {
                            ("values", Value::Object(values)) if !values.is_empty() => {
                                o.insert("values".into(), hv.clone());
                            }
                            ("values", Value::Object(_) | Value::Null) => {}
                            _ => return None,
                        }
                    }
                }
                _ => return None,
            }
        }
        // One that changes nothing shadows nothing either, the others never overlapping it.
        if o.len() > 1 {
            out.push(Value::Object(o));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::clusters::infer;
    use crate::import::scan::Origin;

    fn clusters() -> Clusters {
        let c = |name: &str, env: &str| {
            (
                json!({"metadata": {"name": name, "labels": {"env": env, "region": "eu"}}}),
                Origin {
                    file: "c.yaml".into(),
                    line: 1,
                },
            )
        };
        infer(&[c("a", "dev"), c("b", "prod")], "fleet-default").unwrap()
    }

    #[test]
    fn one_per_environment_becomes_overrides() {
        let cs = vec![
            json!({"name": "dev", "clusterSelector": {"matchLabels": {"env": "dev"}}, "helm": {"values": {"replicas": 1}}}),
            json!({"name": "prod", "clusterSelector": {"matchLabels": {"env": "prod"}}, "doNotDeploy": true}),
        ];
        let o = from_customizations(&cs, true, &clusters()).unwrap();
        assert_eq!(
            o[0],
            json!({"environment": "dev", "values": {"replicas": 1}})
        );
        assert_eq!(o[1], json!({"environment": "prod", "doNotDeploy": true}));
    }

    #[test]
    fn anything_more_stays_verbatim() {
        let dev = json!({"name": "dev", "clusterSelector": {"matchLabels": {"env": "dev"}}, "helm": {"values": {"a": 1}}});
        for other in [
            // an environment no cluster is in
            json!({"name": "t", "clusterSelector": {"matchLabels": {"env": "test"}}}),
            // two labels, overlapping ones, a kustomize directory, a Helm option
            json!({"name": "t", "clusterSelector": {"matchLabels": {"env": "prod", "region": "eu"}}}),
            json!({"name": "t", "clusterSelector": {"matchLabels": {"env": "dev"}}}),
            json!({"name": "t", "clusterSelector": {"matchLabels": {"env": "prod"}}, "kustomize": {"dir": "x"}}),
            json!({"name": "t", "clusterSelector": {"matchLabels": {"env": "prod"}}, "helm": {"atomic": true}}),
            json!({"name": "t", "clusterGroup": "g"}),
        ] {
            assert!(
                from_customizations(&[dev.clone(), other.clone()], true, &clusters()).is_none(),
                "{other}"
            );
        }
        // Values on a chart-less bundle are not the spec's.
        assert!(from_customizations(&[dev], false, &clusters()).is_none());
    }
}
