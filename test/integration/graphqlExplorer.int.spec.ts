// GET /graphql from a browser: GraphiQL from the service's own files by default, Apollo's explorer or nothing by setting; introspection beside it.
import type { RunningService } from '../../src/server';
import { startTestService, tempDataDir } from '../support/testService';

const asBrowser = { accept: 'text/html' };
const introspection = JSON.stringify({ query: '{ __schema { queryType { name } } }' });

/** The scripts and stylesheets a page names, and the modules its same-origin scripts import. */
function pageResources(html: string): string[] {
  const scripts = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((match) => match[1]!);
  const styles = [...html.matchAll(/<link\b[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+)"/g)].map((match) => match[1]!);
  return [...scripts, ...styles];
}
const importsOf = (script: string) => [...script.matchAll(/^import\b[^;]*?\bfrom\s+'([^']+)'/gm)].map((match) => match[1]!);

describe('the GraphQL explorer and introspection', () => {
  // Its own life cycle: a service per setting under test, each started and stopped within its test.
  const data = tempDataDir();
  afterAll(() => data.remove());

  async function withService(env: Record<string, string>, check: (service: RunningService) => Promise<void>) {
    const service = await startTestService(`${data.dir}/${Object.values(env).join('-') || 'development'}`, env);
    try {
      await check(service);
    } finally {
      await service.close();
    }
  }
  const page = (service: RunningService) => fetch(`${service.url}/graphql`, { headers: asBrowser });

  it('serves GraphiQL in development, every script and stylesheet from this origin, and answers introspection', async () => {
    await withService({}, async (service) => {
      const answer = await page(service);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(answer.headers.get('cache-control')).toBe('no-store');
      const html = await answer.text();
      expect(html).toContain('<title>GraphQL explorer');
      const resources = pageResources(html);
      expect(resources).toEqual(
        expect.arrayContaining(['/graphiql/vendor/react.js', '/graphiql/vendor/react-dom.js', '/graphiql/vendor/graphiql.js', '/graphiql/vendor/graphiql.css']),
      );
      const explorerScript = await (await fetch(`${service.url}/graphiql/explorer.js`)).text();
      const modules = importsOf(explorerScript);
      expect(modules).toEqual(['/dashboard/graphqlConnection.js']);
      for (const url of [...resources, ...modules]) {
        // Same origin: a path on this host, never a scheme or a `//host`.
        expect(url).toMatch(/^\/[^/]/);
        const file = await fetch(`${service.url}${url}`);
        expect([url, file.status]).toEqual([url, 200]);
        expect([url, file.headers.get('content-type')]).toEqual([url, url.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8']);
        expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(500);
      }
      const schema = await fetch(`${service.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: introspection });
      expect(await schema.json()).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    });
  });

  it('sends the page under a strict policy: own scripts only, styles by this answer’s nonce, nothing from elsewhere', async () => {
    await withService({}, async (service) => {
      const host = new URL(service.url).host;
      const [first, second] = [await page(service), await page(service)];
      const policy = first.headers.get('content-security-policy')!;
      expect(policy).toContain("default-src 'none'");
      expect(policy).toContain("script-src 'self';");
      expect(policy).toContain(`connect-src 'self' ws://${host}/graphql wss://${host}/graphql;`);
      expect(policy).toContain("frame-ancestors 'none'");
      expect(policy).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
      expect(first.headers.get('x-frame-options')).toBe('DENY');
      // The nonce the page hands to GraphiQL is the one its policy allows, and a new one each time.
      const nonce = /style-src 'self' 'nonce-([A-Za-z0-9+/=]{24})';/.exec(policy)?.[1];
      expect(await first.text()).toContain(`<meta name="style-nonce" content="${nonce}">`);
      expect(second.headers.get('content-security-policy')).not.toContain(`'nonce-${nonce}'`);
    });
  });

  it('leaves GraphQL requests that do not ask for HTML to Apollo', async () => {
    await withService({}, async (service) => {
      const answer = await fetch(`${service.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
        headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
      });
      expect(await answer.json()).toEqual({ data: { __typename: 'Query' } });
    });
  });

  it('serves Apollo’s explorer with GRAPHQL_EXPLORER=apollo, and no GraphiQL', async () => {
    await withService({ GRAPHQL_EXPLORER: 'apollo' }, async (service) => {
      const html = await (await page(service)).text();
      expect(html).toMatch(/<html/i);
      expect(html).toContain('embeddable-sandbox.cdn.apollographql.com');
      expect(html).not.toContain('/graphiql/');
      expect((await fetch(`${service.url}/graphiql/vendor/graphiql.js`)).status).toBe(404);
    });
  });

  it.each([{ GRAPHQL_EXPLORER: 'off' }, { GRAPHQL_EXPLORER: 'false' }])('serves no explorer with %o, and tells a browser so', async (env) => {
    await withService(env, async (service) => {
      const answer = await page(service);
      expect(answer.status).toBe(404);
      expect(await answer.json()).toEqual({
        code: 404,
        error: 'not_found',
        message: 'no explorer here (GRAPHQL_EXPLORER is off): send queries to POST /graphql as application/json',
      });
      expect((await fetch(`${service.url}/graphiql/vendor/graphiql.js`)).status).toBe(404);
      // A program's GET query is still answered.
      const query = await fetch(`${service.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'apollo-require-preflight': '1' } });
      expect(await query.json()).toEqual({ data: { __typename: 'Query' } });
    });
  });

  it('turns both off when NODE_ENV=production', async () => {
    await withService({ NODE_ENV: 'production' }, async (service) => {
      expect(await (await page(service)).text()).not.toMatch(/<html/i);
      const schema = await fetch(`${service.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: introspection });
      const body = (await schema.json()) as { errors?: Array<{ message: string }> };
      expect(body.errors?.[0]?.message).toMatch(/introspection/i);
    });
  });

  it('serves GraphiQL in production when enabled', async () => {
    await withService({ NODE_ENV: 'production', GRAPHQL_EXPLORER: 'graphiql' }, async (service) => {
      expect(await (await page(service)).text()).toContain('/graphiql/vendor/graphiql.js');
    });
  });
});
