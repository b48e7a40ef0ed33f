// `rebuild`: new read-model files built beside the live ones and swapped in, here, or by the service holding DATA_DIR.
import type { Config } from './config';
import { dataFolderHolder, DataFolderInUseError, DataFolderLock } from './dataFolder';
import type { EventStore } from './eventstore/eventStore';
import { PROGRESS_INTERVAL_MS, rebuildHere, rebuildThroughService, type BuildProgress, type RebuildResult } from './processing/rebuild';
import { rebuildOnThreads } from './processing/rebuildOnThreads';
import { describePace, slowestBuild, type PaceMark } from './processing/rebuildPace';
import { PROJECTIONS, READ_MODELS } from './readmodels';
import { eventsFile, legacyReadModelFile, openEventStore, readModelsRoot, requireEventLog } from './ledger/openLedger';

/** How long a running service has to take a rebuild request: it looks for them twice a second. */
const REBUILD_ANSWER_TIMEOUT_MS = 10_000;

function printRebuilt(result: RebuildResult): void {
  const perSecond = Math.round(result.eventsApplied / Math.max(result.durationMs / 1000, 0.001));
  process.stdout.write(
    `rebuilt: ${result.eventsApplied} events in ${(result.durationMs / 1000).toFixed(2)} s (${perSecond} events/s), ` +
      `position ${result.position}, digest ${result.digest}\n`,
  );
}

/** `sessions at 120000`, and once it has replayed the log, what it is doing: `(live)`, `(digesting)`. */
const describeProgress = ({ readModel, position, phase }: BuildProgress): string => `${readModel} at ${position}${phase === 'building' ? '' : ` (${phase})`}`;

/**
 * Prints where the builds stand against the log's head: positions every PROGRESS_INTERVAL_MS at most, a build's next
 * phase at once (a rebuild of a large log takes minutes, its digest minutes more), and while any replays the log, the
 * pace of the slowest and about how long it has left. The head is read once before the first line, then refreshed
 * beside each.
 */
export async function progressPrinter(
  store: Pick<EventStore, 'headPosition'>,
  write: (line: string) => void = (line) => process.stdout.write(line),
  clock: () => number = () => performance.now(),
): Promise<(progress: BuildProgress[]) => void> {
  let head = await store.headPosition();
  let lastLine = -Infinity;
  let lastPhases = '';
  let firstMark: PaceMark | null = null;
  return (progress) => {
    // A build that moves on (swapped in, digesting) is said at once; positions at most every interval.
    const phases = progress.map((p) => p.phase).join();
    const now = clock();
    if (phases === lastPhases && now - lastLine < PROGRESS_INTERVAL_MS) return;
    lastPhases = phases;
    lastLine = now;
    void store.headPosition().then((h) => (head = h), () => undefined);
    const mark = slowestBuild(progress, now);
    firstMark ??= mark;
    const pace = mark === null || firstMark === null ? null : describePace(firstMark, mark, head);
    write(`rebuild: ${progress.map(describeProgress).join(', ')} of ${head}${pace === null ? '' : `: ${pace}`}\n`);
  };
}

/** A running service holds DATA_DIR: it builds, this command follows the new files and the log's head until they are live. */
async function rebuildThroughRunningService(config: Config, names: string[], pid: number): Promise<void> {
  const store = await openEventStore(config, undefined, { checkIntegrity: false });
  try {
    await storeInReach(store);
    const onProgress = await progressPrinter(store);
    const label = names.length === 0 ? 'every read model' : names.join(', ');
    process.stdout.write(`asking the running service (pid ${pid}) to rebuild ${label} beside the live read models ...\n`);
    const result = await rebuildThroughService({
      root: readModelsRoot(config),
      definitions: PROJECTIONS,
      names,
      answerTimeoutMs: REBUILD_ANSWER_TIMEOUT_MS,
      serviceRunning: () => dataFolderHolder(config.dataDir)?.pid === pid && processAlive(pid),
      onProgress,
    });
    printRebuilt(result);
  } finally {
    await store.close();
  }
}

/** A build reads the whole log: with the store out of reach it would wait for ever, so it is refused at once. */
async function storeInReach(store: EventStore): Promise<void> {
  try {
    await store.checkHealth();
  } catch (error) {
    throw new Error(`cannot rebuild: the event store is out of reach (${error instanceof Error ? error.message : String(error)}); nothing was rebuilt`);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Rebuilds the named read models (all when none is named); throws, with the reason, when refused or failed. */
export async function rebuildReadModels(config: Config, names: string[]): Promise<void> {
  const unknown = names.filter((name) => !(name in READ_MODELS));
  if (unknown.length > 0) throw new Error(`unknown read model ${unknown.join(', ')}; the read models are ${Object.keys(READ_MODELS).join(', ')}`);
  requireEventLog(config, 'to rebuild from');
  let lock: DataFolderLock;
  try {
    lock = DataFolderLock.take(config.dataDir, 'rebuild');
  } catch (error) {
    // A running service builds beside the files it serves; another rebuild, or a holder that says nothing, is refused.
    const holder = dataFolderHolder(config.dataDir);
    if (!(error instanceof DataFolderInUseError) || holder?.command !== 'serve') throw error;
    return rebuildThroughRunningService(config, names, holder.pid);
  }
  // A service let in beside a rebuild would build the same files: the rebuild leaves, as it does on Ctrl-C.
  lock.keep(({ outcome, message }) => {
    process.stderr.write(`${message}\n`);
    if (outcome === 'lost') process.exit(1);
  });
  try {
    const store = await openEventStore(config);
    try {
      await storeInReach(store);
      const root = readModelsRoot(config);
      process.stdout.write(`rebuilding ${names.length === 0 ? 'every read model' : names.join(', ')} in ${root} from ${store.description} ...\n`);
      const chosen = names.length === 0 ? Object.keys(READ_MODELS) : names;
      const legacyFile = legacyReadModelFile(config);
      const onProgress = await progressPrinter(store);
      // The embedded log can be read by several threads at once: each builds a share of the read models on a core of its own.
      const result =
        config.eventStoreConnectionString === null && legacyFile === null && config.rebuildThreads > 1 && chosen.length > 1
          ? await rebuildOnThreads({ eventsFile: eventsFile(config), root, definitions: PROJECTIONS, names: chosen, threads: config.rebuildThreads, onProgress })
          : await rebuildHere(store, { root, definitions: PROJECTIONS, names: chosen, legacyFile, onProgress });
      printRebuilt(result);
    } finally {
      await store.close();
    }
  } finally {
    lock.release();
  }
}
