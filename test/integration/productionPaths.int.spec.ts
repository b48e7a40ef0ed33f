// What clients are told when the store fails: in production without the host's file paths, in development with them.
import type { RunningService } from '../../src/server';
import { graphql } from '../support/graphqlClient';
import { SessionDocument } from '../graphql/generated';
import { postAndProject, postCallback, startTestService, tempDataDir } from '../support/testService';

describe.each([
  ['production', { NODE_ENV: 'production' }, false],
  ['development', {}, true],
])('answers about the store in %s', (_mode, env, showsPaths) => {
  const data = tempDataDir();
  let service: RunningService;
  const mentionsPath = (text: string) => text.includes(data.dir) || /\/events\.db/.test(text);

  beforeAll(async () => {
    service = await startTestService(data.dir, env);
    await postAndProject(service, { event_type: 1, sequence: '77', stream_id: 'paths' });
  });
  afterAll(async () => {
    await service.close();
    data.remove();
  });

  it(`/readyz ${showsPaths ? 'names' : 'does not name'} the store's file`, async () => {
    const ready = await fetch(`${service.url}/readyz`);
    const body = await ready.text();
    expect(ready.status).toBe(200);
    expect(JSON.parse(body).store).toBe(showsPaths ? `sqlite:${data.dir}/events.db` : 'sqlite:events.db');
    expect(mentionsPath(body)).toBe(showsPaths);
  });

  it(`503 answers, over HTTP and GraphQL, ${showsPaths ? 'keep' : 'leave out'} the path once the store is closed`, async () => {
    await service.store.close();
    const ready = await fetch(`${service.url}/readyz`);
    const readyBody = await ready.text();
    expect(ready.status).toBe(503);
    expect(JSON.parse(readyBody).message).toMatch(showsPaths ? /sqlite:\/.*events\.db is closed/ : /sqlite:events\.db is closed/);
    expect(mentionsPath(readyBody)).toBe(showsPaths);

    const callback = await postCallback(service.url, { event_type: 0, sequence: '77', stream_id: 'paths' });
    expect(callback.status).toBe(503);
    expect(mentionsPath(JSON.stringify(callback.body))).toBe(showsPaths);

    // asOf folds the session from the event log, which is closed.
    const result = await graphql(service.url, SessionDocument, { sequence: '77', asOf: new Date().toISOString() });
    expect(result.errors?.[0]?.message).toMatch(/events\.db is closed/);
    expect(mentionsPath(JSON.stringify(result.errors))).toBe(showsPaths);
  });
});
