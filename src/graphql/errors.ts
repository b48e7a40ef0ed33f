// Client errors with the codes clients rely on.
import { GraphQLError } from 'graphql';
import { InvalidCursorError } from '../processing/pagination';

export function badUserInput(argument: string, message: string): GraphQLError {
  return new GraphQLError(`${argument}: ${message}`, { extensions: { code: 'BAD_USER_INPUT', argument } });
}

/** Runs a read-model call, turning a bad cursor into BAD_USER_INPUT on `after`. */
export function withCursor<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof InvalidCursorError) throw badUserInput('after', error.message);
    throw error;
  }
}
