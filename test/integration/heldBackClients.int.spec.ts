// A client refused over and over (a scanner, a hostile sender of large bodies), or past 50 GraphQL requests a second, is
// read after everyone else's, and so are many clients that together are past such a budget: none can keep CSS's
// callbacks waiting, and each of their requests is still answered as ever.
import http from 'node:http';
import { capturedLog } from '../support/capturedLog';
import { scrape, valueOf } from '../support/metricsText';
import { signCallback, useTestService } from '../support/testService';

const KEY = 'refused-clients-key';

/** POSTs to the service from a loopback address of its own: another client to the service. */
function postFrom(url: string, from: string, body: object, path = '/callbacks'): Promise<{ status: number; error: string | undefined }> {
  const payload = Buffer.from(JSON.stringify(body));
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port, path, method: 'POST', localAddress: from, headers: { 'content-type': 'application/json', 'content-length': payload.length } },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () =>
          resolve({ status: response.statusCode!, error: (JSON.parse(text) as { error?: string }).error }),
        );
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

const push = (sequence: string) => ({ event_type: 1, sequence, stream_id: 'refused-clients', app: 'a.example' });
const forged = (sequence: string) => ({ ...signCallback(push(sequence), 'not-the-key') });

describe('clients refused over and over', () => {
  const { logger, logged } = capturedLog();
  const fixture = useTestService({ CSS_CALLBACK_KEYS: KEY }, logger);

  it("reads a client past 20 refusals a second after the others' (saying so once), still answering each with its reason; CSS is taken meanwhile", async () => {
    // Fifty one after another: however a second's turn splits them, more than 20 fall in one of two seconds.
    const answers = [];
    for (let n = 0; n < 50; n++) answers.push(await postFrom(fixture.service.url, '127.0.0.2', forged(String(1000 + n))));
    const flood = Array.from({ length: 10 }, (_, n) => postFrom(fixture.service.url, '127.0.0.2', forged(String(1100 + n))));
    const taken = await postFrom(fixture.service.url, '127.0.0.1', signCallback(push('2001'), KEY));
    expect(taken.status).toBe(200);
    answers.push(...(await Promise.all(flood)));
    expect(answers.every((answer) => answer.status === 401 && answer.error === 'bad_signature')).toBe(true);
    const heldBack = logged().filter((line) => line.heldBack !== undefined);
    expect(heldBack).toEqual([expect.objectContaining({ client: '127.0.0.2', msg: expect.stringContaining('caused more than 20 refusals in a second') })]);
    expect(heldBack[0]!.msg).toContain("its callbacks are read after the others' until it pauses");
    const samples = await scrape(fixture.service.url);
    expect(valueOf(samples, 'css_ledger_callbacks_total', { type: 'unknown', outcome: 'rejected', error: 'bad_signature' })).toBe(60);
    expect(valueOf(samples, 'css_ledger_callbacks_held_back_total')).toBeGreaterThan(0);
  }, 30_000);
});

describe('many clients refused, each under its own budget', () => {
  const fixture = useTestService({ CSS_CALLBACK_KEYS: KEY });

  it("reads them after the others' once all together pass 200 refusals a second, still answering each; CSS is taken meanwhile", async () => {
    // Twenty-one addresses, twenty each (never past a client's own 20), 420 in all: however a second's turn splits them,
    // more than 200 fall in one second.
    const addresses = Array.from({ length: 21 }, (_, n) => `127.0.0.${10 + n}`);
    const answers = await Promise.all(
      addresses.map(async (address, a) => {
        const mine = [];
        for (let n = 0; n < 20; n++) mine.push(await postFrom(fixture.service.url, address, forged(String(5000 + a * 100 + n))));
        return mine;
      }),
    );
    const taken = await postFrom(fixture.service.url, '127.0.0.1', signCallback(push('6001'), KEY));
    expect(taken.status).toBe(200);
    expect(answers.flat().every((answer) => answer.status === 401 && answer.error === 'bad_signature')).toBe(true);
    const samples = await scrape(fixture.service.url);
    expect(valueOf(samples, 'css_ledger_callbacks_total', { type: 'unknown', outcome: 'rejected', error: 'bad_signature' })).toBe(420);
    expect(valueOf(samples, 'css_ledger_callbacks_held_back_total')).toBeGreaterThan(0);
  }, 30_000);
});

describe('GraphQL clients past their budget of requests', () => {
  const fixture = useTestService({});
  const heldBack = async () => valueOf(await scrape(fixture.service.url), 'css_ledger_graphql_requests_held_back_total');
  const query = { query: '{ sessions(first: 1) { totalCount } }' };

  it('keeps nobody waiting while each client and all together are within their budgets', async () => {
    for (let n = 0; n < 10; n++) expect((await postFrom(fixture.service.url, '127.0.0.3', query, '/graphql')).status).toBe(200);
    expect(await heldBack()).toBe(0);
  });

  it('takes the requests of a client past 50 a second a turn later each, answering every one', async () => {
    // However a second's turn splits 120, more than 50 fall in one of two seconds.
    const answers = await Promise.all(Array.from({ length: 120 }, () => postFrom(fixture.service.url, '127.0.0.2', query, '/graphql')));
    expect(answers.map((answer) => answer.status)).toEqual(Array(120).fill(200));
    expect(await heldBack()).toBeGreaterThan(0);
  }, 30_000);

  it('takes the requests of many clients, each within its budget, a turn later each once all together pass 50 a second', async () => {
    const before = await heldBack();
    // Twenty-one addresses, six each: 126 in all, more than 50 in one of two seconds, none past its own 50.
    const addresses = Array.from({ length: 21 }, (_, n) => `127.0.0.${40 + n}`);
    const answers = await Promise.all(addresses.flatMap((address) => Array.from({ length: 6 }, () => postFrom(fixture.service.url, address, query, '/graphql'))));
    expect(answers.map((answer) => answer.status)).toEqual(Array(126).fill(200));
    expect(await heldBack()).toBeGreaterThan(before);
  }, 30_000);
});
