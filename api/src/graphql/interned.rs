//! [`Interned`]: an enum whose values answer with names made once per process.
//!
//! async-graphql answers an enum value with a new `Name` (an `Arc<str>` allocated and copied)
//! each time it is resolved. The CléA domains and CEFR levels of a page of cohorts are 2,200
//! of them per request (W2 of `README.md`); an interned value costs an `Arc` clone instead.

use std::borrow::Cow;

use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::EnumType;
use async_graphql::{
    ContextSelectionSet, InputType, InputValueResult, Name, OutputType, Positioned, ServerResult,
    Value,
};

/// The names of an enum's values, in the order of `EnumType::items`, made once.
pub(crate) trait InternedNames: EnumType + OutputType + InputType {
    fn names() -> &'static [Name];
}

/// Implements [`InternedNames`] for each enum listed.
macro_rules! interned_names {
    ($($enum:ty),+ $(,)?) => {$(
        impl $crate::graphql::interned::InternedNames for $enum {
            fn names() -> &'static [::async_graphql::Name] {
                static NAMES: ::std::sync::OnceLock<Vec<::async_graphql::Name>> =
                    ::std::sync::OnceLock::new();
                NAMES.get_or_init(|| {
                    <$enum as ::async_graphql::resolver_utils::EnumType>::items()
                        .iter()
                        .map(|item| ::async_graphql::Name::new(item.name))
                        .collect()
                })
            }
        }
    )+};
}
pub(crate) use interned_names;

/// `T` to the schema (same name, values and introspection, as an input too), answered with its
/// interned name.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Interned<T>(pub(crate) T);

impl<T> From<T> for Interned<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<T: InternedNames> OutputType for Interned<T> {
    fn type_name() -> Cow<'static, str> {
        <T as OutputType>::type_name()
    }

    fn qualified_type_name() -> String {
        <T as OutputType>::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        <T as OutputType>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        match T::items().iter().position(|item| item.value == self.0) {
            Some(index) => Ok(Value::Enum(T::names()[index].clone())),
            None => OutputType::resolve(&self.0, ctx, field).await,
        }
    }
}

impl<T: InternedNames> InputType for Interned<T> {
    type RawValueType = T::RawValueType;

    fn type_name() -> Cow<'static, str> {
        <T as InputType>::type_name()
    }

    fn qualified_type_name() -> String {
        <T as InputType>::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        <T as InputType>::create_type_info(registry)
    }

    fn parse(value: Option<Value>) -> InputValueResult<Self> {
        T::parse(value).map(Self).map_err(|error| error.propagate())
    }

    fn to_value(&self) -> Value {
        self.0.to_value()
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        self.0.as_raw_value()
    }
}
