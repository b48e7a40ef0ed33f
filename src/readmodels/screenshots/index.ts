// The screenshots read model: one row per screenshot, tied to the push session it was taken from.
import { readModel } from '../readModel';
import { screenshotsProjection } from './screenshots.projection';
import { screenshotQueries } from './screenshots.queries';

export const screenshots = readModel({
  projection: screenshotsProjection,
  queries: screenshotQueries,
  graphql: () => (require('./screenshots.graphql') as typeof import('./screenshots.graphql')).screenshotsGraphql,
});
