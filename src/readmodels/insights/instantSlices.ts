// Interruptions of a time range read in slices that end between two instants: those of one instant always come together.

/** Rows whose first column is their instant (ms). */
type Timed = readonly [number, ...unknown[]];

/**
 * The slice of [from, to) that starts at `from`: about `limit` rows in time order (`read(from, limit)`), the last instant
 * read left for the next slice, or, when every row read shares one instant, all of that instant (`readAt`). `next` is
 * where the next slice starts, null when the range is done.
 */
export function instantSlice<R extends Timed>(
  from: number,
  to: number,
  limit: number,
  read: (from: number, limit: number) => R[],
  readAt: (at: number) => R[],
): { rows: R[]; next: number | null } {
  const rows = read(from, limit);
  if (rows.length < limit) return { rows, next: null };
  const last = rows[rows.length - 1]![0];
  if (rows[0]![0] === last) return { rows: readAt(last), next: last + 1 < to ? last + 1 : null };
  return { rows: rows.filter((row) => row[0] < last), next: last };
}
