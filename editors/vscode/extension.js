// A minimal VS Code client for `tffix lsp`: diagnostics, quick fixes, fix-all, hover and
// formatting for .tf, .tofu and .tfvars files, with or without a Terraform extension installed.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate() {
  const config = vscode.workspace.getConfiguration("tffix");
  const server = { command: config.get("path", "tffix"), args: ["lsp"] };
  client = new LanguageClient("tffix", "tffix", { run: server, debug: server }, {
    documentSelector: [{ scheme: "file", pattern: "**/*.{tf,tofu,tfvars}" }],
    initializationOptions: { debounceMs: config.get("debounceMs", 10) },
  });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
