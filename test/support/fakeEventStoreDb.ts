// A protocol fake of EventStoreDB on loopback: the slice of its gRPC Streams service our adapter uses.
//
// It speaks the real wire protocol (the client library's own generated messages over @grpc/grpc-js), so the
// adapter, the client library and the network run for real; the server side is a model of the rules the
// adapter relies on, not EventStoreDB itself: the contract suite against a real server stays the reference
// (test/contract/eventstoredb.contract.spec.ts). Modelled rules:
// - each appended event gets its own $all position, commit == prepare, and the append answers with the last;
// - an exact expected revision is enforced; events already stored right after it count as an idempotent retry;
// - `any` does NOT deduplicate (as if the server's cache of recent ids had forgotten them);
// - forward reads of $all from a position include it, and so does a subscription (the worst case for us);
// - $all reads and subscriptions apply stream-name prefix filters; the stream filter is the only one modelled.
// With `batchAppend` (the default, as EventStoreDB 21.10+ announces it) the client appends over the shared
// BatchAppend stream, as it does against a real server; without it, over the unary Append call.
import * as grpc from '@grpc/grpc-js';
import { Any } from 'google-protobuf/google/protobuf/any_pb';
import { Empty as ProtoEmpty } from 'google-protobuf/google/protobuf/empty_pb';
import { SupportedMethod, SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import {
  AllStreamPosition,
  Empty,
  StreamIdentifier,
  UUID,
  WrongExpectedVersion as WrongExpectedVersionDetails,
} from '@eventstore/db-client/generated/shared_pb';
import { Status } from '@eventstore/db-client/generated/status_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { AppendReq, AppendResp, BatchAppendReq, BatchAppendResp, ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';

interface StoredEvent {
  id: string;
  stream: string;
  revision: bigint;
  position: bigint;
  type: string;
  contentType: string;
  data: Uint8Array;
  metadata: Uint8Array;
  created: bigint;
}

type Expected = 'any' | 'no_stream' | 'stream_exists' | bigint;
type Proposed = Omit<StoredEvent, 'stream' | 'revision' | 'position' | 'created'>;
type Decision = { ok: true; revision: bigint; position: bigint } | { ok: false; current: number; expected: Expected };

/** gRPC status code the server puts in a failed batch append (FAILED_PRECONDITION for a revision conflict). */
const FAILED_PRECONDITION = 9;

export class FakeEventStoreDb {
  private readonly all: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly followers = new Set<(event: StoredEvent) => void>();
  private nextPosition = 1000n;
  private server: grpc.Server | undefined;
  /** Stream reads served so far (to see how often the adapter reads before appending). */
  streamReads = 0;
  /** Runs once, before the next append is decided: lets a test slip in another writer's events. */
  private beforeNextAppend: (() => void) | undefined;

  private constructor(
    public port: number,
    private readonly batchAppend: boolean,
  ) {}

  static async start(options: { batchAppend?: boolean } = {}): Promise<FakeEventStoreDb> {
    const fake = new FakeEventStoreDb(0, options.batchAppend ?? true);
    await fake.listen();
    return fake;
  }

  get connectionString(): string {
    return `esdb://127.0.0.1:${this.port}?tls=false`;
  }

  /** Drops every connection at once, as a crashed server would; the data stays for `listen()`. */
  crash(): void {
    this.server?.forceShutdown();
    this.server = undefined;
    this.followers.clear();
  }

  close(): void {
    this.crash();
  }

  /** `run` happens between the adapter's read of the stream and the server's decision on its append. */
  beforeAppend(run: () => void): void {
    this.beforeNextAppend = run;
  }

  /** Listens (again) on the same port, with the events stored so far. */
  async listen(): Promise<void> {
    const server = new grpc.Server();
    server.addService(StreamsService, {
      read: (call: grpc.ServerWritableStream<ReadReq, ReadResp>) => this.read(call),
      append: (call: grpc.ServerReadableStream<AppendReq, AppendResp>, done: grpc.sendUnaryData<AppendResp>) =>
        this.append(call, done),
      batchAppend: (call: grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>) => this.batchAppendCall(call),
    });
    if (this.batchAppend) {
      server.addService(ServerFeaturesService, {
        getSupportedMethods: (_: unknown, done: grpc.sendUnaryData<SupportedMethods>) => done(null, supportedMethods()),
      });
    }
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${this.port}`, grpc.ServerCredentials.createInsecure(), (error, port) =>
        error ? reject(error) : resolve(port),
      ),
    );
    this.server = server;
  }

  /** Writes events straight into the log, as another writer would. */
  store(stream: string, events: { id: string; type: string; data: object }[]): StoredEvent[] {
    return this.write(
      stream,
      events.map((e) => ({ ...e, contentType: 'application/json', data: Buffer.from(JSON.stringify(e.data)), metadata: new Uint8Array() })),
    );
  }

  private append(call: grpc.ServerReadableStream<AppendReq, AppendResp>, done: grpc.sendUnaryData<AppendResp>): void {
    let stream = '';
    let expected: Expected = 'any';
    const proposed: Proposed[] = [];
    call.on('data', (request: AppendReq) => {
      const options = request.getOptions();
      if (options) {
        stream = nameOf(options.getStreamIdentifier());
        if (options.hasRevision()) expected = BigInt(options.getRevision());
        else if (options.hasNoStream()) expected = 'no_stream';
        else if (options.hasStreamExists()) expected = 'stream_exists';
        return;
      }
      const message = request.getProposedMessage()!;
      const metadata = message.getMetadataMap();
      proposed.push(toProposed(message));
    });
    call.on('error', () => undefined);
    call.on('end', () => {
      const decision = this.decide(stream, expected, proposed);
      done(null, decision.ok ? success(decision) : wrongExpectedVersion(decision));
    });
  }

  /** One shared stream per client connection; each request is one append, answered under its correlation id. */
  private batchAppendCall(call: grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>): void {
    const pending = new Map<string, { stream: string; expected: Expected; proposed: Proposed[] }>();
    call.on('error', () => undefined);
    call.on('data', (request: BatchAppendReq) => {
      const correlation = request.getCorrelationId()!.getString();
      const options = request.getOptions();
      if (options) {
        const expected: Expected = options.hasStreamPosition()
          ? BigInt(options.getStreamPosition())
          : options.hasNoStream()
            ? 'no_stream'
            : options.hasStreamExists()
              ? 'stream_exists'
              : 'any';
        pending.set(correlation, { stream: nameOf(options.getStreamIdentifier()), expected, proposed: [] });
      }
      const append = pending.get(correlation)!;
      append.proposed.push(...request.getProposedMessagesList().map(toProposed));
      if (!request.getIsFinal()) return;
      pending.delete(correlation);
      const decision = this.decide(append.stream, append.expected, append.proposed);
      const response = new BatchAppendResp();
      response.setCorrelationId(request.getCorrelationId());
      const identifier = new StreamIdentifier();
      identifier.setStreamName(Buffer.from(append.stream, 'utf8'));
      response.setStreamIdentifier(identifier);
      if (decision.ok) response.setSuccess(batchSuccess(decision));
      else response.setError(batchConflict(decision));
      call.write(response);
    });
  }

  /** The server's rules for one append; `beforeAppend` interjections run first. */
  private decide(stream: string, expected: Expected, proposed: Proposed[]): Decision {
    const interject = this.beforeNextAppend;
    this.beforeNextAppend = undefined;
    interject?.();
    const events = this.streams.get(stream) ?? [];
    const current = events.length - 1; // -1: no stream
    const expectedNumber = expected === 'no_stream' ? -1 : typeof expected === 'bigint' ? Number(expected) : undefined;
    if (expectedNumber !== undefined && expectedNumber !== current) {
      const following = events.slice(expectedNumber + 1, expectedNumber + 1 + proposed.length);
      const isRetry = following.length === proposed.length && following.every((e, i) => e.id === proposed[i]!.id);
      if (isRetry) return { ok: true, revision: following.at(-1)!.revision, position: following.at(-1)!.position };
      return { ok: false, current, expected };
    }
    if (expected === 'stream_exists' && current === -1) return { ok: false, current, expected };
    const written = this.write(stream, proposed);
    return { ok: true, revision: written.at(-1)!.revision, position: written.at(-1)!.position };
  }

  private write(stream: string, proposed: Proposed[]): StoredEvent[] {
    const events = this.streams.get(stream) ?? [];
    this.streams.set(stream, events);
    const written = proposed.map((p) => {
      const event: StoredEvent = {
        ...p,
        stream,
        revision: BigInt(events.length),
        position: this.nextPosition,
        created: BigInt(Date.now()) * 10_000n, // .NET ticks (100 ns) since the Unix epoch, as the server sends
      };
      this.nextPosition += 137n + BigInt(p.data.length); // like log positions: increasing, not consecutive
      events.push(event);
      this.all.push(event);
      return event;
    });
    for (const event of written) for (const follower of this.followers) follower(event);
    return written;
  }

  private read(call: grpc.ServerWritableStream<ReadReq, ReadResp>): void {
    const options = call.request.getOptions()!;
    const backwards = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
    const count = options.hasCount() ? Number(options.getCount()) : Infinity;
    const prefixes = options.getFilter()?.getStreamIdentifier()?.getPrefixList() ?? [];
    const matches = (e: StoredEvent): boolean => prefixes.length === 0 || prefixes.some((p) => e.stream.startsWith(p));
    call.on('error', () => undefined);

    if (options.hasStream()) {
      this.streamReads++;
      const streamOptions = options.getStream()!;
      const events = this.streams.get(nameOf(streamOptions.getStreamIdentifier()));
      if (!events) {
        const notFound = new ReadResp.StreamNotFound();
        notFound.setStreamIdentifier(streamOptions.getStreamIdentifier());
        call.write(new ReadResp().setStreamNotFound(notFound));
        call.end();
        return;
      }
      const from = streamOptions.hasRevision() ? Number(streamOptions.getRevision()) : backwards ? events.length - 1 : 0;
      const window = backwards ? events.slice(0, from + 1).reverse() : events.slice(from);
      for (const event of window.slice(0, count)) call.write(eventResponse(event));
      call.end();
      return;
    }

    const all = options.getAll()!;
    const from = all.hasPosition() ? BigInt(all.getPosition()!.getCommitPosition()) : undefined;
    if (options.hasSubscription()) return this.subscribe(call, all.hasEnd() ? undefined : from ?? 0n, matches);
    const events = backwards
      ? this.all.filter((e) => from === undefined || all.hasEnd() || e.position < from).reverse()
      : this.all.filter((e) => from === undefined || e.position >= from);
    for (const event of events.filter(matches).slice(0, count)) call.write(eventResponse(event));
    call.end();
  }

  /** Catch-up from `from` (inclusive), then live; `undefined` means from the end. */
  private subscribe(call: grpc.ServerWritableStream<ReadReq, ReadResp>, from: bigint | undefined, matches: (e: StoredEvent) => boolean): void {
    const confirmation = new ReadResp.SubscriptionConfirmation();
    confirmation.setSubscriptionId(`fake-${Math.random()}`);
    call.write(new ReadResp().setConfirmation(confirmation));
    if (from !== undefined) for (const event of this.all) if (event.position >= from && matches(event)) call.write(eventResponse(event));
    const follower = (event: StoredEvent): void => {
      if (matches(event)) call.write(eventResponse(event));
    };
    this.followers.add(follower);
    call.on('cancelled', () => this.followers.delete(follower));
    call.on('close', () => this.followers.delete(follower));
  }
}

function nameOf(identifier: StreamIdentifier | undefined): string {
  return Buffer.from(identifier!.getStreamName_asU8()).toString('utf8');
}

function eventResponse(event: StoredEvent): ReadResp {
  const id = new UUID();
  id.setString(event.id);
  const identifier = new StreamIdentifier();
  identifier.setStreamName(Buffer.from(event.stream, 'utf8'));
  const recorded = new ReadResp.ReadEvent.RecordedEvent();
  recorded.setId(id);
  recorded.setStreamIdentifier(identifier);
  recorded.setStreamRevision(event.revision.toString());
  recorded.setCommitPosition(event.position.toString());
  recorded.setPreparePosition(event.position.toString());
  recorded.getMetadataMap().set('type', event.type).set('content-type', event.contentType).set('created', event.created.toString());
  recorded.setData(event.data);
  recorded.setCustomMetadata(event.metadata);
  const readEvent = new ReadResp.ReadEvent();
  readEvent.setEvent(recorded);
  readEvent.setCommitPosition(event.position.toString());
  return new ReadResp().setEvent(readEvent);
}

function toProposed(message: AppendReq.ProposedMessage | BatchAppendReq.ProposedMessage): Proposed {
  const metadata = message.getMetadataMap();
  return {
    id: message.getId()!.getString().toLowerCase(),
    type: metadata.get('type') ?? '',
    contentType: metadata.get('content-type') ?? 'application/octet-stream',
    data: message.getData_asU8(),
    metadata: message.getCustomMetadata_asU8(),
  };
}

function supportedMethods(): SupportedMethods {
  const batchAppend = new SupportedMethod();
  batchAppend.setServiceName('event_store.client.streams.Streams');
  batchAppend.setMethodName('BatchAppend');
  const methods = new SupportedMethods();
  methods.setMethodsList([batchAppend]);
  methods.setEventStoreServerVersion('24.10.0-fake');
  return methods;
}

function success({ revision, position }: { revision: bigint; position: bigint }): AppendResp {
  const at = new AppendResp.Position();
  at.setCommitPosition(position.toString());
  at.setPreparePosition(position.toString());
  const result = new AppendResp.Success();
  result.setCurrentRevision(revision.toString());
  result.setPosition(at);
  return new AppendResp().setSuccess(result);
}

function wrongExpectedVersion({ current, expected }: { current: number; expected: Expected }): AppendResp {
  const conflict = new AppendResp.WrongExpectedVersion();
  if (current === -1) conflict.setCurrentNoStream(new Empty());
  else conflict.setCurrentRevision(String(current));
  if (typeof expected === 'bigint') conflict.setExpectedRevision(expected.toString());
  else if (expected === 'no_stream') conflict.setExpectedNoStream(new Empty());
  else if (expected === 'stream_exists') conflict.setExpectedStreamExists(new Empty());
  else conflict.setExpectedAny(new Empty());
  return new AppendResp().setWrongExpectedVersion(conflict);
}

function batchSuccess({ revision, position }: { revision: bigint; position: bigint }): BatchAppendResp.Success {
  const at = new AllStreamPosition();
  at.setCommitPosition(position.toString());
  at.setPreparePosition(position.toString());
  const result = new BatchAppendResp.Success();
  result.setCurrentRevision(revision.toString());
  result.setPosition(at);
  return result;
}

/** A conflict as the server reports it in a batch: a google.rpc.Status whose details pack WrongExpectedVersion. */
function batchConflict({ current, expected }: { current: number; expected: Expected }): Status {
  const details = new WrongExpectedVersionDetails();
  if (current === -1) details.setCurrentNoStream(new ProtoEmpty());
  else details.setCurrentStreamRevision(String(current));
  if (typeof expected === 'bigint') details.setExpectedStreamPosition(expected.toString());
  else if (expected === 'no_stream') details.setExpectedNoStream(new ProtoEmpty());
  else if (expected === 'stream_exists') details.setExpectedStreamExists(new ProtoEmpty());
  else details.setExpectedAny(new ProtoEmpty());
  const packed = new Any();
  packed.pack(details.serializeBinary(), 'event_store.client.WrongExpectedVersion');
  const status = new Status();
  status.setCode(FAILED_PRECONDITION);
  status.setMessage('WrongExpectedVersion');
  status.setDetails(packed);
  return status;
}
