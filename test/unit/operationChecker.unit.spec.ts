// A subscribe's checks over WebSocket: documents parsed and validated once by their text, the rest for each request.
import { GraphQLError } from 'graphql';
import { loadConfig } from '../../src/config';
import { operationChecker } from '../../src/graphql/operationLimits';
import { readModelsSchema } from '../../src/graphqlSchema';

const schema = readModelsSchema(null);
const config = loadConfig({}).graphql;
const messagesOf = (checked: ReturnType<ReturnType<typeof operationChecker>>) => (Array.isArray(checked) ? checked.map((error) => error.message) : []);

describe('operationChecker', () => {
  const query = 'subscription A { sessionUpdated { streamId } } subscription B { callbackReceived { type } }';

  it('answers each request by its own operation name, the document being the same', () => {
    const check = operationChecker(schema, config);
    const a = check({ query, operationName: 'A' });
    expect(Array.isArray(a)).toBe(false);
    expect(messagesOf(check({ query, operationName: 'C' }))).toEqual(['Unknown operation named "C".']);
    expect(messagesOf(check({ query }))).toEqual(['Must provide operation name if query contains multiple operations.']);
    const b = check({ query, operationName: 'B' });
    expect(Array.isArray(b)).toBe(false);
    if (!Array.isArray(a) && !Array.isArray(b)) {
      expect(b.document).toBe(a.document); // parsed once
      expect(b.operationName).toBe('B');
      expect(b.contextValue).not.toBe(a.contextValue); // each its own answer allowance
    }
  });

  it('gives an invalid document the same errors every time, each time in a list of its own', () => {
    const check = operationChecker(schema, config);
    const first = check({ query: 'subscription { noSuchField }' }) as GraphQLError[];
    expect(messagesOf(first)).toEqual(['Cannot query field "noSuchField" on type "Subscription".']);
    first.length = 0;
    expect(messagesOf(check({ query: 'subscription { noSuchField }' }))).toEqual(['Cannot query field "noSuchField" on type "Subscription".']);
    expect(messagesOf(check({ query: 'subscription {' }))).toEqual(['Syntax Error: Expected Name, found <EOF>.']);
  });

  it('refuses a document over GRAPHQL_MAX_DOCUMENT_BYTES before parsing it', () => {
    const check = operationChecker(schema, { ...config, maxDocumentBytes: 1024 });
    const long = `subscription { sessionUpdated { streamId } } # ${'x'.repeat(1024)}`;
    expect(messagesOf(check({ query: long }))[0]).toMatch(/over the limit of 1024 \(GRAPHQL_MAX_DOCUMENT_BYTES\)/);
  });
});
