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
  type ExecutionArgs,
  type GraphQLSchema,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { GraphqlConfig } from './graphqlConfig';
import { graphqlError, graphqlRefusal } from './errors';
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

/** Over WebSocket, in graphql-ws' onSubscribe: the same checks, then what to run, with its context. */
export function checkedOperation(schema: GraphQLSchema, config: GraphqlConfig, request: SubscribeRequest): ExecutionArgs | GraphQLError[] {
  const tooLarge = documentRefusal(request.query, config);
  if (tooLarge !== null) return [tooLarge];
  let document;
  try {
    document = parse(request.query);
  } catch (error) {
    return [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
  }
  const hideSuggestions = !config.suggestions;
  const errors = validate(schema, document, [...specifiedRules, ...protectionRules(config)], { hideSuggestions });
  if (errors.length > 0) return [...errors];
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
