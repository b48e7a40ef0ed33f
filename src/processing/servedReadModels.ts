// The query side of the read models: a connection per served file, and query services that follow a swap to a new file.
import type { Logger } from 'pino';
import type { ReadModelDatabase } from './projectionDefinition';
import type { ServingChange } from './projectionHost';
import { openForReading, QUERY_CACHE_KIB, removeFileAside } from './readModelFile';

interface Served {
  file: string;
  db: ReadModelDatabase;
  /** Query services built on `db`, rebuilt on the new connection at a swap. */
  reopen: Array<(db: ReadModelDatabase) => void>;
}

/**
 * Query services handed out here stay the same objects for their users (resolvers, the quarantine's cap), while
 * what they read moves from file to file: each call goes to the services opened on the current file.
 */
export class ServedReadModels {
  private readonly served = new Map<string, Served>();

  /** `cacheKiB`: the page cache of a read model's connections, QUERY_CACHE_KIB where it says none. */
  constructor(
    files: Record<string, string>,
    private readonly logger?: Logger,
    private readonly cacheKiB: Readonly<Record<string, number | undefined>> = {},
  ) {
    for (const [name, file] of Object.entries(files)) this.served.set(name, { file, db: this.connection(file, name), reopen: [] });
  }

  get names(): string[] {
    return [...this.served.keys()];
  }

  /** The connection a read model is served from now (tests, digests); a swap replaces it. */
  database(name: string): ReadModelDatabase {
    return this.entry(name).db;
  }

  file(name: string): string {
    return this.entry(name).file;
  }

  /** Query services of a read model that follow it to each new file. */
  queries<Q extends object>(name: string, open: (db: ReadModelDatabase) => Q): Q {
    const entry = this.entry(name);
    let current = open(entry.db);
    entry.reopen.push((db) => {
      current = open(db);
    });
    return new Proxy({} as Q, {
      get: (_target, key) => {
        const value: unknown = Reflect.get(current, key);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(current) : value;
      },
    });
  }

  /** A build was swapped in: queries move to its file; the file it replaced goes once nothing here reads it. */
  swap(change: ServingChange): void {
    const entry = this.entry(change.readModel);
    const previous = entry.file;
    if (previous !== change.file) {
      const db = this.connection(change.file, change.readModel);
      const old = entry.db;
      entry.file = change.file;
      entry.db = db;
      for (const reopen of entry.reopen) reopen(db);
      if (![...this.served.values()].some((other) => other.db === old)) old.close();
    }
    const { retired } = change;
    if (retired !== null && ![...this.served.values()].some((other) => other.file === retired)) {
      // Marked retired: should this removal not finish, the next start-up removes it.
      removeFileAside(retired).then(
        () => this.logger?.info({ readModel: change.readModel, file: retired }, `removed the replaced read-model file ${retired}`),
        (error: unknown) => this.logger?.warn({ err: error, readModel: change.readModel, file: retired }, `could not remove the replaced read-model file ${retired}`),
      );
    }
  }

  close(): void {
    for (const entry of this.served.values()) if (entry.db.open) entry.db.close();
  }

  private entry(name: string): Served {
    const entry = this.served.get(name);
    if (entry === undefined) throw new Error(`no read model ${name}`);
    return entry;
  }

  /** One connection per file: read models answering from one file (the previous layout's) share it. */
  private connection(file: string, name: string): ReadModelDatabase {
    for (const entry of this.served.values()) if (entry.file === file && entry.db.open) return entry.db;
    return openForReading(file, this.cacheKiB[name] ?? QUERY_CACHE_KIB);
  }
}
