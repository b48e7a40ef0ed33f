// Rebuild requests to a running service: a file in DATA_DIR/readmodels/requests/ that its projector picks up, and its answer beside it.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';

export interface RebuildRequest {
  names: string[];
  pid: number;
  requestedAt: string;
}

/** Accepted: the files being built, by read model. Refused: why. */
export type RebuildAnswer = { accepted: true; building: Record<string, string> } | { accepted: false; reason: string };

const folderOf = (root: string): string => path.join(root, 'requests');
const requestFile = (root: string, id: string): string => path.join(folderOf(root), `${id}.request.json`);
const answerFile = (root: string, id: string): string => path.join(folderOf(root), `${id}.answer.json`);

/** Written whole or not at all: a reader never sees half a file. */
function writeAtomically(file: string, content: unknown): void {
  const scratch = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(scratch, `${JSON.stringify(content)}\n`);
  fs.renameSync(scratch, file);
}

export function submitRebuildRequest(root: string, names: readonly string[]): string {
  const id = randomUUID();
  fs.mkdirSync(folderOf(root), { recursive: true });
  writeAtomically(requestFile(root, id), { names: [...names], pid: process.pid, requestedAt: new Date().toISOString() } satisfies RebuildRequest);
  return id;
}

export function readAnswer(root: string, id: string): RebuildAnswer | null {
  try {
    return JSON.parse(fs.readFileSync(answerFile(root, id), 'utf8')) as RebuildAnswer;
  } catch {
    return null;
  }
}

/** Takes a request back (not picked up in time) or clears its answer (read). */
export function withdrawRebuildRequest(root: string, id: string): void {
  fs.rmSync(requestFile(root, id), { force: true });
  fs.rmSync(answerFile(root, id), { force: true });
}

/** Answers every request waiting in the folder; a malformed one is refused. */
export function answerRebuildRequests(root: string, answer: (names: string[]) => RebuildAnswer, logger?: Logger): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(folderOf(root));
  } catch {
    return; // no request was ever made
  }
  for (const entry of entries) {
    const id = /^(.+)\.request\.json$/.exec(entry)?.[1];
    if (id === undefined) continue;
    let reply: RebuildAnswer;
    try {
      const request = JSON.parse(fs.readFileSync(requestFile(root, id), 'utf8')) as Partial<RebuildRequest>;
      const names = request.names;
      reply = Array.isArray(names) && names.every((n) => typeof n === 'string') ? answer(names) : { accepted: false, reason: 'malformed request' };
      logger?.info({ request: id, names, accepted: reply.accepted }, `rebuild request ${id} for ${JSON.stringify(names)}: ${reply.accepted ? 'accepted' : reply.reason}`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // withdrawn meanwhile
      reply = { accepted: false, reason: error instanceof Error ? error.message : String(error) };
    }
    writeAtomically(answerFile(root, id), reply);
    fs.rmSync(requestFile(root, id), { force: true });
  }
}
