// The GraphQL side of screenshots: a session's latest screenshot and its pages (priced as every connection is); nothing published.
import type { ReadModelGraphql } from '../readModel';
import { SessionScreenshotsResolver } from './screenshot.resolver';
import type { TiedFactAdded } from '../tiedFacts';

export const screenshotsGraphql: ReadModelGraphql<TiedFactAdded> = {
  resolvers: [SessionScreenshotsResolver],
  fieldCosts: {},
  publish: () => undefined,
};
