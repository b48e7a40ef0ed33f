// A graphql-transport-ws client on a bare TCP socket, so a test can stop reading it (a subscriber that has stalled).
import { randomBytes } from 'node:crypto';
import net from 'node:net';

/** A client's text frame: masked, as RFC 6455 requires of clients. */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const length = payload.length;
  let header: Buffer;
  if (length < 126) header = Buffer.from([0x81, 0x80 | length]);
  else if (length < 65536) header = Buffer.from([0x81, 0x80 | 126, length >> 8, length & 0xff]);
  else {
    header = Buffer.from([0x81, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0, 0]);
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  const mask = randomBytes(4);
  return Buffer.concat([header, mask, payload.map((byte, i) => byte ^ mask[i % 4]!)]);
}

export interface RawGraphqlSocket {
  socket: net.Socket;
  /** Sends one graphql-transport-ws message. */
  send(message: object): void;
  /** Resolves once the bytes received so far contain `text`. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  /** Resolves when the server has ended the connection (seen only while the socket is read). */
  ended: Promise<void>;
}

/** Connects, upgrades and sends connection_init; resolves once the server has acknowledged it. */
export async function rawGraphqlSocket(baseUrl: string, connectionParams: object = {}): Promise<RawGraphqlSocket> {
  const { hostname, port } = new URL(baseUrl);
  const socket = net.connect({ host: hostname, port: Number(port) });
  socket.on('error', () => undefined); // the server cutting the socket is what some tests expect
  let received = '';
  const waiters = new Set<() => void>();
  socket.on('data', (chunk: Buffer) => {
    // Only the head of what arrives is kept: enough to find the upgrade's answer and the acknowledgement.
    if (received.length < 4096) received += chunk.toString('latin1');
    waiters.forEach((wake) => wake());
  });
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const waitFor = (text: string, timeoutMs = 10_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${JSON.stringify(text)} within ${timeoutMs} ms; received ${JSON.stringify(received)}`)), timeoutMs);
      const check = () => {
        if (!received.includes(text)) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      waiters.add(check);
      check();
    });
  const send = (message: object) => socket.write(textFrame(JSON.stringify(message)));

  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(
    `GET /graphql HTTP/1.1\r\nhost: ${hostname}:${port}\r\nupgrade: websocket\r\nconnection: Upgrade\r\n` +
      `sec-websocket-key: ${randomBytes(16).toString('base64')}\r\nsec-websocket-version: 13\r\nsec-websocket-protocol: graphql-transport-ws\r\n\r\n`,
  );
  await waitFor('HTTP/1.1 101 Switching Protocols');
  send({ type: 'connection_init', payload: connectionParams });
  await waitFor('"connection_ack"');
  return { socket, send, waitFor, ended };
}
