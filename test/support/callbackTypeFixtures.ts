// The documented examples of every callback type beyond push, interruption and relay (test/fixtures/css-callback-types.json).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCallbackBody, type CallbackPayload } from '../../src/domain/callbackJson';
import type { CallbackEvent } from '../../src/domain/callbackEvents';
import { interpretCallback } from '../../src/domain/interpretCallback';

export interface CallbackTypeFixture {
  name: string;
  eventType: number;
  /** The Tencent Cloud CSS page the example comes from. */
  source: string;
  retrievedFrom?: string;
  /** How and why the example differs from the page, when it does. */
  note?: string;
  raw: string;
}

export function callbackTypeFixtures(): CallbackTypeFixture[] {
  const file = path.join(__dirname, '..', 'fixtures', 'css-callback-types.json');
  return JSON.parse(readFileSync(file, 'utf8')) as CallbackTypeFixture[];
}

export function callbackTypeFixture(name: string): CallbackTypeFixture {
  const found = callbackTypeFixtures().find((fixture) => fixture.name === name);
  if (found === undefined) throw new Error(`no fixture named ${name}`);
  return found;
}

export function payloadOf(raw: string): CallbackPayload {
  const parsed = parseCallbackBody(raw);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.payload;
}

/** What POST /callbacks makes of a body. */
export const interpretRaw = (raw: string): CallbackEvent => interpretCallback(payloadOf(raw), raw);
export const interpretBody = (body: object): CallbackEvent => interpretRaw(JSON.stringify(body));
