#!/usr/bin/env node
// Command line: `serve` runs the service (the default verb).
import { Command } from 'commander';
import { ConfigError, loadConfig } from './config';
import { createLogger, startService } from './server';

async function serve(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
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

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
