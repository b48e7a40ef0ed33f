// A GraphQL query answered on a reading thread: what it is sent, what comes back, and how the thread works it out.
import { execute, GraphQLError, Kind, parse, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { graphqlCode } from '../errors/catalogue';
import type { AdminAccess } from './adminAccess';
import { jsonText } from './answerText';
import type { EventLoopTurns } from './eventLoopTurns';
import type { GraphqlConfig } from './graphqlConfig';
import { operationContext } from './operationLimits';
import { responseTooLarge } from './responseBudget';

/** A query that passed the main thread's checks (token, size, validation, cost), as a reading thread gets it. */
export interface ThreadQuery {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
  /** What the request's context says of the admin token, for the thread's context to say the same. */
  adminAccess?: AdminAccess;
}

/** An error as Apollo would hand it to formatError, its `extensions.http` (status, headers as pairs) kept aside. */
export interface ThreadError {
  formatted: GraphQLFormattedError;
  http?: { status?: number; headers?: Array<[string, string]> };
}

/**
 * What a reading thread answered: the result, its data as JSON text (a string crosses threads in one copy, where an
 * object graph is cloned value by value, and the main thread has nothing left to write of it), or that the query needs
 * what only the main thread has (forwarding's state) and the root fields that asked for it.
 */
export type ThreadAnswer =
  | { kind: 'answered'; dataJson?: string; errors?: ThreadError[] }
  | { kind: 'main thread'; fields: string[] };

/** Thrown by what a reading thread does not have: the query is answered on the main thread instead. */
export class MainThreadOnly extends Error {
  constructor(what: string) {
    super(`${what} is only on the main thread`);
    this.name = 'MainThreadOnly';
  }
}

/** A service a reading thread does not have: any use of it throws MainThreadOnly. */
export function mainThreadOnly<T extends object>(what: string): T {
  return new Proxy({} as T, {
    get: () => {
      throw new MainThreadOnly(what);
    },
  });
}

/** Apollo's default: stack traces in answers outside production and tests. */
const WITH_STACKS = process.env.NODE_ENV !== 'production' && process.env.NODE_ENV !== 'test';

/** Parsed documents by their text: the same few queries come again and again. */
const DOCUMENTS_KEPT = 200;

/** Works queries out on this thread as Apollo would on the main thread: its context, its answer budget, its errors. */
export class ThreadQueries {
  private readonly documents = new Map<string, DocumentNode>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly config: GraphqlConfig,
    private readonly turns: EventLoopTurns,
  ) {}

  /** `clientGone`: whether the client of this query has gone (a statistic stops at its next turn), as its context says. */
  async answer(request: ThreadQuery, clientGone?: () => boolean): Promise<ThreadAnswer> {
    const document = this.document(request.query);
    const contextValue = {
      ...operationContext(this.config),
      turns: this.turns,
      ...(request.adminAccess === undefined ? {} : { adminAccess: request.adminAccess }),
      ...(clientGone === undefined ? {} : { clientGone }),
    };
    const result = await execute({
      schema: this.schema,
      document,
      variableValues: request.variables ?? undefined,
      operationName: request.operationName ?? undefined,
      contextValue,
    });
    const errors = result.errors ?? [];
    const needsMain = errors.filter((error) => error.originalError instanceof MainThreadOnly);
    if (needsMain.length > 0) return { kind: 'main thread', fields: rootFieldsOf(document, request.operationName, needsMain) };
    // As the main thread's operation-limits plugin does: past the budget, the one error that says so.
    if (contextValue.responseBudget?.exceeded === true) return { kind: 'answered', errors: [{ formatted: responseTooLarge(this.config.maxResponseBytes).toJSON() }] };
    // No data at all (not even null) when it never ran: a variable that could not be coerced, say.
    const dataJson = 'data' in result ? await jsonText(result.data ?? null, this.turns) : undefined;
    return { kind: 'answered', ...(dataJson === undefined ? {} : { dataJson }), ...(errors.length === 0 ? {} : { errors: errors.map(threadError) }) };
  }

  private document(query: string): DocumentNode {
    const kept = this.documents.get(query);
    if (kept !== undefined) return kept;
    // The main thread parsed and validated it already.
    const document = parse(query);
    if (this.documents.size >= DOCUMENTS_KEPT) this.documents.delete(this.documents.keys().next().value as string);
    this.documents.set(query, document);
    return document;
  }
}

/** What Apollo's error normalizing does before formatError, in a form that crosses threads. */
export function threadError(error: GraphQLError): ThreadError {
  const { http, ...rest } = error.extensions as { http?: { status?: number; headers?: Map<string, string> }; code?: unknown };
  // A variable that could not be coerced is the client's mistake, as Apollo says.
  const variableCoercion = error.nodes?.length === 1 && error.nodes[0]?.kind === Kind.VARIABLE_DEFINITION;
  const code = rest.code ?? (variableCoercion ? graphqlCode('bad_user_input') : graphqlCode('internal_error'));
  const extensions: Record<string, unknown> = { ...rest, code };
  if (WITH_STACKS) extensions.stacktrace = error.stack?.split('\n');
  const formatted = { ...error.toJSON(), extensions };
  if (http === undefined) return { formatted };
  return {
    formatted,
    http: { ...(http.status === undefined ? {} : { status: http.status }), ...(http.headers === undefined ? {} : { headers: [...http.headers] }) },
  };
}

/** An error sent as a ThreadError, as the receiving thread throws it: its message, extensions, HTTP status and headers. */
export function receivedThreadError({ formatted, http }: ThreadError): GraphQLError {
  const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
  const head = http === undefined ? {} : { http: { ...http, headers: new Map(http.headers ?? []) } };
  return new GraphQLError(formatted.message, { extensions: { ...extensions, ...head } });
}

/** The names of the root fields whose answers the errors are in (their response keys may be aliases). */
function rootFieldsOf(document: DocumentNode, operationName: string | null | undefined, errors: readonly GraphQLError[]): string[] {
  const operation = document.definitions.find(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION && (operationName == null || definition.name?.value === operationName),
  );
  const names = new Set<string>();
  for (const error of errors) {
    const key = error.path?.[0];
    for (const selection of operation?.selectionSet.selections ?? []) {
      if (selection.kind === Kind.FIELD && (selection.alias?.value ?? selection.name.value) === key) names.add(selection.name.value);
    }
  }
  return [...names];
}
