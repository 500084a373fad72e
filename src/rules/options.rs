//! A rule's options: a typed struct in the rule's file, read from the one generic entry
//! `rules.<id>: {level, ...options}` of the configuration.
//!
//! A rule with options declares `static OPTIONS: OptionsOf<Options>` and returns it from
//! [`Rule::options`](super::Rule::options); it reads them with `OPTIONS.get(ctx)`. The
//! configuration reads each entry through the rule's [`OptionsKind`] (so an option under the
//! wrong rule is an error at its line), the JSON schema of `rules:` is built from the same
//! types, and `config show` prints them. Nothing else names a rule's options.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt::Debug;
use std::marker::PhantomData;
use std::sync::{Arc, OnceLock};

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::Context;

/// A rule's options, as the configuration file gives them. `Default` is the rule's behaviour
/// when nothing is configured.
pub trait Options:
    DeserializeOwned + Serialize + JsonSchema + Default + Debug + Send + Sync + 'static
{
}

impl<T> Options for T where
    T: DeserializeOwned + Serialize + JsonSchema + Default + Debug + Send + Sync + 'static
{
}

/// An empty key (`registries:`, `minimal-images:` with nothing under it) is the default: for
/// the configuration file's sections and for rule options alike.
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + serde::Deserialize<'de>,
{
    Ok(<Option<T> as serde::Deserialize>::deserialize(deserializer)?.unwrap_or_default())
}

/// The options of a rule that takes none: only `level` may be given.
#[derive(Debug, Default, serde::Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoOptions {}

/// One set option value, shared by every thread of a scan.
pub type OptionValue = Arc<dyn Any + Send + Sync>;

/// What the configuration needs of a rule's options, whatever their type.
pub trait OptionsKind: Sync {
    /// Read the options (the entry without its `level`).
    fn parse(
        &self,
        deserializer: &mut dyn erased_serde::Deserializer<'_>,
    ) -> Result<OptionValue, erased_serde::Error>;

    /// The option names this rule takes (kebab-case, as written).
    fn fields(&self) -> &[String];

    /// The schema of the options object (without `level`).
    fn schema(&self, generator: &mut SchemaGenerator) -> Schema;

    /// The value in effect under `ctx` (set or default), for `config show`.
    fn shown(&self, ctx: &Context) -> serde_json::Value;

    /// The key the value is stored under in [`Context`].
    fn key(&self) -> TypeId;
}

/// The options of one rule, of type `T`.
pub struct OptionsOf<T> {
    default: OnceLock<T>,
    /// The option names, read from the schema once.
    fields: OnceLock<Vec<String>>,
    kind: PhantomData<fn() -> T>,
}

impl<T> OptionsOf<T> {
    pub const fn new() -> Self {
        OptionsOf {
            default: OnceLock::new(),
            fields: OnceLock::new(),
            kind: PhantomData,
        }
    }
}

impl<T> Default for OptionsOf<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Options> OptionsOf<T> {
    /// The options the configuration set for this rule, or its defaults.
    pub fn get<'a>(&'a self, ctx: &'a Context) -> &'a T {
        ctx.options
            .get(TypeId::of::<T>())
            .and_then(|value| value.downcast_ref::<T>())
            .unwrap_or_else(|| self.default.get_or_init(T::default))
    }
}

impl<T: Options> OptionsKind for OptionsOf<T> {
    fn parse(
        &self,
        deserializer: &mut dyn erased_serde::Deserializer<'_>,
    ) -> Result<OptionValue, erased_serde::Error> {
        Ok(Arc::new(erased_serde::deserialize::<T>(deserializer)?))
    }

    fn fields(&self) -> &[String] {
        self.fields.get_or_init(|| {
            let schema = schemars::SchemaGenerator::default().into_root_schema_for::<T>();
            schema
                .get("properties")
                .and_then(|p| p.as_object())
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default()
        })
    }

    fn schema(&self, generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }

    fn shown(&self, ctx: &Context) -> serde_json::Value {
        serde_json::to_value(self.get(ctx)).unwrap_or_default()
    }

    fn key(&self) -> TypeId {
        TypeId::of::<T>()
    }
}

/// The options a configuration set, by the type of the rule's options (each rule's type is
/// its own: a meta-test checks no two rules share one).
#[derive(Clone, Default)]
pub struct SetOptions(HashMap<TypeId, OptionValue>);

impl SetOptions {
    pub fn insert(&mut self, kind: &dyn OptionsKind, value: OptionValue) {
        self.0.insert(kind.key(), value);
    }

    fn get(&self, key: TypeId) -> Option<&OptionValue> {
        self.0.get(&key)
    }
}

impl Debug for SetOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SetOptions({} set)", self.0.len())
    }
}
