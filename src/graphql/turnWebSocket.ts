// A server WebSocket whose messages of one turn of the event loop leave in one write to its TCP socket.
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';

/**
 * Bytes a socket may hold unsent while its sender is told at once that a message is written. graphql-ws waits for each
 * message's write before a subscription takes its next, so without this a subscription would send one message a turn;
 * past it, the sender waits for the write as ws reports it, and a peer that stops reading holds up its subscriptions
 * (whose queues then meet the subscriber's bounds) rather than the service's memory.
 */
export const UNSENT_BYTES_NOT_WAITED = 64 * 1024;

type SendCallback = (error?: Error) => void;
type SendOptions = Parameters<WebSocket['send']>[1] & object;

/**
 * Each message written alone costs the thread that answers CSS a system call (tens of microseconds over loopback, where
 * the kernel delivers it to the peer in the same call); a projector batch brings a subscriber tens of messages at once.
 * The TCP socket is corked when the first message of a turn is sent and uncorked once the turn's code and the promise
 * callbacks it queued have run (process.nextTick: no later, so a message does not wait behind other clients' requests),
 * and a turn's messages, control frames included, leave in one write.
 */
export class TurnWebSocket extends WebSocket {
  private transport: Duplex | undefined;
  private corked = false;

  /** The socket this WebSocket was upgraded from: from now on, corked for a turn whenever a message is sent. */
  writesThrough(transport: Duplex): void {
    this.transport = transport;
  }

  override send(data: Parameters<WebSocket['send']>[0], optionsOrCallback?: SendOptions | SendCallback, callback?: SendCallback): void {
    const options = typeof optionsOrCallback === 'object' ? optionsOrCallback : {};
    const told = typeof optionsOrCallback === 'function' ? optionsOrCallback : callback;
    if (this.readyState !== WebSocket.OPEN || this.transport === undefined) {
      super.send(data, options, told);
      return;
    }
    this.corkForTurn(this.transport);
    let toldEarly = false;
    super.send(data, options, (error) => {
      if (!toldEarly) told?.(error);
    });
    if (told !== undefined && this.bufferedAmount <= UNSENT_BYTES_NOT_WAITED) {
      toldEarly = true;
      told();
    }
  }

  private corkForTurn(transport: Duplex): void {
    if (this.corked) return;
    this.corked = true;
    transport.cork();
    process.nextTick(() => {
      this.corked = false;
      transport.uncork();
    });
  }
}
