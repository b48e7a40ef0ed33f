// How soon each run of a relay task on VOD sources played its first file: CSS promises a VodSourceFileStart within 2 s of TaskStart.
import type { RelayFact } from './relayTask.reducer';
import type { RelayRuns } from './relayTaskRuns';

export interface FileStartTiming {
  /** The push domain: the host of the target URL. */
  domain: string | null;
  /** The longest wait from a run's TaskStart to its first VodSourceFileStart (ms); null when none was measured. */
  fileStartDelayMs: number | null;
  /** 1 when a run ended (exited, or a later run started) without any VodSourceFileStart. */
  fileStartMissed: number;
  /** The start of the running run still waiting for its first file; null when none waits. */
  awaitingFileSince: number | null;
}

/** Files a relay plays on demand; live sources (rtmp, HTTP-FLV, HLS) never call back per file. */
const VOD_FILE = /\.(mp4|mov|mkv|mp3|m4a|aac|wav|avi|wmv|webm)(\?|#|$)/i;

const shownAt = (fact: RelayFact): number => fact.at ?? fact.receivedAt;

export function hostOf(url: string | null): string | null {
  if (url === null) return null;
  try {
    return new URL(url).hostname || null;
  } catch {
    return null;
  }
}

export function fileStartTiming(view: RelayRuns, toUrl: string | null, sourceUrls: readonly string[]): FileStartTiming {
  const timing: FileStartTiming = { domain: hostOf(toUrl), fileStartDelayMs: null, fileStartMissed: 0, awaitingFileSince: null };
  const playsFiles = view.runs.some((run) => run.files.size > 0) || sourceUrls.some((url) => VOD_FILE.test(url.trim()));
  if (!playsFiles) return timing;
  view.runs.forEach((run, i) => {
    if (run.start === null) return;
    const startedAt = shownAt(run.start);
    let firstFile: number | null = null;
    for (const tally of run.files.values()) {
      if (tally.start !== null) firstFile = Math.min(firstFile ?? Infinity, shownAt(tally.start));
    }
    if (firstFile !== null) timing.fileStartDelayMs = Math.max(timing.fileStartDelayMs ?? 0, Math.max(0, firstFile - startedAt));
    else if (run.finalExit !== null || i < view.runs.length - 1) timing.fileStartMissed = 1;
    else timing.awaitingFileSince = startedAt;
  });
  return timing;
}
