// What the GraphQL endpoint is allowed and bounded by: its part of the service's configuration, read in config.ts.
import type { AllowedHosts } from '../http/allowedHosts';
import type { MessageRates } from './messageAllowance';
import type { StatisticsLimits } from './statisticsAdmission';
import type { SubscriberLimits } from './subscriber';

export const GRAPHQL_EXPLORERS = ['graphiql', 'apollo', 'off'] as const;
export type GraphqlExplorer = (typeof GRAPHQL_EXPLORERS)[number];

export interface GraphqlConfig {
  /** Bearer tokens that may use /graphql; empty means open. */
  apiTokens: string[];
  introspection: boolean;
  /** What a browser's GET /graphql shows: GraphiQL from this service's own files, Apollo's explorer (loaded from Apollo's servers), or nothing. */
  explorer: GraphqlExplorer;
  /** "Did you mean ...?" in errors: names of the schema's fields and types; off in production. */
  suggestions: boolean;
  maxDepth: number;
  maxCost: number;
  maxAliases: number;
  /** Most tokens (names, punctuation, values; not comments) a document may have: parsing stops past it. */
  maxTokens: number;
  /** Largest WebSocket message read (ws's maxPayload), checked before connection_init: a subscribe message, the document plus variables. */
  webSocketMaxPayloadBytes: number;
  /** GraphQL WebSockets open at once at most: a share of MAX_CONNECTIONS, so that sockets held open never leave CSS without room. */
  maxWebSockets: number;
  maxSubscriptionsPerSocket: number;
  /** Over every socket of this instance. */
  maxSubscriptions: number;
  /** Each GraphQL WebSocket is pinged this often; one that has not answered the previous ping (a peer gone without a word) is cut. */
  webSocketPingIntervalMs: number;
  /** Messages a second a GraphQL WebSocket, and all of them together, may send; a socket over either is not read for a while. */
  webSocketMessageRates: MessageRates;
  /** What one subscriber (a WebSocket) may have pending before it is dropped. */
  subscriberLimits: SubscriberLimits;
  /** Origins (besides the service's own) whose pages may open the WebSocket, as `scheme://host[:port]`. */
  allowedOrigins: string[];
  /** Public host names browsers may use for the API and the pages (the machine's and ALLOWED_HOSTS; see allowedHosts.ts); null: any (tokens are required, or ALLOWED_HOSTS is *). */
  allowedHosts: AllowedHosts | null;
  /** Largest query document accepted, in bytes (UTF-8). */
  maxDocumentBytes: number;
  /** Largest answer to one operation (or one subscription event), in bytes of JSON, estimated as it is produced. */
  maxResponseBytes: number;
  /** An answer sent in slices (over a megabyte) that the client has not taken whole by then is abandoned, its connection closed. */
  longAnswerSendTimeoutMs: number;
  /** Statistics over a time range (interruptionStats, flappingStreams) worked out at once, and waiting; one more is refused (503). */
  statistics: StatisticsLimits;
  /** Threads that answer queries over HTTP from connections of their own, off the thread that answers CSS; 0: that thread answers them. */
  readingThreads: number;
  /** The token the operations' mutations (pause, resume, replay, redeliver) require in X-Admin-Token; null: they are refused. */
  adminToken: string | null;
}
