//! Points in time as SkillMeat writes them into its files (`collection.toml`, the lock, records,
//! snapshots, tokens). Base tier.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A point in time as written in a SkillMeat file: RFC 3339 (`2026-11-24T10:00:00Z`), or the
/// Python tool's naive ISO strings, which are kept exactly as written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub String);

impl Timestamp {
    /// Now, in UTC, to the second.
    pub fn now() -> Timestamp {
        Timestamp(
            jiff::Timestamp::now()
                .strftime("%Y-%m-%dT%H:%M:%SZ")
                .to_string(),
        )
    }

    /// The TOML value to write: a datetime when the text is one, else a string.
    pub fn to_toml(&self) -> toml_edit::Value {
        match self.0.parse::<toml_edit::Datetime>() {
            Ok(dt) if self.0.contains('T') && has_offset(&self.0) => toml_edit::Value::from(dt),
            _ => toml_edit::Value::from(self.0.as_str()),
        }
    }
}

fn has_offset(s: &str) -> bool {
    s.ends_with('Z') || s.ends_with('z') || {
        let t = s.rsplit('T').next().unwrap_or("");
        t.contains('+') || t.contains('-')
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // `toml::Value` understands TOML's datetime marker, so both a bare datetime and a
        // quoted string arrive here intact.
        match toml::Value::deserialize(d)? {
            toml::Value::Datetime(dt) => Ok(Timestamp(dt.to_string())),
            toml::Value::String(s) => Ok(Timestamp(s)),
            other => Err(serde::de::Error::custom(format!(
                "expected a date-time such as 2026-11-24T10:00:00Z, found {}",
                other.type_str()
            ))),
        }
    }
}

impl JsonSchema for Timestamp {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Timestamp".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "An RFC 3339 date-time (2026-11-24T10:00:00Z); a naive ISO string written by the Python tool is also accepted.",
        })
    }
}
