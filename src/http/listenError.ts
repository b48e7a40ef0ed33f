// An address the service cannot listen on: said in one line naming HOST and PORT, as the other refusals at start-up are.
export class ListenError extends Error {
  override name = 'ListenError';
}

/** What the operating system's refusals mean to whoever set HOST and PORT. */
const REASONS: Record<string, string> = {
  EADDRINUSE: 'another process listens there',
  EADDRNOTAVAIL: 'no interface of this machine has that address',
  EACCES: 'this user may not listen on that port',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved (the name service did not answer)',
};

/** The refusal as a ListenError, or the error itself when it is not one of the address's. */
export function listenRefusal(error: unknown, host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const reason = code === undefined ? undefined : REASONS[code];
  if (reason === undefined) return error;
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new ListenError(`cannot listen on ${address} (HOST, PORT): ${code}, ${reason}`);
}
