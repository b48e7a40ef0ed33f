// Statistics beyond those worked out and waiting are refused over HTTP with 503, Retry-After and a JSON body that says why.
import { postCallback, useTestService } from '../support/testService';

type Answer = { data?: Record<string, unknown> | null; errors?: Array<{ message: string; path?: string[]; extensions: Record<string, unknown> }> };

describe('statistics admission over HTTP', () => {
  const fixture = useTestService({ GRAPHQL_MAX_STATISTICS_AT_ONCE: '1', GRAPHQL_MAX_STATISTICS_WAITING: '1' });
  const RANGE = 'from: "2023-11-14T00:00:00Z", to: "2023-11-16T00:00:00Z"';
  const stats = (alias: string) => `${alias}: interruptionStats(${RANGE}, groupBy: NODE) { key count }`;
  const flapping = (alias: string, after = '') => `${alias}: flappingStreams(${RANGE}, minInterruptions: 2${after}) { totalCount nodes { streamId } }`;
  const ask = async (fields: string[]) => {
    const response = await fetch(`${fixture.service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ ${fields.join(' ')} }` }),
    });
    return { response, body: (await response.json()) as Answer };
  };
  const BUCKETS = [
    { key: '10.2.0.0', count: 2 },
    { key: '10.2.0.1', count: 1 },
  ];

  beforeAll(async () => {
    // Stream s0 interrupted twice within a minute; three interruptions on two nodes.
    const answers = await Promise.all(
      [0, 1, 2].map((i) =>
        postCallback(fixture.service.url, { event_type: 0, sequence: String(7_000 + i), stream_id: `s${i % 2 === 0 ? 0 : 1}`, node: `10.2.0.${i % 2}`, event_time: 1_700_000_000 + i, errcode: 1 }),
      ),
    );
    await fixture.service.projector.waitForPosition(answers.map((answer) => BigInt(answer.headers.get('callback-position')!)).reduce((a, b) => (a > b ? a : b)));
  });

  it('answers as many statistics as are worked out and waiting', async () => {
    const { response, body } = await ask([stats('a'), flapping('f')]);
    expect(response.status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ a: BUCKETS, f: { totalCount: 1, nodes: [{ streamId: 's0' }] } });
  });

  it('refuses one more with 503, Retry-After and the reason, and takes statistics again once those are answered', async () => {
    const { response, body } = await ask([stats('a'), flapping('f'), stats('c')]);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(response.headers.get('content-type')).toMatch(/^application\/(graphql-response\+)?json/);
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]!.path).toEqual(['c']);
    expect(body.errors![0]!.extensions).toEqual({ code: 'TOO_MANY_STATISTICS', retryAfterSeconds: 1 });
    expect(body.errors![0]!.message).toContain('GRAPHQL_MAX_STATISTICS_AT_ONCE');
    // As told: the other two, begun before the refusal, are worked out by then.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const again = await ask([stats('a')]);
    expect(again.response.status).toBe(200);
    expect(again.body.data!.a).toEqual(BUCKETS);
    // Counted, and none left working or waiting.
    const metrics = await (await fetch(`${fixture.service.url}/metrics`)).text();
    expect(metrics).toMatch(/^css_ledger_graphql_statistics_refused_total 1$/m);
    expect(metrics).toMatch(/^css_ledger_graphql_statistics\{state="working"\} 0$/m);
    expect(metrics).toMatch(/^css_ledger_graphql_statistics\{state="waiting"\} 0$/m);
  });

  it('still answers a cursor of another listing as a bad argument, in its turn', async () => {
    const { body } = await ask([flapping('f', ', after: "bm90IGEgY3Vyc29y"')]);
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' });
  });
});
