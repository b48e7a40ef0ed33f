// Builds the executable schema from the decorated classes, with services injected into resolvers.
import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchemaSync, type ResolverData } from 'type-graphql';
import { CallbackActivityResolver } from './activity/callbackActivity.resolver';
import { validateArguments } from './argumentValidation';
import { CallbackResolver } from './callback/callback.resolver';
import { DateTimeScalar } from './dates';
import { QuarantineResolver } from './quarantine/quarantine.resolver';
import { RelayTaskResolver } from './relayTask/relayTask.resolver';
import { chargeResponses } from './responseBudget';
import type { GraphqlServices } from './services';
import { SessionResolver } from './session/session.resolver';

const RESOLVERS = [SessionResolver, RelayTaskResolver, CallbackResolver, CallbackActivityResolver, QuarantineResolver] as const;

/** Every @Subscription brings its own `subscribe` (followTopic); type-graphql still wants a pubSub to exist. */
const NO_PUBSUB = {
  publish: () => undefined,
  subscribe: (): never => {
    throw new Error('subscriptions follow the topics through followTopic, not type-graphql pubSub');
  },
};

/** `services` may be null to print the schema: resolvers are then never called. */
export function buildGraphqlSchema(services: GraphqlServices | null): GraphQLSchema {
  const instances = new Map<Function, object>(
    services === null ? [] : RESOLVERS.map((Resolver) => [Resolver, new Resolver(services)] as const),
  );
  const schema = buildSchemaSync({
    resolvers: RESOLVERS,
    pubSub: NO_PUBSUB,
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
