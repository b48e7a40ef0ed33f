// Forwarding running: its state file, and each destination as a processor of the log with its own checkpoint.
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { readLogAtStart } from '../eventstore/logAtStart';
import { fileIdentity, firstChanged, openedFiles } from '../eventstore/sqlite/fileIdentity';
import type { RecordedEvent } from '../eventstore/eventStore';
import { FatalProcessingError, Processor, type BatchHandler, type LogSource } from '../processing/processor';
import { ForwarderStoppedError, type DestinationForwarder } from './destinationForwarder';
import { shownUrl, type ForwardConfig } from './forwardConfig';
import { openForwarding, type Forwarding } from './forwarding';
import {
  InvalidReplayRangeError,
  UnknownDestinationError,
  type DeliveryPageView,
  type DestinationView,
  type ForwardingControl,
} from './forwardingControl';
import type { ForwardingMetrics } from './forwardingMetrics';
import type { ReplayRange } from './logReader';

export interface ForwardingRuntimeOptions {
  source: LogSource;
  /** The state file, DATA_DIR/forwarding/forwarding.db. */
  file: string;
  config: ForwardConfig;
  logger: Logger;
  metrics?: ForwardingMetrics;
  /** How long in-flight deliveries may take to finish at shutdown. */
  shutdownGraceMs: number;
}

/** Events a destination's processor hands over at once: its window (maxPending) bounds what is held beyond. */
const BATCH_SIZE = 256;
/**
 * Each batch is one intake transaction: at a thousand callbacks a second, batches of one or two events made the
 * forwarding thread spend its time committing, and the window filled. A few ms of gathering divides the commits.
 */
const GATHER_MS = 5;

/** The destination's forwarder as the processor's handler: a stopped forwarder ends its processor instead of being retried. */
function batchHandler(forwarder: DestinationForwarder, stopping: () => boolean): BatchHandler {
  return {
    checkpoint: () => forwarder.checkpoint(),
    async handle(events) {
      try {
        await forwarder.handle(events as RecordedEvent[]);
      } catch (error) {
        if (!(error instanceof ForwarderStoppedError)) throw error;
        // At shutdown the checkpoint stays where it is: the events come again at the next start.
        if (stopping()) return;
        throw new FatalProcessingError(error.message);
      }
    },
  };
}

/** Forwarding on one opening of the state file; closing it may first copy the state to a new file. */
type ForwardingRun = Omit<ForwardingControl, 'close'> & { close(copyTo?: string): Promise<void> };

/** How often the state file is checked for being the one forwarding opened. */
const STATE_FILE_CHECK_MS = 1_000;

/**
 * Forwarding, following its state file: the file (or its WAL) deleted or moved while the service runs would take every
 * checkpoint and pending delivery with it at the next start (a destination would begin at the log's head), so within a
 * second the state is written back in place from the open connection and forwarding goes on from it. A file put in
 * its place is the operator's: forwarding goes on from that one.
 */
export async function startForwardingRuntime(options: ForwardingRuntimeOptions): Promise<ForwardingControl> {
  const { file, logger } = options;
  let run: ForwardingRun | null = await runForwarding(options);
  let opened = openedFiles(file);
  let failure: Error | null = null;
  // A restoration, then a close, one after the other: calls meanwhile wait for the forwarding that follows.
  let changing: Promise<void> = Promise.resolve();
  let closed = false;

  const follow = async (): Promise<void> => {
    if (closed) return;
    // Gone (or its companions): its state is this connection's to write back; another file in its place is the operator's.
    const now = fileIdentity(file);
    const copy = now === null || now === opened.find(({ path: at }) => at === file)?.identity;
    if (copy) logger.error({ file }, `${file} (or its WAL, or its index) was deleted or moved while the service ran: writing forwarding's state back in place`);
    else logger.error({ file }, `${file} was replaced while the service ran: forwarding goes on from the file now in place`);
    const restoring = `${file}.restoring`;
    try {
      const closing = run!;
      run = null;
      if (copy) {
        // Its folder, not DATA_DIR: a DATA_DIR deleted whole is not brought back as forwarding's state alone.
        if (!fs.existsSync(path.dirname(file))) fs.mkdirSync(path.dirname(file));
        fs.rmSync(restoring, { force: true });
      }
      await closing.close(copy ? restoring : undefined);
      if (copy) {
        // The WAL and index of the file gone are not this copy's.
        for (const companion of ['-wal', '-shm']) fs.rmSync(`${file}${companion}`, { force: true });
        fs.renameSync(restoring, file);
      }
      run = await runForwarding(options);
      opened = openedFiles(file);
      logger.warn({ file }, 'forwarding goes on from its state file in place');
    } catch (error) {
      failure = new Error(`forwarding stopped: its state could not be ${copy ? 'written back to' : 'opened at'} ${file} (${error instanceof Error ? error.message : String(error)}); restart the service`);
      logger.error({ err: error, file }, failure.message);
    }
  };
  const checking = setInterval(() => {
    if (run === null || firstChanged(opened) === undefined) return;
    changing = changing.then(follow);
  }, STATE_FILE_CHECK_MS);
  checking.unref();

  const current = async (): Promise<ForwardingRun> => {
    await changing;
    if (run === null) throw failure ?? new Error('forwarding is closed');
    return run;
  };
  return {
    destinations: async () => (await current()).destinations(),
    deliveries: async (...args) => (await current()).deliveries(...args),
    pause: async (destination) => (await current()).pause(destination),
    resume: async (destination) => (await current()).resume(destination),
    replay: async (destination, range) => (await current()).replay(destination, range),
    redeliverDeadLetters: async (destination) => (await current()).redeliverDeadLetters(destination),
    async close() {
      clearInterval(checking);
      if (closed) return;
      closed = true;
      await changing;
      const closing = run;
      run = null;
      await closing?.close();
    },
  };
}

async function runForwarding(options: ForwardingRuntimeOptions): Promise<ForwardingRun> {
  const { source, config, logger } = options;
  const log = await readLogAtStart(source);
  const forwarding: Forwarding = openForwarding({
    file: options.file,
    config,
    reader: source,
    logHead: log.head,
    logFirstEvent: log.firstEvent,
    logger,
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
  });
  let stopping = false;
  const processors = forwarding.destinations.map(
    (forwarder) =>
      new Processor(source, batchHandler(forwarder, () => stopping), {
        name: `forward:${forwarder.name}`,
        logger: logger.child({ destination: forwarder.name }),
        batchSize: BATCH_SIZE,
        gatherMs: GATHER_MS,
      }),
  );
  forwarding.start();
  for (const processor of processors) processor.start();
  const byName = new Map(config.destinations.map((destination) => [destination.name, destination]));
  logger.info({ destinations: [...byName.keys()], file: options.file }, `forwarding to ${byName.size} destination(s)`);

  const forwarderOf = (name: string): DestinationForwarder => {
    const forwarder = forwarding.destination(name);
    if (forwarder === undefined) throw new UnknownDestinationError(`no destination is named ${JSON.stringify(name)}; FORWARD_CONFIG names ${[...byName.keys()].join(', ')}`);
    return forwarder;
  };
  const view = async (forwarder: DestinationForwarder): Promise<DestinationView> => {
    const status = forwarder.status(await source.headPosition());
    const destination = byName.get(forwarder.name)!;
    return { ...status, url: shownUrl(destination.url), format: destination.format, paused: status.state === 'paused', group: null, deliveredCount: null };
  };

  return {
    destinations: () => Promise.all(forwarding.destinations.map(view)),
    async deliveries(destination, filter, first, after): Promise<DeliveryPageView> {
      forwarderOf(destination);
      const page = forwarding.log.list(destination, filter, first, after);
      return {
        deliveries: page.edges.map(({ cursor, row }) => ({ ...row, cursor, attemptLog: forwarding.log.attempts(row.id) })),
        hasNextPage: page.hasNextPage,
        hasPreviousPage: page.hasPreviousPage(),
        startCursor: page.startCursor,
        endCursor: page.endCursor,
        totalCount: page.totalCount(),
      };
    },
    async pause(destination) {
      const forwarder = forwarderOf(destination);
      forwarder.pause();
      return view(forwarder);
    },
    async resume(destination) {
      const forwarder = forwarderOf(destination);
      forwarder.resume();
      return view(forwarder);
    },
    async replay(destination, range) {
      const forwarder = forwarderOf(destination);
      checkRange(range);
      const result = await forwarder.replay(range);
      logger.info({ destination, offered: result.offered }, 'replay offered');
      return result;
    },
    async redeliverDeadLetters(destination) {
      const result = await forwarderOf(destination).redeliverDeadLetters();
      logger.info({ destination, redelivered: result.redelivered }, 'dead letters put back');
      return result;
    },
    async close(copyTo) {
      stopping = true;
      await Promise.all([...processors.map((processor) => processor.stop()), forwarding.close(options.shutdownGraceMs, copyTo)]);
    },
  };
}

function checkRange(range: ReplayRange): void {
  if ('fromPosition' in range) {
    if (range.fromPosition < 1n || range.toPosition < range.fromPosition) {
      throw new InvalidReplayRangeError('fromPosition must be at least 1 and toPosition at least fromPosition');
    }
  } else if (Number.isNaN(range.from.getTime()) || Number.isNaN(range.to.getTime()) || range.to <= range.from) {
    throw new InvalidReplayRangeError('to must be after from');
  }
}
