// A reading thread: answers GraphQL queries from connections of its own to the read-model files.
import { parentPort, workerData } from 'node:worker_threads';
import type { RecordedEvent } from '../eventstore/eventStore';
import { receivedError } from '../eventstore/sqlite/threadErrors';
import { EventLoopTurns } from '../graphql/eventLoopTurns';
import { mainThreadOnly, ThreadQueries } from '../graphql/readingThreadAnswers';
import { readModelsSchema } from '../graphqlSchema';
import { ServedReadModels } from '../processing/servedReadModels';
import { servedQueries } from '../readmodels';
import type { ReadModelServices, StreamHistory } from '../readmodels/services';
import type { FromReadingThread, ReadingWorkerData, ToReadingThread } from './readingMessages';

const port = parentPort!;
const data = workerData as ReadingWorkerData;
const send = (message: FromReadingThread) => port.postMessage(message);

const readModels = new ServedReadModels(data.files, undefined, data.readCacheKiB);
const histories = new Map<number, { resolve(events: RecordedEvent[]): void; reject(error: Error): void }>();
let nextHistory = 0;
const history: StreamHistory = {
  eventsOf: (stream) =>
    new Promise((resolve, reject) => {
      const id = nextHistory++;
      histories.set(id, { resolve, reject });
      send({ kind: 'history', id, stream });
    }),
};
const turns = new EventLoopTurns();
const services: ReadModelServices = {
  ...servedQueries(readModels),
  history,
  turns,
  // Both are the main thread's own state: queries that use them are answered there.
  statistics: mainThreadOnly('the statistics admission'),
  forwarding: mainThreadOnly('forwarding'),
};
const queries = new ThreadQueries(readModelsSchema(services), data.graphql, turns);

port.on('message', (message: ToReadingThread) => {
  switch (message.kind) {
    case 'query':
      queries.answer(message.query).then(
        (answer) => send({ kind: 'answer', id: message.id, answer }),
        (error: unknown) => send({ kind: 'failed', id: message.id, message: error instanceof Error ? error.message : String(error) }),
      );
      return;
    case 'swap':
      // The main thread removes the file it replaced; this thread only stops reading it.
      readModels.swap({ readModel: message.readModel, file: message.file, retired: null });
      return;
    case 'history':
      histories.get(message.id)?.resolve(message.events);
      histories.delete(message.id);
      return;
    case 'history failed':
      histories.get(message.id)?.reject(receivedError(message.error));
      histories.delete(message.id);
      return;
    case 'close':
      readModels.close();
      port.close();
      return;
  }
});
send({ kind: 'ready' });
