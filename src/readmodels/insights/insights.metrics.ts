// What the platform is doing, for Prometheus: streams live, interruptions, relay exits, moderation hits, recordings.
// Read from the insights read model at scrape time, so the values are right after a restart or a rebuild, and
// labelled with bounded values only (no stream id; unlisted errcodes and the smaller domains as "other").
import { Counter, Gauge, type Registry } from 'prom-client';
import type { InsightQueries } from './insights.queries';

/** Domains shown by name in css_ledger_streams_live, those with the most streams live; the rest add up under "other". */
export const DOMAIN_LABEL_LIMIT = 20;
export const OTHER_LABEL = 'other';

export type BusinessSource = Pick<InsightQueries, 'liveStreamsByDomain' | 'tallies'>;

/** Live streams by domain, the largest `limit` by name and the rest summed as "other" (present only when there are some). */
export function boundedDomains(rows: ReadonlyArray<{ domain: string | null; streams: number }>, limit = DOMAIN_LABEL_LIMIT): Map<string, number> {
  const sorted = [...rows].filter((r) => r.domain !== null && r.domain !== OTHER_LABEL).sort((a, b) => b.streams - a.streams || (a.domain! < b.domain! ? -1 : 1));
  const shown = new Map(sorted.slice(0, limit).map((r) => [r.domain!, r.streams]));
  const rest = rows.reduce((sum, r) => sum + (r.domain !== null && shown.has(r.domain) ? 0 : r.streams), 0);
  if (rest > 0) shown.set(OTHER_LABEL, rest);
  return shown;
}

/** `prefix`: the service's metric prefix (css_ledger_). */
export function registerBusinessMetrics(registers: Registry[], source: BusinessSource, prefix: string): void {
  new Gauge({
    name: `${prefix}streams_live`,
    help: `Stream names whose newest session is LIVE now, by push domain (the ${DOMAIN_LABEL_LIMIT} with the most by name, the rest as "other")`,
    labelNames: ['domain'] as const,
    registers,
    collect() {
      this.reset();
      for (const [domain, streams] of boundedDomains(source.liveStreamsByDomain())) this.set({ domain }, streams);
    },
  });
  /** A counter whose value per label set is a tally of the read model; its key's words are the labels' values. */
  const tallied = (name: string, help: string, kind: Parameters<BusinessSource['tallies']>[0], labelNames: string[], labels: (key: string) => string[]) =>
    new Counter({
      name: `${prefix}${name}`,
      help,
      labelNames,
      registers,
      collect() {
        this.reset();
        for (const { key, count } of source.tallies(kind)) {
          const values = labels(key);
          this.inc(Object.fromEntries(labelNames.map((label, i) => [label, values[i] ?? ''])), count);
        }
      },
    });
  tallied(
    'interruptions_total',
    'Interrupted sessions by errcode (unlisted ones as "other") and the side of their cause (customer, platform, network, unknown)',
    'interruptions', ['errcode', 'category'],
    (key) => {
      const [errcode, side] = key.split(' ');
      return [errcode!, (side ?? 'UNKNOWN').toLowerCase()];
    },
  );
  tallied('relay_exits_total', 'Relay task exits (TaskExit callbacks) by exit code', 'relayExits', ['code'], (key) => [key]);
  tallied('moderation_hits_total', 'Moderation hits by kind (image, audio) and suggestion (block, review, pass, other)', 'moderationHits', ['kind', 'suggestion'], (key) =>
    key.toLowerCase().split(' '),
  );
  tallied('recordings_ready_total', 'Recording files ready (event_type 100)', 'recordingsReady', [], () => []);
}
