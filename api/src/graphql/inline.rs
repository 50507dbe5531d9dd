//! [`Inline`]: an object whose fields are resolved one after the other in one future.
//!
//! async-graphql resolves an object's fields concurrently: one boxed future per field, all
//! polled through a `FuturesUnordered`, each answer inserted into the object's map with two
//! lookups. For the objects of a page, whose fields read values already in hand (a summary's
//! columns, a primed loader's cache), that machinery cost twice as much as the resolvers
//! themselves: about 12,000 instructions per participant of a page, against 6,000 for its six
//! resolvers (callgrind, W1 of `README.md`).
//!
//! `Inline<T>` is `T` to the schema (same name, same fields, same introspection) and resolves
//! its fields in selection order, each awaited in turn. A field that awaits a loader still
//! batches with the same field of the object's siblings, since a list polls its items
//! together; only two unprimed relations of the same object are read one after the other
//! instead of in the same batch window. Errors are handled as async-graphql does: the field's
//! error is added to the response and the field left out.
//!
//! [`InlineConnection`] does the same for a Relay connection and its edges: async-graphql's
//! `Connection` would resolve each edge of a page as a concurrent object of its own (one boxed
//! future, one `FuturesUnordered` and one map per edge, for its one or two fields).
//!
//! [`InTurn`] does it for a list of objects whose fields await nothing (values in hand, no
//! loader): its items one after the other in the list's own future, where async-graphql would
//! make one future per item and join them.
//!
//! The schema registers no extension (see `build_with_depth` in the parent module); an extension's `resolve` hook
//! would not see the fields of an inline object, and a field with a custom directive falls back
//! to async-graphql's resolution.

use std::borrow::Cow;

use async_graphql::connection::{Connection, CursorType};
use async_graphql::indexmap::IndexMap;
use async_graphql::indexmap::map::Entry;
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::resolve_container;
use async_graphql::{
    ContainerType, Context, ContextSelectionSet, Name, ObjectType, OutputType, Positioned,
    ServerError, ServerResult, Value,
};

/// `T`, resolved field after field (see the module's documentation).
pub(crate) struct Inline<T>(pub(crate) T);

impl<T> From<T> for Inline<T> {
    fn from(inner: T) -> Self {
        Self(inner)
    }
}

impl<T: ContainerType> OutputType for Inline<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn qualified_type_name() -> String {
        T::qualified_type_name()
    }

    fn introspection_type_name(&self) -> Cow<'static, str> {
        self.0.introspection_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        resolve_in_turn(ctx, &self.0).await
    }
}

/// A list of objects, each resolved as an [`Inline`] one, item after item in one future: to
/// the schema it is `[T!]!`, as `Vec<T>`. The fields its selection applies to an item are
/// worked out once for the items of one type.
///
/// Only for items whose fields await nothing (values in hand, no loader, no database): an
/// item that awaited a loader would be read alone, one batch per item, where async-graphql's
/// concurrent items share one. An item's error is the list's, with the item's index in its
/// path, as async-graphql answers it.
pub(crate) struct InTurn<T>(pub(crate) Vec<T>);

impl<T: ContainerType> OutputType for InTurn<T> {
    fn type_name() -> Cow<'static, str> {
        Vec::<T>::type_name()
    }

    fn qualified_type_name() -> String {
        Vec::<T>::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        Vec::<T>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        let mut items = Vec::with_capacity(self.0.len());
        let mut fields = Vec::with_capacity(ctx.item.node.items.len());
        let mut fields_of = None;
        for (index, item) in self.0.iter().enumerate() {
            let item_ctx = ctx.with_index(index);
            let value = async {
                let of = item.introspection_type_name();
                if fields_of.as_ref() != Some(&of) {
                    fields.clear();
                    collect(&item_ctx, &item_ctx.item.node, item, &mut fields)?;
                    fields_of = Some(of);
                }
                resolve_fields(&item_ctx, item, &fields).await
            }
            .await
            .map_err(|error| item_ctx.set_error_path(error))?;
            items.push(value);
        }
        Ok(Value::List(items))
    }
}

/// A Relay connection resolved in turn, each of its edges too: to the schema it is
/// async-graphql's `Connection<C, N, F>` (same name, fields and introspection); `N` is
/// usually an [`Inline`] node, so that a page resolves without a future per field.
pub(crate) struct InlineConnection<C, N, F>(pub(crate) Connection<C, N, F>)
where
    C: CursorType + Send + Sync,
    N: OutputType,
    F: ObjectType;

impl<C, N, F> OutputType for InlineConnection<C, N, F>
where
    C: CursorType + Send + Sync,
    N: OutputType,
    F: ObjectType,
{
    fn type_name() -> Cow<'static, str> {
        Connection::<C, N, F>::type_name()
    }

    fn qualified_type_name() -> String {
        Connection::<C, N, F>::qualified_type_name()
    }

    fn introspection_type_name(&self) -> Cow<'static, str> {
        self.0.introspection_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        Connection::<C, N, F>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        resolve_in_turn(ctx, self).await
    }
}

impl<C, N, F> ContainerType for InlineConnection<C, N, F>
where
    C: CursorType + Send + Sync,
    N: OutputType,
    F: ObjectType,
{
    async fn resolve_field(&self, ctx: &Context<'_>) -> ServerResult<Option<Value>> {
        if ctx.item.node.name.node != "edges" {
            return self.0.resolve_field(ctx).await;
        }
        // As async-graphql resolves a list: the edges polled together (so that their
        // relations batch), each with its index in the path and its fields in turn.
        let set = ctx.with_selection_set(&ctx.item.node.selection_set);
        let edges = self.0.edges.iter().enumerate().map(|(index, edge)| {
            let item = set.with_index(index);
            async move {
                resolve_in_turn(&item, edge)
                    .await
                    .map_err(|error| item.set_error_path(error))
            }
        });
        Ok(Some(Value::List(
            futures_util::future::try_join_all(edges).await?,
        )))
    }
}

/// The object `root` for the selection set of `ctx`, its fields resolved in turn.
async fn resolve_in_turn<T: ContainerType>(
    ctx: &ContextSelectionSet<'_>,
    root: &T,
) -> ServerResult<Value> {
    let mut fields = Vec::with_capacity(ctx.item.node.items.len());
    collect(ctx, &ctx.item.node, root, &mut fields)?;
    resolve_fields(ctx, root, &fields).await
}

/// The object `root` with `fields` (the fields of `ctx`'s selection set that apply to it, by
/// [`collect`]), resolved in turn.
async fn resolve_fields<T: ContainerType>(
    ctx: &ContextSelectionSet<'_>,
    root: &T,
    fields: &[&Positioned<Field>],
) -> ServerResult<Value> {
    if fields.iter().any(|f| !f.node.directives.is_empty()) {
        // `@skip` and `@include` are gone by now: a directive here is a custom one, which
        // async-graphql's own resolution applies.
        return resolve_container(ctx, root).await;
    }
    let mut object = IndexMap::with_capacity(fields.len());
    for &field in fields {
        let key = field.node.response_key().node.clone();
        let value = if field.node.name.node == "__typename" {
            Ok(Some(Value::String(
                root.introspection_type_name().into_owned(),
            )))
        } else {
            root.resolve_field(&ctx.with_field(field)).await
        };
        match value {
            Ok(value) => merge(&mut object, key, value.unwrap_or_default()),
            Err(error) => ctx.add_error(error),
        }
    }
    Ok(if object.is_empty() {
        Value::Null
    } else {
        Value::Object(object)
    })
}

/// The fields of `set` that apply to `root`, fragments flattened, in selection order.
fn collect<'a, T: ContainerType>(
    ctx: &ContextSelectionSet<'a>,
    set: &'a SelectionSet,
    root: &T,
    fields: &mut Vec<&'a Positioned<Field>>,
) -> ServerResult<()> {
    for selection in &set.items {
        let (condition, set) = match &selection.node {
            Selection::Field(field) => {
                fields.push(field);
                continue;
            }
            Selection::FragmentSpread(spread) => {
                let name = &spread.node.fragment_name.node;
                let Some(fragment) = ctx.query_env.fragments.get(name) else {
                    return Err(ServerError::new(
                        format!(r#"Unknown fragment "{name}"."#),
                        Some(spread.pos),
                    ));
                };
                (
                    Some(fragment.node.type_condition.node.on.node.as_str()),
                    &fragment.node.selection_set,
                )
            }
            Selection::InlineFragment(fragment) => (
                fragment
                    .node
                    .type_condition
                    .as_ref()
                    .map(|c| c.node.on.node.as_str()),
                &fragment.node.selection_set,
            ),
        };
        if condition.is_none_or(|on| applies(ctx, root, on)) {
            collect(ctx, &set.node, root, fields)?;
        }
    }
    Ok(())
}

/// Whether a fragment on the type `on` applies to `root`: `on` is its type or one of its
/// interfaces.
fn applies<T: ContainerType>(ctx: &ContextSelectionSet<'_>, root: &T, on: &str) -> bool {
    let name = root.introspection_type_name();
    name == on
        || ctx
            .schema_env
            .registry
            .implements
            .get(name.as_ref())
            .is_some_and(|interfaces| interfaces.contains(on))
}

/// Put `value` under `key`; a key selected twice (`a { x } a { y }`) merges its objects, and
/// the objects of its lists item by item, as the spec's field merging answers.
fn merge(object: &mut IndexMap<Name, Value>, key: Name, value: Value) {
    match object.entry(key) {
        Entry::Vacant(entry) => {
            entry.insert(value);
        }
        Entry::Occupied(mut entry) => match (entry.get_mut(), value) {
            (Value::Object(into), Value::Object(from)) => {
                for (key, value) in from {
                    merge(into, key, value);
                }
            }
            (Value::List(into), Value::List(from)) => {
                for (into, from) in into.iter_mut().zip(from) {
                    if let (Value::Object(into), Value::Object(from)) = (into, from) {
                        for (key, value) in from {
                            merge(into, key, value);
                        }
                    }
                }
            }
            _ => {}
        },
    }
}
