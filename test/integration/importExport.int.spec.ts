import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SqliteEventStore } from '../../src/eventstore/sqlite/sqliteEventStore';
import type { RecordedEvent } from '../../src/eventstore/eventStore';
import { servedDigest } from '../support/readModelFiles';
import { generateTraffic } from '../../src/simulation/callbackTraffic';
import { seedExamples } from '../support/seedExamples';
import { runCli } from '../support/serviceProcess';
import { postAndProject, startTestService, tempDataDir } from '../support/testService';

async function cli(args: string[], dataDir: string) {
  const run = runCli(args, { DATA_DIR: dataDir });
  const { code } = await run.exited;
  return { code, output: run.output() };
}

async function eventsIn(dataDir: string): Promise<RecordedEvent[]> {
  const store = SqliteEventStore.open(path.join(dataDir, 'events.db'));
  try {
    return await store.readAll({ maxCount: 100_000 });
  } finally {
    await store.close();
  }
}

/** A seed example on one line (JSON strings hold no raw newline, so only layout goes). */
const oneLine = (raw: string) => raw.replace(/\r?\n\s*/g, '');

describe('export and import (node dist/cli.js export / import)', () => {
  // Its own life cycle: several data folders, each started and stopped in turn to compare what they hold.
  const root = tempDataDir();
  const original = path.join(root.dir, 'original');
  const copy = path.join(root.dir, 'copy');
  const exported = path.join(root.dir, 'callbacks.jsonl');
  let liveDigest: string;
  let callbackCount: number;
  afterAll(() => root.remove());

  beforeAll(async () => {
    const service = await startTestService(original);
    try {
      for (const example of seedExamples()) await postAndProject(service, example.raw);
      const traffic = generateTraffic({ seed: 21, sessions: 60, relayTasks: 20 });
      for (let i = 0; i < traffic.length; i += 20) {
        await Promise.all(traffic.slice(i, i + 20).map(({ body }) => postAndProject(service, body)));
      }
      liveDigest = servedDigest(service.readModels);
    } finally {
      await service.close();
    }
    callbackCount = (await eventsIn(original)).length;
  }, 60_000);

  it('exports one line per stored callback, in log order, with its body exactly as received', async () => {
    const { code, output } = await cli(['export', exported], original);
    expect(code).toBe(0);
    expect(output).toContain(`exported ${callbackCount} callbacks from sqlite:${original}/events.db to ${exported}`);
    const lines = readFileSync(exported, 'utf8').trimEnd().split('\n');
    const events = await eventsIn(original);
    expect(lines).toHaveLength(events.length);
    lines.forEach((line, i) => {
      const event = events[i]!;
      expect(JSON.parse(line)).toEqual({
        receivedAt: event.metadata.receivedAt,
        raw: event.data.raw,
        eventId: event.id,
        type: event.type,
        stream: event.stream,
        position: String(event.position),
      });
    });
  });

  it('says so, on stderr with exit code 1, when the reader of stdout closes it before the end (export | head)', async () => {
    expect(readFileSync(exported).length).toBeGreaterThan(128 * 1024); // more than a pipe holds (64 KiB): the export waits for its reader
    const run = runCli(['export'], { DATA_DIR: original });
    run.child.stdout!.once('data', () => run.child.stdout!.destroy());
    expect((await run.exited).code).toBe(1);
    // stderr may be read after the exit is seen, and lands after the cut line of stdout in the same output.
    await run.waitForLine(/export stopped/, 5_000);
    expect(/export stopped[^\n]*/.exec(run.output())![0]).toBe('export stopped: the reader of stdout closed it before the last callback (EPIPE)');
  });

  it('says in words, with exit code 1, a file it cannot read or write; an import before it makes DATA_DIR', async () => {
    const folder = path.join(root.dir, 'untouched');
    const missing = path.join(root.dir, 'no such folder', 'callbacks.jsonl');
    // Imports into a folder not made yet (it would be made for the log); exports from the original.
    const cases: Array<[string[], string, string]> = [
      [['import', missing], folder, `import: cannot read ${missing}: no such file or directory`],
      [['import', root.dir], folder, `import: cannot read ${root.dir}: it is a folder`],
      [['export', missing], original, `export: cannot write ${missing}: no such file or directory`],
      [['export', root.dir], original, `export: cannot write ${root.dir}: it is a folder`],
    ];
    for (const [args, dataDir, message] of cases) {
      const { code, output } = await cli(args, dataDir);
      expect({ code, output: output.trim() }).toEqual({ code: 1, output: message });
    }
    expect(existsSync(folder)).toBe(false);
  });

  it('refuses to export from a DATA_DIR without an event log, and leaves it uncreated', async () => {
    const missing = path.join(root.dir, 'mistyped');
    const { code, output } = await cli(['export', '-'], missing);
    expect({ code, output: output.trim() }).toEqual({
      code: 1,
      output: `there is no event log to export: ${path.join(missing, 'events.db')} does not exist (is DATA_DIR the service's data folder?)`,
    });
    expect(existsSync(missing)).toBe(false);
  });

  it('imports the export into a fresh DATA_DIR whose rebuilt read models are identical to the original ones', async () => {
    const imported = await cli(['import', exported], copy);
    expect(imported.code).toBe(0);
    expect(imported.output).toContain(`${callbackCount} lines, ${callbackCount} stored, 0 duplicates`);
    expect(imported.output).toContain(', 0 rejected');

    const rebuilt = await cli(['rebuild'], copy);
    expect(rebuilt.code).toBe(0);
    expect(/digest ([0-9a-f]{64})/.exec(rebuilt.output)?.[1]).toBe(liveDigest);

    // Same events, same positions, same receipt times: exporting the copy gives the same file.
    const again = path.join(root.dir, 'copy.jsonl');
    expect((await cli(['export', again], copy)).code).toBe(0);
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(exported, 'utf8'));

    const originalEvents = await eventsIn(original);
    const copied = await eventsIn(copy);
    copied.forEach((event, i) => {
      expect(event.metadata).toMatchObject({ authenticatedBy: 'import', receivedAt: originalEvents[i]!.metadata.receivedAt });
      expect(event.data).toEqual(originalEvents[i]!.data);
    });
  }, 60_000);

  it('stores nothing twice: importing the same file again finds every callback already there', async () => {
    const { code, output } = await cli(['import', exported], copy);
    expect(code).toBe(0);
    expect(output).toContain(`${callbackCount} lines, 0 stored, ${callbackCount} duplicates`);
    expect(await eventsIn(copy)).toHaveLength(callbackCount);
  });

  it('stores the good lines of a file with bad ones, lists the bad ones by line number, and exits 1', async () => {
    const firstExported = readFileSync(exported, 'utf8').split('\n')[0]!;
    const bare = JSON.stringify({ event_type: 1, sequence: '7000000000000000001', stream_id: 'from_an_old_webhook', event_time: 1_700_000_000 });
    const file = path.join(root.dir, 'mixed.jsonl');
    writeFileSync(file, [firstExported, 'not json at all', '[1,2]', '', bare, '{"raw":"nope"}', '{"raw":"{}","receivedAt":"yesterday"}'].join('\n'));
    const dataDir = path.join(root.dir, 'mixed');
    const { code, output } = await cli(['import', file], dataDir);
    expect(code).toBe(1);
    expect(output).toContain('6 lines, 2 stored, 0 duplicates, 4 rejected');
    expect(output).toMatch(/line 2: invalid_json: line is not valid JSON/);
    expect(output).toContain('line 3: not_an_object: line must be a JSON object, got an array');
    expect(output).toMatch(/line 6: invalid_json: raw is not valid JSON/);
    expect(output).toContain('line 7: invalid_received_at: receivedAt "yesterday" is not a date');
    const stored = await eventsIn(dataDir);
    expect(stored.map((e) => [e.stream, e.data.raw])).toEqual([
      [JSON.parse(firstExported).stream, JSON.parse(firstExported).raw],
      ['session-7000000000000000001', bare],
    ]);
  });

  it('shows the control characters of a refused line as escapes, so a file cannot drive the terminal it is imported from', async () => {
    const file = path.join(root.dir, 'escapes.jsonl');
    // A title change (OSC 0) and a colour (SGR 31), as a crafted file might carry them.
    writeFileSync(file, '\u001b]0;owned\u0007\u001b[31mred\n');
    const { code, output } = await cli(['import', file], path.join(root.dir, 'escapes'));
    expect(code).toBe(1);
    expect(output).toContain('line 1: invalid_json: line is not valid JSON');
    expect(output).toContain('\\u001b]0;owned\\u0007\\u001b[31mred');
    expect(output).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
  });

  it('rejects a line over 64 MiB without holding it, counting it in its place, and stores the lines around it', async () => {
    const before = JSON.stringify({ event_type: 1, sequence: '7100000000000000001', stream_id: 'before_the_blob', event_time: 1_700_000_000 });
    const after = JSON.stringify({ event_type: 0, sequence: '7100000000000000001', stream_id: 'before_the_blob', event_time: 1_700_000_060 });
    const file = path.join(root.dir, 'blob.jsonl');
    const blobBytes = 64 * 1024 * 1024 + 1;
    writeFileSync(file, Buffer.concat([Buffer.from(`${before}\r\n`), Buffer.alloc(blobBytes, 0x61), Buffer.from(`\r\n${after}\n`)]));
    const dataDir = path.join(root.dir, 'blob');
    const { code, output } = await cli(['import', file], dataDir);
    expect(code).toBe(1);
    expect(output).toContain('3 lines, 2 stored, 0 duplicates, 1 rejected');
    expect(output).toContain(`line 2: line_too_long: the line is ${blobBytes + 1} bytes, over the 64 MiB a line may hold`);
    expect((await eventsIn(dataDir)).map((e) => e.data.raw)).toEqual([before, after]);
  }, 60_000);

  it('takes bare CSS callbacks, one per line, exactly as the live endpoint takes them', async () => {
    // The seed examples, and a recording callback (event_type 100), which no read model knows.
    const recording = '{"event_type":100,"stream_id":"rec","video_url":"http://example.com/rec.mp4","file_size":1024}';
    const lines = [...seedExamples().map((example) => oneLine(example.raw)), recording];
    const live = await startTestService(path.join(root.dir, 'seed-live'));
    try {
      for (const line of lines) await postAndProject(live, line);
    } finally {
      await live.close();
    }
    const file = path.join(root.dir, 'seed.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const dataDir = path.join(root.dir, 'seed-imported');
    const { code, output } = await cli(['import', file], dataDir);
    expect(code).toBe(0);

    const expected = await eventsIn(path.join(root.dir, 'seed-live'));
    const imported = await eventsIn(dataDir);
    const shape = (e: RecordedEvent) => [e.id, e.type, e.stream, e.revision, e.data];
    expect(imported.map(shape)).toEqual(expected.map(shape));
    const unrecognized = expected.filter((e) => e.type === 'UnrecognizedCallbackReceived').length;
    expect(unrecognized).toBe(1);
    expect(output).toContain(
      `${lines.length} lines, ${expected.length} stored, ${lines.length - expected.length} duplicates (${unrecognized} of them unrecognized), 0 rejected`,
    );
  });
});
