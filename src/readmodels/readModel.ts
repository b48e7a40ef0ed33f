// What a read model's folder gives the rest of the service: its projection, its query services, and (loaded on demand) its GraphQL side.
import type { ProjectionDefinition, ReadModelDatabase } from '../processing/projectionDefinition';
import type { FieldCosts } from '../graphql/queryCost';
import type { ResolverClass } from '../graphql/schema';
import type { Topics } from '../graphql/topics';
import type { ReadModelServices } from './services';

/** The GraphQL side of a read model: its resolvers, what their large fields cost, and how its changes reach subscribers. */
export interface ReadModelGraphql<Change> {
  resolvers: ReadonlyArray<ResolverClass<ReadModelServices>>;
  fieldCosts: FieldCosts;
  publish(topics: Topics, change: Change): void;
}

export interface ReadModel<Change, Queries> {
  projection: ProjectionDefinition<Change>;
  /** Its query services on a connection to one of its files. */
  queries(db: ReadModelDatabase): Queries;
  /**
   * Its GraphQL side, loaded when first asked for (on the main thread): the projector thread, which imports the
   * read models for their projections, never loads type-graphql.
   */
  graphql(): ReadModelGraphql<Change>;
  /**
   * The page cache of each connection its queries read through, in KiB, when QUERY_CACHE_KIB is not enough: for
   * queries that read the same thousands of pages answer after answer.
   */
  readCacheKiB?: number;
}

/** A read model whose GraphQL side is loaded once, on first use. */
export function readModel<Change, Queries>(model: ReadModel<Change, Queries>): ReadModel<Change, Queries> {
  let loaded: ReadModelGraphql<Change> | undefined;
  return { ...model, graphql: () => (loaded ??= model.graphql()) };
}
