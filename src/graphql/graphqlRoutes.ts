// GraphQL over HTTP (Apollo Server on Fastify) and over WebSocket (graphql-ws), both at /graphql.
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import type { FastifyInstance } from 'fastify';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';

export const GRAPHQL_PATH = '/graphql';

export interface GraphqlRouteOptions {
  schema: GraphQLSchema;
  /** Production turns off the explorer and introspection. */
  production: boolean;
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

export async function graphqlRoutes(app: FastifyInstance, options: GraphqlRouteOptions): Promise<void> {
  const webSockets = new WebSocketServer({ server: app.server, path: GRAPHQL_PATH });
  const subscriptions = useServer({ schema: options.schema }, webSockets);

  const apollo = new ApolloServer({
    schema: options.schema,
    introspection: !options.production,
    formatError: formatGraphqlError,
    plugins: [
      options.production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
    ],
  });
  await apollo.start();
  // Fastify owns the HTTP lifecycle: sockets are told "going away" (1001) before the server stops
  // taking requests, in-flight requests finish, then Apollo stops.
  app.addHook('preClose', async () => {
    await subscriptions.dispose();
    await new Promise<void>((resolve) => webSockets.close(() => resolve()));
  });
  app.addHook('onClose', async () => apollo.stop());
  app.route({ url: GRAPHQL_PATH, method: ['GET', 'POST', 'OPTIONS'], handler: fastifyApolloHandler(apollo) });
}
