// The service's GraphQL schema (every read model's part and forwarding's), and read-model changes published to their topics (main thread only).
import type { GraphQLSchema } from 'graphql';
import type { ReadModelChange } from './processing/projectionDefinition';
import { buildGraphqlSchema } from './graphql/schema';
import type { Topics } from './graphql/topics';
import { forwardingGraphql } from './forwarding/graphql/forwarding.graphql';
import { READ_MODELS, type ReadModelName } from './readmodels';
import type { ReadModelServices } from './readmodels/services';

// Forwarding's destinations and delivery log are served beside the read models.
const graphqlParts = () => [...Object.values(READ_MODELS).map((model) => model.graphql()), forwardingGraphql];

/** `services` may be null to print the schema: resolvers are then never called. */
export function readModelsSchema(services: ReadModelServices | null): GraphQLSchema {
  const parts = graphqlParts();
  return buildGraphqlSchema(
    { resolvers: parts.flatMap((part) => part.resolvers), fieldCosts: Object.assign({}, ...parts.map((part) => part.fieldCosts)) },
    services,
    services?.turns,
  );
}

/** Every committed read-model change becomes a message on its read model's topic. */
export function publishChanges(topics: Topics, changes: readonly ReadModelChange[]): void {
  for (const { readModel, change } of changes) {
    const model = READ_MODELS[readModel as ReadModelName] as { graphql(): { publish(topics: Topics, change: unknown): void } } | undefined;
    model?.graphql().publish(topics, change);
  }
}
