// How the EventStoreDB adapter drives client calls: draining reads under a signal, telling unreachable from other failures.
import { NotLeaderError, UnavailableError, type StreamingRead } from '@eventstore/db-client';

/** gRPC status codes we classify (@grpc/grpc-js is the client's dependency, not ours). */
export const GrpcStatus = { CANCELLED: 1, DEADLINE_EXCEEDED: 4, UNAVAILABLE: 14 } as const;

/** Drains a client read into an array; aborting the signal cancels the call and rejects with its reason. */
export async function collect<E>(read: StreamingRead<E>, signal: AbortSignal): Promise<E[]> {
  read.on('error', noop); // the iterator below reports errors; this only keeps late ones from crashing
  const cancel = (): void => {
    read.cancel().catch(noop);
    read.destroy();
  };
  if (signal.aborted) {
    cancel();
    throw signal.reason;
  }
  signal.addEventListener('abort', cancel, { once: true });
  try {
    const items: E[] = [];
    for await (const item of read) items.push(item as E);
    return items;
  } catch (error) {
    throw signal.aborted ? signal.reason : error;
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}

/** The server is down, refuses us, or is not the leader (the client reconnects to the leader on the next call). */
export function isUnreachable(error: unknown): boolean {
  if (error instanceof UnavailableError || error instanceof NotLeaderError) return true;
  const code = grpcCode(error);
  if (code === GrpcStatus.UNAVAILABLE || code === GrpcStatus.CANCELLED) return true;
  return /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|discover/i.test(errorMessage(error));
}

export function grpcCode(error: unknown): number | undefined {
  if (error === null || typeof error !== 'object' || !('code' in error)) return undefined;
  return typeof error.code === 'number' ? error.code : undefined;
}

export function errorMessage(error: unknown): string {
  // gRPC ends a refused connection's message with "Resolution note: " and nothing after it when DNS had nothing to say.
  return (error instanceof Error ? error.message : String(error)).replace(/ Resolution note: $/, '');
}

export function noop(): void {}
