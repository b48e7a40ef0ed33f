// The forwarding thread: reads the embedded log through a connection of its own and delivers, so no destination ever holds up ingest.
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { SqliteEventStore } from '../eventstore/sqlite/sqliteEventStore';
import type { ForwardingControl } from './forwardingControl';
import { sendableError, type ForwardingWorkerData, type FromForwarding, type MetricCall, type ToForwarding } from './forwardingMessages';
import type { ForwardingMetrics } from './forwardingMetrics';
import { startForwardingRuntime } from './forwardingRuntime';

if (parentPort === null) throw new Error('forwardingWorker runs as a worker thread');
const port = parentPort;
const post = (message: FromForwarding) => port.postMessage(message);

/** Metrics calls sent to the main thread once per turn of the event loop, not one message each. */
function postedMetrics(): ForwardingMetrics {
  let calls: MetricCall[] = [];
  let scheduled: NodeJS.Immediate | undefined;
  const record = (call: MetricCall) => {
    calls.push(call);
    scheduled ??= setImmediate(() => {
      scheduled = undefined;
      const sent = calls;
      calls = [];
      post({ kind: 'metrics', calls: sent });
    });
  };
  return {
    countDelivery: (...args) => record(['countDelivery', args]),
    observeAttempt: (...args) => record(['observeAttempt', args]),
    setBreakerState: (...args) => record(['setBreakerState', args]),
  };
}

async function run(data: ForwardingWorkerData): Promise<void> {
  const logger = pino({ level: data.logLevel, base: { service: 'css-callback-ledger', thread: 'forwarding' } });
  // Its own connection to the log: it hears each commit of the writer thread (a channel named after the file).
  const store = SqliteEventStore.open(data.eventsFile, { checkIntegrity: false });
  let control: ForwardingControl;
  try {
    control = await startForwardingRuntime({
      source: store,
      file: data.forwardingFile,
      config: data.config,
      logger,
      metrics: postedMetrics(),
      shutdownGraceMs: data.shutdownGraceMs,
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  port.on('message', (message: ToForwarding) => {
    if (message.kind === 'shutdown') {
      void control
        .close()
        .catch((error: unknown) => logger.error({ err: error }, 'stopping forwarding failed'))
        .then(() => store.close())
        .finally(() => {
          post({ kind: 'stopped' });
          port.close();
        });
      return;
    }
    const operation = control[message.operation] as (...args: unknown[]) => Promise<unknown>;
    operation.apply(control, message.args).then(
      (value) => post({ kind: 'reply', id: message.id, ok: true, value }),
      (error: unknown) => post({ kind: 'reply', id: message.id, ok: false, error: sendableError(error) }),
    );
  });
  post({ kind: 'ready' });
}

run(workerData as ForwardingWorkerData).catch((error: unknown) => {
  post({ kind: 'failed', error: sendableError(error) });
  port.close();
});
