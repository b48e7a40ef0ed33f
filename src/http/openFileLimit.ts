// The process's open-file limit, and the default bound on HTTP connections derived from it.
import { readFileSync } from 'node:fs';

/** Descriptors kept for everything but client connections: store and read-model files, threads' pipes, outgoing sockets. */
export const RESERVED_FILES = 256;
/** The default bound never exceeds this, whatever the limit: each connection may hold a body up to the body limit. */
export const DEFAULT_MAX_CONNECTIONS_CAP = 10_000;
/** Assumed when the limit cannot be read (not Linux): the smallest soft limit in common use. */
const ASSUMED_OPEN_FILE_LIMIT = 1024;
/**
 * Below this the service would fail on its own files: at rest it holds about 160 descriptors besides its connections
 * (the log, and each read model on the connections of several threads), more while a rebuild runs.
 */
export const MIN_OPEN_FILE_LIMIT = 512;

/** The open-file limit is too low for the service to run: said before anything is opened. */
export class OpenFileLimitError extends Error {
  override name = 'OpenFileLimitError';
}

/** Refuses an open-file limit under MIN_OPEN_FILE_LIMIT, saying how to raise it; an unknown limit passes. */
export function checkOpenFileLimit(openFileLimit: number | null): void {
  if (openFileLimit === null || openFileLimit >= MIN_OPEN_FILE_LIMIT) return;
  throw new OpenFileLimitError(
    `the open-file limit is ${openFileLimit} (ulimit -n; Node raises the soft limit to the hard one), and the service keeps about 160 files open ` +
      `besides its connections: start it with a limit of at least ${MIN_OPEN_FILE_LIMIT}, 4096 or more in production ` +
      '(`ulimit -n 4096`, LimitNOFILE= in systemd, --ulimit nofile= in Docker)',
  );
}

/** The soft "Max open files" of a /proc/<pid>/limits text; null when absent or unlimited. */
export function parseOpenFileLimit(limits: string): number | null {
  const match = /^Max open files\s+(\S+)/m.exec(limits);
  if (match === null || !/^\d+$/.test(match[1]!)) return null;
  return Number(match[1]);
}

/** This process's soft open-file limit (Node raises it to the hard limit at start-up); null when unknown. */
export function readOpenFileLimit(): number | null {
  try {
    return parseOpenFileLimit(readFileSync('/proc/self/limits', 'utf8'));
  } catch {
    return null;
  }
}

/** Descriptors connections may use: the limit less RESERVED_FILES and `forwardingSockets`. */
export function connectionFileBudget(openFileLimit: number | null, forwardingSockets = 0): number {
  const limit = openFileLimit ?? ASSUMED_OPEN_FILE_LIMIT;
  return Math.max(1, limit - RESERVED_FILES - forwardingSockets);
}

/** MAX_CONNECTIONS when unset: what the open-file limit leaves for connections, at most DEFAULT_MAX_CONNECTIONS_CAP. */
export function defaultMaxConnections(openFileLimit: number | null, forwardingSockets = 0): number {
  return Math.min(DEFAULT_MAX_CONNECTIONS_CAP, connectionFileBudget(openFileLimit, forwardingSockets));
}
