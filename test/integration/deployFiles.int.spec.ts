// The files for operators' own tools: the alert rules pass promtool's checks and unit tests, and every metric the
// rules and the Grafana dashboard name is one a running service exports.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunningService } from '../../src/server';
import { callbackTypeFixture } from '../support/callbackTypeFixtures';
import { relayCallback } from '../support/callbackBodies';
import { postAndProject, startTestService, tempDataDir } from '../support/testService';

const DEPLOY = path.join(__dirname, '..', '..', 'deploy');
const RULES = path.join(DEPLOY, 'prometheus', 'css-ledger.rules.yml');
const RULE_TESTS = path.join(DEPLOY, 'prometheus', 'css-ledger.rules.test.yml');
const DASHBOARD = path.join(DEPLOY, 'grafana', 'css-ledger.json');
/** Debian's prometheus package puts it here; CI installs it (.ci/run). */
const PROMTOOL = process.env.PROMTOOL ?? 'promtool';

const promtool = (...args: string[]) => execFileSync(PROMTOOL, args, { cwd: path.dirname(RULES), encoding: 'utf8', timeout: 60_000 });

/** Metric names the service could export: ours and the process metrics prom-client adds. */
const METRIC_NAME = /\b(?:css_ledger|process|nodejs)_[a-z0-9_]+\b/g;
const referenced = (text: string): Set<string> => new Set(text.match(METRIC_NAME) ?? []);

/** Names /metrics declares (`# TYPE`), a histogram's series included. */
function exportedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === 'histogram' || type === 'summary') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

describe('deploy/prometheus rules', () => {
  it('pass promtool check rules', () => {
    expect(promtool('check', 'rules', RULES)).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('pass their unit tests (promtool test rules)', () => {
    expect(promtool('test', 'rules', RULE_TESTS)).toMatch(/SUCCESS/);
  });
});

describe('metrics the rules and the dashboard name', () => {
  const folder = tempDataDir();
  let service: RunningService;
  let exported: Set<string>;

  beforeAll(async () => {
    service = await startTestService(folder.dir);
    const push = { event_type: 1, sequence: '501', app: 'a.example', appname: 'live', stream_id: 'cam', event_time: 1_700_000_000 };
    for (const body of [
      push,
      { ...push, event_type: 0, event_time: 1_700_000_060, errcode: 18, sub_errcode: 501, push_duration: '60000' },
      relayCallback('TaskExit', { task_id: '9', msg: JSON.stringify({ code: -22, message: 'x', task_exit_time: 1_700_000_000_000 }) }),
      JSON.parse(callbackTypeFixture('image-moderation').raw) as object,
      JSON.parse(callbackTypeFixture('recording-file').raw) as object,
    ]) {
      await postAndProject(service, body);
    }
    exported = exportedNames(await (await fetch(`${service.url}/metrics`)).text());
  });
  afterAll(async () => {
    await service.close();
    folder.remove();
  });

  it.each([
    ['the alert rules', RULES],
    ['the Grafana dashboard', DASHBOARD],
  ])('are all exported, for %s', (_what, file) => {
    const names = [...referenced(readFileSync(file, 'utf8'))];
    expect(names.length).toBeGreaterThan(5);
    expect(names.filter((name) => !exported.has(name))).toEqual([]);
  });

  it('include the business metrics and forwarding dead letters', () => {
    for (const name of ['css_ledger_forward_dead_letters', 'css_ledger_streams_live', 'css_ledger_interruptions_total', 'css_ledger_relay_exits_total', 'css_ledger_moderation_hits_total', 'css_ledger_recordings_ready_total']) {
      expect(exported.has(name)).toBe(true);
    }
  });
});
