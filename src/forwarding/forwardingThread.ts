// The main thread's side of the forwarding thread: the operations as requests, its metrics replayed here, a bounded stop.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { ForwardConfig } from './forwardConfig';
import type { ForwardingControl, ForwardingOperation } from './forwardingControl';
import { receivedError, type ForwardingWorkerData, type FromForwarding } from './forwardingMessages';
import type { ForwardingMetrics } from './forwardingMetrics';

/** The compiled worker beside this file; from source (the test runner), its build in dist/. */
function workerFile(): string {
  const beside = path.join(__dirname, 'forwardingWorker.js');
  if (existsSync(beside)) return beside;
  return path.join(__dirname, '..', '..', 'dist', 'forwarding', 'forwardingWorker.js');
}

/** Beyond the deliveries' grace: closing the files and the thread. */
const EXIT_MARGIN_MS = 5_000;

export interface ForwardingThreadOptions {
  eventsFile: string;
  forwardingFile: string;
  config: ForwardConfig;
  shutdownGraceMs: number;
  logger: Logger;
  metrics: ForwardingMetrics;
}

export async function startForwardingThread(options: ForwardingThreadOptions): Promise<ForwardingControl> {
  const { logger, metrics } = options;
  const worker = new Worker(workerFile(), {
    name: 'forwarding',
    workerData: {
      eventsFile: options.eventsFile,
      forwardingFile: options.forwardingFile,
      config: options.config,
      logLevel: logger.level,
      shutdownGraceMs: options.shutdownGraceMs,
    } satisfies ForwardingWorkerData,
  });
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 1;
  let running = true;
  let exited = false;
  const stopped = new Promise<void>((resolve) =>
    worker.once('exit', (code) => {
      exited = true;
      if (running) logger.fatal({ code }, 'the forwarding thread ended unexpectedly: nothing is forwarded until the service restarts');
      for (const call of pending.values()) call.reject(new Error('the forwarding thread has ended'));
      pending.clear();
      resolve();
    }),
  );
  worker.on('error', (error) => logger.fatal({ err: error }, 'the forwarding thread failed'));

  const started = new Promise<void>((resolve, reject) => {
    const first = (message: FromForwarding) => {
      if (message.kind === 'ready') resolve();
      else if (message.kind === 'failed') reject(receivedError(message.error));
    };
    worker.once('message', first);
    void stopped.then(() => reject(new Error('the forwarding thread ended while starting')));
  });
  worker.on('message', (message: FromForwarding) => {
    if (message.kind === 'metrics') {
      for (const [method, args] of message.calls) (metrics[method] as (...a: unknown[]) => void)(...args);
    } else if (message.kind === 'reply') {
      const call = pending.get(message.id);
      pending.delete(message.id);
      if (message.ok) call?.resolve(message.value);
      else call?.reject(receivedError(message.error));
    }
  });
  try {
    await started;
  } catch (error) {
    running = false;
    await worker.terminate();
    throw error;
  }

  const call =
    (operation: ForwardingOperation) =>
    (...args: unknown[]): Promise<never> => {
      if (exited) return Promise.reject(new Error('the forwarding thread has ended'));
      const id = nextId++;
      worker.postMessage({ kind: 'call', id, operation, args });
      return new Promise((resolve, reject) => pending.set(id, { resolve: resolve as (value: unknown) => void, reject }));
    };

  return {
    destinations: call('destinations'),
    deliveries: call('deliveries'),
    pause: call('pause'),
    resume: call('resume'),
    replay: call('replay'),
    redeliverDeadLetters: call('redeliverDeadLetters'),
    async close() {
      if (!running) return stopped;
      running = false;
      if (exited) return;
      worker.postMessage({ kind: 'shutdown' });
      // Bounded: a thread that does not stop in time is ended rather than holding up the exit.
      const timer = setTimeout(() => {
        logger.error(`the forwarding thread did not stop within ${options.shutdownGraceMs + EXIT_MARGIN_MS} ms: ending it`);
        void worker.terminate();
      }, options.shutdownGraceMs + EXIT_MARGIN_MS);
      await stopped;
      clearTimeout(timer);
    },
  };
}
