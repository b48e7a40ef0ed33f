// Builds the executable schema from the decorated classes, with services injected into resolvers.
import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchemaSync, type ResolverData } from 'type-graphql';
import { CallbackActivityResolver } from './activity/callbackActivity.resolver';
import { validateArguments } from './argumentValidation';
import { CallbackResolver } from './callback/callback.resolver';
import { DateTimeScalar } from './dates';
import { RelayTaskResolver } from './relayTask/relayTask.resolver';
import { chargeResponses } from './responseBudget';
import type { GraphqlServices } from './services';
import { createTopics } from './topics';
import { SessionResolver } from './session/session.resolver';

const RESOLVERS = [SessionResolver, RelayTaskResolver, CallbackResolver, CallbackActivityResolver] as const;

/** `services` may be null to print the schema: resolvers are then never called. */
export function buildGraphqlSchema(services: GraphqlServices | null): GraphQLSchema {
  const instances = new Map<Function, object>(
    services === null ? [] : RESOLVERS.map((Resolver) => [Resolver, new Resolver(services)] as const),
  );
  const schema = buildSchemaSync({
    resolvers: RESOLVERS,
    pubSub: services?.topics ?? createTopics(),
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    validateFn: validateArguments,
    container: { get: (someClass: Function, _data: ResolverData<object>) => instances.get(someClass) },
  });
  chargeResponses(schema);
  return schema;
}

/** The schema as SDL, sorted so that the checked-in file changes only when the API does. */
export function schemaSdl(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
