//! The list of every operation, type-erased for faces that speak JSON: the MCP server lists and
//! calls its tools from it, the web API (#16) serves it and generates its OpenAPI document from
//! the schemas. A new operation is one line in [`REGISTRY`].

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::Value;

use super::*;

/// One operation, for a face that speaks JSON.
#[derive(Clone, Copy)]
pub struct Entry {
    /// Its name, title, description and annotations.
    pub meta: OpMeta,
    /// The JSON Schema (draft 2020-12) of its request, as deserialised.
    pub request_schema: fn() -> Value,
    /// The JSON Schema (draft 2020-12) of its report, as serialised.
    pub report_schema: fn() -> Value,
    /// Deserialises a request (refusing unknown fields), runs it through [`call`] and
    /// serialises the report. A request that does not deserialise is a `usage` error, and its
    /// call still counts as one event.
    pub run_json: fn(&OpContext, Value) -> Result<Value, OpError>,
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry").field("meta", &self.meta).finish()
    }
}

fn request_schema<T: JsonSchema>() -> Value {
    let schema = SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>();
    serde_json::to_value(schema).unwrap_or_default()
}

fn report_schema<T: JsonSchema>() -> Value {
    let schema = SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<T>();
    serde_json::to_value(schema).unwrap_or_default()
}

fn run_json<O: Operation>(ctx: &OpContext, args: Value) -> Result<Value, OpError> {
    // No arguments at all is the empty request.
    let args = match args {
        Value::Null => Value::Object(Default::default()),
        a => a,
    };
    let req = match serde_json::from_value::<O::Request>(args) {
        Ok(r) => r,
        Err(e) => {
            let err = OpError::bad_request(O::META.name, &e);
            emit(
                ctx,
                O::META.name,
                EventScope::default(),
                Some(err.kind),
                Instant::now(),
            );
            return Err(err);
        }
    };
    let report = call::<O>(ctx, req)?;
    serde_json::to_value(report).map_err(OpError::internal)
}

const fn entry<O: Operation>() -> Entry {
    Entry {
        meta: O::META,
        request_schema: request_schema::<O::Request>,
        report_schema: report_schema::<O::Report>,
        run_json: run_json::<O>,
    }
}

/// Every operation, grouped by toolset in the order they are documented.
static REGISTRY: &[Entry] = &[
    // collection
    entry::<ListArtifacts>(),
    entry::<ShowArtifact>(),
    entry::<SearchArtifacts>(),
    entry::<CollectionStatus>(),
    entry::<AddArtifact>(),
    entry::<RemoveArtifact>(),
    entry::<UpdateArtifacts>(),
    entry::<Init>(),
    entry::<CollectionList>(),
    entry::<CollectionCreate>(),
    entry::<CollectionUse>(),
    entry::<CollectionDelete>(),
    // deploy
    entry::<Deploy>(),
    entry::<Undeploy>(),
    entry::<DeploymentStatus>(),
    entry::<Sync>(),
    entry::<Diff>(),
    entry::<SnapshotCreate>(),
    entry::<SnapshotList>(),
    entry::<SnapshotRestore>(),
    // pack
    entry::<PackExport>(),
    entry::<PackInspect>(),
    entry::<PackVerify>(),
    entry::<PackImport>(),
    entry::<VaultAdd>(),
    entry::<VaultList>(),
    entry::<VaultRemove>(),
    entry::<VaultPush>(),
    entry::<VaultPull>(),
    entry::<VaultLs>(),
    entry::<VaultDelete>(),
    // check
    entry::<CheckConfig>(),
    entry::<CheckFiles>(),
    // keys
    entry::<KeysList>(),
    entry::<KeysGenerate>(),
    entry::<KeysExport>(),
    entry::<KeysImport>(),
    entry::<KeysMove>(),
    entry::<KeysTrust>(),
    entry::<KeysUntrust>(),
    entry::<KeysRemove>(),
    // settings and tokens
    entry::<ConfigGet>(),
    entry::<ConfigSet>(),
    entry::<ConfigList>(),
    entry::<TokenCreate>(),
    entry::<TokenList>(),
    entry::<TokenRevoke>(),
];

/// Every operation SkillMeat offers.
pub fn registry() -> &'static [Entry] {
    REGISTRY
}

/// The operation named `name`.
pub fn find(name: &str) -> Option<&'static Entry> {
    REGISTRY.iter().find(|e| e.meta.name == name)
}
