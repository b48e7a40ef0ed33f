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
/** What this thread asked the main thread for (a stream's events, a statistic's turn), by the id of the ask. */
const asked = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
let nextAsk = 0;
function askMain<T>(message: (id: number) => FromReadingThread): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const id = nextAsk++;
    asked.set(id, { resolve: resolve as (value: unknown) => void, reject });
    send(message(id));
  });
}
function answered(id: number, outcome: { value: unknown } | { error: Error }): void {
  const ask = asked.get(id);
  asked.delete(id);
  if ('error' in outcome) ask?.reject(outcome.error);
  else ask?.resolve(outcome.value);
}
const history: StreamHistory = { eventsOf: (stream) => askMain<RecordedEvent[]>((id) => ({ kind: 'history', id, stream })) };
const askTurn = () => askMain<() => void>((id) => ({ kind: 'statistic', id }));
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
      answered(message.id, { value: () => send({ kind: 'statistic done', id: message.id }) });
      return;
    case 'statistic refused':
      answered(message.id, { error: receivedThreadError(message.refusal) });
      return;
    case 'swap':
      // The main thread removes the file it replaced; this thread only stops reading it.
      readModels.swap({ readModel: message.readModel, file: message.file, retired: null });
      return;
    case 'history':
      answered(message.id, { value: message.events });
      return;
    case 'history failed':
      answered(message.id, { error: receivedError(message.error) });
      return;
    case 'close':
      readModels.close();
      port.close();
      return;
  }
});
send({ kind: 'ready' });
