import { postCallback, tempDataDir } from '../support/testService';
import { runCli } from '../support/serviceProcess';

describe('the service as a process (node dist/cli.js serve)', () => {
  const data = tempDataDir();
  afterAll(() => data.remove());

  it('refuses a bad value with one line naming the variable, the value and what is allowed', async () => {
    const run = runCli(['serve'], { PORT: 'eighty', DATA_DIR: data.dir });
    const { code } = await run.exited;
    expect(code).toBe(2);
    expect(run.output()).toBe('invalid configuration: PORT="eighty" is not allowed; expected an integer from 0 to 65535\n');
  });

  it('says where it listens, which store it uses and warns that authentication is off; stops on SIGTERM', async () => {
    const run = runCli(['serve'], { PORT: '0', HOST: '127.0.0.1', DATA_DIR: data.dir });
    try {
      const listening = await run.waitForLine(/listening on http:\/\/127\.0\.0\.1:\d+/);
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(listening)![0];
      expect(run.output()).toContain(`event store: sqlite:${data.dir}/events.db`);
      expect(run.output()).toMatch(/"level":40.*callback authentication is OFF/);

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
    } finally {
      run.child.kill('SIGTERM');
    }
    await run.exited;
  });

  it('exits non-zero with a clear line when the port is taken', async () => {
    const first = runCli(['serve'], { PORT: '0', HOST: '127.0.0.1', DATA_DIR: data.dir });
    try {
      const port = /127\.0\.0\.1:(\d+)/.exec(await first.waitForLine(/listening on/))![1]!;
      const second = runCli(['serve'], { PORT: port, HOST: '127.0.0.1', DATA_DIR: `${data.dir}/second` });
      expect((await second.exited).code).toBe(1);
      expect(second.output()).toMatch(/could not start: .*EADDRINUSE/);
    } finally {
      first.child.kill('SIGTERM');
    }
    await first.exited;
  });
});
