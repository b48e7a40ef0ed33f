// GraphQL over HTTP (Apollo Server on Fastify) and over WebSocket (graphql-ws), both at /graphql; GraphiQL is registered beside it.
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type FormattedExecutionResult, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { GraphqlConfig } from './graphqlConfig';
import { graphqlCode } from '../errors/catalogue';
import { ClientRates } from '../http/clientRates';
import { clientOf } from '../http/connectionShares';
import { matchingSecretIndex } from '../http/secrets';
import { ADMIN_TOKEN_HEADER, adminAccess } from './adminAccess';
import { answerInSlices, answerText, LONG_ANSWER_CHARS } from './answerText';
import type { EventLoopTurns } from './eventLoopTurns';
import { graphqlRefusal } from './errors';
import type { SubscriberMetrics } from './subscriberMetrics';
import { documentRefusal, operationContext, operationLimitsPlugin, protectionRules } from './operationLimits';
import { readingThreadsPlugin, type AnsweredOn, type AskReadingThread } from './readingThreadsPlugin';
import { startSubscriptionServer } from './subscriptionServer';
import type { Topics } from './topics';

export const GRAPHQL_PATH = '/graphql';

export interface GraphqlRouteOptions {
  schema: GraphQLSchema;
  config: GraphqlConfig;
  /** Where subscriptions take the read models' changes from. */
  topics: Topics;
  metrics?: SubscriberMetrics | undefined;
  /** What an error's message becomes before it reaches the client (file paths cut in production). */
  publicText?: (text: string) => string;
  /** The turns long answers are written out in (see answerText.ts); without them, in one. */
  turns?: EventLoopTurns | undefined;
  /** Where queries over HTTP are answered when a reading thread can take them (readingThreadsPlugin.ts). */
  readingThreads?: { ask: AskReadingThread; answered?: (on: AnsweredOn) => void } | undefined;
  /** Counts a request of a client past GRAPHQL_REQUESTS_PER_SECOND that waited a turn before it was read. */
  countHeldBack?: () => void;
}

interface ValidationFailure {
  property: string;
  constraints?: Record<string, string>;
  children?: ValidationFailure[];
}

/** class-validator's failures as one readable line that names each argument: "first must not be greater than 500". */
function describeFailures(failures: ValidationFailure[], prefix = ''): string[] {
  return failures.flatMap((failure) => {
    const name = `${prefix}${failure.property}`;
    const own = Object.values(failure.constraints ?? {}).map((message) => message.replace(failure.property, name));
    return [...own, ...describeFailures(failure.children ?? [], `${name}.`)];
  });
}

export function formatGraphqlError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const failures = formatted.extensions?.validationErrors as ValidationFailure[] | undefined;
  if (formatted.extensions?.code !== graphqlCode('bad_user_input') || failures === undefined) return formatted;
  const { validationErrors: _dropped, ...extensions } = formatted.extensions;
  const fields = describeFailures(failures);
  return { ...formatted, message: `invalid arguments: ${fields.join('; ')}`, extensions: { ...extensions, fields } };
}

/**
 * GraphQL requests over HTTP a client may make in a second before its next ones wait a turn each. A dashboard makes a
 * few; a tool paging through a listing some tens; 32 connections posting 110 KB requests as fast as answered held CSS's
 * callbacks for p50 770 ms.
 */
export const GRAPHQL_REQUESTS_PER_SECOND = 50;
/** All clients together: past it, every client's next requests wait a turn each, so that many addresses cannot do together what one may not. */
export const GRAPHQL_OVERALL_REQUESTS_PER_SECOND = 50;
const INTROSPECTION_OFF = 'introspection is off on this service (__schema, __type): GRAPHQL_INTROSPECTION=true turns it on; production leaves it off unless set';

/** Apollo's own wording: "Did you mean ...?" names fields and types of the schema. */
const SUGGESTION = / ?Did you mean(.+?)\?$/;
/** graphql-js's words when a document passes parseOptions.maxTokens (16.x writes "more that"). */
const TOO_MANY_TOKENS = /^Syntax Error: Document contains more tha[nt] (\d+) tokens\. Parsing aborted\.$/;

/** The refusal of a document past GRAPHQL_MAX_TOKENS in the service's words, naming the setting; any other error as it was. */
function namingTokenLimit(error: GraphQLFormattedError): GraphQLFormattedError {
  const limit = TOO_MANY_TOKENS.exec(error.message)?.[1];
  if (limit === undefined) return error;
  return {
    ...error,
    message: `the query document has more than ${limit} tokens (names, punctuation, values), over the limit (GRAPHQL_MAX_TOKENS): parsing stopped there`,
    extensions: { ...error.extensions, maxTokens: Number(limit) },
  };
}

/** As clients see errors over HTTP and WebSocket alike; without suggestions in production (a variable's unknown field, say). */
function errorFormatter(config: GraphqlConfig, publicText: ((text: string) => string) | undefined) {
  return (formatted: GraphQLFormattedError): GraphQLFormattedError => {
    const { http: _status, ...extensions } = formatted.extensions ?? {};
    const error = formatGraphqlError({ ...formatted, ...(formatted.extensions === undefined ? {} : { extensions }) });
    const suggested = config.suggestions ? error : { ...error, message: error.message.replace(SUGGESTION, '') };
    // Apollo's words name its own option ("pass introspection: true to ApolloServer"); the service's setting is what to change.
    const shown = suggested.extensions?.validationErrorCode === 'INTROSPECTION_DISABLED' ? { ...suggested, message: INTROSPECTION_OFF } : namingTokenLimit(suggested);
    // Only the service's own failures: a client's mistakes quote the client's input, which stays as it was.
    const internal = shown.extensions?.code === graphqlCode('internal_error');
    return internal && publicText !== undefined ? { ...shown, message: publicText(shown.message) } : shown;
  };
}

/** The query of an HTTP request, by POST or GET. */
function queryOf(request: FastifyRequest): unknown {
  const carrier = (request.method === 'GET' ? request.query : request.body) as { query?: unknown } | null | undefined;
  return carrier?.query;
}

/** The token of `Authorization: Bearer <token>`, or of connection_init's `authorization` / `token`. */
function bearerToken(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(value.trim());
  return match?.[1] ?? value.trim();
}

function tokenAllowed(config: GraphqlConfig, token: string | undefined): boolean {
  if (config.apiTokens.length === 0) return true;
  return token !== undefined && matchingSecretIndex(token, config.apiTokens) >= 0;
}

export async function graphqlRoutes(app: FastifyInstance, options: GraphqlRouteOptions): Promise<void> {
  const { schema, config, turns } = options;
  const formatError = errorFormatter(config, options.publicText);

  const subscriptions = startSubscriptionServer({
    server: app.server,
    path: GRAPHQL_PATH,
    schema,
    config,
    formatError,
    topics: options.topics,
    logger: app.log,
    metrics: options.metrics,
    admits: (params) => tokenAllowed(config, bearerToken(params.authorization ?? params.Authorization ?? params.token)),
  });

  const apollo = new ApolloServer({
    schema,
    introspection: config.introspection,
    validationRules: protectionRules(config),
    parseOptions: { maxTokens: config.maxTokens },
    hideSchemaDetailsFromClientErrors: !config.suggestions,
    formatError,
    ...(turns === undefined ? {} : { stringifyResult: (answer: FormattedExecutionResult) => answerText(answer, turns) }),
    plugins: [
      operationLimitsPlugin(schema, config),
      ...(options.readingThreads === undefined ? [] : [readingThreadsPlugin({ ...options.readingThreads, formatError })]),
      // Apollo's explorer loads from Apollo's servers; GraphiQL (src/explorer/) is served from this service's own files.
      config.explorer === 'apollo' ? ApolloServerPluginLandingPageLocalDefault({ embed: true }) : ApolloServerPluginLandingPageDisabled(),
      // No @cacheControl hints in this schema: the default plugin would only add work to every field of every query.
      ApolloServerPluginCacheControlDisabled(),
      // Inline traces are for federated subgraphs, which this schema is not; left on, Apollo loads its protobuf
      // trace format (~1 MB of the heap) for nothing.
      ApolloServerPluginInlineTraceDisabled(),
    ],
  });
  await apollo.start();
  // Fastify owns the HTTP lifecycle: sockets are told "going away" (1001) before the server stops taking requests,
  // in-flight requests finish, then Apollo stops.
  app.addHook('preClose', async () => subscriptions.stop());
  app.addHook('onClose', async () => apollo.stop());

  const context = async (request: FastifyRequest) => {
    if (!tokenAllowed(config, bearerToken(request.headers.authorization))) {
      throw graphqlRefusal('unauthenticated', 'a valid API token is required: Authorization: Bearer <token>');
    }
    // Before Apollo parses it.
    const tooLarge = documentRefusal(queryOf(request), config);
    if (tooLarge !== null) throw tooLarge;
    return {
      ...operationContext(config),
      adminAccess: adminAccess(config.adminToken, request.headers[ADMIN_TOKEN_HEADER]),
      clientGone: () => request.raw.socket.destroyed,
      onClientGone: (listener: () => void) => {
        const { socket } = request.raw;
        if (socket.destroyed) {
          listener();
          return () => undefined;
        }
        socket.once('close', listener);
        return () => socket.off('close', listener);
      },
      turns,
    };
  };
  // Reading a request of up to twice the document limit costs the thread that answers CSS a few milliseconds (its JSON,
  // the document's parse and validation, the answer's text): a client past its budget of requests a second has each next
  // one wait a turn of the event loop before its body is read, behind CSS's callbacks and other clients' requests.
  // (Taking them one at a time as well, each once the one before was answered, halved the callbacks' p50 beside 32
  // connections of such requests but took their p99 from about 200 ms to 350-730 ms: not kept.)
  const requestRates = new ClientRates(GRAPHQL_REQUESTS_PER_SECOND, { overallPerSecond: GRAPHQL_OVERALL_REQUESTS_PER_SECOND });
  const waitYourTurn = async (request: FastifyRequest) => {
    if (turns === undefined) return;
    const client = clientOf(request.ip);
    requestRates.count(client);
    if (!requestRates.over(client)) return;
    options.countHeldBack?.();
    await turns.run(() => undefined);
  };
  app.route({
    url: GRAPHQL_PATH,
    // Not OPTIONS: Apollo would answer it as a query (a CSRF refusal); the app's own answer lists the methods.
    method: ['GET', 'POST'],
    onRequest: waitYourTurn,
    // The document and as much again for its variables; the document alone is held to its limit by the context.
    bodyLimit: 2 * config.maxDocumentBytes,
    handler: fastifyApolloHandler(apollo, { context }),
    onSend: async (_request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      if (typeof payload !== 'string' || payload.length <= LONG_ANSWER_CHARS || turns === undefined) return payload;
      // Its text is held until the client has taken it all: one that stops reading would hold it for as long as it likes.
      const abandon = setTimeout(() => reply.raw.destroy(), config.longAnswerSendTimeoutMs);
      reply.raw.once('close', () => clearTimeout(abandon));
      return answerInSlices(payload, turns);
    },
  });
}
