//! JSON pointers into the spec (RFC 6901), built segment by segment so that keys are always
//! escaped (`~` → `~0`, `/` → `~1`). Diagnostics, generated-file owners and explanations point
//! into the spec through these; [`crate::load::SpanIndex`] turns them into byte spans.

use std::fmt;

/// A pointer to one node of the spec.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ptr(String);

impl Ptr {
    /// The document root.
    pub fn root() -> Ptr {
        Ptr(String::new())
    }

    /// The value under mapping key `key`.
    pub fn key(&self, key: &str) -> Ptr {
        Ptr(format!("{}/{}", self.0, crate::load::escape(key)))
    }

    /// Item `i` of a sequence.
    pub fn index(&self, i: usize) -> Ptr {
        Ptr(format!("{}/{i}", self.0))
    }

    /// Item `i` of the top-level list `list` (`/clusters/3`).
    pub fn item(list: &str, i: usize) -> Ptr {
        Ptr::root().key(list).index(i)
    }

    /// `rel` (a pointer relative to this one, as [`Ptr::root`]-based walks build them) below
    /// this one.
    pub fn join(&self, rel: &Ptr) -> Ptr {
        Ptr(format!("{}{}", self.0, rel.0))
    }

    /// Whether this is the root.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// A pointer given as RFC 6901 text by a tool that already escaped it (a JSON Schema
    /// validator's instance path).
    pub fn from_json_pointer(text: String) -> Ptr {
        Ptr(text)
    }

    /// A fixed path of keys below the root (`Ptr::path(&["fleet", "version"])`).
    pub fn path(keys: &[&str]) -> Ptr {
        keys.iter().fold(Ptr::root(), |p, k| p.key(k))
    }

    /// The pointer as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Ptr {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Ptr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Ptr> for String {
    fn from(p: Ptr) -> String {
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::Ptr;

    #[test]
    fn keys_are_escaped_and_items_numbered() {
        let p = Ptr::item("apps", 2).key("values").key("a/b~c");
        assert_eq!(p.as_str(), "/apps/2/values/a~1b~0c");
        assert_eq!(Ptr::root().as_str(), "");
    }
}
