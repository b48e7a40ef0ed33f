// The ledger: the event store and the read models' processors, on threads of their own (embedded store) or in-process (EventStoreDB).
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { ensureDataFolder } from '../dataFolder';
import { withDeadline } from '../eventstore/deadline';
import type { EventStore } from '../eventstore/eventStore';
import { readLogAtStart } from '../eventstore/logAtStart';
import { SqliteEventStore } from '../eventstore/sqlite/sqliteEventStore';
import { SqliteWriterThread } from '../eventstore/sqlite/sqliteWriterThread';
import { forwardingFile } from '../forwarding/forwardingDb';
import { ProjectionHost } from '../processing/projectionHost';
import type { ProjectionsView } from '../processing/projectionsView';
import { PROJECTIONS } from '../readmodels';
import { ProjectorThread } from './projectorThread';
import { WalCheckpoints } from './walCheckpoints';

/** The read models live in files of their own beside (not inside) the embedded store, one folder each, whatever the store. */
export const readModelsRoot = (config: Pick<Config, 'dataDir'>): string => path.join(config.dataDir, 'readmodels');

/** The previous layout's one file of read models, when there is one: it answers until each read model is built anew. */
export function legacyReadModelFile(config: Pick<Config, 'dataDir'>): string | null {
  const file = path.join(config.dataDir, 'readmodels.db');
  return existsSync(file) ? file : null;
}

export const eventsFile = (config: Pick<Config, 'dataDir'>): string => path.join(config.dataDir, 'events.db');

/**
 * Refuses a command that reads the embedded log when there is none: it would create DATA_DIR and an empty log, and a
 * mistyped DATA_DIR would answer "0 callbacks" instead of saying so. `toDo` ends "there is no event log ...".
 */
export function requireEventLog(config: Pick<Config, 'dataDir' | 'eventStoreConnectionString'>, toDo: string): void {
  if (config.eventStoreConnectionString !== null) return;
  const file = eventsFile(config);
  if (!existsSync(file)) throw new Error(`there is no event log ${toDo}: ${file} does not exist (is DATA_DIR the service's data folder?)`);
}

/** `checkIntegrity: false` for a command that only follows a service's progress: the service checked the file. */
export async function openEventStore(config: Config, logger?: Logger, options: { checkIntegrity?: boolean } = {}): Promise<EventStore> {
  if (config.eventStoreConnectionString !== null) {
    // Loaded only here: the gRPC client and its generated protocol cost the embedded store's service ~5 MB it never uses.
    const { EventStoreDbEventStore } = require('../eventstore/eventstoredb/eventStoreDbEventStore') as typeof import('../eventstore/eventstoredb/eventStoreDbEventStore');
    return EventStoreDbEventStore.connect(config.eventStoreConnectionString, {
      appendTimeoutMs: config.appendTimeoutMs,
      ...(logger === undefined ? {} : { logger }),
    });
  }
  ensureDataFolder(config.dataDir);
  return SqliteEventStore.open(eventsFile(config), { checkIntegrity: options.checkIntegrity ?? true });
}

export interface Ledger {
  store: EventStore;
  projections: ProjectionsView;
  /** Stops the processors (checkpoints persisted) and closes the store. */
  close(): Promise<void>;
}

/** How long start-up waits for where EventStoreDB's log stands, to compare the read models with: out of reach, they are not. */
const HEAD_AT_START_MS = 2_000;

/**
 * The embedded store writes on a thread of its own and the read models are projected on another, so SQLite's
 * synchronous work never holds up the thread that answers callbacks. With EventStoreDB, appends are network I/O and the projector runs on this thread.
 */
export async function openLedger(config: Config, logger: Logger): Promise<Ledger> {
  if (config.eventStoreConnectionString === null) {
    const files = {
      eventsFile: eventsFile(config),
      readModelsRoot: readModelsRoot(config),
      legacyFile: legacyReadModelFile(config),
      checkpointedAlongside: [forwardingFile(config.dataDir)],
    };
    ensureDataFolder(config.dataDir);
    const store = await SqliteWriterThread.start(files.eventsFile, { logger, appendTimeoutMs: config.appendTimeoutMs });
    let projector: ProjectorThread;
    try {
      projector = await ProjectorThread.start({ ...files, buildNiceness: config.buildNiceness, backgroundNiceness: config.backgroundNiceness }, logger);
    } catch (error) {
      await store.close();
      throw error;
    }
    return {
      store,
      projections: projector,
      // Appends stop first; the projector then applies whatever was committed before it leaves its checkpoints.
      close: async () => {
        await store.close();
        await projector.shutdown();
      },
    };
  }
  const store = await openEventStore(config, logger);
  let host: ProjectionHost;
  try {
    host = new ProjectionHost({
      store,
      definitions: PROJECTIONS,
      root: readModelsRoot(config),
      legacyFile: legacyReadModelFile(config),
      logAtStart: await withDeadline(HEAD_AT_START_MS, () => readLogAtStart(store)).catch(() => null),
      logger,
      answerRequests: true,
      buildWrites: 'steady',
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  host.start();
  await host.settled(1000);
  const checkpoints = new WalCheckpoints({ eventsFile: null, readModelsRoot: readModelsRoot(config), checkpointedAlongside: [forwardingFile(config.dataDir)] }, logger);
  return {
    store,
    projections: host,
    close: async () => {
      await checkpoints.stop();
      await host.stop();
      await store.close();
    },
  };
}
