import type { RunningService } from '../../src/server';
import { startTestService, tempDataDir } from '../support/testService';

const asBrowser = { accept: 'text/html' };
const introspection = JSON.stringify({ query: '{ __schema { queryType { name } } }' });

describe('the GraphQL explorer and introspection', () => {
  const data = tempDataDir();
  afterAll(() => data.remove());

  async function withService(env: Record<string, string>, check: (service: RunningService) => Promise<void>) {
    const service = await startTestService(`${data.dir}/${env.NODE_ENV ?? 'development'}`, env);
    try {
      await check(service);
    } finally {
      await service.close();
    }
  }

  it('serves Apollo landing page and answers introspection in development', async () => {
    await withService({}, async (service) => {
      const page = await fetch(`${service.url}/graphql`, { headers: asBrowser });
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<html/i);
      const schema = await fetch(`${service.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: introspection });
      expect(await schema.json()).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    });
  });

  it('turns both off when NODE_ENV=production', async () => {
    await withService({ NODE_ENV: 'production' }, async (service) => {
      const page = await fetch(`${service.url}/graphql`, { headers: asBrowser });
      expect(await page.text()).not.toMatch(/<html/i);
      const schema = await fetch(`${service.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: introspection });
      const body = (await schema.json()) as { errors?: Array<{ message: string }> };
      expect(body.errors?.[0]?.message).toMatch(/introspection/i);
    });
  });
});
