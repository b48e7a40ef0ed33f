// A server-side filtered, forward read of $all: the gRPC protocol has it, @eventstore/db-client 6.x does not expose it.
//
// The client's own readAll always sends "no filter", which would drag every system event of the server
// through the wire. This builds the same ReadReq as the client's readAll plus a stream-name prefix filter,
// and runs it through the client's connection handling (channel, credentials, reconnect on failure).
// It relies on two protected members of the 6.x client (GRPCStreamCreator, callArguments) and its
// generated protobuf classes: pinned by the package version, to be replaced by the client's own
// filtered readAll when it grows one (the KurrentDB clients have it).
import type { CallOptions, Client as GrpcClient, ClientReadableStream, Metadata } from '@grpc/grpc-js';
import type { AllStreamResolvedEvent, BaseOptions, EventStoreDBClient, Position, StreamingRead } from '@eventstore/db-client';
import { ReadStream } from '@eventstore/db-client/dist/streams/utils/ReadStream';
import { convertGrpcEvent } from '@eventstore/db-client/dist/utils';
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import { StreamsClient } from '@eventstore/db-client/generated/streams_grpc_pb';
import { ReadReq, type ReadResp } from '@eventstore/db-client/generated/streams_pb';

/** The protected members of the 6.x Client this read needs. */
interface ClientInternals {
  GRPCStreamCreator<C extends GrpcClient, T>(
    Client: new (...args: never[]) => C,
    debugName: string,
    creator: (client: C) => T,
  ): () => Promise<T>;
  callArguments(options: BaseOptions, callOptions?: CallOptions): [Metadata, CallOptions];
}

export interface FilteredReadAllOptions {
  /** Inclusive start, as the server reads $all; `start` for the beginning of the log, `end` to read backwards from its end. */
  from: Position | 'start' | 'end';
  maxCount: number;
  /** Stream-name prefixes; only events of streams starting with one of them are returned. */
  prefixes: readonly string[];
  /** gRPC deadline in ms (the server stops working on the read after it too). */
  deadlineMs: number;
  requiresLeader?: boolean;
}

export function readAllFiltered(client: EventStoreDBClient, options: FilteredReadAllOptions): StreamingRead<AllStreamResolvedEvent> {
  const internals = client as unknown as ClientInternals;
  const request = buildRequest(options);
  const callArgs = internals.callArguments({ deadline: options.deadlineMs, requiresLeader: options.requiresLeader ?? false });
  const createGrpcStream = internals.GRPCStreamCreator(
    StreamsClient,
    'readAllFiltered',
    (grpc: StreamsClient): ClientReadableStream<ReadResp> => grpc.read(request, ...callArgs),
  );
  return new ReadStream(createGrpcStream, convertGrpcEvent, {});
}

function buildRequest({ from, maxCount, prefixes }: FilteredReadAllOptions): ReadReq {
  const all = new ReadReq.Options.AllOptions();
  if (from === 'start') {
    all.setStart(new Empty());
  } else if (from === 'end') {
    all.setEnd(new Empty());
  } else {
    const position = new ReadReq.Options.Position();
    position.setCommitPosition(from.commit.toString(10));
    position.setPreparePosition(from.prepare.toString(10));
    all.setPosition(position);
  }
  const expression = new ReadReq.Options.FilterOptions.Expression();
  expression.setPrefixList([...prefixes]);
  const filter = new ReadReq.Options.FilterOptions();
  filter.setStreamIdentifier(expression);
  filter.setCount(new Empty()); // the server's default search window per page
  filter.setCheckpointintervalmultiplier(1); // required by the message; only subscriptions send checkpoints

  const uuidOption = new ReadReq.Options.UUIDOption();
  uuidOption.setString(new Empty());
  const options = new ReadReq.Options();
  options.setAll(all);
  options.setResolveLinks(false);
  options.setCount(String(maxCount));
  options.setUuidOption(uuidOption);
  options.setFilter(filter);
  options.setReadDirection(from === 'end' ? ReadReq.Options.ReadDirection.BACKWARDS : ReadReq.Options.ReadDirection.FORWARDS);

  const request = new ReadReq();
  request.setOptions(options);
  return request;
}
