// Occurrences counted and logged: the first at once, then one line per interval while they go on, not a line each.
import type { Logger } from 'pino';

export interface PeriodicReport {
  count(): void;
  /** Logs what is not yet reported and ends the reporting. */
  stop(): void;
}

/** `describe` words the line for `count` occurrences since the last one; `first` for the one that begins a run of them. */
export function periodicReport(
  logger: Pick<Logger, 'warn'>,
  intervalMs: number,
  describe: (count: number, first: boolean) => { fields: object; message: string },
): PeriodicReport {
  let unreported = 0;
  let reporting: NodeJS.Timeout | undefined;
  const report = (): boolean => {
    if (unreported === 0) return false;
    const { fields, message } = describe(unreported, reporting === undefined);
    logger.warn(fields, message);
    unreported = 0;
    return true;
  };
  const reportPeriodically = () => {
    reporting = report() ? setTimeout(reportPeriodically, intervalMs).unref() : undefined;
  };
  return {
    count() {
      unreported++;
      if (reporting === undefined) reportPeriodically();
    },
    stop() {
      clearTimeout(reporting);
      report();
      reporting = undefined;
    },
  };
}
