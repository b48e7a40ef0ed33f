// The live dashboard in headless Chromium: it connects with an API token and follows real callbacks without reloading.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { describeInterruption } from '../../src/domain/errcodeCatalogue';
import type { RunningService } from '../../src/server';
import { waitForSubscribers } from '../support/graphqlClient';
import { relayCallback } from '../support/callbackBodies';
import { seedExamples } from '../support/seedExamples';
import { postCallback, signCallback, startTestService, tempDataDir } from '../support/testService';

const CHROMIUM = '/usr/bin/chromium';
const INSTALL = 'sudo apt-get install -y --no-install-recommends chromium';
// CI installs Chromium (.ci/run): there a missing browser is a failure, elsewhere a visible skip.
const inCi = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && !inCi) console.warn(`dashboard browser test SKIPPED: ${CHROMIUM} is missing; install it with: ${INSTALL}`);
const describeInBrowser = haveChromium || inCi ? describe : describe.skip;

const KEY = 'dashboard-callback-key';
const URL_TOKEN = 'relay-url-token-42';
const API_TOKEN = 'dashboard-api-token-0123456789';
/** Screenshots land here (gitignored), to be looked at after a run. */
const OUTPUT_DIR = path.join(__dirname, '..', '..', 'test-output');

describeInBrowser('the live dashboard at /', () => {
  const data = tempDataDir();
  const profile = mkdtempSync(path.join(os.tmpdir(), 'css-ledger-chromium-'));
  let service: RunningService;
  let browser: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} is missing: CI must install it (${INSTALL})`);
    service = await startTestService(data.dir, { CSS_CALLBACK_KEYS: KEY, CSS_CALLBACK_TOKEN: URL_TOKEN, GRAPHQL_API_TOKENS: API_TOKEN });
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      // Without the background-networking switches Chromium reaches out to Google, which a closed network refuses.
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1280, height: 1000 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    // Script errors and Content-Security-Policy violations show up here.
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await service?.close();
    rmSync(profile, { recursive: true, force: true });
    data.remove();
  });

  const text = (selector: string) => page.locator(selector).first().innerText();
  /** Waits (15 s at most) until the element's text is exactly `expected`; the failure names what it showed instead. */
  async function waitForText(selector: string, expected: string, match = (shown: string) => shown === expected): Promise<void> {
    const deadline = Date.now() + 15_000;
    let shown = await text(selector);
    while (!match(shown.trim())) {
      if (Date.now() > deadline) throw new Error(`${selector} shows ${JSON.stringify(shown)}, not ${JSON.stringify(expected)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      shown = await text(selector);
    }
  }
  const waitFor = (selector: string) => page.locator(selector).first().waitFor({ timeout: 15_000 });

  async function postSigned(body: Record<string, unknown>): Promise<void> {
    const response = await postCallback(service.url, signCallback(body, KEY));
    expect(response.status).toBe(200);
  }
  async function postRelay(body: Record<string, unknown>): Promise<void> {
    const response = await postCallback(service.url, body, { query: `?token=${URL_TOKEN}` });
    expect(response.status).toBe(200);
  }

  it('says when the API token is refused, and connects once a valid one is typed in', async () => {
    await page.goto(`${service.url}/#token=not-the-right-token-000`);
    await waitForText('#connection', 'Token refused');
    expect(await text('#refused')).toMatch(/refused the API token/);
    // The token left the address bar (and the history) for the tab's storage.
    expect(page.url()).toBe(`${service.url}/`);

    await page.getByLabel('GraphQL API token').fill(API_TOKEN);
    await page.getByRole('button', { name: 'Use token' }).click();
    await waitForText('#connection', 'Live');
    expect(await page.locator('#refused').isHidden()).toBe(true);
  }, 60_000);

  it('shows a push as live, then its interruption with the reason, a relay task with its exit code, and the chart moving, without reloading', async () => {
    await waitForText('#connection', 'Live');
    await waitForSubscribers(service, 3); // sessions, relay tasks, callbacks
    const loads: string[] = [];
    page.on('load', () => loads.push(page.url()));
    await page.evaluate('window.sameDocument = true');
    expect(await text('#stat-live')).toBe('0');
    expect(await page.locator('#chart').getAttribute('data-pushes')).toBe('0');

    // The seed push example from CSS's documents, happening now.
    const seedPush = JSON.parse(seedExamples().find((e) => e.raw.includes('"sequence"'))!.raw) as Record<string, unknown>;
    const now = Math.floor(Date.now() / 1000);
    const push = { ...seedPush, sequence: '7100000000000000001', stream_id: 'studio_cam', channel_id: 'studio_cam', event_time: now - 95 };
    await postSigned(push);
    const liveRow = '#live-table tr[data-sequence="7100000000000000001"]';
    await waitFor(liveRow);
    expect(await text(liveRow)).toContain('studio_cam');
    await waitForText('#stat-live', '1');
    await waitForText('#stat-pushes', '1');
    expect(await page.locator('#chart').getAttribute('data-pushes')).toBe('1');

    const reason = describeInterruption(12, 0)!.reason;
    await postSigned({ ...push, event_type: 0, event_time: now, errcode: 12, errmsg: 'network error', push_duration: '95000' });
    const endedRow = '#interruptions-table tr[data-sequence="7100000000000000001"]';
    await waitFor(endedRow);
    expect(await text(endedRow)).toContain(reason);
    expect(await text(endedRow)).toContain('12');
    expect(await page.locator(liveRow).count()).toBe(0);
    await waitForText('#stat-live', '0');
    await waitForText('#stat-interruptions', '1');
    expect(await page.locator('#chart').getAttribute('data-interruptions')).toBe('1');

    const sources = '["http://origin.example/live/show.m3u8"]\n';
    await postRelay(relayCallback('TaskStart', { task_id: 'relay-7', stream_id: 'studio_relay', source_urls: sources, msg: JSON.stringify({ task_start_time: Date.now() - 60_000 }) }));
    const taskRow = '#relay-table tr[data-task-id="relay-7"]';
    await waitFor(taskRow);
    expect(await text(taskRow)).toContain('running');
    await waitForText('#stat-relay', '1');
    await postRelay(
      relayCallback('TaskExit', { task_id: 'relay-7', stream_id: 'studio_relay', source_urls: sources, msg: JSON.stringify({ message: 'write packet error.', code: -22, task_exit_time: Date.now() }) }),
    );
    await waitForText(taskRow, '-22', (shown) => shown.includes('-22'));
    expect(await text(taskRow)).toContain('exited');
    expect(await text(taskRow)).toContain('write packet error.');
    await waitForText('#stat-relay', '0');

    // A second stream, with the size newer CSS pushes report, stays live.
    await postSigned({ ...push, sequence: '7100000000000000002', stream_id: 'lobby_cam', channel_id: 'lobby_cam', event_time: now - 30, width: 1920, height: 1080 });
    const lobbyRow = '#live-table tr[data-sequence="7100000000000000002"]';
    await waitFor(lobbyRow);
    expect(await text(lobbyRow)).toContain('1920×1080');
    await waitForText('#stat-live', '1');
    await waitForText('#stat-pushes', '2');

    // The live region told the story in order, newest first.
    const feed = await page.locator('#feed li').allInnerTexts();
    expect(feed.map((line) => line.split('\n').at(-1))).toEqual([
      'lobby_cam went live',
      expect.stringContaining('relay task relay-7 exited with code -22'),
      'relay task relay-7 started',
      `studio_cam interrupted: ${reason}`,
      'studio_cam went live',
    ]);
    expect(await page.evaluate('window.sameDocument')).toBe(true);
    expect(loads).toEqual([]);
    expect(pageErrors).toEqual([]);

    mkdirSync(OUTPUT_DIR, { recursive: true });
    const screenshot = path.join(OUTPUT_DIR, 'dashboard.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    const png = readFileSync(screenshot);
    expect(png.length).toBeGreaterThan(10_000);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  }, 90_000);

  it('says it is reconnecting while the service is away, and is live again with its data once the service is back', async () => {
    const port = new URL(service.url).port;
    await service.close();
    await waitForText('#connection', 'Reconnecting…');
    service = await startTestService(data.dir, { PORT: port, CSS_CALLBACK_KEYS: KEY, CSS_CALLBACK_TOKEN: URL_TOKEN, GRAPHQL_API_TOKENS: API_TOKEN });
    // Most likely before the page is back (it retries after a second or more): only reloading its data shows this push.
    await postSigned({ event_type: 1, sequence: '7100000000000000003', stream_id: 'after_restart', event_time: Math.floor(Date.now() / 1000) });
    await waitForText('#connection', 'Live');
    await waitFor('#live-table tr[data-sequence="7100000000000000003"]');
    expect(await text('#live-table tbody')).toContain('lobby_cam');
    await waitForText('#stat-live', '2');
    expect(await page.evaluate('window.sameDocument')).toBe(true);
  }, 90_000);

  it('shows hidden formatting characters from callbacks as marked escapes, so they cannot reorder a stream name', async () => {
    await waitForText('#connection', 'Live');
    const errorsBefore = pageErrors.length; // the restart above leaves a refused WebSocket in the console
    const now = Math.floor(Date.now() / 1000);
    // U+202E (right-to-left override) would show "live" + "cba"; U+2066 and U+200B would hide themselves.
    const push = { event_type: 1, sequence: '7100000000000000005', stream_id: 'live\u202Eabc', app: 'cdn\u2066.example', appname: 'l\u200Bive', event_time: now };
    await postSigned(push);
    const row = '#live-table tr[data-sequence="7100000000000000005"]';
    await waitFor(row);
    const shown = await text(`${row} td.stream`);
    expect(shown).toContain('live\\u202Eabc');
    expect(shown).toContain('cdn\\u2066.example / l\\u200Bive');
    expect(shown).not.toMatch(/[\u202E\u2066\u200B]/);
    expect(await page.locator(`${row} .hidden-char`).allInnerTexts()).toEqual(['\\u202E', '\\u2066', '\\u200B']);
    const feed = await page.locator('#feed li').first().innerText();
    expect(feed).toContain('live\\u202Eabc went live');

    await postSigned({ ...push, event_type: 0, errcode: 1, errmsg: 'closed by \u202Dpeer\u202C' });
    const ended = '#interruptions-table tr[data-sequence="7100000000000000005"]';
    await waitFor(ended);
    expect(await text(ended)).toContain('closed by \\u202Dpeer\\u202C');
    await page.locator(ended).screenshot({ path: path.join(OUTPUT_DIR, 'dashboard-hidden-characters.png') });

    // The module itself, as the browser loads it.
    const samples = ['plain', 'a\u202Eb', '\u200E\u200F\u061C', 'tag\u{E0041}', 'tab\tstays', 'bell\u0007'];
    const parts = await page.evaluate(`import('/dashboard/format.js').then(({ visibleParts }) => ${JSON.stringify(samples)}.map(visibleParts))`);
    expect(parts).toEqual([
      ['plain'],
      ['a', { escape: '\\u202E', code: 0x202e }, 'b'],
      [{ escape: '\\u200E', code: 0x200e }, { escape: '\\u200F', code: 0x200f }, { escape: '\\u061C', code: 0x61c }],
      ['tag', { escape: '\\u{E0041}', code: 0xe0041 }],
      ['tab\tstays'],
      ['bell', { escape: '\\u0007', code: 7 }],
    ]);
    expect(pageErrors.slice(errorsBefore)).toEqual([]);
  }, 60_000);
});
