// The adapter's $all subscription: filtered server-side, resubscribing by itself after a dropped connection.
import { START, streamNameFilter, type EventStoreDBClient } from '@eventstore/db-client';
import type { Logger } from 'pino';
import { sleep } from '../deadline';
import type { RecordedEvent } from '../eventStore';
import { errorMessage, noop } from './eventStoreDbCalls';
import { positionOf, toRecordedEvent } from './eventStoreDbMapping';

/** Resubscription backoff after a dropped subscription: doubles from the first value up to the second. */
const RESUBSCRIBE_BACKOFF_MS = [250, 5000] as const;

export interface FollowOptions {
  /** Deliver events after this commit position (0n: from the start). */
  after: bigint;
  /** Ends the subscription (the caller's signal, or the store closing). */
  stop: AbortSignal;
  prefixes: readonly string[];
  logger: Logger;
  description: string;
}

/**
 * A catch-up subscription to $all that outlives dropped connections: when the server goes away it logs
 * one line, waits (bounded backoff), and subscribes again from the last position it delivered, so the
 * consumer sees one uninterrupted, duplicate-free sequence. Only `stop` ends it.
 */
export async function* followAll(client: EventStoreDBClient, options: FollowOptions): AsyncGenerator<RecordedEvent> {
  const { stop, prefixes, logger, description } = options;
  let last = options.after;
  let failures = 0;
  while (!stop.aborted) {
    const subscription = client.subscribeToAll({
      fromPosition: last > 0n ? { commit: last, prepare: last } : START,
      filter: streamNameFilter({ prefixes: [...prefixes] }),
    });
    subscription.on('error', noop); // errors reach us through the iterator; this only keeps late ones from crashing
    subscription.once('confirmation', () => (failures = 0));
    const end = (): void => {
      subscription.unsubscribe().catch(noop);
      subscription.destroy();
    };
    stop.addEventListener('abort', end, { once: true });
    try {
      for await (const resolved of subscription) {
        const position = positionOf(resolved);
        if (position === undefined || position <= last) continue; // a resubscription starts at `last` itself
        last = position;
        const event = toRecordedEvent(resolved);
        if (event) yield event;
        if (stop.aborted) return;
      }
      if (stop.aborted) return;
      throw new Error('the server ended the subscription');
    } catch (error) {
      if (stop.aborted) return;
      failures++;
      const retryInMs = Math.min(RESUBSCRIBE_BACKOFF_MS[1], RESUBSCRIBE_BACKOFF_MS[0] * 2 ** (failures - 1));
      logger.warn(
        { attempt: failures, after: last.toString(), retryInMs },
        `${description}: subscription to $all dropped (${errorMessage(error)}); resubscribing after position ${last} in ${retryInMs} ms`,
      );
      await sleep(retryInMs, stop);
    } finally {
      stop.removeEventListener('abort', end);
      end(); // cancels the call when the consumer stopped early or the stream failed
    }
  }
}
