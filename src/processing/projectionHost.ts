// Keeps the read models: live processors over the files that serve (a foreground lane, and a background lane behind
// it, whose files may be written on a thread of their own), a shadow processor that builds new files beside them (a new
// version, a rebuild, a first build; a rebuild beside live files mostly on a thread of its own), and the swap once a
// build has caught up.
import { EventEmitter } from 'node:events';
import path from 'node:path';
import type { Logger } from 'pino';
import type { LogAtStart } from '../eventstore/logAtStart';
import { usableLegacyFile } from './legacyReadModels';
import { positionReached } from './positionReached';
import { LiveLane } from './liveLane';
import { Processor, type LogSource, type ProcessorStatus } from './processor';
import type { ProjectionDefinition, ReadModelChange } from './projectionDefinition';
import { ProjectionSet, type SetFile } from './projectionSet';
import type { ProjectionsView } from './projectionsView';
import { readModelsStatus, type ProjectionsStatus, type SlotView } from './projectionsStatus';
import { ProjectionFile, removeFile, type BuildWrites } from './readModelFile';
import { filesReadWhole, folderOf, planFolder, WHOLE_CHECK_BYTES } from './readModelFolder';
import { BackgroundThread } from './backgroundThread';
import { CHECKPOINT_INTERVALS } from './walCheckpoints';
import { BuildThread, type BuildThreadEnd } from './buildThread';
import { answerRebuildRequests, type RebuildAnswer } from './rebuildRequests';
import { retireFile } from './retiredFiles';

/**
 * Events per batch of a build on its own thread. Its batches of 2,000 lived through the thread's young-generation
 * collections, so its heap filled with them and was compacted every two seconds: pauses of up to 50 ms of V8's
 * collector, whose helper threads every thread of the service shares, and the queries' slowest answers with them.
 * A batch of 250 is gone before the next collection, and the build is no slower.
 */
const BUILD_THREAD_BATCH = 250;

export interface ProjectionHostOptions {
  store: LogSource;
  /** In the order they are applied. */
  definitions: readonly ProjectionDefinition[];
  /** DATA_DIR/readmodels: one folder per read model. */
  root: string;
  /** A file of the previous layout (all read models in one file) that answers until each read model is built. */
  legacyFile?: string | null;
  /** Where the log stood at start-up, when it could be read: a file built from another log is set aside and built again. */
  logAtStart?: LogAtStart | null;
  /** How many bytes of the read models' files start-up reads whole to find damage, smallest first; default WHOLE_CHECK_BYTES. */
  wholeCheckBytes?: number;
  logger?: Logger;
  /** Events per batch of the foreground lane's processor; default 1000. */
  batchSize?: number;
  /** Events per batch of the background lane's processor on this thread; default 50 (what it may hold up the foreground lane by). */
  backgroundBatchSize?: number;
  /**
   * How long a live batch of the foreground lane that is not full waits for more events; default 5 ms. Each batch is
   * a transaction per file: at a steady rate of callbacks, a few ms of delay make batches of several events instead
   * of one, at a fraction of the CPU.
   */
  gatherMs?: number;
  /** The same for the background lane when its files are written on a thread of their own; default 100 ms. */
  backgroundGatherMs?: number;
  /**
   * Events per batch of the shadow processor; default 2000 here (small enough that the live one keeps its pace), and
   * BUILD_THREAD_BATCH on the build's own thread.
   */
  buildBatchSize?: number;
  retryDelayMs?: number;
  /** How often a finished build is looked for between batches; default 500 ms. */
  checkIntervalMs?: number;
  /** Takes rebuild requests from DATA_DIR/readmodels/requests/ (the running service does; the rebuild command does not). */
  answerRequests?: boolean;
  /** How files are written while they build: `steady` beside live files that queries read (the running service); default `bulk`. */
  buildWrites?: BuildWrites;
  /**
   * The embedded log's file: a build beside live files then runs on a thread of its own at this nice value, up to the
   * log's head, and only its last stretch here (the running service; builds with nothing live stay here: their changes are news).
   */
  buildThread?: { eventsFile: string; niceness: number };
  /**
   * The embedded log's file: the background lane's files are then written on a thread of their own at this nice value
   * (the running service), so that the foreground lane's batches never wait for theirs on this one; the log's and the
   * live read models' WAL checkpoints are made there as well, and those of the files `checkpointedAlongside` names.
   */
  backgroundThread?: { eventsFile: string; niceness: number; checkpointedAlongside?: readonly string[] };
}

/** A read model now answers from `file`; `retired` (when set) is for the query side to delete once it lets go of it. */
export interface ServingChange {
  readModel: string;
  file: string;
  retired: string | null;
}

interface Slot extends SlotView {
  nextGeneration: number;
}

export class ProjectionHost implements ProjectionsView {
  private readonly events = new EventEmitter();
  private readonly foreground: LiveLane;
  private readonly background: LiveLane;
  private readonly building: ProjectionSet;
  /** Where the background lane's files are written, when not here. */
  private readonly backgroundThread: BackgroundThread | null;
  private builder: Processor | null = null;
  /** The build's thread, while it has the building files. */
  private away: BuildThread | null = null;
  /** A read model joined the build while the thread had it: the thread starts again with every file. */
  private awayAgain = false;
  private readonly slots = new Map<string, Slot>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The log's head as read at start; null until then (a store out of reach). */
  private headAtStart: bigint | null = null;
  private firstCheck: Promise<void> = Promise.resolve();

  /** Plans every read model's folder (damaged files set aside, stale ones removed) and opens its files; start() sets it going. */
  constructor(private readonly options: ProjectionHostOptions) {
    this.events.setMaxListeners(0);
    const order = options.definitions.map((d) => d.name);
    const lane = { ...(options.logger === undefined ? {} : { logger: options.logger }), ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }) };
    this.foreground = new LiveLane('foreground', options.store, order, { ...lane, batchSize: options.batchSize ?? 1000, gatherMs: options.gatherMs ?? 5 });
    this.backgroundThread =
      options.backgroundThread === undefined
        ? null
        : new BackgroundThread(
            {
              eventsFile: options.backgroundThread.eventsFile,
              niceness: options.backgroundThread.niceness,
              checkpoints: { readModelsRoot: options.root, checkpointedAlongside: options.backgroundThread.checkpointedAlongside ?? [], ...CHECKPOINT_INTERVALS },
            },
            options.logger,
          );
    // On its own thread, the lane's files read the events themselves (this thread passes over them unread), and its
    // batches hold nothing up here: they are as large as the foreground lane's, and gathered for longer, each
    // transaction cheaper per event.
    const onItsThread =
      this.backgroundThread === null ? {} : { typesWithData: () => new Set<string>(), batchSize: options.batchSize ?? 1000, gatherMs: options.backgroundGatherMs ?? 100 };
    this.background = new LiveLane('background', options.store, order, { ...lane, batchSize: options.backgroundBatchSize ?? 50, ...onItsThread }, this.foreground);
    this.building = new ProjectionSet(order);
    // A build beside a live file announces only what that file has not: history, replayed, is not news.
    this.building.announceOnlyAfter((name) => this.liveFile(name)?.checkpoint.position ?? -1n);
    const legacy = options.legacyFile == null ? null : usableLegacyFile(options.legacyFile, options.logger);
    try {
      const readWhole = filesReadWhole(
        options.definitions.map((definition) => folderOf(options.root, definition.name)),
        options.wholeCheckBytes ?? WHOLE_CHECK_BYTES,
      );
      for (const definition of options.definitions) this.plan(definition, legacy, readWhole);
      // Every read model has a file of this layout: the previous layout's answers for none of them.
      if (legacy !== null && ![...this.slots.values()].some((slot) => slot.older === legacy)) removeFile(legacy);
    } catch (error) {
      for (const set of this.sets()) set.close();
      void this.backgroundThread?.stop();
      throw error;
    }
    for (const { processor } of this.lanes()) processor.onApplied(() => this.events.emit('applied'));
    for (const set of this.sets()) set.onChanges((changes) => this.events.emit('changes', changes));
  }

  private get buildWrites(): BuildWrites {
    return this.options.buildWrites ?? 'bulk';
  }

  private lanes(): [LiveLane, LiveLane] {
    return [this.foreground, this.background];
  }

  private sets(): Array<ProjectionSet<SetFile>> {
    return [this.foreground.set, this.background.set, this.building];
  }

  private laneOf(definition: ProjectionDefinition): LiveLane {
    return definition.background === true ? this.background : this.foreground;
  }

  private liveFile(name: string): SetFile | undefined {
    return this.foreground.set.get(name) ?? this.background.set.get(name);
  }

  private plan(definition: ProjectionDefinition, legacy: string | null, readWhole: ReadonlySet<string>): void {
    const folder = folderOf(this.options.root, definition.name);
    const plan = planFolder(folder, definition, { logger: this.options.logger, log: this.options.logAtStart ?? null, readWhole });
    const slot: Slot = {
      definition,
      serving: '',
      older: plan.older?.file ?? (plan.live === null ? legacy : null),
      building: null,
      nextGeneration: plan.nextGeneration,
    };
    if (plan.live !== null) this.laneOf(definition).set.add(this.openLive(plan.live.file, definition));
    if (plan.building !== null) slot.building = ProjectionFile.open(plan.building.file, definition, this.buildWrites);
    else if (plan.live === null) slot.building = ProjectionFile.create(folder, definition, slot.nextGeneration++, 'building', this.buildWrites);
    if (slot.building !== null) this.building.add(slot.building);
    slot.serving = plan.live?.file ?? slot.older ?? slot.building!.file;
    this.slots.set(definition.name, slot);
  }

  /** A live file of its lane: written on the background thread when its lane's files are, else here. */
  private openLive(file: string, definition: ProjectionDefinition): SetFile {
    const thread = definition.background === true ? this.backgroundThread : null;
    return thread === null ? ProjectionFile.open(file, definition) : thread.open(file, definition);
  }

  /** Sets the processors going; a build with nothing to catch up (an empty log) is swapped in once the log's head is read. */
  start(): void {
    for (const lane of this.lanes()) lane.startWithFiles();
    if (this.building.list().length > 0) this.startBuilder();
    this.firstCheck = this.options.store.headPosition().then(
      (head) => {
        this.headAtStart = head;
        this.checkBuilds();
      },
      () => undefined, // out of reach: the processors say so, and retry
    );
    this.timer = setInterval(() => {
      if (this.options.answerRequests === true) answerRebuildRequests(this.options.root, (names) => this.answer(names), this.options.logger);
      this.checkBuilds();
    }, this.options.checkIntervalMs ?? 500);
    this.timer.unref();
  }

  /** Resolves once the log's head was read at start and builds with nothing to catch up are live, or after `timeoutMs`. */
  async settled(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.firstCheck, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }

  /** The names of the read models. */
  get names(): string[] {
    return [...this.slots.keys()];
  }

  /** The file each read model answers from now. */
  servingFiles(): Record<string, string> {
    return Object.fromEntries([...this.slots].map(([name, slot]) => [name, slot.serving]));
  }

  /**
   * Builds a new generation of these read models beside the live ones, from the start of the log; each is swapped
   * in when it has caught up. A read model already being built keeps that build. Returns the files being built.
   */
  rebuild(names: readonly string[]): Record<string, string> {
    const building: Record<string, string> = {};
    let added = false;
    for (const name of names) {
      const slot = this.slots.get(name);
      if (slot === undefined) throw new Error(`unknown read model ${name}`);
      if (slot.building === null) {
        const folder = folderOf(this.options.root, name);
        slot.building = ProjectionFile.create(folder, slot.definition, slot.nextGeneration++, 'building', this.buildWrites);
        this.building.add(slot.building);
        added = true;
        this.options.logger?.info({ readModel: name, file: slot.building.file }, `rebuilding read model ${name} into ${slot.building.file}`);
      }
      building[name] = slot.building.file;
    }
    if (added) {
      if (this.away !== null) {
        this.awayAgain = true;
        void this.away.stop();
      } else if (this.builder === null) this.startBuilder();
      else this.builder.rewind();
    }
    return building;
  }

  private answer(names: string[]): RebuildAnswer {
    const unknown = names.filter((name) => !this.slots.has(name));
    if (unknown.length > 0) return { accepted: false, reason: `unknown read model ${unknown.join(', ')}; the read models are ${this.names.join(', ')}` };
    if (this.stopped) return { accepted: false, reason: 'the service is stopping' };
    return { accepted: true, building: this.rebuild(names.length === 0 ? this.names : names) };
  }

  status(): ProjectionsStatus {
    const lanes = this.lanes().map((lane) => {
      const status = lane.status();
      // Nothing is live yet (a first build): the lane waits for its first file, it has not stopped.
      return !this.stopped && !lane.processor.isRunning ? { ...status, phase: 'catching-up' as const } : status;
    });
    const [foreground, background] = lanes;
    // A lane without files follows nothing: it is left out, unless neither has files (a first build).
    const live = this.background.hasFiles ? (this.foreground.hasFiles ? lanes : [background!]) : [foreground!];
    return readModelsStatus([...this.slots.values()], (name) => this.liveFile(name), live, this.builder?.status() ?? this.away?.status() ?? null);
  }

  /** Every committed batch's row changes, in one call per batch. */
  onChanges(listener: (changes: ReadModelChange[]) => void): () => void {
    this.events.on('changes', listener);
    return () => this.events.off('changes', listener);
  }

  /** A read model answers from another file: a build was swapped in. */
  onServing(listener: (change: ServingChange) => void): () => void {
    this.events.on('serving', listener);
    return () => this.events.off('serving', listener);
  }

  /** After each batch of either processor. */
  onApplied(listener: () => void): () => void {
    this.events.on('applied', listener);
    return () => this.events.off('applied', listener);
  }

  /** Resolves once every read model that has no older file answering for it includes this position. */
  waitForPosition(position: bigint): Promise<void> {
    return positionReached((listener) => this.onApplied(listener), () => this.status().position, position);
  }

  /** Stops both processors (a build resumes at the next start); `catchUp` first applies what the log holds. */
  async stop(options: { catchUp?: boolean } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    await this.away?.stop();
    await this.builder?.stop();
    await this.background.processor.stop();
    await this.foreground.processor.stop();
    try {
      // The foreground first: the background lane reads no further than it.
      if (options.catchUp === true) for (const lane of this.lanes()) if (lane.hasFiles) await lane.processor.catchUp();
    } finally {
      for (const set of this.sets()) set.close();
      await this.backgroundThread?.stop();
    }
  }

  private startBuilder(): void {
    const thread = this.options.buildThread;
    const files = this.building.list();
    if (thread !== undefined && files.length > 0 && files.every((file) => this.liveFile(file.name) !== undefined)) this.buildAway(thread);
    else this.buildHere();
  }

  /**
   * Hands the building files to a thread of their own until they reach the log's head, so that the build takes the
   * CPU the live processors and the answers leave; then builds the last stretch here and swaps as usual. Only for builds
   * beside live files: the live ones announce what changes meanwhile, and history replayed is not news.
   */
  private buildAway(thread: { eventsFile: string; niceness: number }): void {
    const files = [...this.building.list()];
    const initial = this.statusBeforeThread();
    const away = new BuildThread(
      {
        eventsFile: thread.eventsFile,
        files: files.map((file) => ({ readModel: file.name, file: file.file })),
        niceness: thread.niceness,
        batchSize: this.options.buildBatchSize ?? BUILD_THREAD_BATCH,
        writes: this.buildWrites,
      },
      initial,
      () => {
        for (const file of this.building.list()) file.reloadCheckpoint();
        this.events.emit('applied');
      },
      this.options.logger,
    );
    this.away = away;
    void away.finished.then((end) => this.afterThread(end)).catch((error: unknown) => {
      this.options.logger?.error({ err: error }, 'could not take the build back from its thread; it resumes at the next start');
    });
  }

  /** The thread has ended: the files are this thread's again, to build further here, or on a new thread. */
  private afterThread(end: BuildThreadEnd): void {
    this.away = null;
    if (this.stopped) return;
    // Opened again: the projections' state in memory is from before the thread wrote.
    for (const file of [...this.building.list()]) {
      this.building.remove(file.name);
      file.close();
      const reopened = ProjectionFile.open(file.file, file.definition, this.buildWrites);
      this.building.add(reopened);
      this.slots.get(file.name)!.building = reopened;
    }
    if (this.awayAgain) {
      this.awayAgain = false;
      this.startBuilder();
      return;
    }
    if (end === 'failed') this.options.logger?.warn('the read-model build thread stopped early: the build goes on beside the live processors');
    this.buildHere();
  }

  /** What the build's status says until the thread first reports. */
  private statusBeforeThread(): ProcessorStatus {
    return {
      name: 'rebuild',
      phase: 'rebuilding',
      position: this.building.checkpoint(),
      headPosition: this.headAtStart ?? 0n,
      lagEvents: 0,
      lagSeconds: 0,
      eventsApplied: this.building.eventsApplied(),
      lagMs: null,
      lastError: null,
    };
  }

  private buildHere(): void {
    this.builder = new Processor(this.options.store, this.building, {
      name: 'rebuild',
      runningPhase: 'rebuilding',
      batchSize: this.options.buildBatchSize ?? 2000,
      // A build reads only its read models' types: the other events are passed over without being parsed.
      typesWithData: () => this.building.handledTypes(),
      ...(this.options.logger === undefined ? {} : { logger: this.options.logger }),
      ...(this.options.retryDelayMs === undefined ? {} : { retryDelayMs: this.options.retryDelayMs }),
    });
    this.builder.onApplied(() => {
      this.events.emit('applied');
      this.checkBuilds();
    });
    this.builder.start();
  }

  /**
   * Swaps in each build that stands no further back than the live processor. Both processors run on this thread,
   * so the check and the swap happen in one turn, between their batches.
   */
  private checkBuilds(): void {
    if (this.stopped) return;
    // The foreground lane is the furthest along of the live ones.
    const threshold = this.foreground.hasFiles ? this.foreground.processor.position : this.knownHead();
    // The thread's files are its own until it ends.
    if (threshold === null || this.away !== null) return;
    for (const file of [...this.building.list()]) {
      if (file.checkpoint.position < threshold) continue;
      try {
        this.swap(file);
      } catch (error) {
        this.options.logger?.error({ err: error, readModel: file.name }, `could not swap in the new build of read model ${file.name}; trying again`);
      }
    }
    if (this.builder !== null && this.building.list().length === 0) {
      const finished = this.builder;
      this.builder = null;
      // Not from inside its own batch: stop() waits for the batch to end.
      setImmediate(() => void finished.stop());
    }
  }

  /** With nothing live, a build is done when it reaches the log's head, as last read. */
  private knownHead(): bigint | null {
    const heads = [this.headAtStart, this.builder?.knownHead ?? null].filter((head) => head !== null);
    return heads.length === 0 ? null : heads.reduce((a, b) => (b > a ? b : a));
  }

  private swap(file: ProjectionFile): void {
    const slot = this.slots.get(file.name)!;
    file.createQueryIndexes();
    file.markLive();
    this.building.remove(file.name);
    const lane = this.laneOf(file.definition);
    const previous = lane.set.remove(file.name);
    if (lane === this.background && this.backgroundThread !== null) {
      // Handed to the background thread: opened there after the previous file's last batch.
      file.close();
      lane.set.add(this.backgroundThread.open(file.file, file.definition));
    } else lane.set.add(file);
    let retired: string | null = null;
    if (previous !== undefined) {
      previous.markRetired();
      previous.close();
      retired = previous.file;
    } else if (slot.older !== null) {
      const older = slot.older;
      slot.older = null;
      // The previous layout's one file answers for several read models: it goes with the last of them.
      const stillUsed = [...this.slots.values()].some((other) => other !== slot && (other.older === older || other.serving === older));
      retired = stillUsed ? null : retireFile(older);
    }
    slot.building = null;
    slot.serving = file.file;
    lane.startWithFiles();
    this.options.logger?.info(
      { readModel: file.name, file: file.file, position: String(file.checkpoint.position) },
      `read model ${file.name} version ${file.definition.version} is live: ${path.basename(file.file)}`,
    );
    this.events.emit('serving', { readModel: file.name, file: file.file, retired } satisfies ServingChange);
  }
}

