#!/usr/bin/env node
// Command line: `serve` runs the service (the default verb).
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { buildGraphqlSchema, schemaSdl } from './graphql/schema';
import { ConfigError, loadConfig, type Config } from './config';
import { rebuildReadModels } from './readmodel/rebuildReadModels';
import { createLogger, openEventStore, readModelFile, startService } from './server';

/** The configuration, or exit 2 with the one line that says what is wrong. */
function configOrExit(): Config {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

async function rebuild(): Promise<void> {
  const config = configOrExit();
  const store = await openEventStore(config);
  try {
    const file = readModelFile(config);
    process.stdout.write(`rebuilding ${file} from ${store.description} ...\n`);
    const result = await rebuildReadModels(store, file);
    const perSecond = Math.round(result.eventsApplied / Math.max(result.durationMs / 1000, 0.001));
    process.stdout.write(
      `rebuilt: ${result.eventsApplied} events in ${(result.durationMs / 1000).toFixed(2)} s (${perSecond} events/s), ` +
        `position ${result.position}, digest ${result.digest}\n`,
    );
  } finally {
    await store.close();
  }
}

async function serve(): Promise<void> {
  const config = configOrExit();
  const logger = createLogger(config);
  let service;
  try {
    service = await startService(config, logger);
  } catch (error) {
    logger.fatal({ err: error }, `could not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  const running = service;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received: stopping`);
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

const program = new Command()
  .name('css-callback-ledger')
  .description('Keeps Tencent Cloud CSS callbacks as immutable events and serves them through GraphQL');
program
  .command('serve', { isDefault: true })
  .description('run the service (configuration from environment variables, see README)')
  .action(serve);
program
  .command('emit-schema')
  .description('write the GraphQL schema, generated from the code, to a file')
  .argument('[file]', 'where to write it', 'schema/schema.graphql')
  .action((file: string) => {
    writeFileSync(file, schemaSdl(buildGraphqlSchema(null)));
    process.stdout.write(`wrote ${file}\n`);
  });
program
  .command('rebuild')
  .description('drop the read models and replay the whole event log into them (stop the service first)')
  .action(rebuild);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
