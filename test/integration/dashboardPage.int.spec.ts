// The dashboard's files over HTTP: the page's security policy and caching, its scripts, and nothing else.
import http from 'node:http';
import type { RunningService } from '../../src/server';
import { useTestService } from '../support/testService';

/** A GET with a Host header of our choosing (fetch does not let one set it). */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      })
      .on('error', reject);
  });
}

describe('the dashboard page and its files', () => {
  const fixture = useTestService();

  it('serves the page at / with a policy that allows only this origin and its GraphQL WebSocket', async () => {
    const host = new URL(fixture.service.url).host;
    const page = await get(`${fixture.service.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<h1>Live streams</h1>');
    const policy = page.headers['content-security-policy'];
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("script-src 'self';");
    expect(policy).toContain(`connect-src 'self' ws://${host}/graphql wss://${host}/graphql;`);
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it.each(['/streams/studio_cam', '/streams/studio_cam?domain=a.example&session=7300000000000000001', '/streams/a%2Fb%20c'])(
    'serves the same page, under the same policy, at a stream\'s address %s, so a link to it survives a reload',
    async (url) => {
      const host = new URL(fixture.service.url).host;
      const page = await get(`${fixture.service.url}${url}`);
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.body).toContain('<main id="stream-page" hidden>');
      expect(page.headers['content-security-policy']).toContain(`connect-src 'self' ws://${host}/graphql wss://${host}/graphql;`);
      expect(page.headers['x-frame-options']).toBe('DENY');
    },
  );

  it('opens the page of a stream id longer than the router\'s default 100 characters, encoded or not', async () => {
    for (const streamId of ['cam_'.repeat(50), '直播'.repeat(100)]) {
      const page = await get(`${fixture.service.url}/streams/${encodeURIComponent(streamId)}?domain=a.example`);
      expect({ streamId, status: page.status }).toEqual({ streamId, status: 200 });
      expect(page.body).toContain('<main id="stream-page" hidden>');
    }
  });

  it('names no WebSocket but its own origin when the Host header is not a plain host', async () => {
    const page = await get(`${fixture.service.url}/`, { host: 'evil.example; script-src *' });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("connect-src 'self';");
    expect(page.headers['content-security-policy']).not.toContain('evil');
  });

  it('lets browsers keep the files but revalidate them, answering 304 while they are unchanged', async () => {
    const script = await get(`${fixture.service.url}/dashboard/dashboard.js`);
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['cache-control']).toBe('no-cache');
    expect(script.headers['x-content-type-options']).toBe('nosniff');
    const etag = script.headers.etag!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await get(`${fixture.service.url}/dashboard/dashboard.js`, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    expect((await get(`${fixture.service.url}/dashboard/dashboard.js`, { 'if-none-match': '"stale"' })).status).toBe(200);
  });

  it('serves graphql-ws browser build from the installed package', async () => {
    const client = await get(`${fixture.service.url}/dashboard/vendor/graphql-ws.js`);
    expect(client.status).toBe(200);
    expect(client.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(client.body).toContain('graphql-transport-ws');
    expect(client.body).toContain('graphqlWs');
  });

  it.each(['/dashboard/index.html', '/dashboard/', '/dashboard/../package.json', '/dashboard/%2e%2e/src/server.ts', '/streams/', '/streams/a/b'])(
    'answers a JSON 404 for %s',
    async (url) => {
      const response = await get(`${fixture.service.url}${url}`);
      expect(response.status).toBe(404);
      expect(JSON.parse(response.body)).toMatchObject({ code: 404, error: 'not_found' });
    },
  );
});
