// Starts `agentc lsp` for agent definition files and agentc.toml.
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration('agentc');
  const command = config.get('path', 'agentc');
  const server = { command, args: ['lsp'], transport: TransportKind.stdio };
  client = new LanguageClient(
    'agentc',
    'agentc',
    { run: server, debug: server },
    {
      documentSelector: [
        { scheme: 'file', language: 'markdown', pattern: '**/{.agents,.claude/agents,.opencode/agent,.opencode/agents,.github/agents,agents}/**/*.md' },
        { scheme: 'file', pattern: '**/agentc.toml' },
      ],
      initializationOptions: {
        debounceMs: config.get('debounceMs', 50),
        probe: config.get('probe', true),
      },
      synchronize: {
        fileEvents: vscode.workspace.createFileSystemWatcher('**/{*.md,agentc.toml,.gitignore}'),
      },
    },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
