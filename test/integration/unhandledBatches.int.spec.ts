// A live read-model file given batches that hold nothing it handles: no transaction for them, its checkpoint moved in
// memory and written with the next batch it handles, after a second at most, or when it is closed; a crash replays them.
import path from 'node:path';
import { CallbackEventType } from '../../src/domain/callbackEvents';
import type { RecordedEvent } from '../../src/eventstore/eventStore';
import { SqliteEventStore } from '../../src/eventstore/sqlite/sqliteEventStore';
import { openForReading, ProjectionFile, readCheckpoint, UNHANDLED_CHECKPOINT_MS } from '../../src/processing/readModelFile';
import { readModelDigest } from '../../src/processing/readModelDigest';
import { relayTasksProjection } from '../../src/readmodels/relayTasks/relayTasks.projection';
import { tempDataDir } from '../support/testService';
import { appendTraffic } from '../support/trafficLog';

const RELAY_TYPES = new Set<string>(relayTasksProjection.canHandle);

describe('a live read-model file and the batches it has nothing to do with', () => {
  const data = tempDataDir();
  let store: SqliteEventStore;
  let events: RecordedEvent[];
  beforeAll(async () => {
    store = SqliteEventStore.open(path.join(data.dir, 'events.db'));
    await appendTraffic(store, { seed: 11, sessions: 60, relayTasks: 6 });
    events = await store.readAll({ maxCount: 10_000 });
  });
  afterAll(async () => {
    await store.close();
    data.remove();
  });

  /** The checkpoint as another connection reads it from the file. */
  const storedCheckpoint = (file: string) => {
    const db = openForReading(file);
    try {
      return readCheckpoint(db);
    } finally {
      db.close();
    }
  };
  const unhandled = () => events.filter((event) => !RELAY_TYPES.has(event.type));

  it('commits nothing for them, and writes where it stands when closed', () => {
    expect(unhandled().length).toBeGreaterThan(100);
    expect(events.some((event) => event.type === CallbackEventType.StreamPushed)).toBe(true);
    const file = ProjectionFile.create(path.join(data.dir, 'closed'), relayTasksProjection, 1, 'live');
    const batches = unhandled().slice(0, 100);
    // The first batch after opening writes the checkpoint: nothing had been written since.
    file.apply(batches.slice(0, 10));
    expect(storedCheckpoint(file.file)).toEqual({ position: batches[9]!.position, eventsApplied: 10 });
    const changes = file.db.prepare('SELECT total_changes()').pluck();
    const changesBefore = changes.get();
    for (let i = 10; i < 100; i += 10) file.apply(batches.slice(i, i + 10));
    expect(changes.get()).toBe(changesBefore);
    expect(file.checkpoint).toEqual({ position: batches[99]!.position, eventsApplied: 100 });
    expect(storedCheckpoint(file.file)).toEqual({ position: batches[9]!.position, eventsApplied: 10 });
    file.close();
    expect(storedCheckpoint(file.file)).toEqual({ position: batches[99]!.position, eventsApplied: 100 });
    const reopened = ProjectionFile.open(file.file, relayTasksProjection);
    expect(reopened.checkpoint).toEqual({ position: batches[99]!.position, eventsApplied: 100 });
    reopened.close();
  });

  it('writes its checkpoint with the next batch it handles, and once a second has passed, whatever the system clock is set to', () => {
    const file = ProjectionFile.create(path.join(data.dir, 'handled'), relayTasksProjection, 1, 'live');
    const now = jest.spyOn(performance, 'now');
    const wall = jest.spyOn(Date, 'now').mockReturnValue(1_700_000_000_000);
    try {
      const before = unhandled().slice(0, 3);
      const handled = events.find((event) => RELAY_TYPES.has(event.type) && event.position > before[2]!.position)!;
      const after = unhandled().filter((event) => event.position > handled.position).slice(0, 6);
      now.mockReturnValue(1_000_000);
      file.apply(before.slice(0, 1));
      file.apply(before.slice(1));
      expect(storedCheckpoint(file.file).position).toBe(before[0]!.position);
      file.apply([handled]);
      expect(storedCheckpoint(file.file)).toEqual({ position: handled.position, eventsApplied: 4 });
      file.apply(after.slice(0, 5));
      expect(storedCheckpoint(file.file).position).toBe(handled.position);
      // A second after the last write, a batch it has nothing to do with writes where it stands, though the system clock
      // was set back an hour meanwhile.
      now.mockReturnValue(1_000_000 + UNHANDLED_CHECKPOINT_MS);
      wall.mockReturnValue(1_700_000_000_000 - 3_600_000);
      file.apply(after.slice(5));
      expect(storedCheckpoint(file.file)).toEqual({ position: after[5]!.position, eventsApplied: 10 });
    } finally {
      now.mockRestore();
      wall.mockRestore();
      file.close();
    }
  });

  it('resumes after a crash from what it wrote, and ends with the rows of a file built in one go', () => {
    const folder = path.join(data.dir, 'crashed');
    const file = ProjectionFile.create(folder, relayTasksProjection, 1, 'live');
    const now = jest.spyOn(Date, 'now').mockReturnValue(2_000_000);
    const half = Math.floor(events.length / 2);
    try {
      for (let i = 0; i < half; i += 7) file.apply(events.slice(i, Math.min(i + 7, half)));
      file.apply(unhandled().filter((event) => event.position > events[half - 1]!.position).slice(0, 3));
    } finally {
      now.mockRestore();
    }
    const written = storedCheckpoint(file.file);
    expect(written.position).toBeLessThan(file.checkpoint.position);
    // A crash: the connection goes without close() writing where it stood.
    file.db.close();
    const resumed = ProjectionFile.open(file.file, relayTasksProjection);
    const alone = ProjectionFile.create(path.join(data.dir, 'alone'), relayTasksProjection, 1, 'live');
    try {
      expect(resumed.checkpoint).toEqual(written);
      for (let i = 0; i < events.length; i += 7) resumed.apply(events.slice(i, i + 7));
      alone.apply(events);
      expect(resumed.checkpoint).toEqual({ position: events[events.length - 1]!.position, eventsApplied: events.length });
      expect(readModelDigest(resumed.db, relayTasksProjection)).toBe(readModelDigest(alone.db, relayTasksProjection));
    } finally {
      resumed.close();
      alone.close();
    }
  });

  it('is written batch by batch while it builds', () => {
    const file = ProjectionFile.create(path.join(data.dir, 'building'), relayTasksProjection, 1, 'building');
    try {
      const batches = unhandled().slice(0, 30);
      for (let i = 0; i < 30; i += 10) file.apply(batches.slice(i, i + 10));
      expect(storedCheckpoint(file.file)).toEqual({ position: batches[29]!.position, eventsApplied: 30 });
    } finally {
      file.close();
    }
  });
});
