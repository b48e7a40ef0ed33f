// GraphQL over HTTP (Apollo Server on Fastify) and over WebSocket (graphql-ws), both at /graphql.
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GraphQLError, NoSchemaIntrospectionCustomRule, parse, specifiedRules, validate, type GraphQLFormattedError, type GraphQLSchema, type ValidationContext, type ValidationRule } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { GraphqlConfig } from '../config';
import { matchingSecretIndex } from '../http/secrets';

export const GRAPHQL_PATH = '/graphql';

/** WebSocket close code for a connection_init without a valid token (graphql-ws uses 4403 for Forbidden). */
const FORBIDDEN = 4403;

/** On stopping, how long a subscriber has to answer the 1001 close frame before its socket is cut. */
const SOCKET_CLOSE_GRACE_MS = 2_000;

export interface GraphqlRouteOptions {
  schema: GraphQLSchema;
  config: GraphqlConfig;
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

  const webSockets = new WebSocketServer({ server: app.server, path: GRAPHQL_PATH });
  const subscriptions = useServer(
    {
      schema,
      onConnect: (context) => {
        const params = context.connectionParams ?? {};
        if (tokenAllowed(config, bearerToken(params.authorization ?? params.Authorization ?? params.token))) return true;
        context.extra.socket.close(FORBIDDEN, 'Forbidden: connection_init needs a valid API token');
        return false;
      },
      // The same limits as over HTTP: validated here, so graphql-ws executes what passed.
      onSubscribe: (_context, _id, payload) => {
        let document;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
        }
        const errors = validate(schema, document, [...specifiedRules, ...rules]);
        if (errors.length > 0) return errors;
        return { schema, document, variableValues: payload.variables, operationName: payload.operationName };
      },
    },
    webSockets,
  );

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
  // Fastify owns the HTTP lifecycle: sockets are told "going away" (1001) before the server stops
  // taking requests, in-flight requests finish, then Apollo stops. A subscriber that never answers the close frame
  // is cut after a grace period, not after ws's 30 s close timeout.
  app.addHook('preClose', async () => {
    const cut = setTimeout(() => webSockets.clients.forEach((socket) => socket.terminate()), SOCKET_CLOSE_GRACE_MS);
    try {
      await subscriptions.dispose();
    } finally {
      clearTimeout(cut);
    }
  });
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
