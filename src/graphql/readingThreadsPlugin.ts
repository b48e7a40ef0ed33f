// Queries over HTTP answered by the reading threads once the main thread has checked them; the rest run here as before.
import { HeaderMap, type ApolloServerPlugin, type GraphQLResponse } from '@apollo/server';
import { Kind, type GraphQLFormattedError, type OperationDefinitionNode } from 'graphql';
import { Counter, type Registry } from 'prom-client';
import { METRIC_PREFIX } from '../metrics/serviceMetrics';
import type { AdminContext } from './adminAccess';
import { WrittenJson } from './answerText';
import type { ThreadAnswer, ThreadQuery } from './readingThreadAnswers';

/** Calls the listener once the client of a request has gone (its connection closed); answers what stops watching. */
export type ClientGoneWatch = (listener: () => void) => () => void;

/** Sends a query to a reading thread; null when none can take it now (none started yet, or the one it went to failed). */
export type AskReadingThread = (query: ThreadQuery, onClientGone?: ClientGoneWatch) => Promise<ThreadAnswer | null>;

export type AnsweredOn = 'reading thread' | 'main thread';

export interface ReadingThreadsPluginOptions {
  ask: AskReadingThread;
  /** The formatting every answer's errors get (graphqlRoutes' errorFormatter). */
  formatError: (formatted: GraphQLFormattedError) => GraphQLFormattedError;
  /** Told where each query was answered (the metrics count them). */
  answered?: (on: AnsweredOn) => void;
}

/**
 * After parsing, validation and the cost check, a query goes to a reading thread, which reads the read models through
 * connections of its own: the main thread, which answers CSS, does not wait for their pages. Mutations, and queries whose
 * root fields need the main thread's own state (forwarding's; learnt from the first that asked), run here.
 */
export function readingThreadsPlugin({ ask, formatError, answered }: ReadingThreadsPluginOptions): ApolloServerPlugin {
  const onMainThread = new Set<string>();
  return {
    async requestDidStart() {
      return {
        async responseForOperation({ operation, source, request, contextValue }): Promise<GraphQLResponse | null> {
          // No operation: several in the document without a (matching) operationName, which execution answers with what
          // was wrong. Mutations change the main thread's state; subscriptions over HTTP are refused before this.
          if (operation == null || operation.operation !== 'query') return null;
          if (source === undefined) return mainThread();
          const fields = rootFields(operation);
          if (fields === null || fields.some((field) => onMainThread.has(field))) return mainThread();
          const context = contextValue as AdminContext & { onClientGone?: ClientGoneWatch };
          const query = {
            query: source,
            variables: request.variables ?? null,
            operationName: request.operationName ?? null,
            ...(context.adminAccess === undefined ? {} : { adminAccess: context.adminAccess }),
          };
          const answer = await ask(query, context.onClientGone);
          if (answer === null) return mainThread();
          if (answer.kind === 'main thread') {
            for (const field of answer.fields) onMainThread.add(field);
            return mainThread();
          }
          answered?.('reading thread');
          return response(answer, formatError);
        },
      };
    },
  };

  function mainThread(): null {
    answered?.('main thread');
    return null;
  }
}

/** The names of an operation's root fields; null when fragments make them more than a glance (it stays here). */
function rootFields(operation: OperationDefinitionNode): string[] | null {
  const names: string[] = [];
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) return null;
    names.push(selection.name.value);
  }
  return names;
}

/** The answer as Apollo would have sent it: errors formatted, an error's HTTP status and headers on the response. */
function response(answer: Extract<ThreadAnswer, { kind: 'answered' }>, formatError: ReadingThreadsPluginOptions['formatError']): GraphQLResponse {
  const headers = new HeaderMap();
  let status: number | undefined;
  for (const error of answer.errors ?? []) {
    if (error.http?.status !== undefined) status = error.http.status;
    for (const [name, value] of error.http?.headers ?? []) headers.set(name, value);
  }
  const errors = answer.errors;
  // As Apollo does: errors and no data at all (the operation never ran: a variable that could not be coerced) is a 400.
  if (status === undefined && errors !== undefined && errors.length > 0 && answer.dataJson === undefined) status = 400;
  return {
    http: { headers, status },
    body: {
      kind: 'single',
      singleResult: {
        // Written out as the thread wrote it (answerText); a WrittenJson stands for the object Apollo's types expect.
        ...(answer.dataJson === undefined ? {} : { data: new WrittenJson(answer.dataJson) as unknown as Record<string, unknown> }),
        ...(errors === undefined ? {} : { errors: errors.map((error) => formatError(error.formatted)) }),
      },
    },
  };
}

/** Queries over HTTP by the thread that answered them, for the metrics. */
export function countedQueries(registry: Registry): (on: AnsweredOn) => void {
  const counter = new Counter({
    name: `${METRIC_PREFIX}graphql_queries_total`,
    help: 'GraphQL queries over HTTP by where they were answered: on a reading thread, or on the main thread (GRAPHQL_READING_THREADS=0, no reading thread ready, or a root field that needs the main thread)',
    labelNames: ['thread'] as const,
    registers: [registry],
  });
  const reading = counter.labels({ thread: 'reading' });
  const main = counter.labels({ thread: 'main' });
  // Both shown from the start: a rate over a series that appears late misses its first queries.
  reading.inc(0);
  main.inc(0);
  return (on) => (on === 'reading thread' ? reading : main).inc();
}
