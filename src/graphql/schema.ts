// Builds the executable schema from the resolvers it is given, each constructed with the services handed in.
import 'reflect-metadata';
import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchemaSync, type ResolverData } from 'type-graphql';
import { validateArguments } from './argumentValidation';
import { DateTimeScalar } from './dates';
import type { EventLoopTurns } from './eventLoopTurns';
import { completeLongListsInTurns } from './longLists';
import { withFieldCosts, type FieldCosts } from './queryCost';
import { chargeResponses } from './responseBudget';

/** A resolver class; it takes the services in its constructor. */
export type ResolverClass<Services> = new (services: Services) => object;

export interface SchemaParts<Services> {
  resolvers: ReadonlyArray<ResolverClass<Services>>;
  /** What the fields that can be large cost (queryCost.ts). */
  fieldCosts: FieldCosts;
}

/** Every @Subscription brings its own `subscribe` (followTopic); type-graphql still wants a pubSub to exist. */
const NO_PUBSUB = {
  publish: () => undefined,
  subscribe: (): never => {
    throw new Error('subscriptions follow the topics through followTopic, not type-graphql pubSub');
  },
};

/**
 * `services` may be null to print the schema: resolvers are then never called. With `turns`, long lists of objects are
 * answered a slice per turn of the event loop (longLists.ts).
 */
export function buildGraphqlSchema<Services>(parts: SchemaParts<Services>, services: Services | null, turns?: EventLoopTurns): GraphQLSchema {
  const instances = new Map<Function, object>(services === null ? [] : parts.resolvers.map((Resolver) => [Resolver, new Resolver(services)] as const));
  const built = buildSchemaSync({
    resolvers: parts.resolvers as unknown as [Function, ...Function[]],
    pubSub: NO_PUBSUB,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    validateFn: validateArguments,
    container: { get: (someClass: Function, _data: ResolverData<object>) => instances.get(someClass) },
  });
  const schema = withFieldCosts(built, parts.fieldCosts);
  if (turns !== undefined) completeLongListsInTurns(schema, turns);
  chargeResponses(schema);
  return schema;
}

/** The schema as SDL, sorted so that the checked-in file changes only when the API does. */
export function schemaSdl(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
