// The WAL checkpoints' thread with EventStoreDB (walCheckpoints.ts): the live read models and forwarding's file, each in turn.
import { parentPort, workerData } from 'node:worker_threads';
import { checkpointEvery, type WalCheckpointFiles } from '../processing/walCheckpoints';
import type { FromWalCheckpoints } from './walCheckpoints';

if (parentPort === null) throw new Error('walCheckpointsWorker runs as a worker thread');
const port = parentPort;

const checkpoints = checkpointEvery(workerData as WalCheckpointFiles, (file, message) => port.postMessage({ kind: 'failed', file, message } satisfies FromWalCheckpoints));
port.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  checkpoints.stop();
  port.close();
});
