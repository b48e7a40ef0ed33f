// The scale data set: which seeded chunks of traffic make it up, so the query benchmark can name real sequences and streams.

export interface DatasetSpec {
  seed: number;
  sessions: number;
  relayTasks: number;
}

export interface DatasetChunk {
  /** Seed of generateTraffic for this chunk: sequences embed seed % 1000, task ids seed * 1e6. */
  seed: number;
  sessions: number;
  relayTasks: number;
  /** Unix seconds of the chunk's first event: chunks follow one another in time. */
  startTime: number;
}

/** Sessions per chunk: keeps the generator's memory small (it holds a chunk's callbacks at once). */
const CHUNK_SESSIONS = 100_000;

export function datasetChunks(spec: DatasetSpec): DatasetChunk[] {
  const count = Math.max(1, Math.ceil(spec.sessions / CHUNK_SESSIONS));
  if (count > 99) throw new Error('at most 99 chunks (9,900,000 sessions)');
  const chunks: DatasetChunk[] = [];
  let startTime = 1_700_000_000;
  for (let k = 0; k < count; k++) {
    const sessions = Math.floor(spec.sessions / count) + (k < spec.sessions % count ? 1 : 0);
    const relayTasks = Math.floor(spec.relayTasks / count) + (k < spec.relayTasks % count ? 1 : 0);
    // 100 seeds per base seed, all with distinct seed % 1000 while the base seed is below 10.
    chunks.push({ seed: (spec.seed % 10) * 100 + k + 1, sessions, relayTasks, startTime });
    // generateTraffic spreads a chunk over (sessions + relay tasks) * 50 ms.
    startTime += Math.ceil(Math.max(60_000, (sessions + relayTasks) * 50) / 1000) + 3600;
  }
  return chunks;
}

/** Distinct stream names sessions draw from: about ten sessions per stream over the whole data set. */
export const streamCount = (spec: DatasetSpec): number => Math.max(1, Math.ceil(spec.sessions / 10));

/** The sequence generateTraffic gives session `index` of a chunk. */
export const sequenceOf = (chunk: DatasetChunk, index: number): string =>
  `66${String(chunk.seed % 1000).padStart(3, '0')}${String(index).padStart(14, '0')}`;
