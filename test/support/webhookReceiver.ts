// A webhook receiver on loopback for forwarding tests: records every request and answers as the test scripts it (or never, or not at all).
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Date.now() when the whole request had arrived. */
  at: number;
}

/** How to answer one request: a status (with headers and body, after delayMs), `hang` (never answer), or `drop` (close the socket). */
export type Answer = { status: number; headers?: Record<string, string>; body?: string; delayMs?: number } | 'hang' | 'drop';
export type Responder = (request: ReceivedRequest, index: number) => Answer;

export interface WebhookReceiver {
  readonly url: string;
  readonly port: number;
  readonly received: ReceivedRequest[];
  /** Changes how later requests are answered. */
  answerWith(responder: Responder): void;
  /** Resolves when `predicate` holds for what was received, checked on every arrival; rejects after timeoutMs. */
  waitFor(predicate: (received: ReceivedRequest[]) => boolean, timeoutMs?: number): Promise<void>;
  /** Goes down: closes the listener and every connection. */
  stop(): Promise<void>;
  /** Comes back on the same port. */
  restart(): Promise<void>;
}

export async function startReceiver(responder: Responder = () => ({ status: 200 }), path = '/hook'): Promise<WebhookReceiver> {
  const received: ReceivedRequest[] = [];
  const waiters = new Set<() => void>();
  let answer = responder;
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry: ReceivedRequest = { path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks), at: Date.now() };
      received.push(entry);
      const reply = answer(entry, received.length - 1);
      waiters.forEach((check) => check());
      if (reply === 'hang') return;
      if (reply === 'drop') return void request.socket.destroy();
      const send = () => response.writeHead(reply.status, reply.headers).end(reply.body ?? '');
      if (reply.delayMs === undefined) send();
      else setTimeout(send, reply.delayMs);
    });
  });
  server.keepAliveTimeout = 5_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  const port = await listen(0);

  return {
    url: `http://127.0.0.1:${port}${path}`,
    port,
    received,
    answerWith(next) {
      answer = next;
    },
    waitFor(predicate, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(received)) return;
          cleanup();
          resolve();
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`receiver: condition not met within ${timeoutMs} ms (${received.length} requests received)`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      sockets.forEach((socket) => socket.destroy());
      await closed;
    },
    async restart() {
      await listen(port);
    },
  };
}
