//! The facts about Claude Code's files (and SkillMeat's own formats) as data, in one place.
//!
//! Claude Code moves fast; when it adds a settings key, a hook event or a tool, this file is the
//! only one to edit. The rule modules read these tables, and the Language Server serves them as
//! completion items and hover text. Source: `shared/claude-code-facts.md` (Claude Code 2.1.x,
//! late 2026) and DESIGN.md §2 for SkillMeat's own `collection.toml` / `collection.lock`.

use schemars::JsonSchema;
use serde::Serialize;

/// The type a key's value must have. A small schema language, enough for Claude Code's files.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "kind", content = "of", rename_all = "kebab-case")]
pub enum ValueType {
    /// Anything goes (free-form or not yet described).
    Any,
    /// A string.
    String,
    /// `true` or `false`.
    Boolean,
    /// A whole number.
    Integer,
    /// Any number.
    Number,
    /// `null`.
    Null,
    /// A date-time: a TOML date-time, or an RFC 3339 string (the Python tool wrote strings).
    Datetime,
    /// An object / table with free-form keys (or keys described by `KeyDoc::keys`).
    Object,
    /// A string that must be one of these values.
    Enum(&'static [&'static str]),
    /// An array whose elements all have this type.
    Array(&'static ValueType),
    /// An object / table whose values all have this type (keys are free-form).
    Map(&'static ValueType),
    /// Any one of these types.
    AnyOf(&'static [ValueType]),
}

/// Documentation of one key: its name, the type of its value, what it does, and its sub-keys.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
pub struct KeyDoc {
    /// The key as written in the file.
    pub name: &'static str,
    /// The type its value must have.
    #[serde(rename = "type")]
    pub ty: ValueType,
    /// One or two sentences for hover and completion.
    pub doc: &'static str,
    /// Whether the key must be present.
    pub required: bool,
    /// Known sub-keys when the value is an object (empty: free-form or not an object).
    pub keys: &'static [KeyDoc],
}

/// A named thing with a one-line description (hook events, tools).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
pub struct NamedDoc {
    /// The name as written in files.
    pub name: &'static str,
    /// What it is.
    pub doc: &'static str,
}

/// A hook handler type (`"type"` of an entry in a hook's `hooks` array) and its fields.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
pub struct HookTypeDoc {
    /// The value of `"type"`.
    pub name: &'static str,
    /// What this handler does.
    pub doc: &'static str,
    /// Its fields besides `type`; `required` marks the ones it cannot do without.
    pub fields: &'static [KeyDoc],
}

macro_rules! key {
    ($name:literal, $ty:expr, $doc:literal) => {
        KeyDoc {
            name: $name,
            ty: $ty,
            doc: $doc,
            required: false,
            keys: &[],
        }
    };
    ($name:literal, $ty:expr, $doc:literal, $keys:expr) => {
        KeyDoc {
            name: $name,
            ty: $ty,
            doc: $doc,
            required: false,
            keys: $keys,
        }
    };
}

macro_rules! req {
    ($name:literal, $ty:expr, $doc:literal) => {
        KeyDoc {
            name: $name,
            ty: $ty,
            doc: $doc,
            required: true,
            keys: &[],
        }
    };
    ($name:literal, $ty:expr, $doc:literal, $keys:expr) => {
        KeyDoc {
            name: $name,
            ty: $ty,
            doc: $doc,
            required: true,
            keys: $keys,
        }
    };
}

macro_rules! named {
    ($($name:literal => $doc:literal),* $(,)?) => {
        &[$(NamedDoc { name: $name, doc: $doc }),*]
    };
}

use ValueType::{Any, Boolean as B, Integer as I, Number as N, Object as O, String as S};
const SA: ValueType = ValueType::Array(&ValueType::String);
const OA: ValueType = ValueType::Array(&ValueType::Object);
const SMAP: ValueType = ValueType::Map(&ValueType::String);
const STR_OR_LIST: ValueType = ValueType::AnyOf(&[ValueType::String, SA]);

/// `permissions.defaultMode` values.
pub const PERMISSION_MODES: &[&str] = &[
    "acceptEdits",
    "bypassPermissions",
    "default",
    "delegate",
    "dontAsk",
    "plan",
    "auto",
    "manual",
];

/// Effort levels (`effortLevel`, front matter `effort`).
pub const EFFORT_LEVELS: &[&str] = &["low", "medium", "high", "xhigh"];

/// Model aliases accepted where Claude Code takes a model (besides full `claude-…` ids).
pub const MODEL_ALIASES: &[&str] = &[
    "sonnet",
    "opus",
    "haiku",
    "inherit",
    "default",
    "opusplan",
    "sonnet[1m]",
    "opus[1m]",
];

#[rustfmt::skip]
static PERMISSIONS_KEYS: &[KeyDoc] = &[
    key!("allow", SA, "Permission rules that Claude Code applies without asking, e.g. `Bash(npm run test:*)`."),
    key!("deny", SA, "Permission rules that are always refused, e.g. `Read(./.env)`."),
    key!("ask", SA, "Permission rules that always ask for confirmation."),
    key!("defaultMode", ValueType::Enum(PERMISSION_MODES), "The permission mode a session starts in."),
    key!("disableBypassPermissionsMode", ValueType::Enum(&["disable"]), "Set to `disable` to forbid bypassPermissions mode."),
    key!("disableAutoMode", ValueType::Enum(&["disable"]), "Set to `disable` to forbid auto mode."),
    key!("additionalDirectories", SA, "Extra directories Claude Code may read and edit."),
];

#[rustfmt::skip]
static ATTRIBUTION_KEYS: &[KeyDoc] = &[
    key!("commit", S, "Attribution text appended to git commits (empty string: none)."),
    key!("pr", S, "Attribution text appended to pull request descriptions."),
    key!("sessionUrl", B, "Whether to include the session URL in attributions."),
];

#[rustfmt::skip]
static COMMAND_LINE_KEYS: &[KeyDoc] = &[
    key!("type", ValueType::Enum(&["command"]), "Always `command`."),
    key!("command", S, "Shell command whose output is shown."),
    key!("padding", N, "Padding around the status line."),
    key!("refreshInterval", I, "Refresh interval in seconds."),
    key!("hideVimModeIndicator", B, "Hide the vim mode indicator."),
];

#[rustfmt::skip]
static COMMAND_ONLY_KEYS: &[KeyDoc] = &[
    key!("type", ValueType::Enum(&["command"]), "Always `command`."),
    key!("command", S, "Shell command to run."),
];

#[rustfmt::skip]
static SANDBOX_KEYS: &[KeyDoc] = &[
    key!("network", O, "Network rules for sandboxed commands."),
    key!("ignoreViolations", O, "Violations to ignore."),
    key!("excludedCommands", SA, "Commands that run outside the sandbox."),
    key!("autoAllowBashIfSandboxed", B, "Allow Bash without asking when sandboxed."),
    key!("enableWeakerNetworkIsolation", B, "Use weaker network isolation where the strong one is unavailable."),
    key!("enableWeakerNestedSandbox", B, "Allow a weaker sandbox inside containers."),
    key!("allowUnsandboxedCommands", B, "Allow commands to escape the sandbox on request."),
    key!("enabled", B, "Turn the Bash sandbox on."),
    key!("filesystem", O, "Filesystem rules for sandboxed commands."),
    key!("ripgrep", O, "ripgrep settings inside the sandbox."),
    key!("bwrapPath", S, "Path of the bubblewrap binary."),
    key!("socatPath", S, "Path of the socat binary."),
    key!("failIfUnavailable", B, "Refuse to run when no sandbox is available."),
    key!("enabledPlatforms", ValueType::Array(&ValueType::Enum(&["macos", "linux", "wsl", "windows"])), "Platforms on which the sandbox is on."),
    key!("credentials", O, "Credential handling inside the sandbox."),
    key!("allowAppleEvents", B, "Allow Apple Events from sandboxed commands (macOS)."),
];

#[rustfmt::skip]
static SPINNER_VERBS_KEYS: &[KeyDoc] = &[
    key!("mode", ValueType::Enum(&["append", "replace"]), "Append to or replace the default verbs."),
    key!("verbs", SA, "Verbs shown while working."),
];

#[rustfmt::skip]
static SPINNER_TIPS_KEYS: &[KeyDoc] = &[
    key!("excludeDefault", B, "Drop the built-in tips."),
    key!("tips", SA, "Tips to show."),
];

#[rustfmt::skip]
static WORKTREE_KEYS: &[KeyDoc] = &[
    key!("sparsePaths", SA, "Sparse-checkout paths for new worktrees."),
    key!("baseRef", ValueType::Enum(&["fresh", "head"]), "What new worktrees start from."),
    key!("bgIsolation", ValueType::Enum(&["worktree", "none"]), "Isolation for background agents."),
    key!("symlinkDirectories", SA, "Directories symlinked into new worktrees."),
];

#[rustfmt::skip]
static AUTO_MODE_KEYS: &[KeyDoc] = &[
    key!("allow", SA, "Actions auto mode may take."),
    key!("soft_deny", SA, "Actions auto mode should avoid."),
    key!("environment", SA, "Facts about the environment for the classifier."),
    key!("hard_deny", SA, "Actions auto mode must never take."),
    key!("classifyAllShell", B, "Classify every shell command."),
];

#[rustfmt::skip]
static VOICE_KEYS: &[KeyDoc] = &[
    key!("enabled", B, "Turn voice input on."),
    key!("mode", ValueType::Enum(&["hold", "tap"]), "Hold-to-talk or tap-to-talk."),
    key!("autoSubmit", B, "Submit the prompt when speech ends."),
];

#[rustfmt::skip]
static POLICY_HELPER_KEYS: &[KeyDoc] = &[
    key!("path", S, "Path of the policy helper executable."),
    key!("timeoutMs", I, "Timeout in milliseconds."),
    key!("refreshIntervalMs", I, "Refresh interval in milliseconds (0: never)."),
];

#[rustfmt::skip]
/// Top-level keys of Claude Code's `settings.json` files.
static SETTINGS_KEYS: &[KeyDoc] = &[
    key!("$schema", S, "URL of the JSON Schema for editor validation."),
    key!("apiKeyHelper", S, "Script that prints an API key; usually personal."),
    key!("autoMemoryEnabled", B, "Let Claude Code write memories automatically."),
    key!("autoUpdatesChannel", ValueType::Enum(&["stable", "latest"]), "Release channel for automatic updates."),
    key!("awsCredentialExport", S, "Script that exports AWS credentials."),
    key!("awsAuthRefresh", S, "Script that refreshes AWS authentication."),
    key!("claudeMdExcludes", SA, "Globs of CLAUDE.md files to ignore."),
    key!("cleanupPeriodDays", I, "Days to keep chat transcripts."),
    key!("env", SMAP, "Environment variables set for every session; names like `MY_VAR`, values are strings."),
    key!("attribution", O, "Attribution added to commits and pull requests.", ATTRIBUTION_KEYS),
    key!("includeGitInstructions", B, "Include git workflow instructions in the system prompt."),
    key!("includeCoAuthoredBy", B, "Add a Co-Authored-By trailer to commits (older key; see `attribution`)."),
    key!("plansDirectory", S, "Where plan files are written."),
    key!("respectGitignore", B, "Hide git-ignored files from file suggestions."),
    key!("permissions", O, "Permission rules and the default permission mode.", PERMISSIONS_KEYS),
    key!("language", S, "Language Claude answers in."),
    key!("model", S, "Default model (alias such as `sonnet` or a full model id)."),
    key!("availableModels", SA, "Models users may pick."),
    key!("modelOverrides", O, "Per-model overrides."),
    key!("effortLevel", ValueType::Enum(EFFORT_LEVELS), "Default reasoning effort."),
    key!("fastMode", B, "Turn fast mode on."),
    key!("fastModePerSessionOptIn", B, "Require opting into fast mode per session."),
    key!("feedbackSurveyRate", N, "Probability of showing the feedback survey."),
    key!("enableAllProjectMcpServers", B, "Approve every server in the project's `.mcp.json`."),
    key!("enabledMcpjsonServers", SA, "Servers from `.mcp.json` to approve."),
    key!("disabledMcpjsonServers", SA, "Servers from `.mcp.json` to reject."),
    key!("allowedMcpServers", OA, "Allow-list of MCP servers (managed settings)."),
    key!("deniedMcpServers", OA, "Deny-list of MCP servers (managed settings)."),
    key!("httpHookAllowedEnvVars", SA, "Environment variables HTTP hooks may send."),
    key!("hooks", O, "Hooks: `{ Event: [ { matcher, hooks: [ {type, …} ] } ] }`."),
    key!("disableAllHooks", B, "Turn every hook off."),
    key!("allowedChannelPlugins", OA, "Plugins allowed to use channels."),
    key!("allowedHttpHookUrls", SA, "URLs HTTP hooks may call."),
    key!("allowManagedHooksOnly", B, "Only run hooks from managed settings."),
    key!("allowManagedPermissionRulesOnly", B, "Only apply permission rules from managed settings."),
    key!("statusLine", O, "A command whose output is the status line.", COMMAND_LINE_KEYS),
    key!("fileSuggestion", O, "A command that suggests files for `@` mentions.", COMMAND_ONLY_KEYS),
    key!("enabledPlugins", ValueType::Map(&ValueType::Boolean), "Plugins turned on: `\"plugin@marketplace\": true`."),
    key!("extraKnownMarketplaces", O, "Marketplaces to offer the team: name → source."),
    key!("strictKnownMarketplaces", OA, "The only marketplaces that may be added (managed settings)."),
    key!("skippedMarketplaces", SA, "Marketplaces the user declined."),
    key!("skippedPlugins", SA, "Plugins the user declined."),
    key!("forceLoginMethod", ValueType::Enum(&["claudeai", "console", "gateway"]), "Force one login method."),
    key!("forceLoginOrgUUID", ValueType::AnyOf(&[SA, ValueType::String]), "Organisation(s) a login must belong to."),
    key!("otelHeadersHelper", S, "Script that prints OpenTelemetry headers."),
    key!("outputStyle", S, "Output style name."),
    key!("skipWebFetchPreflight", B, "Skip the WebFetch domain safety check."),
    key!("sandbox", O, "Bash sandbox settings.", SANDBOX_KEYS),
    key!("spinnerVerbs", O, "Verbs shown by the spinner.", SPINNER_VERBS_KEYS),
    key!("spinnerTipsEnabled", B, "Show tips while working."),
    key!("spinnerTipsOverride", O, "Replace or extend the spinner tips.", SPINNER_TIPS_KEYS),
    key!("terminalProgressBarEnabled", B, "Show progress in the terminal's progress bar."),
    key!("showTurnDuration", B, "Show how long each turn took."),
    key!("skillOverrides", O, "Per-skill overrides."),
    key!("prefersReducedMotion", B, "Reduce animations."),
    key!("prUrlTemplate", S, "Template for pull request URLs."),
    key!("alwaysThinkingEnabled", B, "Turn extended thinking on by default."),
    key!("companyAnnouncements", SA, "Announcements shown at startup."),
    key!("teammateMode", ValueType::Enum(&["auto", "in-process", "tmux", "iterm2"]), "How agent teammates are displayed."),
    key!("worktree", O, "Git worktree settings.", WORKTREE_KEYS),
    key!("parentSettingsBehavior", ValueType::Enum(&["first-wins", "merge"]), "How settings from parent folders combine."),
    key!("pluginTrustMessage", S, "Message shown before trusting a plugin."),
    key!("pluginConfigs", O, "Per-plugin configuration."),
    key!("allowManagedMcpServersOnly", B, "Only allow MCP servers from managed settings."),
    key!("blockedMarketplaces", OA, "Marketplaces that may not be added."),
    key!("agent", S, "Agent the main session runs as."),
    key!("autoMemoryDirectory", S, "Where automatic memories are stored."),
    key!("autoMode", O, "Rules for auto mode's classifier.", AUTO_MODE_KEYS),
    key!("channelsEnabled", B, "Turn channels on."),
    key!("defaultShell", ValueType::Enum(&["bash", "powershell"]), "Shell used for commands."),
    key!("disableDeepLinkRegistration", ValueType::Enum(&["disable"]), "Set to `disable` to skip deep-link registration."),
    key!("disableSkillShellExecution", B, "Forbid `!` shell lines in skills."),
    key!("forceRemoteSettingsRefresh", B, "Refresh remote settings at every start."),
    key!("minimumVersion", S, "Oldest Claude Code version allowed."),
    key!("showClearContextOnPlanAccept", B, "Offer to clear context when a plan is accepted."),
    key!("showThinkingSummaries", B, "Show summaries of thinking."),
    key!("skipDangerousModePermissionPrompt", B, "Skip the bypass-permissions warning; personal."),
    key!("strictPluginOnlyCustomization", ValueType::AnyOf(&[ValueType::Array(&ValueType::Enum(&["skills", "agents", "hooks", "mcp"])), ValueType::Boolean]), "Only allow these customizations from plugins."),
    key!("tui", ValueType::Enum(&["fullscreen", "default"]), "Terminal UI layout."),
    key!("viewMode", ValueType::Enum(&["default", "verbose", "focus"]), "Transcript view mode."),
    key!("useAutoModeDuringPlan", B, "Use auto mode while planning."),
    key!("voiceEnabled", B, "Turn voice input on."),
    key!("wslInheritsWindowsSettings", B, "Under WSL, read the Windows user settings too."),
    key!("subagentStatusLine", O, "A command whose output is the subagent status line.", COMMAND_ONLY_KEYS),
    key!("advisorModel", S, "Model used as advisor."),
    key!("autoCompactEnabled", B, "Compact the conversation automatically."),
    key!("disableAgentView", B, "Hide the agent view."),
    key!("editorMode", ValueType::Enum(&["normal", "vim"]), "Prompt editor key bindings."),
    key!("enforceAvailableModels", B, "Refuse models outside `availableModels`."),
    key!("fallbackModel", SA, "Models to fall back to when the main one is overloaded."),
    key!("fileCheckpointingEnabled", B, "Checkpoint files for rewind."),
    key!("gcpAuthRefresh", S, "Script that refreshes GCP authentication."),
    key!("managedMcpServers", OA, "MCP servers provided by managed settings."),
    key!("skillListingMaxDescChars", I, "Characters of description + when_to_use shown per skill (default 1536)."),
    key!("preferredNotifChannel", ValueType::Enum(&["auto", "terminal_bell", "iterm2", "iterm2_with_bell", "kitty", "ghostty", "notifications_disabled"]), "How notifications are delivered."),
    key!("pluginSuggestionMarketplaces", SA, "Marketplaces used for plugin suggestions."),
    key!("requiredMaximumVersion", S, "Newest Claude Code version allowed."),
    key!("requiredMinimumVersion", S, "Oldest Claude Code version allowed."),
    key!("respondToBashCommands", B, "Let Claude respond to `!` bash commands."),
    key!("skillListingBudgetFraction", N, "Fraction of context spent on the skill listing."),
    key!("sshConfigs", OA, "SSH remote configurations."),
    key!("sshHostAllowlist", SA, "SSH hosts that may be used."),
    key!("theme", ValueType::AnyOf(&[ValueType::Enum(&["auto", "dark", "light", "dark-daltonized", "light-daltonized", "dark-ansi", "light-ansi"]), ValueType::String]), "Colour theme."),
    key!("voice", O, "Voice input settings.", VOICE_KEYS),
    key!("wheelScrollAccelerationEnabled", B, "Accelerate mouse-wheel scrolling."),
    key!("disableBundledSkills", B, "Turn the bundled skills off."),
    key!("awaySummaryEnabled", B, "Summarise what happened while away."),
    key!("autoScrollEnabled", B, "Scroll to new output automatically."),
    key!("allowAllClaudeAiMcps", B, "Allow every claude.ai connector."),
    key!("agentPushNotifEnabled", B, "Push notifications from agents."),
    key!("axScreenReader", B, "Screen-reader friendly output."),
    key!("claudeMd", S, "Extra CLAUDE.md content."),
    key!("disableArtifact", B, "Turn artifacts off."),
    key!("disableAutoMode", ValueType::Enum(&["disable"]), "Set to `disable` to forbid auto mode."),
    key!("disableClaudeAiConnectors", B, "Turn claude.ai connectors off."),
    key!("disableRemoteControl", B, "Turn remote control off."),
    key!("disableWorkflows", B, "Turn workflows off."),
    key!("footerLinksRegexes", OA, "Patterns turned into footer links."),
    key!("inputNeededNotifEnabled", B, "Notify when input is needed."),
    key!("policyHelper", O, "External policy helper.", POLICY_HELPER_KEYS),
    key!("remoteControlAtStartup", B, "Start remote control with the session."),
    key!("syntaxHighlightingDisabled", B, "Turn syntax highlighting off."),
    key!("verbose", B, "Show full tool output."),
    key!("workflowKeywordTriggerEnabled", B, "Start workflows from keywords."),
    key!("askUserQuestionTimeout", ValueType::Enum(&["60s", "5m", "10m", "never"]), "How long a question to the user waits."),
    key!("teammateDefaultModel", ValueType::AnyOf(&[ValueType::String, ValueType::Null]), "Default model for teammates."),
    key!("workflowSizeGuideline", ValueType::Enum(&["unrestricted", "small", "medium", "large"]), "Preferred workflow size."),
    key!("enableArtifact", B, "Turn artifacts on."),
    key!("permissionExplainerEnabled", B, "Explain permission prompts."),
    key!("diffTool", ValueType::Enum(&["auto", "terminal"]), "Where diffs are shown."),
    key!("externalEditorContext", B, "Send external editor context."),
    key!("autoConnectIde", B, "Connect to the IDE automatically."),
    key!("autoInstallIdeExtension", B, "Install the IDE extension automatically."),
    key!("emojiCompletionEnabled", B, "Complete emoji shortcodes."),
    key!("vimInsertModeRemaps", O, "Key remaps in vim insert mode."),
    key!("processWrapper", S, "Command that wraps spawned processes."),
    key!("forceLoginGatewayUrl", S, "Gateway URL for gateway logins."),
    key!("disableSideloadFlags", B, "Forbid side-loading flags."),
    key!("browserExternalPageTools", ValueType::Enum(&["disabled"]), "Set to `disabled` to turn external page tools off."),
    key!("disableBrowserExternalNavigation", B, "Forbid browser navigation to external pages."),
    key!("disableMobileSimulatorTools", B, "Turn mobile simulator tools off."),
    key!("requireCoworkFullVmSandbox", B, "Require the full VM sandbox for cowork."),
];

/// Top-level keys of Claude Code's settings files, with types and docs.
pub fn settings_keys() -> &'static [KeyDoc] {
    SETTINGS_KEYS
}

/// Settings that usually belong to one person, not to the team's shared `.claude/settings.json`.
/// Each entry is a top-level key, optionally with the one value that makes it personal.
pub const PERSONAL_SETTINGS: &[(&str, Option<&str>)] = &[
    ("apiKeyHelper", None),
    ("awsCredentialExport", None),
    ("awsAuthRefresh", None),
    ("gcpAuthRefresh", None),
    ("skipDangerousModePermissionPrompt", None),
    ("editorMode", None),
    ("theme", None),
    ("voiceEnabled", None),
];

/// Hook events Claude Code fires. An unknown event is dropped by Claude Code.
#[rustfmt::skip]
static HOOK_EVENTS: &[NamedDoc] = named![
    "PreToolUse" => "Before a tool runs; can block or change it. Matcher: tool name.",
    "PostToolUse" => "After a tool succeeded. Matcher: tool name.",
    "PostToolUseFailure" => "After a tool failed. Matcher: tool name.",
    "PermissionRequest" => "When a permission dialog would be shown; can answer it.",
    "Notification" => "When Claude Code sends a notification.",
    "UserPromptSubmit" => "When the user submits a prompt, before Claude sees it.",
    "Stop" => "When the main agent finishes its answer.",
    "StopFailure" => "When a turn ends with an error.",
    "SubagentStart" => "When a subagent starts.",
    "SubagentStop" => "When a subagent finishes.",
    "PreCompact" => "Before the conversation is compacted.",
    "PostCompact" => "After the conversation was compacted.",
    "Elicitation" => "When an MCP server asks the user for input.",
    "ElicitationResult" => "After the user answered an MCP elicitation.",
    "TeammateIdle" => "When an agent teammate becomes idle.",
    "TaskCompleted" => "When a task is marked completed.",
    "Setup" => "When Claude Code runs its setup (`--init`, maintenance).",
    "InstructionsLoaded" => "When CLAUDE.md or rule files are loaded.",
    "CwdChanged" => "When the working directory changes.",
    "FileChanged" => "When a watched file changes on disk.",
    "ConfigChange" => "When a settings file changes during a session.",
    "WorktreeCreate" => "When a git worktree is created for isolation.",
    "WorktreeRemove" => "When such a worktree is removed.",
    "SessionStart" => "When a session starts or resumes. Matcher: startup, resume, clear, compact.",
    "SessionEnd" => "When a session ends.",
    "PostToolBatch" => "After a batch of parallel tool calls finished.",
    "TaskCreated" => "When a task is created.",
    "PermissionDenied" => "When a tool call was denied.",
    "UserPromptExpansion" => "When a prompt is expanded (slash command, @-mention).",
    "MessageDisplay" => "When a message is displayed.",
    "DirectoryAdded" => "When a directory is added to the session.",
];

/// The hook events Claude Code knows.
pub fn hook_events() -> &'static [NamedDoc] {
    HOOK_EVENTS
}

#[rustfmt::skip]
static COMMAND_HOOK_FIELDS: &[KeyDoc] = &[
    req!("command", S, "Shell command to run; gets the event as JSON on stdin."),
    key!("timeout", N, "Seconds before the command is killed."),
    key!("async", B, "Run in the background without blocking."),
    key!("asyncRewake", B, "Wake Claude when the background command finishes."),
    key!("shell", ValueType::Enum(&["bash", "powershell"]), "Shell to run the command in."),
    key!("if", S, "Condition (permission-rule syntax) under which the hook runs."),
    key!("statusMessage", S, "Message shown while the hook runs."),
    key!("args", ValueType::Array(&ValueType::Any), "Extra arguments."),
];

#[rustfmt::skip]
static PROMPT_HOOK_FIELDS: &[KeyDoc] = &[
    req!("prompt", S, "Prompt sent to a model to decide; `$ARGUMENTS` is the event JSON."),
    key!("model", S, "Model to ask."),
    key!("timeout", N, "Seconds before giving up."),
    key!("if", S, "Condition under which the hook runs."),
    key!("statusMessage", S, "Message shown while the hook runs."),
    key!("continueOnBlock", B, "Let Claude continue after the hook blocks."),
];

#[rustfmt::skip]
static AGENT_HOOK_FIELDS: &[KeyDoc] = &[
    req!("prompt", S, "Task for a subagent that can use tools to decide."),
    key!("model", S, "Model for the subagent."),
    key!("timeout", N, "Seconds before giving up."),
    key!("if", S, "Condition under which the hook runs."),
    key!("statusMessage", S, "Message shown while the hook runs."),
];

#[rustfmt::skip]
static HTTP_HOOK_FIELDS: &[KeyDoc] = &[
    req!("url", S, "URL the event JSON is POSTed to."),
    key!("headers", SMAP, "HTTP headers; use `${VAR}` for secrets."),
    key!("allowedEnvVars", SA, "Environment variables that may be expanded in headers."),
    key!("timeout", N, "Seconds before giving up."),
    key!("if", S, "Condition under which the hook runs."),
    key!("statusMessage", S, "Message shown while the hook runs."),
];

#[rustfmt::skip]
static MCP_TOOL_HOOK_FIELDS: &[KeyDoc] = &[
    req!("server", S, "MCP server whose tool is called."),
    req!("tool", S, "Name of the tool to call."),
    key!("input", O, "Arguments for the tool."),
    key!("timeout", N, "Seconds before giving up."),
    key!("if", S, "Condition under which the hook runs."),
    key!("statusMessage", S, "Message shown while the hook runs."),
];

#[rustfmt::skip]
static HOOK_TYPES: &[HookTypeDoc] = &[
    HookTypeDoc { name: "command", doc: "Runs a shell command.", fields: COMMAND_HOOK_FIELDS },
    HookTypeDoc { name: "prompt", doc: "Asks a model with a prompt.", fields: PROMPT_HOOK_FIELDS },
    HookTypeDoc { name: "agent", doc: "Runs a subagent that can use tools.", fields: AGENT_HOOK_FIELDS },
    HookTypeDoc { name: "http", doc: "POSTs the event to a URL.", fields: HTTP_HOOK_FIELDS },
    HookTypeDoc { name: "mcp_tool", doc: "Calls a tool of an MCP server.", fields: MCP_TOOL_HOOK_FIELDS },
];

/// Hook handler types and their fields.
pub fn hook_types() -> &'static [HookTypeDoc] {
    HOOK_TYPES
}

#[rustfmt::skip]
static HOOK_MATCHER_KEYS: &[KeyDoc] = &[
    key!("matcher", S, "Which tool (or source) the hooks apply to: a name, `A|B`, a regex, or `*`/empty for all."),
    req!("hooks", OA, "The handlers to run."),
];

/// Keys of one entry in an event's array (`{ matcher, hooks }`).
pub fn hook_matcher_keys() -> &'static [KeyDoc] {
    HOOK_MATCHER_KEYS
}

/// Tools usable in permission rules and `tools` lists.
#[rustfmt::skip]
static TOOL_NAMES: &[NamedDoc] = named![
    "Agent" => "Starts a subagent (formerly `Task`).",
    "Artifact" => "Creates an artifact.",
    "Bash" => "Runs a shell command. Specifier: a command prefix or pattern, e.g. `Bash(npm run test:*)`.",
    "Cd" => "Changes the working directory.",
    "Edit" => "Edits a file. Specifier: a path glob, e.g. `Edit(src/**)`.",
    "EnterWorktree" => "Moves into an isolated git worktree.",
    "ExitPlanMode" => "Leaves plan mode with a plan.",
    "Glob" => "Finds files by pattern.",
    "Grep" => "Searches file contents.",
    "KillShell" => "Stops a background shell.",
    "LSP" => "Queries a language server.",
    "Monitor" => "Watches a background process.",
    "MultiEdit" => "Several edits to one file.",
    "NotebookEdit" => "Edits a Jupyter notebook cell.",
    "PowerShell" => "Runs a PowerShell command.",
    "Read" => "Reads a file. Specifier: a path glob, e.g. `Read(./.env)`.",
    "ShareOnboardingGuide" => "Shares the onboarding guide.",
    "Skill" => "Invokes a skill.",
    "TaskCreate" => "Creates a task.",
    "TaskGet" => "Reads a task.",
    "TaskList" => "Lists tasks.",
    "TaskOutput" => "Reads a background task's output.",
    "TaskStop" => "Stops a task.",
    "TaskUpdate" => "Updates a task.",
    "TodoWrite" => "Writes the todo list.",
    "ToolSearch" => "Searches deferred tools.",
    "WebFetch" => "Fetches a URL. Specifier: `domain:example.com`.",
    "WebSearch" => "Searches the web.",
    "Workflow" => "Runs a workflow.",
    "Write" => "Writes a file. Specifier: a path glob.",
];

/// Tool names known to Claude Code today.
pub fn tool_names() -> &'static [NamedDoc] {
    TOOL_NAMES
}

/// Old tool names still seen in configurations, with the name that replaced them.
pub const RENAMED_TOOLS: &[(&str, &str)] = &[("Task", "Agent")];

/// MCP server `type` values.
pub const MCP_TRANSPORTS: &[&str] = &["stdio", "http", "sse"];

#[rustfmt::skip]
static OAUTH_KEYS: &[KeyDoc] = &[
    key!("clientId", S, "OAuth client id."),
    key!("callbackPort", I, "Local port for the OAuth callback."),
    key!("authServerMetadataUrl", S, "Authorization server metadata URL."),
    key!("scopes", ValueType::AnyOf(&[SA, ValueType::String]), "Scopes to request."),
];

#[rustfmt::skip]
static MCP_ENTRY_KEYS: &[KeyDoc] = &[
    key!("type", ValueType::Enum(MCP_TRANSPORTS), "`stdio` (default when `command` is set), `http` or `sse` (required for remote servers)."),
    key!("command", S, "Executable that starts a stdio server; `${VAR}` is expanded."),
    key!("args", SA, "Arguments for `command`."),
    key!("env", SMAP, "Environment for the server; write secrets as `${VAR}` references."),
    key!("url", S, "URL of an http/sse server."),
    key!("headers", SMAP, "HTTP headers; write secrets as `${VAR}` references."),
    key!("headersHelper", S, "Command that prints headers as JSON."),
    key!("oauth", O, "OAuth settings for the server.", OAUTH_KEYS),
];

#[rustfmt::skip]
static MCP_JSON_KEYS: &[KeyDoc] = &[
    key!("$schema", S, "URL of a JSON Schema for editor validation."),
    req!("mcpServers", ValueType::Map(&ValueType::Object), "MCP servers by name.", MCP_ENTRY_KEYS),
];

/// Keys of one server entry in `.mcp.json` / `~/.claude.json` / Claude Desktop's config.
pub fn mcp_entry_keys() -> &'static [KeyDoc] {
    MCP_ENTRY_KEYS
}

/// Top-level keys of `.mcp.json`.
pub fn mcp_json_keys() -> &'static [KeyDoc] {
    MCP_JSON_KEYS
}

// ---- SkillMeat's own files (DESIGN §2.2, §2.3) ----

/// Artifact kinds (`type` in `[[artifacts]]`, `kind` in lock keys).
pub const ARTIFACT_TYPES: &[&str] = &["skill", "command", "agent", "hook"];
/// Where an artifact came from.
pub const ORIGINS: &[&str] = &["local", "github", "git", "marketplace"];

const DATE: ValueType = ValueType::Datetime;

#[rustfmt::skip]
static COLLECTION_TABLE_KEYS: &[KeyDoc] = &[
    req!("name", S, "Name of the collection."),
    key!("version", S, "Format version of the collection."),
    key!("created", DATE, "When the collection was created (RFC 3339)."),
    key!("updated", DATE, "When it was last changed (RFC 3339)."),
    key!("description", S, "What the collection is for."),
];

#[rustfmt::skip]
static ARTIFACT_KEYS: &[KeyDoc] = &[
    req!("name", S, "Artifact name: a safe path component; skills use 1–64 of `a-z 0-9 -`."),
    req!("type", ValueType::Enum(ARTIFACT_TYPES), "Kind: skill, command, agent or hook."),
    key!("path", S, "Where it lives, relative to the collection (e.g. `skills/code-review`)."),
    key!("origin", ValueType::Enum(ORIGINS), "Where it came from: local, github, git or marketplace."),
    key!("upstream", S, "The source it was added from (URL or `owner/repo/path`)."),
    key!("version_spec", S, "What to follow: `latest`, a tag, a branch or a commit."),
    key!("resolved_sha", S, "The commit the version spec resolved to (40 hex)."),
    key!("resolved_version", S, "The tag or version that commit carries."),
    key!("added", DATE, "When it was added (RFC 3339)."),
    key!("last_updated", DATE, "When it was last updated (Python SkillMeat)."),
    key!("tags", SA, "Tags for search."),
    key!("aliases", SA, "Other names it answers to."),
    key!("description", S, "Short description (normally read from the front matter)."),
    key!("metadata", O, "Free-form metadata (Python SkillMeat)."),
];

#[rustfmt::skip]
static MCP_SERVER_KEYS: &[KeyDoc] = &[
    req!("name", S, "Server name, as it appears in `mcpServers`."),
    key!("description", S, "What the server does."),
    key!("transport", ValueType::Enum(MCP_TRANSPORTS), "stdio, http or sse."),
    key!("command", S, "Executable for a stdio server."),
    key!("args", SA, "Arguments for `command`."),
    key!("env", SMAP, "Environment; write secrets as `${VAR}` references."),
    key!("url", S, "URL of an http/sse server."),
    key!("headers", SMAP, "HTTP headers; write secrets as `${VAR}` references."),
    key!("repo", S, "Source repository (Python SkillMeat)."),
    key!("version", S, "Version (Python SkillMeat)."),
    key!("env_vars", ValueType::AnyOf(&[SMAP, SA]), "Environment variables it needs (Python SkillMeat)."),
    key!("status", S, "Install status (Python SkillMeat)."),
    key!("installed_at", DATE, "When it was installed (Python SkillMeat)."),
    key!("last_updated", DATE, "When it was last updated (Python SkillMeat)."),
];

#[rustfmt::skip]
static COLLECTION_KEYS: &[KeyDoc] = &[
    req!("collection", O, "The collection's own metadata.", COLLECTION_TABLE_KEYS),
    key!("artifacts", OA, "One `[[artifacts]]` table per artifact.", ARTIFACT_KEYS),
    key!("mcp_servers", OA, "One `[[mcp_servers]]` table per MCP server.", MCP_SERVER_KEYS),
];

/// Keys of `collection.toml`: top-level tables with their keys in `KeyDoc::keys`.
pub fn collection_keys() -> &'static [KeyDoc] {
    COLLECTION_KEYS
}

#[rustfmt::skip]
static LOCK_ENTRY_KEYS: &[KeyDoc] = &[
    req!("content_hash", S, "`sha256:` + 64 hex: the artifact's content hash."),
    key!("fetched", DATE, "When it was fetched."),
    key!("upstream", S, "Where it was fetched from."),
    key!("resolved_sha", S, "The commit it was fetched at."),
    key!("resolved_version", S, "The version it was fetched at."),
    key!("signer", S, "`ed25519:<key id>` of the pack signer, pinned on first use."),
];

#[rustfmt::skip]
static LOCK_TABLE_KEYS: &[KeyDoc] = &[
    req!("version", S, "Lock format: `2` (SkillMeat) or `1.0.0` (Python SkillMeat)."),
    key!("entries", ValueType::Map(&ValueType::Object), "Entries keyed `\"name::kind\"`.", LOCK_ENTRY_KEYS),
];

#[rustfmt::skip]
static LOCK_KEYS: &[KeyDoc] =
    &[req!("lock", O, "The lock table.", LOCK_TABLE_KEYS)];

/// Keys of `collection.lock`.
pub fn lock_keys() -> &'static [KeyDoc] {
    LOCK_KEYS
}

// ---- front matter ----

#[rustfmt::skip]
static SKILL_KEYS: &[KeyDoc] = &[
    req!("name", S, "1–64 chars of a-z, 0-9 and `-`, equal to the skill's folder name."),
    req!("description", S, "What the skill does and when to use it (≤ 1024 chars)."),
    key!("license", S, "License name or file."),
    key!("compatibility", S, "Environment requirements (≤ 500 chars)."),
    key!("metadata", SMAP, "Free-form string → string metadata."),
    key!("allowed-tools", STR_OR_LIST, "Tools the skill may use without asking."),
    key!("when_to_use", S, "When Claude should use the skill; shown with the description."),
    key!("argument-hint", S, "Hint for arguments, e.g. `[issue-number]` — a quoted string, never a list."),
    key!("arguments", Any, "Named arguments."),
    key!("disable-model-invocation", B, "Only the user may invoke it."),
    key!("user-invocable", B, "Whether it appears as a slash command."),
    key!("disallowed-tools", STR_OR_LIST, "Tools it may not use."),
    key!("model", S, "Model to run it with."),
    key!("effort", ValueType::Enum(EFFORT_LEVELS), "Reasoning effort."),
    key!("context", ValueType::Enum(&["fork"]), "`fork` runs it in a subagent context."),
    key!("agent", S, "Agent type used with `context: fork`."),
    key!("hooks", O, "Hooks active while it runs."),
    key!("paths", STR_OR_LIST, "Globs of files it applies to."),
    key!("shell", ValueType::Enum(&["bash", "powershell"]), "Shell for `!` lines."),
    key!("version", S, "Version of the skill."),
];

#[rustfmt::skip]
static COMMAND_KEYS: &[KeyDoc] = &[
    key!("description", S, "Shown in the slash-command menu."),
    key!("argument-hint", S, "Hint for arguments, e.g. `[message]` — a quoted string, never a list."),
    key!("allowed-tools", STR_OR_LIST, "Tools the command may use without asking."),
    key!("model", S, "Model to run it with."),
    key!("disable-model-invocation", B, "Only the user may invoke it."),
    key!("name", S, "Display name."),
    key!("when_to_use", S, "When Claude should use it."),
    key!("arguments", Any, "Named arguments."),
    key!("user-invocable", B, "Whether it appears as a slash command."),
    key!("disallowed-tools", STR_OR_LIST, "Tools it may not use."),
    key!("effort", ValueType::Enum(EFFORT_LEVELS), "Reasoning effort."),
    key!("context", ValueType::Enum(&["fork"]), "`fork` runs it in a subagent context."),
    key!("agent", S, "Agent type used with `context: fork`."),
    key!("hooks", O, "Hooks active while it runs."),
    key!("paths", STR_OR_LIST, "Globs of files it applies to."),
    key!("shell", ValueType::Enum(&["bash", "powershell"]), "Shell for `!` lines."),
    key!("license", S, "License name or file."),
    key!("compatibility", S, "Environment requirements."),
    key!("metadata", SMAP, "Free-form string → string metadata."),
];

/// Agent `memory` values.
pub const AGENT_MEMORY: &[&str] = &["user", "project", "local"];

#[rustfmt::skip]
static AGENT_KEYS: &[KeyDoc] = &[
    req!("name", S, "Agent name (lowercase letters, digits and `-` by convention)."),
    req!("description", S, "When Claude should delegate to this agent."),
    key!("tools", STR_OR_LIST, "Tools it may use: a comma-separated string or a list (default: all)."),
    key!("disallowedTools", STR_OR_LIST, "Tools it may not use."),
    key!("model", S, "`sonnet`, `opus`, `haiku`, a full model id, or `inherit`."),
    key!("permissionMode", ValueType::Enum(PERMISSION_MODES), "Permission mode it runs in."),
    key!("maxTurns", I, "Most turns it may take."),
    key!("effort", ValueType::Enum(EFFORT_LEVELS), "Reasoning effort."),
    key!("skills", STR_OR_LIST, "Skills preloaded into it."),
    key!("mcpServers", Any, "MCP servers available to it."),
    key!("hooks", O, "Hooks active while it runs."),
    key!("memory", ValueType::Enum(AGENT_MEMORY), "Persistent memory scope: user, project or local."),
    key!("background", B, "Run in the background."),
    key!("isolation", ValueType::Enum(&["worktree"]), "`worktree` runs it in its own git worktree."),
    key!("initialPrompt", S, "Prompt it starts with."),
    key!("color", S, "Colour shown for it."),
];

/// Front matter keys of `SKILL.md`.
pub fn skill_keys() -> &'static [KeyDoc] {
    SKILL_KEYS
}
/// Front matter keys of slash commands.
pub fn command_keys() -> &'static [KeyDoc] {
    COMMAND_KEYS
}
/// Front matter keys of subagents.
pub fn agent_keys() -> &'static [KeyDoc] {
    AGENT_KEYS
}

/// Limits Claude Code and the Agent Skills rules put on front matter text.
pub mod limits {
    /// Longest skill name.
    pub const SKILL_NAME_MAX: usize = 64;
    /// Longest artifact name (a path component).
    pub const ARTIFACT_NAME_MAX: usize = 128;
    /// Longest skill `description`.
    pub const DESCRIPTION_MAX: usize = 1024;
    /// Characters of description + when_to_use shown in the skill listing.
    pub const LISTING_MAX: usize = 1536;
    /// Longest `compatibility`.
    pub const COMPATIBILITY_MAX: usize = 500;
}

/// Looks a key up by name.
pub fn find_key(keys: &'static [KeyDoc], name: &str) -> Option<&'static KeyDoc> {
    keys.iter().find(|k| k.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_have_no_duplicates() {
        fn dupes(names: Vec<&str>) {
            let mut seen = std::collections::BTreeSet::new();
            for n in names {
                assert!(seen.insert(n), "duplicate {n}");
            }
        }
        dupes(settings_keys().iter().map(|k| k.name).collect());
        dupes(hook_events().iter().map(|k| k.name).collect());
        dupes(tool_names().iter().map(|k| k.name).collect());
        dupes(skill_keys().iter().map(|k| k.name).collect());
        dupes(agent_keys().iter().map(|k| k.name).collect());
        dupes(command_keys().iter().map(|k| k.name).collect());
        assert!(serde_json::to_string(settings_keys()).is_ok());
    }
}
