// What clients are told when the store fails: in production without the host's file paths, in development with them.
import { graphql } from '../support/graphqlClient';
import { SessionDocument } from '../graphql/generated';
import { postAndProject, postCallback, useTestService } from '../support/testService';

describe.each([
  ['production', { NODE_ENV: 'production' }, false],
  ['development', {}, true],
])('answers about the store in %s', (_mode, env, showsPaths) => {
  const fixture = useTestService(env);
  const mentionsPath = (text: string) => text.includes(fixture.dataDir) || /\/events\.db/.test(text);

  beforeAll(async () => {
    await postAndProject(fixture.service, { event_type: 1, sequence: '77', stream_id: 'paths' });
  });

  it(`/readyz ${showsPaths ? 'names' : 'does not name'} the store's file`, async () => {
    const ready = await fetch(`${fixture.service.url}/readyz`);
    const body = await ready.text();
    expect(ready.status).toBe(200);
    expect(JSON.parse(body).store).toBe(showsPaths ? `sqlite:${fixture.dataDir}/events.db` : 'sqlite:events.db');
    expect(mentionsPath(body)).toBe(showsPaths);
  });

  it(`503 answers, over HTTP and GraphQL, ${showsPaths ? 'keep' : 'leave out'} the path once the store is closed`, async () => {
    await fixture.service.store.close();
    const ready = await fetch(`${fixture.service.url}/readyz`);
    const readyBody = await ready.text();
    expect(ready.status).toBe(503);
    expect(JSON.parse(readyBody).message).toMatch(showsPaths ? /sqlite:\/.*events\.db is closed/ : /sqlite:events\.db is closed/);
    expect(mentionsPath(readyBody)).toBe(showsPaths);

    const callback = await postCallback(fixture.service.url, { event_type: 0, sequence: '77', stream_id: 'paths' });
    expect(callback.status).toBe(503);
    expect(mentionsPath(JSON.stringify(callback.body))).toBe(showsPaths);

    // asOf folds the session from the event log, which is closed.
    const result = await graphql(fixture.service.url, SessionDocument, { sequence: '77', asOf: new Date().toISOString() });
    expect(result.errors?.[0]?.message).toMatch(/events\.db is closed/);
    expect(mentionsPath(JSON.stringify(result.errors))).toBe(showsPaths);
  });
});
