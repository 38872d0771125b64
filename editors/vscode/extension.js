// Starts `fleetc lsp` for the fleet specs of the workspace (the `fleetc.specs` glob), over stdio.
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration('fleetc');
  const command = config.get('path', 'fleetc');
  client = new LanguageClient(
    'fleetc',
    'fleetc',
    { command, args: ['lsp'] },
    {
      documentSelector: [
        { scheme: 'file', language: 'yaml', pattern: config.get('specs', '**/fleetc.yaml') },
      ],
    },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
