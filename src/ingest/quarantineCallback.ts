// Keeps authentic but expired callbacks in the quarantine, within its bounds: a rate per minute and a cap on entries not yet promoted.
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { CallbackEvent, CallbackEventMetadata } from '../domain/callbackEvents';
import { quarantineStream } from '../domain/streamNames';
import type { ErrorSlugs } from '../errors/catalogue';
import type { EventStore } from '../eventstore/eventStore';
import type { LateSignature } from './authenticateCallback';
import { quarantinedCallback } from './storedCallback';

export interface CallbackQuarantineLimits {
  /** Callbacks quarantined per minute at most (on this instance); beyond, 503 with Retry-After. */
  perMinute: number;
  /** Entries not yet promoted at most; beyond, 503 until an operator promotes some. */
  maxUnpromoted: number;
}

export interface CallbackQuarantineOptions {
  limits: CallbackQuarantineLimits;
  /** Entries not yet promoted, as the read models count them. */
  unpromotedCount(): number;
}

export interface QuarantineRefusal {
  error: ErrorSlugs<'quarantine_rate_limited' | 'quarantine_full'>;
  message: string;
  retryAfterSeconds: number;
}

/** CSS retries a minute apart: a full quarantine is worth asking again no sooner. */
const FULL_RETRY_AFTER_SECONDS = 60;

export function callbackQuarantine(store: EventStore, options: CallbackQuarantineOptions) {
  const { limits } = options;
  const perMinute = new RateLimiterMemory({ points: limits.perMinute, duration: 60 });
  return {
    /**
     * Whether one more callback may be quarantined now. The rate is checked first: it costs nothing, and it
     * is what stands between a flood of replayed signatures and the read models' count.
     */
    async admit(): Promise<QuarantineRefusal | null> {
      try {
        await perMinute.consume('quarantine');
      } catch (refused) {
        if (!(refused instanceof RateLimiterRes)) throw refused;
        return {
          error: 'quarantine_rate_limited',
          message: `more than ${limits.perMinute} expired callbacks a minute: retry later`,
          retryAfterSeconds: Math.max(1, Math.ceil(refused.msBeforeNext / 1000)),
        };
      }
      const unpromoted = options.unpromotedCount();
      if (unpromoted >= limits.maxUnpromoted) {
        return {
          error: 'quarantine_full',
          message: `the quarantine holds ${unpromoted} callbacks not yet promoted, its limit: retry later`,
          retryAfterSeconds: FULL_RETRY_AFTER_SECONDS,
        };
      }
      return null;
    },

    /** Appends the CallbackQuarantined event to the callback's quarantine stream; a retry of it is a duplicate there. */
    async keep(event: CallbackEvent, late: LateSignature, metadata: CallbackEventMetadata) {
      const result = await store.appendToStream(quarantineStream(event.id), [quarantinedCallback(event, late, metadata)]);
      return { stored: result.appended.length > 0 ? ('new' as const) : ('duplicate' as const), position: result.position };
    },
  };
}
export type CallbackQuarantine = ReturnType<typeof callbackQuarantine>;
