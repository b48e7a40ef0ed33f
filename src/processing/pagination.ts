// Keyset pagination over read-model tables: opaque, stable cursors and a page-size cap.

/** `first` when a client gives none, and the most it may ask for. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export interface Page<Row> {
  /** Rows in listing order, each with the cursor that points just after it. */
  edges: Array<{ cursor: string; row: Row }>;
  hasNextPage: boolean;
  /** The cursors of the first and last rows; null on an empty page. */
  startCursor: string | null;
  endCursor: string | null;
  /** Whether rows come before this page (only ever after a cursor); computed only when asked for. */
  hasPreviousPage(): boolean;
  /** How many rows match the filter in all; computed only when asked for. */
  totalCount(): number;
}

/** Computed on the first call only (a page's totalCount, say): counting all matches costs what listing a page does not. */
export function once<T>(compute: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = compute();
      done = true;
    }
    return value;
  };
}

/** A cursor that cannot be decoded, or belongs to another listing. */
export class InvalidCursorError extends Error {
  readonly code = 'INVALID_CURSOR';
  constructor(cursor: string) {
    super(`cursor ${JSON.stringify(cursor)} is not one this listing gave out`);
    this.name = 'InvalidCursorError';
  }
}
