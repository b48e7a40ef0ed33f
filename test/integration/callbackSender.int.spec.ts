import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendCallbacks, type CallbackAnswer } from '../../src/simulation/callbackSender';
import type { OutgoingCallback } from '../../src/simulation/simulatedCallbacks';

/** A loopback HTTP server whose answers the test decides, counting what reaches it. */
async function stubServer(answer: (request: http.IncomingMessage, response: http.ServerResponse, seen: number) => void) {
  let seen = 0;
  let open = 0;
  let mostOpen = 0;
  const server = http.createServer((request, response) => {
    open++;
    mostOpen = Math.max(mostOpen, open);
    response.on('finish', () => open--);
    request.resume();
    request.on('end', () => answer(request, response, ++seen));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen: () => seen,
    mostOpen: () => mostOpen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function* numbered(): Generator<OutgoingCallback> {
  for (let i = 0; ; i++) yield { path: '/callbacks', body: JSON.stringify({ event_type: 1, sequence: String(i) }) };
}

const ok = (response: http.ServerResponse) => response.writeHead(200, { 'callback-stored': 'new', 'callback-event-id': 'id' }).end('{"code":0}');

describe('the callback sender (real HTTP on loopback)', () => {
  it('retries a callback answered 503 once its Retry-After has passed, and counts the retry', async () => {
    const server = await stubServer((request, response, seen) => {
      if (seen % 2 === 1) response.writeHead(503, { 'retry-after': '0', 'content-type': 'application/json' }).end('{"code":503,"error":"overloaded","message":"busy"}');
      else ok(response);
    });
    const answers: CallbackAnswer[] = [];
    try {
      const report = await sendCallbacks(numbered(), {
        url: server.url,
        rate: 200,
        durationMs: 5000,
        count: 5,
        maxInFlight: 1,
        maxRetries: 3,
        onAnswer: (answer) => answers.push(answer),
      });
      expect(report).toMatchObject({ sent: 5, attempts: 10, retries: 5, stoppedBy: 'count' });
      const finals = answers.filter((a) => a.final);
      expect(finals.map((a) => [a.slot, a.attempt, a.status])).toEqual([0, 1, 2, 3, 4].map((slot) => [slot, 2, 200]));
      expect(answers.filter((a) => !a.final).every((a) => a.status === 503 && a.error === 'overloaded')).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('sends a callback again when the kept-alive connection it went out on was closed under it, and only then', async () => {
    // The second request comes on the connection the first left open; the server drops it unanswered, as a server
    // closing an idle connection at that moment does.
    const server = await stubServer((request, response, seen) => (seen === 2 ? request.socket.destroy() : ok(response)));
    const answers: CallbackAnswer[] = [];
    try {
      const report = await sendCallbacks(numbered(), { url: server.url, rate: 200, durationMs: 5000, count: 3, maxInFlight: 1, maxRetries: 0, onAnswer: (a) => answers.push(a) });
      expect(report).toMatchObject({ sent: 3, retries: 0 });
      expect(answers.map((a) => [a.slot, a.status, a.error])).toEqual([
        [0, 200, null],
        [1, 200, null],
        [2, 200, null],
      ]);
      expect(server.seen()).toBe(4);
    } finally {
      await server.close();
    }
    // On a fresh connection the same failure is the answer: nothing was kept open to go stale.
    const dropping = await stubServer((request) => request.socket.destroy());
    const dropped: CallbackAnswer[] = [];
    try {
      await sendCallbacks(numbered(), { url: dropping.url, rate: 200, durationMs: 5000, count: 1, maxInFlight: 1, maxRetries: 0, onAnswer: (a) => dropped.push(a) });
      expect(dropped.map((a) => [a.status, a.error])).toEqual([[0, 'ECONNRESET']]);
      expect(dropping.seen()).toBe(1);
    } finally {
      await dropping.close();
    }
  });

  it('gives up after the allowed retries; the last 503 is the outcome', async () => {
    const server = await stubServer((_request, response) => response.writeHead(503, { 'retry-after': '0' }).end('{"error":"store_unavailable"}'));
    const answers: CallbackAnswer[] = [];
    try {
      const report = await sendCallbacks(numbered(), {
        url: server.url,
        rate: 100,
        durationMs: 5000,
        count: 2,
        maxInFlight: 4,
        maxRetries: 2,
        onAnswer: (answer) => answers.push(answer),
      });
      expect(report).toMatchObject({ sent: 2, attempts: 6, retries: 4 });
      expect(answers.filter((a) => a.final).map((a) => [a.attempt, a.status, a.error])).toEqual([
        [3, 503, 'store_unavailable'],
        [3, 503, 'store_unavailable'],
      ]);
    } finally {
      await server.close();
    }
  });

  it('never has more requests open than its in-flight cap, however slow the server', async () => {
    const server = await stubServer((_request, response) => setTimeout(() => ok(response), 100));
    try {
      const report = await sendCallbacks(numbered(), { url: server.url, rate: 1000, durationMs: 600, maxInFlight: 3, maxRetries: 0 });
      expect(server.mostOpen()).toBe(3);
      // Held back by the cap: far fewer than the 600 the schedule asked for, and nothing left over.
      expect(report.sent).toBeLessThan(100);
      expect(report.stoppedBy).toBe('duration');
      expect(server.seen()).toBe(report.sent);
    } finally {
      await server.close();
    }
  });

  it('reports a refused connection as status 0 with its code, without retrying it', async () => {
    const server = await stubServer((_request, response) => ok(response));
    const url = server.url;
    await server.close();
    const answers: CallbackAnswer[] = [];
    const report = await sendCallbacks(numbered(), { url, rate: 100, durationMs: 1000, count: 2, maxInFlight: 2, maxRetries: 3, onAnswer: (a) => answers.push(a) });
    expect(report).toMatchObject({ sent: 2, attempts: 2, retries: 0 });
    expect(answers.map((a) => [a.status, a.error, a.final])).toEqual([
      [0, 'ECONNREFUSED', true],
      [0, 'ECONNREFUSED', true],
    ]);
  });
});
