// A generated callback: its body, the instant it is sent at, the event the service makes of it and the session it belongs to.
import type { CallbackEventType } from '../domain/callbackEvents';

export type CallbackBody = Record<string, unknown>;

/** A callback and the instant (unix ms) it is sent at; `send` order is chronological. */
export interface TimedCallback {
  at: number;
  body: CallbackBody;
  /** The event type the service makes of it: what the summary counts by. */
  kind: CallbackEventType;
  /** The push session it belongs to (`sequence`), when it belongs to one. */
  sequence?: string;
}

/** Unix milliseconds as the whole Unix seconds most CSS times are given in. */
export const unixSeconds = (ms: number): number => Math.floor(ms / 1000);
