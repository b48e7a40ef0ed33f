// GraphiQL at GET /graphql for browsers, served whole from this service (its page and script, and the browser builds of graphiql and React), or, with the explorer off, a browser told so.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import Negotiator from 'negotiator';
import { sendError } from '../http/errorReply';
import { CSS, HTML, JAVASCRIPT, pageContentSecurityPolicy, readFixedFile, type FixedFileSender } from '../http/staticPages';

/** Beside this module: src/explorer/assets when run from source, dist/explorer/assets once built (the build copies them). */
export const EXPLORER_ASSETS_DIR = path.join(__dirname, 'assets');

const installed = (name: string, ...file: string[]) => path.join(path.dirname(require.resolve(`${name}/package.json`)), ...file);

/**
 * URL -> file and type: a fixed list, so no part of a URL ever becomes a file path. graphiql 4 is the last major
 * with a prebuilt browser (UMD) build that needs nothing from elsewhere (5 is built on Monaco, whose workers and
 * modules want a bundler or a CDN); that build is made for React 18, the last React with UMD builds.
 */
const FILES: Record<string, [file: string, type: string]> = {
  '/graphiql/explorer.js': [path.join(EXPLORER_ASSETS_DIR, 'explorer.js'), JAVASCRIPT],
  '/graphiql/explorer.css': [path.join(EXPLORER_ASSETS_DIR, 'explorer.css'), CSS],
  '/graphiql/vendor/react.js': [installed('react', 'umd', 'react.production.min.js'), JAVASCRIPT],
  '/graphiql/vendor/react-dom.js': [installed('react-dom', 'umd', 'react-dom.production.min.js'), JAVASCRIPT],
  '/graphiql/vendor/graphiql.js': [installed('graphiql', 'graphiql.min.js'), JAVASCRIPT],
  '/graphiql/vendor/graphiql.css': [installed('graphiql', 'graphiql.min.css'), CSS],
};

/** Where the page names its answer's nonce, for the explorer's script to hand to GraphiQL. */
const STYLE_NONCE = '{{style-nonce}}';

export interface GraphiqlExplorerOptions {
  /** Where GraphQL answers; a browser's GET there (one that prefers HTML) gets the explorer's page. */
  graphqlPath: string;
  /** The service's budget of bytes of fixed files, shared with the dashboard's. */
  fixedFiles: FixedFileSender;
}

/**
 * The dashboard's policy with two allowances for GraphiQL: its stylesheet embeds its fonts as data: URLs, and
 * its dialogs (settings, shortcuts) lock scrolling with a <style> element they add (react-remove-scroll), which
 * carries this answer's nonce (GraphiQL reads it from `__webpack_nonce__`). Still no inline script, no style
 * attribute, no eval.
 */
export function explorerContentSecurityPolicy(host: string | undefined, graphqlPath: string, styleNonce: string): string {
  return pageContentSecurityPolicy(host, graphqlPath, { styleNonce, dataFonts: true });
}

/** As Apollo Server decides to show its landing page: the Accept header ranks HTML above GraphQL's own types. */
function prefersHtml(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  const types = ['application/json', 'application/graphql-response+json', 'multipart/mixed', 'text/html'];
  return new Negotiator({ headers: { accept } }).mediaType(types) === 'text/html';
}

/** A browser's GET at the GraphQL path: what an explorer answers. */
const browserAt = (request: FastifyRequest, graphqlPath: string): boolean =>
  request.method === 'GET' && request.routeOptions.url === graphqlPath && prefersHtml(request.headers.accept);

/**
 * Registered without encapsulation (fastify-plugin) in the context of the GraphQL route, so that its hook
 * answers a browser's GET there before Apollo sees it; every other request goes on to Apollo.
 */
export const graphiqlExplorer = fastifyPlugin(
  async (app: FastifyInstance, options: GraphiqlExplorerOptions) => {
    for (const [url, [file, type]] of Object.entries(FILES)) {
      const loaded = readFixedFile(file, type);
      app.get(url, (request, reply) => options.fixedFiles.send(request, reply, loaded));
    }
    const page = readFileSync(path.join(EXPLORER_ASSETS_DIR, 'index.html'), 'utf8');
    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      if (!browserAt(request, options.graphqlPath)) return;
      // A fresh nonce per answer, so the page is never kept.
      const nonce = randomBytes(16).toString('base64');
      reply
        .header('content-security-policy', explorerContentSecurityPolicy(request.headers.host, options.graphqlPath, nonce))
        .header('x-frame-options', 'DENY')
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer');
      return reply.type(HTML).send(page.replace(STYLE_NONCE, nonce));
    });
  },
  { name: 'graphiql-explorer', fastify: '5.x' },
);

/**
 * With the explorer off, a browser's GET at the GraphQL path is told so, where Apollo would answer it as a query
 * without its CSRF header (a 400 about cross-site request forgery).
 */
export const explorerOff = fastifyPlugin(
  async (app: FastifyInstance, options: Pick<GraphiqlExplorerOptions, 'graphqlPath'>) => {
    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      if (!browserAt(request, options.graphqlPath)) return;
      return sendError(reply, 'not_found', `no explorer here (GRAPHQL_EXPLORER is off): send queries to POST ${options.graphqlPath} as application/json`);
    });
  },
  { name: 'graphql-explorer-off', fastify: '5.x' },
);
