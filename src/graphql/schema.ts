// Builds the executable schema from the decorated classes, with services injected into resolvers.
import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { validateSync, type ValidatorOptions } from 'class-validator';
import { ArgumentValidationError, buildSchemaSync, type ResolverData } from 'type-graphql';
import { CallbackActivityResolver } from './activity/callbackActivity.resolver';
import { CallbackResolver } from './callback/callback.resolver';
import { DateTimeScalar } from './dates';
import { RelayTaskResolver } from './relayTask/relayTask.resolver';
import { chargeResponses } from './responseBudget';
import type { GraphqlServices } from './services';
import { createTopics } from './topics';
import { SessionResolver } from './session/session.resolver';

const RESOLVERS = [SessionResolver, RelayTaskResolver, CallbackResolver, CallbackActivityResolver] as const;

/** What type-graphql's own class-validator call would use with `validate: { forbidUnknownValues: false }`. */
const VALIDATOR_OPTIONS: ValidatorOptions = { skipMissingProperties: true, forbidUnknownValues: false };

/**
 * Arguments checked against their class-validator decorators as type-graphql would, but synchronously:
 * its own path loads class-validator through require() and awaits a validation on every request.
 */
function validateArguments(value: unknown): void {
  for (const item of Array.isArray(value) ? value : [value]) {
    if (item === null || typeof item !== 'object') continue;
    const failures = validateSync(item as object, VALIDATOR_OPTIONS);
    if (failures.length > 0) throw new ArgumentValidationError(failures);
  }
}

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
