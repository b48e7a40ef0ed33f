import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { postCallback, tempDataDir } from '../support/testService';
import { exitWithin, runCli } from '../support/serviceProcess';

describe('the service as a process (node dist/cli.js serve)', () => {
  const data = tempDataDir();
  afterAll(() => data.remove());

  it('refuses a bad value with one line naming the variable, the value and what is allowed', async () => {
    const run = runCli(['serve'], { PORT: 'eighty', DATA_DIR: data.dir });
    const { code } = await run.exited;
    expect(code).toBe(2);
    expect(run.output()).toBe('invalid configuration: PORT="eighty" is not allowed; expected an integer from 0 to 65535\n');
  });

  it('refuses a mistyped command by its name, listing the commands, instead of starting the service', async () => {
    const run = runCli(['rebiuld'], { PORT: '0', HOST: '127.0.0.1', DATA_DIR: data.dir });
    const { code } = await run.exited;
    expect(code).toBe(1);
    expect(run.output()).toMatch(/^error: unknown command 'rebiuld'; the commands are serve, emit-schema, rebuild, .* \(see --help\)\n$/);
  });

  it('says where it listens, which store it uses and warns that authentication is off (a mistyped key variable too); stops on SIGTERM', async () => {
    const run = runCli(['serve'], { PORT: '0', HOST: '127.0.0.1', DATA_DIR: data.dir, CSS_CALLBACK_KEY: 'a-key-in-the-wrong-variable' });
    try {
      const listening = await run.waitForLine(/listening on http:\/\/127\.0\.0\.1:\d+/);
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(listening)![0];
      expect(run.output()).toContain(`event store: sqlite:${data.dir}/events.db`);
      expect(run.output()).toMatch(/"level":40.*callback authentication is OFF/);
      expect(run.output()).toMatch(/"level":40.*CSS_CALLBACK_KEY is set but is no setting of this service, and is ignored: did you mean CSS_CALLBACK_KEYS\?/);
      expect(run.output()).not.toContain('a-key-in-the-wrong-variable');

      const response = await postCallback(url, { event_type: 1, sequence: '42', stream_id: 'proc' });
      expect(response.status).toBe(200);
      // The explorer's files, copied beside the compiled code by the build.
      expect(await (await fetch(`${url}/graphql`, { headers: { accept: 'text/html' } })).text()).toContain('/graphiql/explorer.js');
      expect((await fetch(`${url}/graphiql/explorer.js`)).status).toBe(200);
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited).toEqual({ code: 0, signal: null });
  });

  it('stops as on SIGTERM when its terminal hangs up (SIGHUP), saying so, instead of ending unlogged', async () => {
    const run = runCli(['serve'], { PORT: '0', HOST: '127.0.0.1', DATA_DIR: data.dir });
    await run.waitForLine(/listening on/);
    run.child.kill('SIGHUP');
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.output()).toContain('"msg":"SIGHUP received: stopping"');
    expect(run.output()).toMatch(/"msg":"stopped"/);
  });

  it('reports authentication as on when keys and a token are set, without printing them', async () => {
    const run = runCli(['serve'], {
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: data.dir,
      CSS_CALLBACK_KEYS: 'key-one,key-two',
      CSS_CALLBACK_TOKEN: 'token-token',
    });
    try {
      const line = await run.waitForLine(/callback authentication is on/);
      expect(line).toContain('signature with 2 keys');
      expect(line).toContain('URL token');
      await run.waitForLine(/listening on/);
      expect(run.output()).not.toMatch(/key-one|token-token/);
      expect(run.output()).not.toContain('CSS_CALLBACK_TOKEN is not set');
    } finally {
      run.child.kill('SIGTERM');
    }
    await run.exited;
  });

  it('warns, with keys and no token, that relay callbacks (which CSS does not sign) will be refused', async () => {
    const run = runCli(['serve'], { PORT: '0', HOST: '127.0.0.1', DATA_DIR: data.dir, CSS_CALLBACK_KEYS: 'key-one' });
    try {
      const line = await run.waitForLine(/CSS_CALLBACK_TOKEN is not set/);
      expect(JSON.parse(line)).toMatchObject({ level: 40, msg: expect.stringContaining('relay callbacks (event_type 314), which CSS does not sign, are refused 401') });
      await run.waitForLine(/listening on/);
    } finally {
      run.child.kill('SIGTERM');
    }
    await run.exited;
  });

  /** The one fatal line of a start that failed (the warning that authentication is off aside). */
  const fatalLines = (output: string) => output.split('\n').filter((line) => line.includes('"level":60'));

  it('exits non-zero with one line naming HOST and PORT, without a stack, when the port is taken', async () => {
    const first = runCli(['serve'], { PORT: '0', HOST: '127.0.0.1', DATA_DIR: data.dir });
    try {
      const port = /127\.0\.0\.1:(\d+)/.exec(await first.waitForLine(/listening on/))![1]!;
      const second = runCli(['serve'], { PORT: port, HOST: '127.0.0.1', DATA_DIR: `${data.dir}/second` });
      expect((await second.exited).code).toBe(1);
      const [fatal, ...more] = fatalLines(second.output());
      expect(more).toEqual([]);
      expect(JSON.parse(fatal!)).toMatchObject({
        msg: `could not start: cannot listen on 127.0.0.1:${port} (HOST, PORT): EADDRINUSE, another process listens there`,
      });
      expect(fatal).not.toContain('stack');
    } finally {
      first.child.kill('SIGTERM');
    }
    await first.exited;
  });

  it('exits non-zero with one line naming HOST when it does not resolve', async () => {
    // .invalid never resolves (RFC 6761): the name service says so without going out.
    const run = runCli(['serve'], { PORT: '0', HOST: 'ledger.invalid', DATA_DIR: `${data.dir}/unresolved` });
    expect((await run.exited).code).toBe(1);
    const [fatal, ...more] = fatalLines(run.output());
    expect(more).toEqual([]);
    expect(JSON.parse(fatal!)).toMatchObject({ msg: expect.stringMatching(/^could not start: cannot listen on ledger\.invalid:0 \(HOST, PORT\): (ENOTFOUND|EAI_AGAIN), /) });
    expect(fatal).not.toContain('stack');
  });

  it('logs an error nothing caught as a JSON fatal line before it ends the process, as Node would, with exit code 1', async () => {
    const preload = path.join(data.dir, 'throw-later.js');
    // An error thrown on the main thread, outside any request, while the service starts or runs.
    writeFileSync(preload, `if (require('node:worker_threads').isMainThread) setTimeout(() => { throw new Error('a fault nothing caught'); }, 1500);`);
    const run = runCli(['serve'], { PORT: '0', HOST: '127.0.0.1', DATA_DIR: path.join(data.dir, 'faulty'), NODE_OPTIONS: `--require ${preload}` });
    expect(await exitWithin(run, 20_000)).toEqual({ code: 1, signal: null });
    const fatal = fatalLines(run.output()).map((line) => JSON.parse(line) as { msg: string; origin: string; err: { message: string } });
    expect(fatal).toEqual([expect.objectContaining({ msg: 'uncaught error: the service stops', origin: 'uncaughtException', err: expect.objectContaining({ message: 'a fault nothing caught' }) })]);
  });

  // Every module the main thread loads stays in its heap (V8 keeps each script's source), so the service on the
  // embedded store must not load what only EventStoreDB, forwarding in process or the other commands use.
  it('on the embedded store without forwarding, leaves EventStoreDB, the forwarding HTTP client and the YAML parser unloaded', async () => {
    const loadedFile = path.join(data.dir, 'loaded.json');
    const preload = path.join(data.dir, 'record-loaded.js');
    writeFileSync(
      preload,
      `const { isMainThread } = require('node:worker_threads');
if (isMainThread) process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(loadedFile)}, JSON.stringify(Object.keys(require.cache))));`,
    );
    const run = runCli(['serve'], { PORT: '0', HOST: '127.0.0.1', DATA_DIR: path.join(data.dir, 'lean'), NODE_OPTIONS: `--require ${preload}` });
    try {
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(await run.waitForLine(/listening on/))![0];
      expect((await postCallback(url, { event_type: 1, sequence: '43', stream_id: 'lean' })).status).toBe(200);
      const answer = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ sessions(first: 5) { totalCount } }' }),
      });
      expect(answer.status).toBe(200);
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited).toEqual({ code: 0, signal: null });
    const packages = new Set(
      (JSON.parse(readFileSync(loadedFile, 'utf8')) as string[]).flatMap((file) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1] ?? []),
    );
    expect(packages).toContain('fastify');
    expect(packages).toContain('better-sqlite3');
    for (const unused of ['@eventstore/db-client', '@grpc/grpc-js', 'undici', 'yaml', 'cli-progress', '@apollo/usage-reporting-protobuf']) {
      expect([unused, packages.has(unused)]).toEqual([unused, false]);
    }
  });
});
