//! "Did you mean" suggestions and plain-words descriptions of values, for diagnostics.

use serde_json::Value;

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::damerau_levenshtein(&lower, &c.to_ascii_lowercase()),
                c,
            )
        })
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(1))
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// The first `limit` names joined with commas, then `(+N more)`.
pub fn short_list<S: AsRef<str>>(names: &[S], limit: usize) -> String {
    let mut s = names
        .iter()
        .take(limit)
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > limit {
        s.push_str(&format!(" (+{} more)", names.len() - limit));
    }
    s
}

/// `a list`, `the number 3`, `"no"`.
pub fn describe(v: &Value) -> String {
    match v {
        Value::Null => "nothing (null)".to_owned(),
        Value::Bool(b) => format!("`{b}`"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) if s.chars().count() > 40 => "a long string".to_owned(),
        Value::String(s) => format!("the string \"{s}\""),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "a mapping".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_words_only() {
        let keys = ["environment", "region", "cluster", "selector"];
        assert_eq!(closest("enviroment", keys), Some("environment"));
        assert_eq!(closest("regoin", keys), Some("region"));
        assert_eq!(closest("replicas", keys), None);
    }
}
