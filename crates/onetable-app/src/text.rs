//! Free text in request bodies (reasons, names, purposes …), bounded in length: the limit is part
//! of the type, checked when the body is read, and shown in the OpenAPI spec as `maxLength`.

use std::borrow::Cow;

use serde::{Deserialize, Deserializer};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;

/// Text of at most `MAX` characters, without control characters or direction overrides
/// ([`onetable_core::text`]), trimmed of surrounding white space.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text<const MAX: usize>(String);

/// A reason or comment attached to a change (修改原因, 退回意见).
pub type Reason = Text<500>;
/// A paragraph: a purpose, a description, a legal basis.
pub type Paragraph = Text<2000>;

impl<const MAX: usize> Text<MAX> {
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    #[must_use]
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl<const MAX: usize> std::ops::Deref for Text<MAX> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<const MAX: usize> From<Text<MAX>> for String {
    fn from(text: Text<MAX>) -> Self {
        text.0
    }
}

impl<'de, const MAX: usize> Deserialize<'de> for Text<MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        let text = raw.trim();
        onetable_core::text::check_text(text, MAX).map_err(serde::de::Error::custom)?;
        Ok(Self(text.to_owned()))
    }
}

impl<const MAX: usize> serde::Serialize for Text<MAX> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<const MAX: usize> utoipa::PartialSchema for Text<MAX> {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new().schema_type(Type::String).max_length(Some(MAX)).into()
    }
}

impl<const MAX: usize> utoipa::ToSchema for Text<MAX> {
    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("Text{MAX}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded() {
        let ok: Text<3> = serde_json::from_str("\" 村村 \"").unwrap_or_default();
        assert_eq!(ok.as_str(), "村村");
        let long = serde_json::from_str::<Text<3>>("\"村村村村\"").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(long.contains("最多 3 个字"), "{long}");
    }
}
