// A turn's WebSocket messages leave in one write to the TCP socket: on a bare ws server, and to a subscriber of the service.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { TurnWebSocket, UNSENT_BYTES_NOT_WAITED } from '../../src/graphql/turnWebSocket';
import { eventually } from '../support/forwardingLog';
import { waitForSubscribers } from '../support/graphqlClient';
import { rawGraphqlSocket } from '../support/rawWebSocket';
import { postCallback, useTestService } from '../support/testService';

type Writes = { _write: (...args: unknown[]) => void; _writev?: (...args: unknown[]) => void };

/** Counts the writes the stream hands to its socket (each is a system call): `_write` for one chunk, `_writev` for a corked run. */
function countWrites(stream: net.Socket): { readonly count: number } {
  const writes = stream as unknown as Writes;
  const counter = { count: 0 };
  const write = writes._write.bind(stream);
  const writev = writes._writev?.bind(stream);
  writes._write = (...args) => {
    counter.count++;
    write(...args);
  };
  if (writev !== undefined) {
    writes._writev = (...args) => {
      counter.count++;
      writev(...args);
    };
  }
  return counter;
}

/** A loopback ws server of `WebSocketClass` whose one connection is given to the test with its TCP socket. */
async function serverWith(WebSocketClass: typeof WebSocket) {
  const server = http.createServer();
  const webSockets = new WebSocketServer({ noServer: true, WebSocket: WebSocketClass });
  const accepted = new Promise<{ socket: WebSocket; writes: { readonly count: number } }>((resolve) => {
    server.on('upgrade', (request, transport: net.Socket, head) =>
      webSockets.handleUpgrade(request, transport, head, (socket) => {
        if (socket instanceof TurnWebSocket) socket.writesThrough(transport);
        resolve({ socket, writes: countWrites(transport) });
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const messages: string[] = [];
  client.on('message', (data) => messages.push(String(data)));
  await new Promise((resolve) => client.once('open', resolve));
  const { socket, writes } = await accepted;
  const received = async (count: number) => {
    await eventually(() => messages.length >= count, `${count} messages received`, 10_000);
    return messages;
  };
  const close = async () => {
    client.terminate();
    webSockets.close();
    await new Promise((resolve) => server.close(resolve));
  };
  return { socket, writes, client, received, close };
}

describe('TurnWebSocket', () => {
  it('writes the messages sent in one turn to its TCP socket at once, in order, where ws writes each alone', async () => {
    for (const [WebSocketClass, writesExpected] of [
      [TurnWebSocket, 1],
      [WebSocket, 20],
    ] as const) {
      const { socket, writes, received, close } = await serverWith(WebSocketClass);
      try {
        const before = writes.count;
        for (let i = 0; i < 20; i++) socket.send(`message ${i}`);
        expect(await received(20)).toEqual(Array.from({ length: 20 }, (_, i) => `message ${i}`));
        expect(writes.count - before).toBe(writesExpected);
      } finally {
        await close();
      }
    }
  });

  it(`tells the sender a message is written at once while ${UNSENT_BYTES_NOT_WAITED / 1024} KB or less are unsent, and past that once it is`, async () => {
    const { socket, client, received, close } = await serverWith(TurnWebSocket);
    try {
      const message = 'x'.repeat(16 * 1024);
      const told: number[] = [];
      for (let i = 0; i < 8; i++) socket.send(message, () => told.push(i));
      // Three 16 KB frames (with their headers) are within 64 KB; the fourth is past it.
      expect(told).toEqual([0, 1, 2]);
      expect(await received(8)).toHaveLength(8);
      await eventually(() => told.length === 8, 'every sender told', 10_000);
      expect(told).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);

      // A peer that stops reading: the sender is not told of what the kernel cannot take.
      client.pause();
      const stalled: number[] = [];
      for (let i = 0; i < 400; i++) socket.send(message, () => stalled.push(i));
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(stalled.length).toBeLessThan(400);
      expect(socket.bufferedAmount).toBeGreaterThan(UNSENT_BYTES_NOT_WAITED);
    } finally {
      await close();
    }
  });
});

describe("a subscriber of the service's callbacks", () => {
  const fixture = useTestService();

  it('receives the messages of callbacks stored together in fewer writes than messages', async () => {
    const subscriber = await rawGraphqlSocket(fixture.service.url);
    try {
      let text = '';
      subscriber.socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      const nexts = () => text.split('"type":"next"').length - 1;
      subscriber.send({ id: '1', type: 'subscribe', payload: { query: 'subscription { callbackReceived { id } }' } });
      await waitForSubscribers(fixture.service, 1);

      // The service's side of this subscriber's connection, found by its ports.
      const ownSocket = (socket: unknown): socket is net.Socket =>
        socket instanceof net.Socket && socket.remotePort === subscriber.socket.localPort && socket.localPort === subscriber.socket.remotePort;
      let writes = 0;
      const prototype = net.Socket.prototype as unknown as Writes;
      const { _write: write, _writev: writev } = prototype;
      prototype._write = function (this: unknown, ...args: unknown[]) {
        if (ownSocket(this)) writes++;
        return write.apply(this, args);
      };
      prototype._writev = function (this: unknown, ...args: unknown[]) {
        if (ownSocket(this)) writes++;
        return writev!.apply(this, args);
      };
      try {
        const posted = await Promise.all(
          Array.from({ length: 40 }, (_, i) => postCallback(fixture.service.url, { event_type: 1, sequence: String(7_100 + i), stream_id: `turns-${i}`, event_time: 1_700_000_000 })),
        );
        expect(posted.map((answer) => answer.status)).toEqual(posted.map(() => 200));
        await eventually(() => nexts() >= 40, 'forty messages', 10_000);
      } finally {
        prototype._write = write;
        prototype._writev = writev;
      }
      expect(nexts()).toBe(40);
      // Forty messages; a write each before.
      expect(writes).toBeLessThanOrEqual(20);
      expect(writes).toBeGreaterThan(0);
    } finally {
      subscriber.socket.destroy();
    }
  });
});
