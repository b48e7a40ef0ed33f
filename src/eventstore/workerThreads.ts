// Worker threads of the service: where each one's compiled script is, its first word, and a bounded wait for its end.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';

/**
 * `name` is the script's path under src/ without extension (e.g. `eventstore/sqlite/sqliteWriterWorker`). From
 * source (the test runner compiles on the fly) it is the build of the same source in dist/, which the integration
 * tests' setup writes first.
 */
export function workerScript(name: string): string {
  const built = path.join(__dirname, '..', `${name}.js`);
  if (existsSync(built)) return built;
  return path.join(__dirname, '..', '..', 'dist', `${name}.js`);
}

/** How long a thread of the service gets to close its files, and then to exit, when the service stops. */
export const THREAD_STOP_TIMEOUT_MS = 15_000;

/**
 * Whether `promise` settles within `ms`. The timer keeps the process alive meanwhile: with nothing else pending,
 * Node would otherwise end the process in the middle of a shutdown.
 */
export function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** The first thing a starting thread says: ready, or why it could not open its files. */
export function firstMessage<T>(worker: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number) => settle(() => reject(new Error(`a thread exited with code ${code} while starting`)));
    const onMessage = (message: T) => settle(() => resolve(message));
    const onError = (error: Error) => settle(() => reject(error));
    function settle(done: () => void) {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      done();
    }
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  });
}
