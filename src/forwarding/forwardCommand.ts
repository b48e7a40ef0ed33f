// `forward status|pause|resume|replay|redeliver`: the forwarding operations against a running service, through its GraphQL.
import { Command, InvalidArgumentError } from 'commander';
import { terminalSafe } from '../terminalText';

interface ForwardFlags {
  url: string;
}

/** What the service answered, or why there is no answer: each refusal says what to do. */
async function operate(flags: ForwardFlags, query: string, variables: Record<string, unknown>, admin: boolean): Promise<Record<string, any>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const apiToken = (process.env.GRAPHQL_API_TOKENS ?? '').split(',').map((token) => token.trim()).find((token) => token !== '');
  if (apiToken !== undefined) headers.authorization = `Bearer ${apiToken}`;
  if (admin) {
    const adminToken = process.env.ADMIN_TOKEN?.trim();
    if (!adminToken) throw new Error('ADMIN_TOKEN is not set: this operation needs the running service\'s admin token in ADMIN_TOKEN');
    headers['x-admin-token'] = adminToken;
  }
  const endpoint = `${flags.url.replace(/\/+$/, '')}/graphql`;
  let response: Response;
  try {
    response = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify({ query, variables }), signal: AbortSignal.timeout(60_000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new Error(`cannot reach the service at ${endpoint} (${cause}): is it running? (--url)`);
  }
  const answer = (await response.json().catch(() => null)) as {
    data?: Record<string, any> | null;
    errors?: Array<{ message: string }>;
    error?: unknown;
    message?: unknown;
  } | null;
  if (answer === null) throw new Error(`${endpoint} answered ${response.status} without a GraphQL answer`);
  // The service's refusals before GraphQL (a host name not allowed, a connection limit) say what was wrong.
  if (typeof answer.error === 'string') throw new Error(`${endpoint} answered ${response.status} ${answer.error}: ${String(answer.message)}`);
  if (answer.errors !== undefined && answer.errors.length > 0) throw new Error(answer.errors.map((error) => error.message).join('\n'));
  return answer.data ?? {};
}

const DESTINATION_FIELDS = 'name url status paused breaker lagEvents lagSeconds deliveredThrough lastError deadLetterCount pendingCount group deliveredCount';

/** One line per destination; a shared group (EventStoreDB) has no breaker or lag to show, but its name and this instance's count. */
export function describeDestination(d: Record<string, any>): string {
  const error = d.lastError === null ? '' : `  last error: ${oneLine(String(d.lastError))}`;
  const progress =
    d.group === null
      ? `breaker ${d.breaker}  delivered through ${d.deliveredThrough}  lag ${d.lagEvents} events / ${Number(d.lagSeconds).toFixed(1)} s`
      : `shared group ${d.group}  delivered by this instance ${d.deliveredCount}`;
  return `${d.name}  ${d.status}  ${progress}  pending ${d.pendingCount}  dead letters ${d.deadLetterCount ?? 'unknown'}  -> ${d.url}${error}`;
}

/**
 * A receiver's error page stays on its destination's line (line breaks and runs of spaces as one space, at most 200
 * characters) and cannot drive the terminal (its other control characters as escapes).
 */
const LAST_ERROR_CHARS = 200;
function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return terminalSafe(flat.length <= LAST_ERROR_CHARS ? flat : `${flat.slice(0, LAST_ERROR_CHARS - 1)}…`);
}

const position = (value: string): string => {
  if (!/^\d{1,20}$/.test(value)) throw new InvalidArgumentError('expected a log position (a whole number)');
  return value;
};

const time = (value: string): string => {
  // A bare number would parse as a year (`--from 1` is 2001): it is more likely a position meant for --from-position.
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new InvalidArgumentError('expected a date and time, e.g. 2025-01-02T03:04:05Z (a log position goes to --from-position or --to-position)');
  }
  return new Date(value).toISOString();
};

/** The range's flags in the terms the operator typed them, before the service is asked. */
export function replayFlagsMistake(range: { fromPosition?: string; toPosition?: string; from?: string; to?: string }): string | null {
  const byPosition = range.fromPosition !== undefined || range.toPosition !== undefined;
  const byTime = range.from !== undefined || range.to !== undefined;
  if (!byPosition && !byTime) return 'give the range to replay: --from-position and --to-position, or --from and --to';
  if (byPosition && byTime) return 'give --from-position and --to-position, or --from and --to, not both kinds';
  if (byPosition && (range.fromPosition === undefined || range.toPosition === undefined)) return 'give both --from-position and --to-position';
  if (byTime && (range.from === undefined || range.to === undefined)) return 'give both --from and --to';
  return null;
}

const print = (line: string) => process.stdout.write(`${line}\n`);

export function forwardCommand(): Command {
  const defaultUrl = `http://127.0.0.1:${process.env.PORT?.trim() || '4000'}`;
  const command = new Command('forward')
    .description('see and operate the forwarding destinations of a running service (through its GraphQL; ADMIN_TOKEN for the operations)')
    .option('--url <url>', 'base URL of the running service', defaultUrl);
  const flags = () => command.opts<ForwardFlags>();

  command
    .command('status')
    .description("each destination's status, lag, dead letters and last error")
    .action(async () => {
      const { destinations } = await operate(flags(), `{ destinations { ${DESTINATION_FIELDS} } }`, {}, false);
      if (destinations.length === 0) print('no destinations: the service forwards nothing (FORWARD_CONFIG is not set)');
      for (const destination of destinations) print(describeDestination(destination));
    });
  for (const [verb, mutation, what] of [
    ['pause', 'pauseDestination', 'hold deliveries to a destination'],
    ['resume', 'resumeDestination', 'deliver again to a paused destination'],
  ] as const) {
    command
      .command(verb)
      .description(what)
      .argument('<destination>')
      .action(async (destination: string) => {
        const data = await operate(flags(), `mutation ($d: String!) { ${mutation}(destination: $d) { ${DESTINATION_FIELDS} } }`, { d: destination }, true);
        print(describeDestination(data[mutation]));
      });
  }
  command
    .command('replay')
    .description('offer a range of the log to one destination again (by position, inclusive, or by the time callbacks were stored)')
    .argument('<destination>')
    .option('--from-position <n>', 'first position', position)
    .option('--to-position <n>', 'last position', position)
    .option('--from <time>', 'stored at or after', time)
    .option('--to <time>', 'stored before', time)
    .action(async (destination: string, range: { fromPosition?: string; toPosition?: string; from?: string; to?: string }) => {
      const mistake = replayFlagsMistake(range);
      if (mistake !== null) throw new Error(`forward replay: ${mistake}`);
      const query = `mutation ($d: String!, $fp: String, $tp: String, $f: DateTime, $t: DateTime) {
        replayToDestination(destination: $d, fromPosition: $fp, toPosition: $tp, from: $f, to: $t) { offered } }`;
      const data = await operate(flags(), query, { d: destination, fp: range.fromPosition, tp: range.toPosition, f: range.from, t: range.to }, true);
      print(`${destination}: ${data.replayToDestination.offered} callbacks offered again`);
    });
  command
    .command('redeliver')
    .description("put a destination's dead letters back to pending, with fresh attempts")
    .argument('<destination>')
    .action(async (destination: string) => {
      const data = await operate(flags(), `mutation ($d: String!) { redeliverDeadLetters(destination: $d) { redelivered } }`, { d: destination }, true);
      print(`${destination}: ${data.redeliverDeadLetters.redelivered} dead letters put back`);
    });
  return command;
}
