// A GraphQL answer written out as JSON, and sent, a slice per turn of the event loop: a statistic by node can run to megabytes.
import { Readable } from 'node:stream';
import type { EventLoopTurns } from './eventLoopTurns';
import { LIST_ITEMS_PER_TURN } from './longLists';

/**
 * JSON text written elsewhere (a reading thread writes the data of the answers it works out): answerText writes it as
 * it is, and JSON.stringify, should anything else write the answer, writes the value it stands for.
 */
export class WrittenJson {
  constructor(readonly text: string) {}

  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}

/**
 * What JSON.stringify(answer) + '\n' gives (Apollo's own text), with the items of each list longer than `perTurn` written
 * `perTurn` at a time, each slice in a turn of `turns`: callbacks and other requests are served between them. Objects
 * outside lists are few (one per field asked for), so they are walked here; lists no longer than `perTurn`, and the items
 * of long ones, are left to JSON.stringify whole. WrittenJson is written as its text.
 */
export async function answerText(answer: unknown, turns: EventLoopTurns, perTurn = LIST_ITEMS_PER_TURN): Promise<string> {
  const parts = await jsonParts(answer, turns, perTurn);
  // Joined with its newline: a text concatenated after the join would be flattened (copied) when first sliced.
  parts.push('\n');
  return parts.join('');
}

/** What JSON.stringify(value) gives, long lists written as answerText writes them. */
export async function jsonText(value: unknown, turns: EventLoopTurns, perTurn = LIST_ITEMS_PER_TURN): Promise<string> {
  return (await jsonParts(value, turns, perTurn)).join('');
}

async function jsonParts(answer: unknown, turns: EventLoopTurns, perTurn: number): Promise<string[]> {
  const parts: string[] = [];
  const write = async (value: unknown): Promise<void> => {
    // Most answers hold no long list: written in one call, without a turn of the walk per field.
    if (!needsWalk(value, perTurn)) parts.push(JSON.stringify(value) ?? 'null');
    else if (value instanceof WrittenJson) parts.push(value.text);
    else if (Array.isArray(value)) {
      parts.push('[');
      for (let start = 0; start < value.length; start += perTurn) {
        const slice = value.slice(start, start + perTurn);
        const text = await turns.run(() => slice.map((item) => JSON.stringify(item) ?? 'null').join(','));
        parts.push(start === 0 ? text : `,${text}`);
      }
      parts.push(']');
    } else if (isPlainObject(value)) {
      parts.push('{');
      let first = true;
      for (const [key, field] of Object.entries(value)) {
        if (!isWritten(field)) continue;
        parts.push(`${first ? '' : ','}${JSON.stringify(key)}:`);
        first = false;
        await write(field);
      }
      parts.push('}');
    }
  };
  await write(answer);
  return parts;
}

/** Whether a value holds, outside lists no longer than `perTurn`, a longer list or JSON written elsewhere. */
function needsWalk(value: unknown, perTurn: number): boolean {
  if (value instanceof WrittenJson) return true;
  if (Array.isArray(value)) return value.length > perTurn;
  if (!isPlainObject(value)) return false;
  for (const key of Object.keys(value)) if (needsWalk(value[key], perTurn)) return true;
  return false;
}

/** An object JSON.stringify writes key by key: not one with its own toJSON (a Date, say). */
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';

/** JSON.stringify leaves out an object's keys whose values are undefined, functions or symbols. */
const isWritten = (value: unknown): boolean => value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';

/** An answer's text longer than this is sent in slices (`answerInSlices`); shorter ones as they are. */
export const LONG_ANSWER_CHARS = 1 << 20;

/** Characters encoded and written in a turn: a few milliseconds. */
const CHARS_PER_SLICE = 1 << 18;

/**
 * The text as a stream of its UTF-8 bytes, `charsPerSlice` characters encoded in each turn of `turns` (with chunked
 * transfer encoding; a text of megabytes measured, encoded and written at once holds the event loop for about 100 ms).
 */
export function answerInSlices(text: string, turns: EventLoopTurns, charsPerSlice = CHARS_PER_SLICE): Readable {
  async function* slices(): AsyncGenerator<Buffer> {
    for (let start = 0; start < text.length; ) {
      let end = Math.min(text.length, start + charsPerSlice);
      // A surrogate pair stays whole, in this slice or the next: its halves encoded apart would be two replacement characters.
      if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end += end - 1 > start ? -1 : 1;
      const from = start;
      yield await turns.run(() => Buffer.from(text.slice(from, end)));
      start = end;
    }
  }
  return Readable.from(slices(), { objectMode: false });
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
