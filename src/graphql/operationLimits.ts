// What every GraphQL operation is held to, over HTTP and WebSocket alike: document size, depth, aliases, cost, answer size.
import type { ApolloServerPlugin } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import {
  GraphQLError,
  getOperationAST,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLSchema,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { LRUCache } from 'lru-cache';
import type { GraphqlConfig } from './graphqlConfig';
import { graphqlError, graphqlRefusal, withCode } from './errors';
import { costRefusal } from './queryCost';
import { ResponseBudget, responseTooLarge, type BudgetedContext } from './responseBudget';

/** Depth and alias limits (and no introspection when it is off): static, checked while validating. */
export function protectionRules(config: GraphqlConfig): ValidationRule[] {
  // Reported as validation errors (GRAPHQL_VALIDATION_FAILED), not thrown: a throw would be a 500.
  const report = {
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) =>
        context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''))),
    ],
  };
  const rules: ValidationRule[] = [
    maxDepthRule({ n: config.maxDepth, ignoreIntrospection: true, ...report }),
    maxAliasesRule({ n: config.maxAliases, ...report }),
  ];
  if (!config.introspection) rules.push(NoSchemaIntrospectionCustomRule);
  return rules;
}

/** The refusal of a query document over GRAPHQL_MAX_DOCUMENT_BYTES, before it is parsed; null when it may be. */
export function documentRefusal(query: unknown, config: GraphqlConfig): GraphQLError | null {
  if (typeof query !== 'string') return null;
  const bytes = Buffer.byteLength(query);
  if (bytes <= config.maxDocumentBytes) return null;
  return graphqlRefusal('document_too_large', `the query document is ${bytes} bytes, over the limit of ${config.maxDocumentBytes} (GRAPHQL_MAX_DOCUMENT_BYTES)`, {
    maxBytes: config.maxDocumentBytes,
  });
}

/** The context every operation gets: its answer's allowance. */
export const operationContext = (config: GraphqlConfig): BudgetedContext => ({ responseBudget: new ResponseBudget(config.maxResponseBytes) });

/**
 * Over HTTP: the cost, computed once the operation and its variables are known (before it runs), and
 * an answer that went past GRAPHQL_MAX_RESPONSE_BYTES replaced by the one error that says so.
 */
export function operationLimitsPlugin(schema: GraphQLSchema, config: GraphqlConfig): ApolloServerPlugin<BudgetedContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request, operation }) {
          // Over HTTP a subscription would run once as a query, with nothing to report: said so instead.
          if (operation?.operation === 'subscription') throw subscriptionOverHttp();
          const refusal = costRefusal(schema, { document, variables: request.variables, operationName: request.operationName }, config.maxCost);
          if (refusal !== null) throw refusal;
        },
        async willSendResponse({ contextValue, response }) {
          const budget = contextValue.responseBudget;
          if (budget?.exceeded === true && response.body.kind === 'single') {
            response.body.singleResult = { errors: [responseTooLarge(budget.maxBytes).toJSON()] };
          }
        },
      };
    },
  };
}

function subscriptionOverHttp(): GraphQLError {
  return graphqlRefusal('subscription_over_http', 'subscriptions are served over WebSocket at /graphql (graphql-transport-ws), not over HTTP');
}

export interface SubscribeRequest {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

/**
 * Room for parsed and validated documents, each counted as this many bytes per character of its text: graphql-js's
 * AST, with its locations and tokens, takes some 80 bytes of heap per character of the document.
 */
const DOCUMENT_CACHE_BYTES = 16 * 1024 * 1024;
const CACHED_BYTES_PER_CHARACTER = 100;

/**
 * Over WebSocket, in graphql-ws' onSubscribe: the same checks, then what to run, with its context. A document's parse
 * and validation (most of a subscribe's cost) are kept by its text, as Apollo Server keeps them over HTTP: a page's
 * subscriptions are the same few documents, and a client sending the same one again and again costs little.
 */
export function operationChecker(schema: GraphQLSchema, config: GraphqlConfig): (request: SubscribeRequest) => ExecutionArgs | GraphQLError[] {
  const rules = [...specifiedRules, ...protectionRules(config)];
  const hideSuggestions = !config.suggestions;
  const documents = new LRUCache<string, DocumentNode | readonly GraphQLError[]>({
    maxSize: DOCUMENT_CACHE_BYTES,
    sizeCalculation: (_document, query) => Math.max(1, query.length * CACHED_BYTES_PER_CHARACTER),
  });
  const validDocument = (query: string): DocumentNode | readonly GraphQLError[] => {
    let document;
    try {
      document = parse(query, { maxTokens: config.maxTokens });
    } catch (error) {
      return [error instanceof GraphQLError ? withCode(error, 'graphql_parse_failed') : graphqlError('graphql_parse_failed', String(error))];
    }
    const errors = validate(schema, document, rules, { hideSuggestions });
    return errors.length > 0 ? errors.map((error) => withCode(error, 'graphql_validation_failed')) : document;
  };
  return (request) => {
    const tooLarge = documentRefusal(request.query, config);
    if (tooLarge !== null) return [tooLarge];
    let checked = documents.get(request.query);
    if (checked === undefined) documents.set(request.query, (checked = validDocument(request.query)));
    if (isErrorList(checked)) return [...checked];
    return runnable(schema, config, checked, request);
  };
}

const isErrorList = (checked: DocumentNode | readonly GraphQLError[]): checked is readonly GraphQLError[] => Array.isArray(checked);

/** The checks that depend on the request's operation name and variables, then what to run. */
function runnable(schema: GraphQLSchema, config: GraphqlConfig, document: DocumentNode, request: SubscribeRequest): ExecutionArgs | GraphQLError[] {
  const hideSuggestions = !config.suggestions;
  const { variables, operationName } = request;
  // graphql-ws would say "Unable to identify operation"; the words execution gives over HTTP say which is missing.
  if (getOperationAST(document, operationName) === null) {
    const message = operationName == null ? 'Must provide operation name if query contains multiple operations.' : `Unknown operation named "${operationName}".`;
    return [graphqlError('operation_resolution_failure', message)];
  }
  const costly = costRefusal(schema, { document, variables, operationName }, config.maxCost);
  if (costly !== null) return [costly];
  return { schema, document, variableValues: variables, operationName, contextValue: operationContext(config), hideSuggestions };
}
