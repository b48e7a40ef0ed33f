// What a GraphQL operation costs, from its document, its variables' values and its arguments' defaults.
import { GraphQLError, GraphQLSchema, type DocumentNode } from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../processing/pagination';

/**
 * The cost model (the README's Security section says it to users). Every field costs 1 plus what is
 * asked inside it; a page costs `first` times what is asked inside it, `first` being a literal, a
 * variable's value or the default alike; and these cost more than a field:
 */
export const COSTS = {
  /** `raw`: a callback body, up to CALLBACK_BODY_LIMIT_BYTES. */
  callbackBody: 10,
  /** Lists of callbacks count as this many: a session's, a relay task's (a looping task has thousands). */
  sessionEvents: 5,
  relayTaskEvents: 100,
  /** A session's recording files (an hour of HLS each, a day of files at most) and moderation hits (only suspicious frames and sound). */
  sessionRecordings: 24,
  sessionModerationHits: 50,
  /** Lists of small rows of a few numbers cost one per row they are counted as holding, whatever is asked of each. */
  runs: 10,
  files: 20,
  alarms: 20,
  /** `asOf`: all the task's facts (or the session's events) read again and folded. */
  relayTaskAsOf: 250,
  sessionAsOf: 5,
} as const;

type Arguments = Record<string, unknown>;
export type FieldCost = (args: Arguments, childCost: number) => number;
/** Costs by `Type.field`, given by the read models whose fields they are. */
export type FieldCosts = Readonly<Record<string, FieldCost>>;

/** An argument's value, its default when absent; 1 when out of bounds: the arguments' validation refuses it, with its own message. */
export function count(value: unknown, fallback: number, max: number): number {
  if (value == null) return fallback;
  return typeof value === 'number' && value >= 1 && value <= max ? value : 1;
}

/** `first: 0` asks for no rows: totalCount and pageInfo alone. */
const page: FieldCost = (args, childCost) => 1 + (args.first === 0 ? 0 : count(args.first, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)) * childCost;
/** A list counted as holding `items` of what is asked of each. */
export const list = (items: number): FieldCost => (_args, childCost) => 1 + items * childCost;
/** A list of small rows counted as `items`, whatever is asked of each. */
export const rows = (items: number): FieldCost => () => 1 + items;
/** A field that folds events again when asked `asOf` an instant. */
export const timeTravel = (fold: number): FieldCost => (args, childCost) => 1 + childCost + (args.asOf == null ? 0 : fold);

/** The schema with its field costs attached, so that every check of an operation against it prices it the same way. */
export function withFieldCosts(schema: GraphQLSchema, fieldCosts: FieldCosts): GraphQLSchema {
  const config = schema.toConfig();
  return new GraphQLSchema({ ...config, extensions: { ...config.extensions, fieldCosts } });
}

const costsOf = (schema: GraphQLSchema): FieldCosts => (schema.extensions as { fieldCosts?: FieldCosts }).fieldCosts ?? {};

/** The fields the model prices (a test checks that each is in the schema). */
export const pricedFields = (schema: GraphQLSchema): string[] => Object.keys(costsOf(schema));

function estimatorOf(schema: GraphQLSchema): ComplexityEstimator {
  const costs = costsOf(schema);
  return ({ type, field, args, childComplexity }) => {
    if (field.name.startsWith('__')) return 0; // introspection: off in production, and the explorer needs it whole
    const cost = costs[`${type.name}.${field.name}`];
    if (cost !== undefined) return cost(args, childComplexity);
    // Every connection (a field that takes `first`) is a page; every `raw` is a callback body, whichever type holds it.
    if (field.args.some((arg) => arg.name === 'first')) return page(args, childComplexity);
    if (field.name === 'raw') return COSTS.callbackBody;
    return 1 + childComplexity;
  };
}

export interface Operation {
  document: DocumentNode;
  variables?: Record<string, unknown> | null | undefined;
  operationName?: string | null | undefined;
}

/**
 * The operation's cost; null when its variables do not fit it (execution refuses them before any
 * resolver runs). Infinity when it has more fields than are worth counting (fragments spread in
 * fragments can name millions).
 */
export function operationCost(schema: GraphQLSchema, { document, variables, operationName }: Operation): number | null {
  try {
    return getComplexity({ schema, query: document, variables: variables ?? {}, operationName: operationName ?? undefined, estimators: [estimatorOf(schema)] });
  } catch (error) {
    if (error instanceof GraphQLError && /maximum allowed number of nodes/.test(error.message)) return Number.POSITIVE_INFINITY;
    return null;
  }
}

/** The error refusing an operation costlier than GRAPHQL_MAX_COST, before it runs; null when it may run. */
export function costRefusal(schema: GraphQLSchema, operation: Operation, maxCost: number): GraphQLError | null {
  const cost = operationCost(schema, operation);
  if (cost === null || cost <= maxCost) return null;
  const counted = Number.isFinite(cost) ? `costs ${cost}` : 'has too many fields to count';
  return new GraphQLError(
    `the query ${counted}, over the limit of ${maxCost} (GRAPHQL_MAX_COST): ask for fewer items (first), fields or aliases`,
    { extensions: { code: 'QUERY_TOO_COSTLY', cost: Number.isFinite(cost) ? cost : null, maxCost, http: { status: 400 } } },
  );
}
