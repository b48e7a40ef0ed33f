// Loopback TCP stand-ins for an unreachable store: a port nothing listens on, a server that never answers.
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
