// FORWARD_CONFIG and ADMIN_TOKEN as settings: the file is validated when the configuration is read, one line per mistake.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';

describe('forwarding settings', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'css-ledger-settings-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    writeFileSync(path.join(dir, name), text);
    return name;
  };

  it('reads the destinations of FORWARD_CONFIG, relative to the working folder, YAML or JSON', () => {
    const file = write('forward.yaml', 'destinations:\n  - name: handler\n    url: http://127.0.0.1:9000/hook\n    format: raw\n');
    const { forwarding } = loadConfig({ FORWARD_CONFIG: file }, dir);
    expect(forwarding.file).toBe(path.join(dir, file));
    expect(forwarding.config?.destinations.map((d) => [d.name, d.url, d.format])).toEqual([['handler', 'http://127.0.0.1:9000/hook', 'raw']]);
  });

  it('forwards nothing without FORWARD_CONFIG', () => {
    expect(loadConfig({}).forwarding).toEqual({ file: null, config: null, shutdownGraceMs: 5000, eventStoreDbMode: 'shared' });
  });

  it('refuses a file with mistakes, one line per mistake', () => {
    const file = write('bad.json', JSON.stringify({ destinations: [{ name: 'A b', url: 'ftp://x', format: 'raw' }, { name: 'ok', url: 'http://x', format: 'standard-webhooks' }] }));
    let error: unknown;
    try {
      loadConfig({ FORWARD_CONFIG: file }, dir);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message.split('\n')).toEqual([
      'invalid configuration: FORWARD_CONFIG bad.json: destinations[0].name: must be 1 to 64 of a-z, 0-9, - and _',
      'invalid configuration: FORWARD_CONFIG bad.json: destinations[0].url: must be an http(s) URL (credentials go in headers, not the URL)',
      'invalid configuration: FORWARD_CONFIG bad.json: destinations[1].secret: is required for standard-webhooks (whsec_...)',
    ]);
  });

  it('refuses a file it cannot read in one line', () => {
    expect(() => loadConfig({ FORWARD_CONFIG: 'missing.json' }, dir)).toThrow(/^invalid configuration: FORWARD_CONFIG .*missing\.json: cannot be read: ENOENT/);
  });

  it('refuses a short ADMIN_TOKEN without printing it', () => {
    expect(() => loadConfig({ ADMIN_TOKEN: 'short' })).toThrow('ADMIN_TOKEN="(hidden)" is not allowed; expected a token of 16 to 512 visible ASCII characters');
  });
});
