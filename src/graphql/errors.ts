// Client errors with the codes clients rely on, each from the error catalogue.
import { GraphQLError } from 'graphql';
import { graphqlCode, statusOf, type ErrorSlug } from '../errors/catalogue';
import { InvalidCursorError } from '../processing/pagination';

/** An error in a GraphQL answer: the catalogue's code for the slug, then what else the client is told. */
export function graphqlError(slug: ErrorSlug, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: graphqlCode(slug), ...extensions } });
}

/** A parse or validation error of graphql-js, as it is, with the catalogue's code Apollo gives it over HTTP. */
export function withCode(error: GraphQLError, slug: 'graphql_parse_failed' | 'graphql_validation_failed'): GraphQLError {
  const { nodes, source, positions, path, originalError } = error;
  return new GraphQLError(error.message, { nodes, source, positions, path, originalError, extensions: { code: graphqlCode(slug), ...error.extensions } });
}

/** An operation refused before it runs: over HTTP, answered with the catalogue's status (or the one given). */
export function graphqlRefusal(slug: ErrorSlug, message: string, extensions: Record<string, unknown> = {}, status = statusOf(slug)): GraphQLError {
  return graphqlError(slug, message, { ...extensions, http: { status } });
}

export function badUserInput(argument: string, message: string): GraphQLError {
  return graphqlError('bad_user_input', `${argument}: ${message}`, { argument });
}

/** Runs a read-model call, turning a bad cursor into BAD_USER_INPUT on `after`, thrown or (from a read in turns) a rejection. */
export function withCursor<T>(read: () => T): T {
  const cursorError = (error: unknown): never => {
    if (error instanceof InvalidCursorError) throw badUserInput('after', error.message);
    throw error;
  };
  try {
    const answer = read();
    return (answer instanceof Promise ? answer.catch(cursorError) : answer) as T;
  } catch (error) {
    return cursorError(error);
  }
}
