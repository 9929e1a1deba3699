//! The `config` and `token` toolsets: settings in `config.toml` (a table of known keys, each
//! value checked against its type) and the access tokens of the HTTP servers. Not offered over
//! MCP: a model should not mint tokens or move the GitHub API.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;
use crate::config::{Config, Setting};
use crate::tokens::{self, CreateTokenRequest, CreatedToken, RevokeReport, TokenListReport};

/// A request that names one setting.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigKeyRequest {
    /// The setting (`active-collection`, `github-api-url`, `github-token-env`, `analytics`,
    /// `key-storage`).
    pub key: String,
}

/// `config_set`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigSetRequest {
    /// The setting.
    pub key: String,
    /// Its new value, checked against the setting's type.
    pub value: String,
}

/// `config_get`.
pub struct ConfigGet;

impl Operation for ConfigGet {
    const META: OpMeta = OpMeta::reads(
        "config_get",
        "Read a setting",
        "config",
        "A setting's effective value (its default when unset), with what it does.",
    );
    type Request = ConfigKeyRequest;
    type Report = Setting;

    fn run(ctx: &OpContext, req: ConfigKeyRequest) -> Result<Setting, OpError> {
        Ok(Config::load(ctx.home)?.get(&req.key)?)
    }
}

/// `config_set`.
pub struct ConfigSet;

impl Operation for ConfigSet {
    const META: OpMeta = OpMeta::writes(
        "config_set",
        "Change a setting",
        "config",
        "Change a setting in config.toml: the value is checked against the setting's type (a name, a URL, a variable name, true/false, one of a list), and written atomically under the home's lock, keeping every other line of the file.",
    )
    .idempotent();
    type Request = ConfigSetRequest;
    type Report = Setting;

    fn run(ctx: &OpContext, req: ConfigSetRequest) -> Result<Setting, OpError> {
        ctx.home.ensure()?;
        let _lock = ctx.home.lock()?;
        // Read only once the lock is held, so a concurrent writer's change is not lost.
        let mut cfg = Config::load(ctx.home)?;
        Ok(cfg.set(&req.key, &req.value)?)
    }
}

/// `config_list`.
pub struct ConfigList;

impl Operation for ConfigList {
    const META: OpMeta = OpMeta::reads(
        "config_list",
        "List settings",
        "config",
        "Every known setting with its effective value and whether it is the default.",
    );
    type Request = NoRequest;
    type Report = Vec<Setting>;

    fn run(ctx: &OpContext, _req: NoRequest) -> Result<Vec<Setting>, OpError> {
        Ok(Config::load(ctx.home)?.list())
    }
}

/// `token_create`.
pub struct TokenCreate;

impl Operation for TokenCreate {
    const META: OpMeta = OpMeta::writes(
        "token_create",
        "Create a token",
        "token",
        "Create an access token for the HTTP servers (MCP over HTTP, the web view). The token is in the report once; only its SHA-256 is kept.",
    );
    type Request = CreateTokenRequest;
    type Report = CreatedToken;

    fn run(ctx: &OpContext, req: CreateTokenRequest) -> Result<CreatedToken, OpError> {
        Ok(tokens::create(ctx.home, req)?)
    }
}

/// `token_list`.
pub struct TokenList;

impl Operation for TokenList {
    const META: OpMeta = OpMeta::reads(
        "token_list",
        "List tokens",
        "token",
        "List the access tokens by name, first characters and creation time (never the tokens).",
    );
    type Request = NoRequest;
    type Report = TokenListReport;

    fn run(ctx: &OpContext, _req: NoRequest) -> Result<TokenListReport, OpError> {
        Ok(tokens::list(ctx.home)?)
    }
}

/// A request that names one token.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenNameRequest {
    /// The token's name.
    pub name: String,
}

/// `token_revoke`.
pub struct TokenRevoke;

impl Operation for TokenRevoke {
    const META: OpMeta = OpMeta::writes(
        "token_revoke",
        "Revoke a token",
        "token",
        "Revoke an access token; the servers refuse it from their next request on.",
    )
    .destructive();
    type Request = TokenNameRequest;
    type Report = RevokeReport;

    fn run(ctx: &OpContext, req: TokenNameRequest) -> Result<RevokeReport, OpError> {
        Ok(tokens::revoke(ctx.home, &req.name)?)
    }
}
