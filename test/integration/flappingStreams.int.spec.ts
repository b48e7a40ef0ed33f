// Flapping streams over real HTTP: a stream interrupted three times within ten minutes is listed, one interrupted twice is not.
import type { RunningService } from '../../src/server';
import { postQuery } from '../support/graphqlClient';
import { postAndProject, startTestService, tempDataDir } from '../support/testService';

const NOW_S = Math.floor(Date.now() / 1000);
const burst = (stream: string, domain: string, count: number, firstSequence: number) =>
  Array.from({ length: count }, (_, i) => {
    const push = { event_type: 1, sequence: String(firstSequence + i), app: domain, appname: 'live', stream_id: stream, event_time: NOW_S - 1800 + i * 180 };
    return [push, { ...push, event_type: 0, event_time: push.event_time + 60, errcode: 12, push_duration: '60000' }];
  }).flat();

describe('flappingStreams', () => {
  const folder = tempDataDir();
  let service: RunningService;
  beforeAll(async () => {
    service = await startTestService(folder.dir);
    for (const body of [...burst('flappy', 'a.example', 3, 100), ...burst('twice', 'a.example', 2, 200), ...burst('flappy', 'b.example', 4, 300)]) {
      await postAndProject(service, body);
    }
  });
  afterAll(async () => {
    await service.close();
    folder.remove();
  });

  const flapping = async (args: string) => {
    const answer = await postQuery(service.url, `{ flappingStreams${args} { totalCount pageInfo { hasNextPage endCursor } nodes { streamId domain live } } }`);
    if (answer.body.errors !== undefined) throw new Error(JSON.stringify(answer.body.errors));
    return answer.body.data!.flappingStreams as { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: unknown[] };
  };

  it('lists streams (one name on one domain) interrupted at least N times within M minutes, latest burst first', async () => {
    const listed = await flapping('');
    expect(listed.nodes).toEqual([
      { streamId: 'flappy', domain: 'b.example', live: false },
      { streamId: 'flappy', domain: 'a.example', live: false },
    ]);
    expect(listed.totalCount).toBe(2);
  });

  it('takes N, M and the domain as arguments, and pages', async () => {
    expect((await flapping('(minInterruptions: 2)')).totalCount).toBe(3);
    expect((await flapping('(minInterruptions: 4)')).nodes).toEqual([{ streamId: 'flappy', domain: 'b.example', live: false }]);
    expect((await flapping('(withinMinutes: 5)')).totalCount).toBe(0);
    expect((await flapping('(domain: "a.example")')).nodes).toEqual([{ streamId: 'flappy', domain: 'a.example', live: false }]);
    const first = await flapping('(first: 1)');
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = await flapping(`(first: 1, after: "${first.pageInfo.endCursor}")`);
    expect(rest.nodes).toEqual([{ streamId: 'flappy', domain: 'a.example', live: false }]);
  });

  it('looks only at the interruptions of the time range', async () => {
    const past = new Date((NOW_S - 7200) * 1000).toISOString();
    expect((await flapping(`(to: "${past}")`)).totalCount).toBe(0);
  });
});
