#!/usr/bin/env node
// Command line: `serve` runs the service (the default verb); `rebuild`, `export`, `import`, `backup`, `promote`, `simulate`, `forward`, `emit-schema`.
import './supportedRuntime';
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { schemaSdl } from './graphql/schema';
import { ConfigError, loadConfig, unknownSettings, type Config } from './config';
import { forwardCommand } from './forwarding/forwardCommand';
import { START_REFUSALS } from './dataFolder';
import { READ_MODELS } from './readmodels';
import { readModelsSchema } from './graphqlSchema';
import { createLogger, startService } from './server';
import { formatSummary, SIMULATE_LIMITS, simulateTraffic } from './simulation/simulateTraffic';
import { FULL_STORY } from './simulation/storySession';

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

// The commands that work on the log and the read models from outside a service are loaded when run: the service
// itself would hold their modules (a progress bar among them) for nothing.
const logCommands = () => require('./logCommands') as typeof import('./logCommands');

async function rebuild(names: string[]): Promise<void> {
  const { rebuildReadModels } = require('./rebuildCommand') as typeof import('./rebuildCommand');
  await rebuildReadModels(configOrExit(), names);
}

interface SimulateFlags {
  url: string;
  key?: string;
  token?: string;
  rate: number;
  duration: number;
  count?: number;
  seed?: number;
  sessions: number;
  relayTasks: number;
  story: 'full' | 'sessions-only';
  recordings: boolean;
  screenshotsEvery: number;
  moderationRate: number;
  anomalies: boolean;
  analysisRate: number;
  imageHost: string;
  maxInFlight: number;
  retries: number;
  json?: boolean;
}

/** The options that shape the full story, as typed on the command line. */
const STORY_FLAGS: Readonly<Record<string, string>> = {
  recordings: '--no-recordings',
  screenshotsEvery: '--screenshots-every',
  moderationRate: '--moderation-rate',
  anomalies: '--no-anomalies',
  analysisRate: '--analysis-rate',
  imageHost: '--image-host',
};

async function simulate(flags: SimulateFlags, command: Command): Promise<void> {
  const shaping = Object.keys(STORY_FLAGS).find((name) => command.getOptionValueSource(name) === 'cli');
  if (flags.story !== 'full' && shaping !== undefined) throw new Error(`${STORY_FLAGS[shaping]} shapes the full story: leave out --story sessions-only`);
  const firstKey = (process.env.CSS_CALLBACK_KEYS ?? '').split(',').map((key) => key.trim()).find((key) => key !== '');
  if (flags.sessions + flags.relayTasks === 0) throw new Error('--sessions and --relay-tasks cannot both be 0');
  const seed = flags.seed ?? 1 + Math.floor(Math.random() * 999_999);
  const token = flags.token ?? (process.env.CSS_CALLBACK_TOKEN || undefined);
  if (flags.json !== true) {
    const until = flags.count === undefined ? `${flags.duration} s` : `${flags.duration} s or ${flags.count} callbacks`;
    process.stderr.write(`simulate: ${flags.rate} callbacks/s to ${new URL(flags.url).origin} for ${until} (seed ${seed}, ${flags.story} story)\n`);
  }
  const summary = await simulateTraffic({
    url: flags.url,
    key: flags.key ?? firstKey ?? null,
    token: token ?? null,
    rate: flags.rate,
    durationSeconds: flags.duration,
    ...(flags.count === undefined ? {} : { count: flags.count }),
    seed,
    sessions: flags.sessions,
    relayTasks: flags.relayTasks,
    story:
      flags.story === 'full'
        ? {
            recordings: flags.recordings,
            screenshotsEverySeconds: flags.screenshotsEvery,
            moderationRate: flags.moderationRate,
            anomalies: flags.anomalies,
            analysisRate: flags.analysisRate,
            imageHost: flags.imageHost.replace(/\/+$/, ''),
          }
        : null,
    maxInFlight: flags.maxInFlight,
    maxRetries: flags.retries,
  });
  process.stdout.write(flags.json === true ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
}

/** Commander argument parsers that refuse what is out of range, naming the range. */
function numberIn(min: number, max: number, integer: boolean) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
      throw new InvalidArgumentError(`expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
    }
    return n;
  };
}

function storyName(value: string): 'full' | 'sessions-only' {
  if (value !== 'full' && value !== 'sessions-only') throw new InvalidArgumentError('expected full or sessions-only');
  return value;
}

function baseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('expected an http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError('expected an http:// or https:// URL');
  return value;
}

async function serve(): Promise<void> {
  const config = configOrExit();
  const logger = createLogger(config);
  for (const warning of unknownSettings(process.env)) logger.warn(warning);
  // A fault nothing caught still ends the process as Node ends it (its stack on stderr, exit code 1), but first says so
  // in the JSON log that operators collect.
  process.on('uncaughtExceptionMonitor', (error, origin) => logger.fatal({ err: error, origin }, 'uncaught error: the service stops'));
  let service;
  try {
    service = await startService(config, logger);
  } catch (error) {
    const message = `could not start: ${error instanceof Error ? error.message : String(error)}`;
    // An expected refusal (the folder, its lock, a damaged log) is said in one line; anything else with its stack.
    if (error instanceof Error && START_REFUSALS.has(error.name)) logger.fatal(message);
    else logger.fatal({ err: error }, message);
    process.exit(1);
  }
  const running = service;
  let stopping = false;
  const stop = (reason: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${reason}: stopping`);
    running.close().then(
      () => process.exit(exitCode),
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM received'));
  process.on('SIGINT', () => stop('SIGINT received'));
  // The terminal or SSH session it was started from closing: Node's default would end the process at once, unlogged.
  process.on('SIGHUP', () => stop('SIGHUP received'));
  // Two services writing one DATA_DIR would both project its log: the one whose lock was taken from it leaves.
  void running.mustStop.then(() => stop('DATA_DIR was taken by another process', 1));
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
    writeFileSync(file, schemaSdl(readModelsSchema(null)));
    process.stdout.write(`wrote ${file}\n`);
  });
program
  .command('rebuild')
  .description(
    'build read models anew from the whole event log, beside the live ones, and swap them in when complete; ' +
      'a service running on the same DATA_DIR does it and keeps answering meanwhile',
  )
  .argument('[names...]', `read models to rebuild (${Object.keys(READ_MODELS).join(', ')}); all when none is named`)
  .addHelpText('after', '\nExit code: 0 once the new read models are live; 1 when refused (an unknown name, a service that did not take the request) or failed.')
  .action(rebuild);
program
  .command('export')
  .description('write every stored callback, in log order, as JSON Lines: {"receivedAt","raw","eventId","type","stream","position"}')
  .argument('[file]', 'where to write them; - for stdout', '-')
  .action((file: string) => logCommands().exportLog(configOrExit(), file));
program
  .command('import')
  .description(
    'store callbacks from JSON Lines (lines written by export, or bare CSS callback objects) as if they had been posted: ' +
      'same interpretation, each stored once; no authentication (whoever has the file is trusted)',
  )
  .argument('<file>', 'JSON Lines to read; - for stdin')
  .addHelpText('after', '\nExit code: 0 when every line was stored or already present, 1 when some lines were rejected (they are listed) or the import stopped on an error.')
  .action((file: string) => logCommands().importLog(configOrExit(), file));
program
  .command('backup')
  .description(
    'copy the embedded event log and forwarding\'s state (what cannot be rebuilt), each one consistent snapshot, into a folder ' +
      'that is a DATA_DIR of its own; the service may keep running',
  )
  .argument('<folder>', 'where to write events.db and forwarding/forwarding.db (created when missing; refused when they are there already)')
  .addHelpText('after', '\nExit code: 0 once the copies are written and synced; 1 when refused (EventStoreDB, no log, a backup there already) or failed.')
  .action((folder: string) => {
    const { backupDataDir, describeBackup } = require('./backupCommand') as typeof import('./backupCommand');
    const { lowerThreadPriority } = require('./processing/threadPriority') as typeof import('./processing/threadPriority');
    // The copy reads and writes the whole log on the service's cores: the service's callbacks come first (beside
    // back-to-back backups, nice 19 kept the callbacks' p99 at 51 ms against 107 ms, 47 ms with no backup).
    lowerThreadPriority(19);
    process.stderr.write(describeBackup(backupDataDir(configOrExit(), folder), folder));
  });
program
  .command('promote')
  .description(
    'put quarantined callbacks (authentic, signature expired) into the log as the events they would have been, ' +
      'with their own event ids: promoting again, or a later retry from CSS, stores nothing new. The service may keep running',
  )
  .argument('[ids...]', 'ids of quarantined callbacks (quarantinedCallbacks { nodes { id } })')
  .option('--all', 'every entry the read models list as not yet promoted, oldest first')
  .addHelpText('after', '\nExit code: 0 when every id was promoted (now or before), 1 when some id has no quarantined callback.')
  .action((ids: string[], flags: { all?: boolean }) => {
    if ((flags.all === true) === ids.length > 0) throw new Error('promote takes the ids of quarantined callbacks, or --all (not both)');
    return logCommands().promote(configOrExit(), ids, flags);
  });
program
  .command('simulate')
  .description(
    'post realistic, signed CSS callbacks (sessions, relay tasks, and unless --story sessions-only what CSS tells of each session) ' +
      'to a running service at a steady rate, then summarize its answers',
  )
  .option('--url <url>', 'base URL of the service; callbacks go to <url>/callbacks', baseUrl, 'http://127.0.0.1:4000')
  .option('--key <key>', 'callback key to sign every callback but relay ones with (default: the first of CSS_CALLBACK_KEYS; none: unsigned)')
  .option('--token <token>', 'URL token sent as ?token= (default: CSS_CALLBACK_TOKEN)')
  .option('--rate <n>', `callbacks per second, at most ${SIMULATE_LIMITS.maxRate}`, numberIn(0.1, SIMULATE_LIMITS.maxRate, false), 100)
  .option('--duration <seconds>', `stop sending after this long, at most ${SIMULATE_LIMITS.maxDurationSeconds}`, numberIn(0.1, SIMULATE_LIMITS.maxDurationSeconds, false), 10)
  .option('--count <n>', 'stop after this many callbacks (or at --duration, whichever comes first)', numberIn(1, SIMULATE_LIMITS.maxCount, true))
  .option('--seed <n>', 'seed of the generated traffic (default: random, printed in the summary)', numberIn(1, 999_999, true))
  .option('--sessions <n>', 'mix: sessions per round of traffic', numberIn(0, 1000, true), 10)
  .option('--relay-tasks <n>', 'mix: relay tasks per round of traffic', numberIn(0, 1000, true), 1)
  .option(
    '--story <story>',
    'full: sessions with their recordings, screenshots, moderation hits, push anomaly reports, rarer analysis callbacks; sessions-only: pushes and interruptions',
    storyName,
    'full',
  )
  .option('--no-recordings', 'full story: no recording files, statuses or exceptions')
  .option('--screenshots-every <seconds>', 'full story: seconds between screenshots of a live session, 0 for none', numberIn(0, 3600, true), FULL_STORY.screenshotsEverySeconds)
  .option('--moderation-rate <share>', 'full story: share of sessions (0 to 1) with moderation hits', numberIn(0, 1, false), FULL_STORY.moderationRate)
  .option('--no-anomalies', 'full story: no push anomaly reports')
  .option('--analysis-rate <share>', 'full story: share of sessions (0 to 1) with a monitoring, subtitle, quality, summary or highlight callback', numberIn(0, 1, false), FULL_STORY.analysisRate)
  .option('--image-host <url>', 'full story: where screenshots and flagged pictures are stored (pic_full_url)', baseUrl, FULL_STORY.imageHost)
  .option('--max-in-flight <n>', 'requests awaiting an answer at most; the sender slows down beyond', numberIn(1, SIMULATE_LIMITS.maxInFlight, true), 64)
  .option('--retries <n>', 'retries of a callback answered 503, each after its Retry-After', numberIn(0, SIMULATE_LIMITS.maxRetries, true), 3)
  .option('--json', 'print the summary as one JSON object')
  .action(simulate);

program.addCommand(forwardCommand());

// serve is the default command, so commander would take a mistyped command for an argument of serve.
const [first] = process.argv.slice(2);
if (first !== undefined && first !== 'help' && !first.startsWith('-') && !program.commands.some((command) => command.name() === first || command.aliases().includes(first))) {
  program.error(`error: unknown command '${first}'; the commands are ${program.commands.map((command) => command.name()).join(', ')} (see --help)`);
}

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
