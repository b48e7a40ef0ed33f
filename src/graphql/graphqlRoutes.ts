// GraphQL over HTTP (Apollo Server on Fastify) and over WebSocket (graphql-ws), both at /graphql.
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GraphQLError, NoSchemaIntrospectionCustomRule, type GraphQLFormattedError, type GraphQLSchema, type ValidationContext, type ValidationRule } from 'graphql';
import type { GraphqlConfig } from '../config';
import { matchingSecretIndex } from '../http/secrets';
import type { SubscriberMetrics } from '../metrics/serviceMetrics';
import { startSubscriptionServer } from './subscriptionServer';
import type { Topics } from './topics';

export const GRAPHQL_PATH = '/graphql';

export interface GraphqlRouteOptions {
  schema: GraphQLSchema;
  config: GraphqlConfig;
  /** Where subscriptions take the read models' changes from. */
  topics: Topics;
  metrics?: SubscriberMetrics | undefined;
  /** What an error's message becomes before it reaches the client (file paths cut in production). */
  publicText?: (text: string) => string;
}

interface ValidationFailure {
  property: string;
  constraints?: Record<string, string>;
  children?: ValidationFailure[];
}

/** class-validator's failures as one readable line that names each argument: "first must not be greater than 500". */
function describeFailures(failures: ValidationFailure[], prefix = ''): string[] {
  return failures.flatMap((failure) => {
    const name = `${prefix}${failure.property}`;
    const own = Object.values(failure.constraints ?? {}).map((message) => message.replace(failure.property, name));
    return [...own, ...describeFailures(failure.children ?? [], `${name}.`)];
  });
}

export function formatGraphqlError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const failures = formatted.extensions?.validationErrors as ValidationFailure[] | undefined;
  if (formatted.extensions?.code !== 'BAD_USER_INPUT' || failures === undefined) return formatted;
  const { validationErrors: _dropped, ...extensions } = formatted.extensions;
  const fields = describeFailures(failures);
  return { ...formatted, message: `invalid arguments: ${fields.join('; ')}`, extensions: { ...extensions, fields } };
}

/** Depth, cost and alias limits (and no introspection when it is off), for HTTP and WebSocket alike. */
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
    costLimitRule({ maxCost: config.maxCost, ignoreIntrospection: true, ...report }),
    maxAliasesRule({ n: config.maxAliases, ...report }),
  ];
  if (!config.introspection) rules.push(NoSchemaIntrospectionCustomRule);
  return rules;
}

/** The token of `Authorization: Bearer <token>`, or of connection_init's `authorization` / `token`. */
function bearerToken(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(value.trim());
  return match?.[1] ?? value.trim();
}

function tokenAllowed(config: GraphqlConfig, token: string | undefined): boolean {
  if (config.apiTokens.length === 0) return true;
  return token !== undefined && matchingSecretIndex(token, config.apiTokens) >= 0;
}

export async function graphqlRoutes(app: FastifyInstance, options: GraphqlRouteOptions): Promise<void> {
  const { schema, config } = options;
  const rules = protectionRules(config);

  const subscriptions = startSubscriptionServer({
    server: app.server,
    path: GRAPHQL_PATH,
    schema,
    config,
    rules,
    topics: options.topics,
    logger: app.log,
    metrics: options.metrics,
    admits: (params) => tokenAllowed(config, bearerToken(params.authorization ?? params.Authorization ?? params.token)),
  });

  const apollo = new ApolloServer({
    schema,
    introspection: config.introspection,
    validationRules: rules,
    formatError: (formatted) => {
      const shown = formatGraphqlError(formatted);
      // Only the service's own failures: a client's mistakes quote the client's input, which stays as it was.
      const internal = shown.extensions?.code === 'INTERNAL_SERVER_ERROR';
      return internal && options.publicText !== undefined ? { ...shown, message: options.publicText(shown.message) } : shown;
    },
    plugins: [
      config.explorer ? ApolloServerPluginLandingPageLocalDefault({ embed: true }) : ApolloServerPluginLandingPageDisabled(),
      // No @cacheControl hints in this schema: the default plugin would only add work to every field of every query.
      ApolloServerPluginCacheControlDisabled(),
    ],
  });
  await apollo.start();
  // Fastify owns the HTTP lifecycle: sockets are told "going away" (1001) before the server stops taking requests,
  // in-flight requests finish, then Apollo stops.
  app.addHook('preClose', async () => subscriptions.stop());
  app.addHook('onClose', async () => apollo.stop());

  const context = async (request: FastifyRequest) => {
    if (!tokenAllowed(config, bearerToken(request.headers.authorization))) {
      throw new GraphQLError('a valid API token is required: Authorization: Bearer <token>', {
        extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
      });
    }
    return {};
  };
  app.route({ url: GRAPHQL_PATH, method: ['GET', 'POST', 'OPTIONS'], handler: fastifyApolloHandler(apollo, { context }) });
}
