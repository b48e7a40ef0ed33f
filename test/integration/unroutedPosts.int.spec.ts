// A POST to a path with no route (CSS pointed at the wrong callback URL) is answered 404 and said in the log, once per
// interval; `/callbacks/` is not one. Its body is not read: whatever it is, the answer is the 404.
import http from 'node:http';
import pino from 'pino';
import { seedExamples } from '../support/seedExamples';
import { useTestService } from '../support/testService';

describe('POSTs to paths with no route', () => {
  const logLines: Array<{ msg: string; unrouted?: number; path?: string; client?: string }> = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => logLines.push(JSON.parse(line)) });
  const fixture = useTestService({}, logger);
  const unroutedLines = () => logLines.filter((line) => line.unrouted !== undefined);
  const push = seedExamples().find((example) => (JSON.parse(example.raw) as { event_type?: unknown }).event_type === 1)!.raw;

  it('logs the first at once with the path CSS should use, counts the others for one line, and stores nothing', async () => {
    const first = await fetch(`${fixture.service.url}/callback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: push });
    expect(first.status).toBe(404);
    expect(await first.json()).toEqual({ code: 404, error: 'not_found', message: "no route for POST /callback: CSS's callbacks are taken at POST /callbacks" });
    expect(unroutedLines()).toEqual([
      expect.objectContaining({ unrouted: 1, path: '/callback', client: expect.stringMatching(/127\.0\.0\.1/), msg: expect.stringContaining('POST /callbacks:') }),
    ]);

    // A GET of a path with no route is not a callback gone astray: not reported. Further POSTs wait for the interval.
    expect((await fetch(`${fixture.service.url}/nothing-here`)).status).toBe(404);
    for (const path of ['/Callbacks', '/v1/callbacks']) {
      expect((await fetch(`${fixture.service.url}${path}?t=1`, { method: 'POST', body: push })).status).toBe(404);
    }
    expect(unroutedLines()).toHaveLength(1);
    expect(await fixture.service.store.readAll({ maxCount: 10 })).toEqual([]);

    // A trailing slash, the likeliest slip in CSS's template, is the same route: stored, not reported.
    const slashed = await fetch(`${fixture.service.url}/callbacks/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: push });
    expect(slashed.status).toBe(200);
    expect(await fixture.service.store.readAll({ maxCount: 10 })).toHaveLength(1);
    expect(unroutedLines()).toHaveLength(1);
    // Counted for an alert: the three answered 404, not the one taken.
    expect(await (await fetch(`${fixture.service.url}/metrics`)).text()).toMatch(/^css_ledger_http_unrouted_posts_total 3$/m);

    // Stopping says what was not yet reported, with the last path.
    await fixture.stop();
    expect(unroutedLines()).toEqual([
      expect.objectContaining({ unrouted: 1 }),
      expect.objectContaining({ unrouted: 2, path: '/v1/callbacks', msg: expect.stringContaining('2 POSTs to paths with no route') }),
    ]);
  });
});

describe('the body of a POST to a path with no route', () => {
  const fixture = useTestService({}, pino({ level: 'silent' }));
  const push = seedExamples().find((example) => (JSON.parse(example.raw) as { event_type?: unknown }).event_type === 1)!.raw;

  it("answers the 404 without reading the body: not JSON, over the limit or compressed, and the connection goes on", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    const post = (path: string, body: Buffer, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; body: { error?: string; message?: string } }>((resolve, reject) => {
        const request = http.request(`${fixture.service.url}${path}`, { method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers } }, (response) => {
          sockets.add(response.socket);
          let text = '';
          response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(text) }));
        });
        request.on('error', reject);
        request.end(body);
      });
    try {
      const notFound = { status: 404, body: expect.objectContaining({ error: 'not_found', message: expect.stringContaining('no route for POST /hook') }) };
      expect(await post('/hook', Buffer.from('{"event_type": 1, not json'))).toEqual(notFound);
      expect(await post('/hook', Buffer.alloc(200 * 1024, ' '))).toEqual(notFound);
      expect(await post('/hook', Buffer.from([0x1f, 0x8b, 8, 0]), { 'content-encoding': 'gzip' })).toEqual(notFound);
      // The bodies were passed over on the same kept-alive connection, and the callback after them is taken on it.
      const taken = await post('/callbacks', Buffer.from(push));
      expect(taken.status).toBe(200);
      expect(sockets.size).toBe(1);
    } finally {
      agent.destroy();
    }
  });
});
