// The cost of an operation counts what it asks: `first` however given, the fields that can be large, time travel.
import { parse } from 'graphql';
import { COSTS, costRefusal, operationCost, pricedFields } from '../../src/graphql/queryCost';
import { readModelsSchema } from '../../src/graphqlSchema';

const schema = readModelsSchema(null);
const cost = (query: string, variables?: Record<string, unknown>) => operationCost(schema, { document: parse(query), variables });

describe('query cost', () => {
  it('is the same whether `first` is a literal, a variable or left to its default (50)', () => {
    const literal = cost('{ callbacks(first: 50) { nodes { raw } } }');
    expect(cost('query ($n: Int) { callbacks(first: $n) { nodes { raw } } }', { n: 50 })).toBe(literal);
    expect(cost('query ($n: Int = 50) { callbacks(first: $n) { nodes { raw } } }')).toBe(literal);
    expect(cost('{ callbacks { nodes { raw } } }')).toBe(literal);
    expect(cost('query ($n: Int) { callbacks(first: $n) { nodes { raw } } }', { n: 500 })).toBe(cost('{ callbacks(first: 500) { nodes { raw } } }'));
  });

  it('multiplies what is asked per item by `first`', () => {
    const one = cost('{ sessions(first: 1) { nodes { sequence status } } }')!;
    expect(cost('{ sessions(first: 100) { nodes { sequence status } } }')! - 1).toBe(100 * (one - 1));
  });

  it('weighs a callback body and the unbounded lists above a plain field', () => {
    const plain = cost('{ callbacks(first: 1) { nodes { type } } }')!;
    expect(cost('{ callbacks(first: 1) { nodes { raw } } }')! - plain).toBe(COSTS.callbackBody - 1);
    const sessionEvents = cost('{ session(sequence: "1") { events { type } } }')!;
    const taskEvents = cost('{ relayTask(taskId: "1") { events { type } } }')!;
    expect(taskEvents - sessionEvents).toBe(COSTS.relayTaskEvents - COSTS.sessionEvents);
    expect(cost('{ relayTask(taskId: "1") { files { url } runs { exitCode } alarms { type } } }')).toBe(1 + 3 + COSTS.files + COSTS.runs + COSTS.alarms);
  });

  it('adds the fold of time travel to a task or a session asked asOf an instant', () => {
    const asOf = '"2024-01-01T00:00:00Z"';
    expect(cost(`{ relayTask(taskId: "1", asOf: ${asOf}) { status } }`)! - cost('{ relayTask(taskId: "1") { status } }')!).toBe(COSTS.relayTaskAsOf);
    expect(cost(`{ session(sequence: "1", asOf: ${asOf}) { status } }`)! - cost('{ session(sequence: "1") { status } }')!).toBe(COSTS.sessionAsOf);
  });

  it('refuses 15 aliases of a page of 500 callback bodies, given by a variable, over the default limit of 5000', () => {
    const aliases = Array.from({ length: 15 }, (_, i) => `a${i}: callbacks(first: $n) { nodes { raw } }`).join(' ');
    const refusal = costRefusal(schema, { document: parse(`query ($n: Int) { ${aliases} }`), variables: { n: 500 } }, 5000);
    expect(refusal?.extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY', cost: 15 * (1 + 500 * (1 + COSTS.callbackBody)), maxCost: 5000 });
    expect(refusal?.message).toMatch(/costs 82515, over the limit of 5000 \(GRAPHQL_MAX_COST\)/);
  });

  it('counts a `first` out of bounds as 1, so that the argument error names it', () => {
    expect(cost('{ sessions(first: 100000) { nodes { sequence } } }')).toBe(cost('{ sessions(first: 1) { nodes { sequence } } }'));
  });

  it('prices first: 0 as the page alone: no rows are read, only totalCount and pageInfo', () => {
    expect(cost('{ sessions(first: 0) { totalCount nodes { sequence events { raw } } } }')).toBe(1);
    expect(cost('query ($n: Int) { callbacks(first: $n) { nodes { raw } } }', { n: 0 })).toBe(1);
  });

  it("prices a stream's sessions and timelines as pages, and a session's anomalies as a list of 20", () => {
    const timeline = cost('{ stream(streamId: "s") { timeline(first: 10) { nodes { summary event { raw } } } } }')!;
    expect(timeline).toBe(1 + 1 + 10 * (1 + 1 + (1 + COSTS.callbackBody)));
    const anomalies = cost('{ session(sequence: "1") { pushAnomalies { type description } } }')!;
    expect(anomalies).toBe(1 + 1 + 20 * 2);
  });

  it('leaves variables that do not fit to execution, which refuses them before any resolver runs', () => {
    expect(cost('query ($n: Int) { callbacks(first: $n) { nodes { raw } } }', { n: 'many' })).toBeNull();
  });

  it('refuses fragments that spread into more fields than are worth counting', () => {
    const levels = Array.from({ length: 16 }, (_, i) => `fragment F${i + 1} on Query { ...F${i} ...F${i} }`).join(' ');
    const refusal = costRefusal(schema, { document: parse(`{ ...F16 } fragment F0 on Query { sessions { totalCount } } ${levels}`) }, 5000);
    expect(refusal?.message).toMatch(/too many fields to count/);
  });

  it('leaves introspection out of the count', () => {
    expect(cost('{ __schema { types { name fields { name type { name } } } } }')).toBe(0);
  });

  it('prices every connection as a page and every raw body alike, whichever type holds them', () => {
    expect(cost('{ quarantinedCallbacks(first: 100) { nodes { raw } } }')).toBe(1 + 100 * (1 + COSTS.callbackBody));
    expect(cost('{ quarantinedCallbacks { nodes { raw } } }')).toBe(cost('{ callbacks(first: 50) { nodes { raw } } }'));
  });

  it('prices only fields the schema has', () => {
    for (const name of pricedFields(schema)) {
      const [type, field] = name.split('.') as [string, string];
      expect(`${type}.${Object.keys((schema.getType(type) as { getFields(): object }).getFields()).find((f) => f === field)}`).toBe(name);
    }
  });
});
