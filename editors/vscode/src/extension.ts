// SkillMeat for VS Code: starts `skillmeat lsp` (stdio) for the files SkillMeat checks —
// collection.toml / collection.lock, Claude Code's settings.json and settings.local.json,
// .mcp.json, SKILL.md and the Markdown files of .claude/commands and .claude/agents — and lets
// vscode-languageclient do the rest (diagnostics, quick fixes, completion, hover, outline,
// go-to-definition).

import * as vscode from "vscode";
import {
  DocumentSelector,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

// Patterns, not languages: the files are plain TOML, JSON and Markdown, and only these paths
// are SkillMeat's business.
const PATTERNS = [
  "**/collection.toml",
  "**/collection.lock",
  "**/.claude/settings.json",
  "**/.claude/settings.local.json",
  "**/.mcp.json",
  "**/SKILL.md",
  "**/.claude/commands/**/*.md",
  "**/.claude/agents/**/*.md",
  // A SkillMeat collection's own commands and agents.
  "**/collections/*/commands/**/*.md",
  "**/collections/*/agents/*.md",
];

const selector: DocumentSelector = PATTERNS.map((pattern) => ({
  scheme: "file",
  pattern,
}));

function serverOptions(): ServerOptions {
  const command = vscode.workspace
    .getConfiguration("skillmeat")
    .get<string>("path", "skillmeat");
  // TransportKind.stdio makes the client append `--stdio`, which `skillmeat lsp` accepts.
  const run = { command, args: ["lsp"], transport: TransportKind.stdio };
  return { run, debug: run };
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const clientOptions: LanguageClientOptions = {
    documentSelector: selector,
    synchronize: {
      // The server also registers watchers itself; this covers clients that do not support
      // dynamic registration.
      fileEvents: vscode.workspace.createFileSystemWatcher(
        "**/{collection.toml,collection.lock,.mcp.json,settings.json,settings.local.json}"
      ),
    },
  };
  client = new LanguageClient(
    "skillmeat",
    "SkillMeat",
    serverOptions(),
    clientOptions
  );
  context.subscriptions.push(client);
  try {
    await client.start();
  } catch (e) {
    vscode.window.showErrorMessage(
      `SkillMeat: could not start \`skillmeat lsp\` (${e}). Install skillmeat or set "skillmeat.path".`
    );
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("skillmeat.restartServer", async () => {
      if (client) {
        await client.stop();
      }
      await start(context);
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("skillmeat.path")) {
        await vscode.commands.executeCommand("skillmeat.restartServer");
      }
    })
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  if (client) {
    await client.stop();
  }
}
