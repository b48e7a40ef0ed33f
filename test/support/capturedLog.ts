// A pino logger writing to memory, so a test reads back the JSON lines the service logged.
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

export function capturedLog(level: pino.Level = 'info'): { logger: Logger; logged(): Array<Record<string, unknown>> } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level }, stream), logged: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}
