// One JSON shape for every rejection: the HTTP status, a stable error slug, and what was wrong.
import type { FastifyReply } from 'fastify';

export interface ErrorBody {
  code: number;
  error: string;
  message: string;
}

export function sendError(reply: FastifyReply, status: number, error: string, message: string): FastifyReply {
  const body: ErrorBody = { code: status, error, message };
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}
