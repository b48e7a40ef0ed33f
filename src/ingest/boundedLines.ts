// The lines of a byte stream, each at most a given size: a file with a line of gigabytes (a binary, say) is read in bounded memory.

/** A line longer than the bound: its bytes were counted and let go, never held. */
export interface OverlongLine {
  readonly overlongBytes: number;
}

export type BoundedLine = string | OverlongLine;

export const isOverlong = (line: BoundedLine): line is OverlongLine => typeof line !== 'string';

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Splits `input` at each "\n" (a "\r" before it dropped, as JSON Lines allows "\r\n"), decoding each line as UTF-8.
 * A line over `maxBytes` (without its line ending) comes as an OverlongLine in its place, so line numbers still count it.
 */
export async function* boundedLines(input: AsyncIterable<Buffer | string>, maxBytes: number): AsyncGenerator<BoundedLine> {
  let parts: Buffer[] = [];
  let held = 0;
  let overlong = 0; // bytes of the current line, once it is over the bound

  const take = (bytes: Buffer) => {
    if (bytes.length === 0) return;
    if (overlong > 0) {
      overlong += bytes.length;
    } else if (held + bytes.length > maxBytes) {
      overlong = held + bytes.length;
      parts = [];
      held = 0;
    } else {
      parts.push(bytes);
      held += bytes.length;
    }
  };
  const finish = (): BoundedLine => {
    if (overlong > 0) {
      const line = { overlongBytes: overlong };
      overlong = 0;
      return line;
    }
    let line = parts.length === 1 ? parts[0]! : Buffer.concat(parts, held);
    parts = [];
    held = 0;
    if (line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN) line = line.subarray(0, line.length - 1);
    return line.toString('utf8');
  };

  let pending = false; // bytes since the last line ending
  for await (const chunk of input) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let start = 0;
    for (let end = bytes.indexOf(NEWLINE); end !== -1; end = bytes.indexOf(NEWLINE, start)) {
      take(bytes.subarray(start, end));
      start = end + 1;
      pending = false;
      yield finish();
    }
    if (start < bytes.length) {
      take(bytes.subarray(start));
      pending = true;
    }
  }
  if (pending) yield finish();
}
