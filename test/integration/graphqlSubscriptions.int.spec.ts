import { CallbackReceivedDocument, SessionDocument, SessionUpdatedDocument } from '../graphql/generated';
import { collect, query, subscriptionClient, waitForSubscribers } from '../support/graphqlClient';
import { postAndProject, postCallback, useTestService } from '../support/testService';

describe('GraphQL subscriptions over graphql-ws, and time travel', () => {
  const fixture = useTestService();

  it('tells a sessionUpdated subscriber about the push and the interruption of its stream, and nothing else', async () => {
    const client = subscriptionClient(fixture.service.url);
    try {
      const updates = collect(client, SessionUpdatedDocument, { filter: { streamId: 'watched' } });
      const all = collect(client, CallbackReceivedDocument, {});
      await updates.ready;
      await waitForSubscribers(fixture.service, 2);

      await postCallback(fixture.service.url, { event_type: 1, sequence: '500', stream_id: 'other', event_time: 1700000000 });
      await postCallback(fixture.service.url, { event_type: 1, sequence: '501', stream_id: 'watched', event_time: 1700000001 });
      await postCallback(fixture.service.url, { event_type: 0, sequence: '500', stream_id: 'other', event_time: 1700000050, errcode: 1 });
      await postCallback(fixture.service.url, { event_type: 0, sequence: '501', stream_id: 'watched', event_time: 1700000060, errcode: 12 });

      const [pushed, interrupted] = await updates.next(2);
      expect(pushed!.sessionUpdated).toMatchObject({ sequence: '501', streamId: 'watched', status: 'LIVE' });
      expect(interrupted!.sessionUpdated).toMatchObject({ sequence: '501', status: 'ENDED', errcode: 12, reasonCategory: 'CLIENT_NETWORK' });
      // Every callback went out to the unfiltered subscriber, so the session updates of `other` were published too.
      await all.next(4);
      expect(updates.received).toHaveLength(2);
    } finally {
      await client.dispose();
    }
  });

  it('refuses a subscription sent over HTTP with a 400 that says where subscriptions are served', async () => {
    const response = await fetch(`${fixture.service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'subscription { callbackReceived { id } }' }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/WebSocket/), extensions: expect.objectContaining({ code: 'SUBSCRIPTION_OVER_HTTP' }) })]);
  });

  it('answers a subscription document of several operations without one named as HTTP does, naming what is missing', async () => {
    const client = subscriptionClient(fixture.service.url);
    const errorOf = (payload: { query: string; operationName?: string }) =>
      new Promise<unknown>((resolve) => {
        client.subscribe(payload, { next: () => undefined, error: resolve, complete: () => resolve(null) });
      });
    try {
      const query = 'subscription A { callbackReceived { id } } subscription B { sessionUpdated { sequence } }';
      expect(await errorOf({ query })).toEqual([
        expect.objectContaining({ message: 'Must provide operation name if query contains multiple operations.', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } }),
      ]);
      expect(await errorOf({ query, operationName: 'C' })).toEqual([
        expect.objectContaining({ message: 'Unknown operation named "C".', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } }),
      ]);
    } finally {
      await client.dispose();
    }
  });

  it('answers asOf between a push and its interruption with LIVE, and after it with ENDED', async () => {
    await postAndProject(fixture.service, { event_type: 1, sequence: '777', stream_id: 'tt' });
    const between = new Date();
    await new Promise((resolve) => setTimeout(resolve, 5)); // so the interruption is received at a later millisecond
    await postAndProject(fixture.service, { event_type: 0, sequence: '777', stream_id: 'tt', errcode: 1 });
    const after = new Date();

    const then = await query(fixture.service.url, SessionDocument, { sequence: '777', asOf: between.toISOString() });
    const later = await query(fixture.service.url, SessionDocument, { sequence: '777', asOf: after.toISOString() });
    const before = await query(fixture.service.url, SessionDocument, { sequence: '777', asOf: '2000-01-01T00:00:00Z' });
    expect(then.session).toMatchObject({ status: 'LIVE', interruptedAt: null });
    expect(later.session).toMatchObject({ status: 'ENDED', errcode: 1 });
    expect(before.session).toBeNull();
  });
});
