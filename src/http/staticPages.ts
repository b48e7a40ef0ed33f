// The service's own pages: files from a fixed table, read once into memory and revalidated by ETag, under a strict Content-Security-Policy.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Allowance } from './allowance';

export interface FixedFile {
  body: Buffer;
  type: string;
  etag: string;
}

export const JAVASCRIPT = 'text/javascript; charset=utf-8';
export const CSS = 'text/css; charset=utf-8';
export const HTML = 'text/html; charset=utf-8';

export function readFixedFile(file: string, type: string): FixedFile {
  const body = readFileSync(file);
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

/**
 * Bytes of fixed files sent in a second, to all clients together, past which an answer waits for its turn: clients asking
 * the explorer's 1 MB script as fast as answered kept the thread that answers CSS writing gigabytes a second. A browser
 * loading the explorer takes 1.6 MB, the dashboard 0.2 MB, once each (then ETags).
 */
export const FIXED_FILE_BYTES_PER_SECOND = 32 * 1024 * 1024;

/** Sends fixed files within one budget of bytes a second (a second's worth at once), whoever asks: one per service. */
export class FixedFileSender {
  private readonly bytes: Allowance;

  constructor(
    bytesPerSecond = FIXED_FILE_BYTES_PER_SECOND,
    // Monotonic: a clock set back must not hold every answer.
    private readonly now: () => number = () => performance.now(),
  ) {
    this.bytes = new Allowance(bytesPerSecond, 1, now());
  }

  /** Unversioned URLs: browsers keep a copy but ask (ETag) before using it, so an upgrade shows at once. */
  send(request: FastifyRequest, reply: FastifyReply, file: FixedFile): FastifyReply | Promise<FastifyReply> {
    reply.header('cache-control', 'no-cache').header('etag', file.etag).header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
    const cached = request.headers['if-none-match'];
    if (cached !== undefined && cached.split(',').some((tag) => tag.trim().replace(/^W\//, '') === file.etag)) return reply.code(304).send();
    const waitMs = this.bytes.take(this.now(), file.body.length);
    if (waitMs === 0) return reply.type(file.type).send(file.body);
    return new Promise((resolve) => setTimeout(() => resolve(reply.type(file.type).send(file.body)), waitMs));
  }
}

/** A Host header fit to be named in a policy: a name or an IP, and an optional port; anything else leaves only 'self'. */
const PLAIN_HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

export interface PolicyAllowances {
  /** `<style>` elements carrying this nonce (one per answer). */
  styleNonce?: string;
  /** Fonts embedded in the stylesheets as data: URLs. */
  dataFonts?: boolean;
  /** Other hosts images may come from, as CSP host sources (validated by the configuration). */
  imageHosts?: string[];
}

/**
 * Only this origin's scripts, styles and images, and only its GraphQL endpoint to talk to (the WebSocket
 * named explicitly: older browsers do not count ws: as 'self'). Nothing inline, no framing.
 */
export function pageContentSecurityPolicy(host: string | undefined, graphqlPath: string, allow: PolicyAllowances = {}): string {
  const socket = host !== undefined && PLAIN_HOST.test(host) ? ` ws://${host}${graphqlPath} wss://${host}${graphqlPath}` : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self'${allow.styleNonce === undefined ? '' : ` 'nonce-${allow.styleNonce}'`}`,
    ["img-src 'self' data:", ...(allow.imageHosts ?? [])].join(' '),
    ...(allow.dataFonts === true ? ['font-src data:'] : []),
    `connect-src 'self'${socket}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
