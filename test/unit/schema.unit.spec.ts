import { readFileSync } from 'node:fs';
import path from 'node:path';
import { schemaSdl } from '../../src/graphql/schema';
import { readModelsSchema } from '../../src/graphqlSchema';

describe('schema/schema.graphql', () => {
  it('is the schema the code generates (run `npm run schema` after changing the API)', () => {
    const checkedIn = readFileSync(path.join(__dirname, '..', '..', 'schema', 'schema.graphql'), 'utf8');
    expect(schemaSdl(readModelsSchema(null))).toBe(checkedIn);
  });

  it('holds every name of the public contract', () => {
    const sdl = schemaSdl(readModelsSchema(null));
    for (const name of [
      'session(asOf: DateTime, sequence: ID!): StreamSession',
      'first: Int = 50',
      'relayTask(asOf: DateTime, taskId: ID!): RelayTask',
      'unmatchedRelayExits(',
      'sessionUpdated(filter: SessionFilter): StreamSession!',
      'relayTaskUpdated(filter: RelayTaskFilter): RelayTask!',
      'callbackReceived(filter: CallbackFilter): CallbackEvent!',
      'totalCount: Int!',
      'scalar DateTime',
    ]) {
      expect(sdl).toContain(name);
    }
  });
});
