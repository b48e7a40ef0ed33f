// One JSON shape for every rejection: the HTTP status, a stable error slug, and what was wrong.
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply } from 'fastify';
import { statusOf, type ErrorSlug } from '../errors/catalogue';

export interface ErrorBody {
  code: number;
  error: string;
  message: string;
}

/** The body of an error answer; the status is the catalogue's unless a client error raised by Fastify brings its own. */
export function errorBody(error: ErrorSlug, message: string, status = statusOf(error)): ErrorBody {
  return { code: status, error, message };
}

export function sendError(reply: FastifyReply, error: ErrorSlug, message: string, status = statusOf(error)): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(errorBody(error, message, status));
}

/** The same JSON error as a whole HTTP/1.1 answer, for a socket no route answers (a malformed request, a refused upgrade). */
export function rawErrorResponse(error: ErrorSlug, message: string, headers: Record<string, string> = {}): string {
  const status = statusOf(error);
  const body = JSON.stringify(errorBody(error, message));
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

const CONTENT_ENCODING_REFUSED = 'CSS_LEDGER_CONTENT_ENCODING';
const CONNECTION_EVICTED = 'CSS_LEDGER_CONNECTION_EVICTED';
const TOO_MANY_PIPELINED = 'CSS_LEDGER_TOO_MANY_PIPELINED';

/** Fastify error codes that are the client's fault, with the slug clients see. */
const CLIENT_ERRORS: Record<string, ErrorSlug> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_content_length',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'empty_body',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  // A request whose body had not arrived by HTTP_REQUEST_TIMEOUT_MS (its connection is cut, see httpApp).
  ERR_HTTP_REQUEST_TIMEOUT: 'request_timeout',
  [CONTENT_ENCODING_REFUSED]: 'unsupported_content_encoding',
  [TOO_MANY_PIPELINED]: 'too_many_pipelined_requests',
};

/** A body sent with a Content-Encoding other than identity, refused before it is read (see httpApp). */
export function unsupportedContentEncoding(encoding: string): FastifyError {
  const message = `Content-Encoding ${JSON.stringify(encoding)} is not supported: send the body uncompressed`;
  return Object.assign(new Error(message), { statusCode: 415, code: CONTENT_ENCODING_REFUSED, name: 'UnsupportedContentEncoding' });
}

/** A request sent while `waiting` others on its connection have no answer yet, refused before it is read (see httpApp). */
export function tooManyPipelined(waiting: number): FastifyError {
  const message = `${waiting} requests sent before this one on the same connection have no answer yet: wait for answers before sending more, or open another connection`;
  return Object.assign(new Error(message), { statusCode: 429, code: TOO_MANY_PIPELINED, name: 'TooManyPipelinedRequests' });
}

/** What a request still arriving ends with when its connection is closed to make room for another client (see connectionBounds). */
export function connectionEvicted(message: string): Error {
  return Object.assign(new Error(message), { statusCode: 503, code: CONNECTION_EVICTED, name: 'ConnectionEvicted' });
}

/**
 * The status and slug an error thrown inside a request is answered with: the client's fault (4xx), a connection
 * closed for another client's sake (503 too_many_connections), or ours (500 internal_error).
 * A client error Fastify raised keeps its own status, also when its slug is the catch-all bad_request.
 */
export function describeRequestError(error: FastifyError): { status: number; slug: ErrorSlug } {
  if (error.code === CONNECTION_EVICTED) return { status: 503, slug: 'too_many_connections' };
  const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
  if (status === 413) return { status, slug: 'body_too_large' };
  if (status < 500) return { status, slug: CLIENT_ERRORS[error.code ?? ''] ?? 'bad_request' };
  return { status: 500, slug: 'internal_error' };
}
