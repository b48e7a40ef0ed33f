// The README's GraphQL examples, run as written against a service the README's seeded simulation fed: each
// answers without errors, every field it asks at the top answered; those of "A stream's story" with every list full.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunningService } from '../../src/server';
import { postQuery } from '../support/graphqlClient';
import { runCli } from '../support/serviceProcess';
import { startTestService, tempDataDir } from '../support/testService';

const README = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
const KEY = 'dev-key';
const TOKEN = 'dev-relay-token';

/** Every code block marked `graphql`, indented ones (in lists) too. */
function graphqlBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^([ \t]*)```graphql\n([^]*?)^\1```/gm)].map((match) => match[2]!);
}

/** The arguments of the README's seeded `simulate` run, which its examples' names come from. */
function seededSimulation(markdown: string): string[] {
  const line = /node dist\/cli\.js simulate (--seed .*)$/m.exec(markdown);
  if (line === null) throw new Error('the README shows no seeded simulate run');
  return line[1]!.trim().split(/\s+/);
}

/** The section of the README whose examples show a session's and a stream's story. */
function storySection(markdown: string): string {
  const start = markdown.indexOf("\n## A stream's story");
  if (start < 0) throw new Error("the README has no section A stream's story");
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end < 0 ? undefined : end);
}

/** The paths of the empty lists in an answer. */
const emptyLists = (value: unknown, at = ''): string[] =>
  Array.isArray(value)
    ? value.length === 0
      ? [at]
      : value.flatMap((item, i) => emptyLists(item, `${at}[${i}]`))
    : value !== null && typeof value === 'object'
      ? Object.entries(value).flatMap(([key, item]) => emptyLists(item, `${at}.${key}`))
      : [];

describe("the README's GraphQL examples, against simulated data", () => {
  const data = tempDataDir();
  let service: RunningService;
  beforeAll(async () => {
    service = await startTestService(data.dir, { CSS_CALLBACK_KEYS: KEY, CSS_CALLBACK_TOKEN: TOKEN });
    const run = runCli(['simulate', ...seededSimulation(README), '--url', service.url, '--json'], { CSS_CALLBACK_KEYS: KEY, CSS_CALLBACK_TOKEN: TOKEN });
    const { code } = await run.exited;
    expect({ code, output: code === 0 ? '' : run.output() }).toEqual({ code: 0, output: '' });
    expect(JSON.parse(run.output())).toMatchObject({ rejected: {} });
    const events = await service.store.readAll({ maxCount: 100_000 });
    await service.projector.waitForPosition(events.at(-1)!.position);
  }, 120_000);
  afterAll(async () => {
    await service.close();
    data.remove();
  });

  const examples = graphqlBlocks(README);
  const stories = new Set(graphqlBlocks(storySection(README)));

  it("finds the examples, a session's timeline, its anomalies and a stream among them", () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
    for (const field of ['timeline(', 'pushAnomalies', 'stream(streamId:']) expect([...stories].some((q) => q.includes(field))).toBe(true);
  });

  it.each(examples.map((example) => [example.trim().split('\n').slice(0, 2).join(' ').slice(0, 80), example]))('answers %s', async (_name, example) => {
    const { status, body } = await postQuery(service.url, example);
    expect({ status, errors: body.errors }).toEqual({ status: 200, errors: undefined });
    const answered = body.data ?? {};
    expect(Object.keys(answered).length).toBeGreaterThan(0);
    for (const [field, value] of Object.entries(answered)) expect({ field, answered: value !== null }).toEqual({ field, answered: true });
    // A story is told whole: no list in it is empty (elsewhere one may be, the quarantine's for one).
    if (stories.has(example)) expect(emptyLists(answered)).toEqual([]);
  });
});
