// A reading thread: answers GraphQL queries from connections of its own to the read-model files.
import { parentPort, workerData } from 'node:worker_threads';
import type { RecordedEvent } from '../eventstore/eventStore';
import { receivedError } from '../eventstore/sqlite/threadErrors';
import { EventLoopTurns } from '../graphql/eventLoopTurns';
import { mainThreadOnly, receivedThreadError, ThreadQueries } from '../graphql/readingThreadAnswers';
import { readModelsSchema } from '../graphqlSchema';
import { ServedReadModels } from '../processing/servedReadModels';
import { servedQueries } from '../readmodels';
import type { ReadModelServices, StreamHistory } from '../readmodels/services';
import type { FromReadingThread, ReadingWorkerData, ToReadingThread } from './readingMessages';
import { StatisticsAdmittedByMainThread } from './statisticsTurns';

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
const statisticTurns = new Map<number, { resolve(done: () => void): void; reject(error: Error): void }>();
let nextStatistic = 0;
const askTurn = () =>
  new Promise<() => void>((resolve, reject) => {
    const id = nextStatistic++;
    statisticTurns.set(id, { resolve, reject });
    send({ kind: 'statistic', id });
  });
const turns = new EventLoopTurns();
const services: ReadModelServices = {
  ...servedQueries(readModels),
  history,
  turns,
  statistics: new StatisticsAdmittedByMainThread(turns, askTurn),
  // The main thread's own state: queries that use it are answered there.
  forwarding: mainThreadOnly('forwarding'),
};
const queries = new ThreadQueries(readModelsSchema(services), data.graphql, turns);
/** Queries in hand, and those of them whose client has gone. */
const inHand = new Set<number>();
const gone = new Set<number>();

port.on('message', (message: ToReadingThread) => {
  switch (message.kind) {
    case 'query': {
      const { id } = message;
      inHand.add(id);
      queries
        .answer(message.query, () => gone.has(id))
        .then(
          (answer) => send({ kind: 'answer', id, answer }),
          (error: unknown) => send({ kind: 'failed', id, message: error instanceof Error ? error.message : String(error) }),
        )
        .finally(() => {
          inHand.delete(id);
          gone.delete(id);
        });
      return;
    }
    case 'client gone':
      if (inHand.has(message.id)) gone.add(message.id);
      return;
    case 'statistic admitted':
      statisticTurns.get(message.id)?.resolve(() => send({ kind: 'statistic done', id: message.id }));
      statisticTurns.delete(message.id);
      return;
    case 'statistic refused':
      statisticTurns.get(message.id)?.reject(receivedThreadError(message.refusal));
      statisticTurns.delete(message.id);
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
