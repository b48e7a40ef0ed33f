// Forwarding running: its state file, and each destination as a processor of the log with its own checkpoint.
import type { Logger } from 'pino';
import type { RecordedEvent } from '../eventstore/eventStore';
import { FatalProcessingError, Processor, type BatchHandler, type LogSource } from '../processing/processor';
import { ForwarderStoppedError, type DestinationForwarder } from './destinationForwarder';
import type { ForwardConfig } from './forwardConfig';
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

export async function startForwardingRuntime(options: ForwardingRuntimeOptions): Promise<ForwardingControl> {
  const { source, config, logger } = options;
  const forwarding: Forwarding = openForwarding({
    file: options.file,
    config,
    reader: source,
    logHead: await source.headPosition(),
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
    return { ...status, url: destination.url, format: destination.format, paused: status.state === 'paused', group: null, deliveredCount: null };
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
    async close() {
      stopping = true;
      await Promise.all([...processors.map((processor) => processor.stop()), forwarding.close(options.shutdownGraceMs)]);
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
