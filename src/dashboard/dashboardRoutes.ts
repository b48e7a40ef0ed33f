// The operators' live dashboard: one static page at `/`, at each stream's address and each anomaly view's, its scripts and styles, and graphql-ws's browser build.
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GRAPHQL_PATH } from '../graphql/graphqlRoutes';
import { CSS, HTML, JAVASCRIPT, pageContentSecurityPolicy, readFixedFile, type FixedFileSender } from '../http/staticPages';

/** Beside this module: src/dashboard/assets when run from source, dist/dashboard/assets once built (the build copies them). */
export const DASHBOARD_ASSETS_DIR = path.join(__dirname, 'assets');
/** graphql-ws's own browser (UMD) build, served from node_modules so the page's client is the server's version. */
const GRAPHQL_WS_BROWSER_BUILD = path.join(path.dirname(require.resolve('graphql-ws/package.json')), 'umd', 'graphql-ws.min.js');

const PAGE = path.join(DASHBOARD_ASSETS_DIR, 'index.html');
/** The page's own addresses: it reads which view to show from the address, so a link to any of them survives a reload. */
const PAGE_ROUTES = ['/', '/streams/:streamId', '/anomalies/:view'];
/** The anomaly views with a page (router.js names the same). */
const ANOMALY_PAGES = new Set(['flapping', 'customer', 'stale', 'slow', 'restarting']);

/** URL -> file and type: a fixed list, so no part of a URL ever becomes a file path. */
const FILES: Record<string, [file: string, type: string]> = {
  '/dashboard/dashboard.css': [path.join(DASHBOARD_ASSETS_DIR, 'dashboard.css'), CSS],
  '/dashboard/dashboard.js': [path.join(DASHBOARD_ASSETS_DIR, 'dashboard.js'), JAVASCRIPT],
  '/dashboard/activityChart.js': [path.join(DASHBOARD_ASSETS_DIR, 'activityChart.js'), JAVASCRIPT],
  '/dashboard/dashboardState.js': [path.join(DASHBOARD_ASSETS_DIR, 'dashboardState.js'), JAVASCRIPT],
  '/dashboard/dashboardTables.js': [path.join(DASHBOARD_ASSETS_DIR, 'dashboardTables.js'), JAVASCRIPT],
  '/dashboard/elements.js': [path.join(DASHBOARD_ASSETS_DIR, 'elements.js'), JAVASCRIPT],
  '/dashboard/keyedRows.js': [path.join(DASHBOARD_ASSETS_DIR, 'keyedRows.js'), JAVASCRIPT],
  '/dashboard/pageLag.js': [path.join(DASHBOARD_ASSETS_DIR, 'pageLag.js'), JAVASCRIPT],
  '/dashboard/serviceClock.js': [path.join(DASHBOARD_ASSETS_DIR, 'serviceClock.js'), JAVASCRIPT],
  '/dashboard/format.js': [path.join(DASHBOARD_ASSETS_DIR, 'format.js'), JAVASCRIPT],
  '/dashboard/graphqlConnection.js': [path.join(DASHBOARD_ASSETS_DIR, 'graphqlConnection.js'), JAVASCRIPT],
  '/dashboard/router.js': [path.join(DASHBOARD_ASSETS_DIR, 'router.js'), JAVASCRIPT],
  '/dashboard/overviewView.js': [path.join(DASHBOARD_ASSETS_DIR, 'overviewView.js'), JAVASCRIPT],
  '/dashboard/streamView.js': [path.join(DASHBOARD_ASSETS_DIR, 'streamView.js'), JAVASCRIPT],
  '/dashboard/streamTables.js': [path.join(DASHBOARD_ASSETS_DIR, 'streamTables.js'), JAVASCRIPT],
  '/dashboard/destinationsPanel.js': [path.join(DASHBOARD_ASSETS_DIR, 'destinationsPanel.js'), JAVASCRIPT],
  '/dashboard/anomaliesPanel.js': [path.join(DASHBOARD_ASSETS_DIR, 'anomaliesPanel.js'), JAVASCRIPT],
  '/dashboard/anomalyView.js': [path.join(DASHBOARD_ASSETS_DIR, 'anomalyView.js'), JAVASCRIPT],
  '/dashboard/mediaPanels.js': [path.join(DASHBOARD_ASSETS_DIR, 'mediaPanels.js'), JAVASCRIPT],
  '/dashboard/vendor/graphql-ws.js': [GRAPHQL_WS_BROWSER_BUILD, JAVASCRIPT],
};

/** The service's strict page policy: only this origin and its GraphQL WebSocket, nothing inline, no framing; images also from the configured hosts. */
export function dashboardContentSecurityPolicy(host: string | undefined, imageHosts: string[] = []): string {
  return pageContentSecurityPolicy(host, GRAPHQL_PATH, { imageHosts });
}

export interface DashboardOptions {
  /** Hosts screenshots and moderated pictures may be shown from (DASHBOARD_IMAGE_HOSTS). */
  imageHosts: string[];
  /** The service's budget of bytes of fixed files, shared with the explorer's. */
  fixedFiles: FixedFileSender;
}

/**
 * Serves the files from memory, read once at start-up. (@fastify/static 10 depends on an ESM-only
 * package that the test runner cannot load; a dozen fixed files need no more than this.)
 */
export async function dashboardRoutes(app: FastifyInstance, options: DashboardOptions): Promise<void> {
  const policy = (host: string | undefined) => dashboardContentSecurityPolicy(host, options.imageHosts);
  const page = readFixedFile(PAGE, HTML);
  for (const url of PAGE_ROUTES) {
    app.get(url, (request: FastifyRequest<{ Params: { streamId?: string; view?: string } }>, reply: FastifyReply) => {
      if (request.params.streamId === '') return reply.callNotFound(); // `/streams/` names no stream
      if (request.params.view !== undefined && !ANOMALY_PAGES.has(request.params.view)) return reply.callNotFound();
      reply.header('content-security-policy', policy(request.headers.host)).header('x-frame-options', 'DENY');
      return options.fixedFiles.send(request, reply, page);
    });
  }
  for (const [url, [file, type]] of Object.entries(FILES)) {
    const loaded = readFixedFile(file, type);
    app.get(url, (request: FastifyRequest, reply: FastifyReply) => options.fixedFiles.send(request, reply, loaded));
  }
}
