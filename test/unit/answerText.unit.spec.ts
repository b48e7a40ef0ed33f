// A GraphQL answer's text: what JSON.stringify writes, long lists a slice per turn of the event loop.
import { answerInSlices, answerText, jsonText, WrittenJson } from '../../src/graphql/answerText';
import { EventLoopTurns } from '../../src/graphql/eventLoopTurns';

const bucket = (i: number) => ({ key: `10.0.${i >> 8}.${i & 255}`, count: i % 7, p50Ms: i % 3 === 0 ? null : i * 10 });

describe('answerText', () => {
  it('writes what JSON.stringify does, with the newline Apollo adds', async () => {
    const data = Object.assign(Object.create(null) as Record<string, unknown>, { stats: Array.from({ length: 25 }, (_, i) => bucket(i)) });
    const answers: unknown[] = [
      { data: { session: null } },
      { errors: [{ message: 'first must not be greater than 500 "quoted" \u2028', path: ['sessions'] }], data: null },
      { data, extensions: { cost: 3.5, skipped: undefined, fn: () => 1, nested: [[1, 2], [], { a: [] }] } },
      { data: { when: new Date(Date.UTC(2024, 0, 1)), list: [undefined, null, '鵝', 0, -0, 1e21] } },
      { data: { long: Array.from({ length: 25 }, (_, i) => (i % 2 === 0 ? bucket(i) : [i, `${i}`])), empty: {} } },
      { data: { nested: { deeper: { stats: Array.from({ length: 23 }, (_, i) => bucket(i)) } }, after: 'x' } },
      'a string',
      [],
    ];
    for (const answer of answers) {
      // Lists of more than 10 items are sliced here: each kind of value both in and outside a slice.
      expect(await answerText(answer, new EventLoopTurns(), 10)).toBe(`${JSON.stringify(answer)}\n`);
      expect(await answerText(answer, new EventLoopTurns())).toBe(`${JSON.stringify(answer)}\n`);
    }
  });

  it('writes JSON written elsewhere as it is, and what it stands for where JSON.stringify writes it', async () => {
    const data = { relayTasks: { nodes: Array.from({ length: 25 }, (_, i) => bucket(i)) }, quoted: '"\u2028鵝' };
    const written = new WrittenJson(await jsonText(data, new EventLoopTurns(), 10));
    expect(written.text).toBe(JSON.stringify(data));
    const answer = { errors: [{ message: 'partly', path: ['quoted'] }], data: written };
    expect(await answerText(answer, new EventLoopTurns(), 10)).toBe(`${JSON.stringify({ ...answer, data })}\n`);
    expect(JSON.stringify(answer)).toBe(JSON.stringify({ ...answer, data }));
  });

  it('writes a long list a slice per turn: when the next turn comes, only its first slice is written', async () => {
    let written = 0;
    const item = (i: number) => ({ toJSON: () => (written++, bucket(i)) });
    const answer = { data: { interruptionStats: Array.from({ length: 2_500 }, (_, i) => item(i)) } };
    const text = answerText(answer, new EventLoopTurns(), 1_000);
    const writtenByTurn: number[] = [];
    await new Promise<void>((resolve) => setImmediate(() => (writtenByTurn.push(written), resolve())));
    await new Promise<void>((resolve) => setImmediate(() => (writtenByTurn.push(written), resolve())));
    expect(writtenByTurn[0]).toBeLessThanOrEqual(1_000);
    expect(writtenByTurn[1]).toBeLessThan(2_500);
    expect(JSON.parse(await text)).toEqual({ data: { interruptionStats: Array.from({ length: 2_500 }, (_, i) => bucket(i)) } });
    expect(written).toBe(2_500);
  });

  it('sends a text as its UTF-8 bytes a slice per turn, a surrogate pair never cut in two', async () => {
    // Characters of one to four bytes, the pairs lying across slice boundaries of 7 characters wherever they fall.
    const text = Array.from({ length: 300 }, (_, i) => ['a', 'é', '鵝', '😀', '"'][i % 5]).join('') + '😀';
    for (const perSlice of [1, 2, 7, 64, 10_000]) {
      const turns = new EventLoopTurns();
      const run = jest.spyOn(turns, 'run');
      const chunks: Buffer[] = [];
      for await (const chunk of answerInSlices(text, turns, perSlice)) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).toString('utf8')).toBe(text);
      expect(Buffer.concat(chunks)).toEqual(Buffer.from(text));
      expect(chunks.every((chunk) => !chunk.toString('utf8').includes('\ufffd'))).toBe(true);
      // One turn a slice; a slice of 1 takes a pair whole (two characters) all the same.
      expect(run.mock.calls.length).toBe(chunks.length);
      expect(chunks.length).toBeGreaterThanOrEqual(Math.ceil(text.length / Math.max(perSlice, 2)));
    }
  });
});
