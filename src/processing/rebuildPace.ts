// How fast a rebuild goes and about how long it has left, from where its slowest build stood when first seen and now.
import type { BuildProgress } from './rebuild';

/** The slowest build still replaying the log, at a moment (ms on the monotonic clock). */
export interface PaceMark {
  atMs: number;
  position: bigint;
}

/** Where the slowest build still replaying the log stands; null once every build has replayed it. */
export function slowestBuild(progress: readonly BuildProgress[], atMs: number): PaceMark | null {
  const building = progress.filter((build) => build.phase === 'building').map((build) => build.position);
  if (building.length === 0) return null;
  return { atMs, position: building.reduce((lowest, position) => (position < lowest ? position : lowest)) };
}

/**
 * "7,612 events/s, about 4 min 10 s left" for the log up to `head`, at the pace since `first`; null until a second has
 * passed and the slowest build has moved (a rate from less says little).
 */
export function describePace(first: PaceMark, now: PaceMark, head: bigint): string | null {
  const seconds = (now.atMs - first.atMs) / 1000;
  const replayed = Number(now.position - first.position);
  if (seconds < 1 || replayed <= 0) return null;
  const perSecond = replayed / seconds;
  const left = Math.max(0, Number(head - now.position)) / perSecond;
  return `${Math.round(perSecond).toLocaleString('en-US')} events/s, about ${roughly(left)} left`;
}

/** "45 s", "4 min 10 s", "1 h 05 min": to the second under a minute, to ten seconds under an hour, then to the minute. */
function roughly(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 3600) {
    const tens = Math.round(seconds / 10) * 10;
    const [minutes, rest] = [Math.floor(tens / 60), tens % 60];
    return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
  }
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
