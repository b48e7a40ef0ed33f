// The operators' live dashboard: a static page at `/`, its scripts and styles, and graphql-ws's browser build.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GRAPHQL_PATH } from '../graphql/graphqlRoutes';

/** Beside this module: src/dashboard/assets when run from source, dist/dashboard/assets once built (the build copies them). */
export const DASHBOARD_ASSETS_DIR = path.join(__dirname, 'assets');
/** graphql-ws's own browser (UMD) build, served from node_modules so the page's client is the server's version. */
const GRAPHQL_WS_BROWSER_BUILD = path.join(path.dirname(require.resolve('graphql-ws/package.json')), 'umd', 'graphql-ws.min.js');

const JAVASCRIPT = 'text/javascript; charset=utf-8';

/** URL -> file and type: a fixed list, so no part of a URL ever becomes a file path. */
const FILES: Record<string, [file: string, type: string]> = {
  '/': [path.join(DASHBOARD_ASSETS_DIR, 'index.html'), 'text/html; charset=utf-8'],
  '/dashboard/dashboard.css': [path.join(DASHBOARD_ASSETS_DIR, 'dashboard.css'), 'text/css; charset=utf-8'],
  '/dashboard/dashboard.js': [path.join(DASHBOARD_ASSETS_DIR, 'dashboard.js'), JAVASCRIPT],
  '/dashboard/activityChart.js': [path.join(DASHBOARD_ASSETS_DIR, 'activityChart.js'), JAVASCRIPT],
  '/dashboard/dashboardState.js': [path.join(DASHBOARD_ASSETS_DIR, 'dashboardState.js'), JAVASCRIPT],
  '/dashboard/dashboardTables.js': [path.join(DASHBOARD_ASSETS_DIR, 'dashboardTables.js'), JAVASCRIPT],
  '/dashboard/elements.js': [path.join(DASHBOARD_ASSETS_DIR, 'elements.js'), JAVASCRIPT],
  '/dashboard/keyedRows.js': [path.join(DASHBOARD_ASSETS_DIR, 'keyedRows.js'), JAVASCRIPT],
  '/dashboard/pageLag.js': [path.join(DASHBOARD_ASSETS_DIR, 'pageLag.js'), JAVASCRIPT],
  '/dashboard/format.js': [path.join(DASHBOARD_ASSETS_DIR, 'format.js'), JAVASCRIPT],
  '/dashboard/graphqlConnection.js': [path.join(DASHBOARD_ASSETS_DIR, 'graphqlConnection.js'), JAVASCRIPT],
  '/dashboard/vendor/graphql-ws.js': [GRAPHQL_WS_BROWSER_BUILD, JAVASCRIPT],
};

/** A Host header fit to be named in a policy: a name or an IP, and an optional port; anything else leaves only 'self'. */
const PLAIN_HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * Only this origin's scripts, styles and images, and only its GraphQL endpoint to talk to (the WebSocket
 * named explicitly: older browsers do not count ws: as 'self'). Nothing inline, no framing.
 */
export function dashboardContentSecurityPolicy(host: string | undefined): string {
  const socket = host !== undefined && PLAIN_HOST.test(host) ? ` ws://${host}${GRAPHQL_PATH} wss://${host}${GRAPHQL_PATH}` : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self'${socket}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Serves the files from memory, read once at start-up. (@fastify/static 10 depends on an ESM-only
 * package that the test runner cannot load; a dozen fixed files need no more than this.)
 */
export async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  for (const [url, [file, type]] of Object.entries(FILES)) {
    const body = readFileSync(file);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    app.get(url, (request: FastifyRequest, reply: FastifyReply) => {
      // Unversioned URLs: browsers keep a copy but ask (ETag) before using it, so an upgrade shows at once.
      reply.header('cache-control', 'no-cache').header('etag', etag).header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
      if (url === '/') {
        reply.header('content-security-policy', dashboardContentSecurityPolicy(request.headers.host)).header('x-frame-options', 'DENY');
      }
      const cached = request.headers['if-none-match'];
      if (cached !== undefined && cached.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) return reply.code(304).send();
      return reply.type(type).send(body);
    });
  }
}
