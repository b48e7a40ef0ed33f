// The callback a row of another read model was told by, found in the callback log by its position.
import type { CallbackLogQueries } from './callbackLog.queries';
import { CallbackEvent } from './callbackEvent.type';

/**
 * The callback log is applied before every other read model in each batch, so a row's callback is always
 * there; one missing is a fault worth an error, not a null the schema does not allow.
 */
export function loggedCallback(callbackLog: Pick<CallbackLogQueries, 'atPosition'>, position: bigint): CallbackEvent {
  const logged = callbackLog.atPosition(position);
  if (logged === null) throw new Error(`the callback log has no callback at position ${position}`);
  return CallbackEvent.fromEntry(logged);
}
