// The GraphQL side of forwarding: its resolver and what its large fields cost.
import { list } from '../../graphql/queryCost';
import type { ResolverClass } from '../../graphql/schema';
import type { FieldCosts } from '../../graphql/queryCost';
import { DestinationsResolver, type ForwardingServices } from './destinations.resolver';

/** Attempts a delivery shows at most count as this many rows (a delivery gives up after retry.maxAttempts). */
const ATTEMPTS_COST = 20;

export const forwardingGraphql: { resolvers: ReadonlyArray<ResolverClass<ForwardingServices>>; fieldCosts: FieldCosts } = {
  resolvers: [DestinationsResolver],
  fieldCosts: { 'Delivery.attempts': list(ATTEMPTS_COST) },
};
