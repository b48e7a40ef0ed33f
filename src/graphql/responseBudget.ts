// The size of a GraphQL answer, counted as its fields resolve: past GRAPHQL_MAX_RESPONSE_BYTES it stops with an error.
import { defaultFieldResolver, type GraphQLError, type GraphQLField, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { graphqlError } from './errors';
import { isPromise, ownFields } from './ownFields';

/** One operation's allowance (one event's, for a subscription), carried in its GraphQL context. */
export class ResponseBudget {
  private used = 0;

  constructor(readonly maxBytes: number) {}

  get exceeded(): boolean {
    return this.used > this.maxBytes;
  }

  /** Throws once the answer is past the limit: the fields still to resolve are not produced. */
  charge(bytes: number): void {
    this.used += bytes;
    if (this.exceeded) throw responseTooLarge(this.maxBytes);
  }

  /** A subscription's next event starts from nothing. */
  reset(): void {
    this.used = 0;
  }
}

export interface BudgetedContext {
  responseBudget?: ResponseBudget;
}

export function responseTooLarge(maxBytes: number): GraphQLError {
  return graphqlError(
    'response_too_large',
    `the answer is larger than ${maxBytes} bytes (GRAPHQL_MAX_RESPONSE_BYTES): ask for fewer items (first), fewer fields or no callback bodies (raw)`,
    { maxBytes },
  );
}

/** The JSON a value adds, roughly: strings by their UTF-8 length (escapes aside), lists a comma per item. */
function sizeOf(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value) + 2;
  if (Array.isArray(value)) return value.length + 2;
  if (value instanceof Date) return 26;
  return 8;
}

/**
 * Every field of the schema's own types charges its name and value to the budget of the operation's
 * context, if it has one. Charged as values are produced, the limit holds memory to about its size:
 * the first field past it throws, and the non-null fields above it cut the rest of the answer short.
 */
export function chargeResponses(schema: GraphQLSchema): void {
  for (const field of ownFields(schema) as Array<GraphQLField<unknown, BudgetedContext>>) {
    const resolve: GraphQLFieldResolver<unknown, BudgetedContext> = field.resolve ?? defaultFieldResolver;
    const nameBytes = field.name.length + 4;
    const charged = (budget: ResponseBudget, value: unknown) => {
      budget.charge(nameBytes + sizeOf(value));
      return value;
    };
    field.resolve = (source, args, context, info) => {
      const budget = context?.responseBudget;
      if (budget === undefined) return resolve(source, args, context, info);
      if (budget.exceeded) throw responseTooLarge(budget.maxBytes);
      const value = resolve(source, args, context, info);
      return isPromise(value) ? value.then((settled) => charged(budget, settled)) : charged(budget, value);
    };
  }
}
