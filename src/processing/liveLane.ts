// A lane of live read models: their files and the processor that feeds them. The background lane follows the foreground one, never past it.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { RecordedEvent } from '../eventstore/eventStore';
import { positionReached } from './positionReached';
import { Processor, type LogSource, type ProcessorStatus } from './processor';
import { ProjectionSet, type SetFile } from './projectionSet';

/** foreground: what subscribers follow and most queries read; background: views that are asked for, applied behind them. */
export type LaneName = 'foreground' | 'background';

export interface LaneOptions {
  logger?: Logger;
  batchSize: number;
  retryDelayMs?: number;
  /** The event types its processor reads whole; default all (none are needed when its files read the log on their own thread). */
  typesWithData?: () => ReadonlySet<string>;
  /** How long a batch that is not full waits for more events; default 0. */
  gatherMs?: number;
}

export class LiveLane {
  readonly set: ProjectionSet<SetFile>;
  readonly processor: Processor;

  /** The background lane is given the foreground one to follow. */
  constructor(
    readonly name: LaneName,
    store: LogSource,
    order: readonly string[],
    options: LaneOptions,
    ahead: LiveLane | null = null,
  ) {
    // The background lane's files take turns with the foreground lane's batches, one transaction at a time.
    this.set = new ProjectionSet(order, 0n, ahead !== null);
    this.processor = new Processor(ahead === null ? store : behind(store, ahead, options.batchSize), this.set, {
      name: name === 'foreground' ? 'projections' : 'background projections',
      batchSize: options.batchSize,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
      ...(options.typesWithData === undefined ? {} : { typesWithData: options.typesWithData }),
      ...(options.gatherMs === undefined ? {} : { gatherMs: options.gatherMs }),
    });
  }

  get hasFiles(): boolean {
    return this.set.list().length > 0;
  }

  /** Starts its processor once it has files (a lane without any follows nothing). */
  startWithFiles(): void {
    if (this.hasFiles && !this.processor.isRunning) this.processor.start();
  }

  status(): ProcessorStatus {
    return this.processor.status();
  }
}

/**
 * The log as the lane behind `ahead` reads it: no event past the position `ahead` has applied (while it has files), so
 * a query that reads one read model of each lane never finds the background one further along. Every `batchSize`
 * events it gives the thread a turn: a batch behind never holds up the lane ahead by more than one batch.
 */
function behind(store: LogSource, ahead: LiveLane, batchSize: number): LogSource {
  const limit = () => (ahead.hasFiles ? ahead.processor.position : null);
  return {
    headPosition: () => store.headPosition(),
    async readAll(options) {
      const events = await store.readAll(options);
      const last = limit();
      return last === null ? events : events.filter((event) => event.position <= last);
    },
    subscribeToAll(options = {}) {
      return follow(store.subscribeToAll(options), ahead.processor, limit, batchSize, options.signal);
    },
  };
}

async function* follow(
  events: AsyncIterable<RecordedEvent>,
  ahead: Processor,
  limit: () => bigint | null,
  batchSize: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<RecordedEvent> {
  let given = 0;
  for await (const event of events) {
    const last = limit();
    // A lane ahead without files holds nothing back.
    if (last !== null && event.position > last) await positionReached((listener) => ahead.onApplied(listener), () => limit() ?? event.position, event.position, signal);
    if (signal?.aborted) return;
    yield event;
    if (++given % batchSize === 0) await nextTurn();
  }
}
