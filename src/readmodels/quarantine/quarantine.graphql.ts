// The GraphQL side of the quarantine listing: its resolver; it publishes nothing.
import type { ReadModelGraphql } from '../readModel';
import { QuarantineResolver } from './quarantine.resolver';

export const quarantineGraphql: ReadModelGraphql<never> = {
  resolvers: [QuarantineResolver],
  fieldCosts: {},
  publish: () => undefined,
};
