// Loopback TCP: stand-ins for an unreachable store (a port nothing listens on, a server that never answers), and raw client connections.
import net, { type AddressInfo } from 'node:net';

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

const closeServer = (server: net.Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

/** A port nothing listens on: bound for a moment, then released. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await closeServer(server);
  return port;
}

/** A TCP server that accepts connections and never sends a byte, so HTTP/2 and gRPC calls over it hang. */
export async function blackHole() {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server);
  return {
    port,
    connectionCount: () => sockets.size,
    async close() {
      for (const socket of sockets) socket.destroy();
      await closeServer(server);
    },
  };
}
export type BlackHole = Awaited<ReturnType<typeof blackHole>>;

/**
 * A raw TCP connection to a service on loopback, recording what it answers and when the service ends (FIN) or
 * closes it. With `allowHalfOpen`, it does not close its own side when the service ends: a client that stays; with
 * `from`, it connects from that local address.
 */
export function rawConnection(serviceUrl: string, options: { allowHalfOpen?: boolean; from?: string } = {}) {
  const socket = net.connect({
    port: Number(new URL(serviceUrl).port),
    host: '127.0.0.1',
    allowHalfOpen: options.allowHalfOpen ?? false,
    // Another loopback address (127.0.0.2) is another client to the service.
    ...(options.from === undefined ? {} : { localAddress: options.from }),
  });
  let received = '';
  let isClosed = false;
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((waiter) => waiter());
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
    wake();
  });
  socket.on('error', () => undefined);
  const ended = new Promise<void>((resolve) => socket.on('end', () => resolve()));
  const closed = new Promise<void>((resolve) =>
    socket.on('close', () => {
      isClosed = true;
      wake();
      resolve();
    }),
  );
  return {
    socket,
    /** The service ended its side (its FIN arrived). */
    ended,
    closed,
    received: () => received,
    /** Waits until the answer so far matches; fails when the connection closes first. */
    async waitFor(pattern: RegExp): Promise<void> {
      while (!pattern.test(received)) {
        if (isClosed) throw new Error(`closed before ${pattern} arrived; received: ${JSON.stringify(received.slice(0, 500))}`);
        await new Promise<void>((resolve) => {
          const waiter = () => (waiters.delete(waiter), resolve());
          waiters.add(waiter);
        });
      }
    },
  };
}
export type RawConnection = ReturnType<typeof rawConnection>;

/** Whether `promise` settles within `ms` (without keeping the process alive for the rest). */
export const settlesWithin = (promise: Promise<unknown>, ms: number): Promise<boolean> =>
  Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(resolve, ms, false).unref())]);
