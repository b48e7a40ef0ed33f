// The live dashboard in headless Chromium: it connects with an API token and follows real callbacks without reloading.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describeInterruption } from '../../src/domain/errcodeCatalogue';
import { relayCallback } from '../support/callbackBodies';
import { describeInBrowser, launchChromium, OUTPUT_DIR, overflowingCells, textsOnSeveralLines, waitForText as waitForTextIn, type HeadlessChromium } from '../support/headlessChromium';
import { waitForSubscribers } from '../support/graphqlClient';
import { seedExamples } from '../support/seedExamples';
import { postCallback, signCallback, startTestService, useTestService } from '../support/testService';

const KEY = 'dashboard-callback-key';
const URL_TOKEN = 'relay-url-token-42';
const API_TOKEN = 'dashboard-api-token-0123456789';

describeInBrowser('dashboard')('the live dashboard at /', () => {
  // Declared first: after-all hooks run in order, and this goes before the service does.
  afterAll(async () => {
    await browser?.close();
  });
  const fixture = useTestService({ CSS_CALLBACK_KEYS: KEY, CSS_CALLBACK_TOKEN: URL_TOKEN, GRAPHQL_API_TOKENS: API_TOKEN });
  let browser: HeadlessChromium;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    browser = await launchChromium();
    ({ page, pageErrors } = browser);
  }, 60_000);

  const text = (selector: string) => page.locator(selector).first().innerText();
  const waitForText = (selector: string, expected: string | RegExp) => waitForTextIn(page, selector, expected);
  const waitFor = (selector: string) => page.locator(selector).first().waitFor({ timeout: 15_000 });

  async function postSigned(body: Record<string, unknown>): Promise<void> {
    const response = await postCallback(fixture.service.url, signCallback(body, KEY));
    expect(response.status).toBe(200);
  }
  async function postRelay(body: Record<string, unknown>): Promise<void> {
    const response = await postCallback(fixture.service.url, body, { query: `?token=${URL_TOKEN}` });
    expect(response.status).toBe(200);
  }

  it('says when the API token is refused, and connects once a valid one is typed in', async () => {
    await page.goto(`${fixture.service.url}/#token=not-the-right-token-000`);
    await waitForText('#connection', 'Token refused');
    expect(await text('#refused')).toMatch(/refused the API token/);
    // The token left the address bar (and the history) for the tab's storage.
    expect(page.url()).toBe(`${fixture.service.url}/`);

    await page.getByLabel('GraphQL API token').fill(API_TOKEN);
    await page.getByRole('button', { name: 'Use token' }).click();
    await waitForText('#connection', 'Live');
    expect(await page.locator('#refused').isHidden()).toBe(true);
  }, 60_000);

  it('shows a push as live, then its interruption with the reason, a relay task with its exit code, and the chart moving, without reloading', async () => {
    await waitForText('#connection', 'Live');
    await waitForSubscribers(fixture.service, Number(await page.evaluate('document.body.dataset.subscriptions')));
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
    await waitForText(taskRow, /-22/);
    expect(await text(taskRow)).toContain('exited');
    expect(await text(taskRow)).toContain('write packet error.');
    await waitForText('#stat-relay', '0');

    // A second stream, with the size newer CSS pushes report, stays live.
    const lobby = { sequence: '7100000000000000002', stream_id: 'lobby_cam', channel_id: 'lobby_cam', node: '100.121.192.175', user_ip: '119.29.206.207' };
    await postSigned({ ...push, ...lobby, event_time: now - 30, width: 1920, height: 1080 });
    const lobbyRow = '#live-table tr[data-sequence="7100000000000000002"]';
    await waitFor(lobbyRow);
    expect(await text(lobbyRow)).toContain('1920×1080');
    // Every column shows what it holds, the node's address and the size included: nothing runs into the next cell,
    // and neither the longest address nor a size is broken over two lines (the page is 1280 pixels wide).
    expect(await overflowingCells(page, '#live-table')).toEqual([]);
    expect(await textsOnSeveralLines(page, `${lobbyRow} td:nth-child(5) span, ${lobbyRow} td:nth-child(6)`)).toEqual([]);
    expect(await overflowingCells(page, '#interruptions-table')).toEqual([]);
    expect(await overflowingCells(page, '#relay-table')).toEqual([]);
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
    const port = new URL(fixture.service.url).port;
    await fixture.stop();
    await waitForText('#connection', 'Reconnecting…');
    await fixture.restart({ PORT: port, CSS_CALLBACK_KEYS: KEY, CSS_CALLBACK_TOKEN: URL_TOKEN, GRAPHQL_API_TOKENS: API_TOKEN });
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

  it("shows a stream's relay tasks right under its sessions while it has none, and its session's story once it pushes", async () => {
    const errorsBefore = pageErrors.length;
    // studio_relay has relay-7 (above) and no push: what its page has to say is the task.
    await page.locator('#relay-table tr[data-task-id="relay-7"] a', { hasText: 'studio_relay' }).click();
    await waitForText('#stream-title', 'studio_relay');
    const task = '#stream-tasks-table tr[data-task-id="relay-7"]';
    await waitFor(task);
    expect(await text('#stream-status')).toBe('no session yet');
    expect(await page.locator('#session-story').count()).toBe(1);
    expect(await page.locator('#session-story').isHidden()).toBe(true);
    // The tasks' card follows the sessions' card, no empty card of a session between them.
    const [sessions, tasks] = await Promise.all(['#stream-sessions-title', '#stream-tasks-title'].map((title) => page.locator(title).locator('xpath=..').boundingBox()));
    expect(tasks!.y - (sessions!.y + sessions!.height)).toBeLessThan(40);

    // The first answer about the new session comes before its timeline has the push (read models apply a callback one
    // after another), and no other message follows: the page asks again once things settle.
    let behind = 0;
    await page.route('**/graphql', async (route) => {
      const asked = route.request().postDataJSON() as { query?: string; variables?: { sequence?: string } } | null;
      if (behind > 0 || !asked?.query?.includes('SessionDetails') || asked.variables?.sequence !== '7100000000000000006') return route.continue();
      behind += 1;
      const answer = (await (await route.fetch()).json()) as { data: { session: { timeline: unknown } } };
      answer.data.session.timeline = { totalCount: 0, nodes: [], pageInfo: { hasNextPage: false, endCursor: null } };
      return route.fulfill({ json: answer });
    });
    await waitForSubscribers(fixture.service, Number(await page.evaluate('document.body.dataset.subscriptions')));
    await postSigned({ event_type: 1, sequence: '7100000000000000006', stream_id: 'studio_relay', event_time: Math.floor(Date.now() / 1000) });
    await waitFor('#stream-sessions-table tr[data-sequence="7100000000000000006"]');
    await waitForText('#session-timeline-table tbody', /StreamPushed/);
    expect(behind).toBe(1);
    expect(await page.locator('#session-story').isVisible()).toBe(true);
    await page.unroute('**/graphql');
    expect(pageErrors.slice(errorsBefore)).toEqual([]);
  }, 60_000);
});

describeInBrowser('dashboard')('the live dashboard under a stream of callbacks', () => {
  // Declared first: after-all hooks run in order, and this goes before the service does.
  afterAll(async () => {
    await browser?.close();
  });
  const fixture = useTestService({ CSS_CALLBACK_KEYS: KEY, CSS_CALLBACK_TOKEN: URL_TOKEN });
  let browser: HeadlessChromium;
  let page: Page;
  const sources = '["http://origin.example/live/show.m3u8"]\n';

  beforeAll(async () => {
    browser = await launchChromium();
    page = browser.page;
    await page.goto(`${fixture.service.url}/`);
    await waitForTextIn(page, '#connection', 'Live');
    await waitForSubscribers(fixture.service, Number(await page.evaluate('document.body.dataset.subscriptions')));
  }, 60_000);

  const nthSequence = (n: number) => String(7_200_000_000_000_000_000n + BigInt(n));
  const push = (sequence: string, streamId: string, eventTime: number) => ({ event_type: 1, sequence, stream_id: streamId, event_time: eventTime });
  const signed = (body: Record<string, unknown>) => ({ body: signCallback(body, KEY) });
  const relay = (body: Record<string, unknown>) => ({ body, query: `?token=${URL_TOKEN}` });

  /** Posts the callbacks, 16 at a time in list order; resolves with the highest log position answered. */
  async function postAll(callbacks: Array<{ body: Record<string, unknown>; query?: string }>): Promise<bigint> {
    let highest = 0n;
    for (let i = 0; i < callbacks.length; i += 16) {
      const answers = await Promise.all(callbacks.slice(i, i + 16).map(({ body, query }) => postCallback(fixture.service.url, body, { query })));
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        const position = BigInt(answer.headers.get('callback-position')!);
        if (position > highest) highest = position;
      }
    }
    return highest;
  }

  /** Waits (bounded) until the page shows every callback up to `position`; resolves with how long that took. */
  async function shown(position: bigint, timeoutMs: number): Promise<number> {
    const started = Date.now();
    for (;;) {
      const rendered = (await page.evaluate('document.body.dataset.renderedPosition')) as string | undefined;
      if (rendered !== undefined && BigInt(rendered) >= position) return Date.now() - started;
      if (Date.now() - started > timeoutMs) throw new Error(`the page shows position ${rendered}, not ${position}, after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Keeps every text the badge shows from now on in `window.badgeTexts`, beginning with the one it shows now. */
  const watchBadge = () =>
    page.evaluate(`(() => {
      const pill = document.getElementById('connection');
      window.badgeTexts = [pill.textContent];
      new MutationObserver(() => window.badgeTexts.push(pill.textContent)).observe(pill, { childList: true, characterData: true, subtree: true });
    })()`);
  const badgeTexts = async () => (await page.evaluate('window.badgeTexts')) as string[];

  /** Posts `count` signed pushes ten a second, sequences from `first` on; resolves with the last one's log position. */
  async function pushTenASecond(first: number, count: number, name: string, eventTime: number): Promise<bigint> {
    let last = 0n;
    for (let i = 0; i < count; i++) {
      last = await postAll([signed(push(nthSequence(first + i), `${name}_${first + i}`, eventTime))]);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return last;
  }

  const tags = () =>
    page.evaluate(`[
      document.querySelector('#live-table tr[data-sequence="7200000000000000001"]')?.dataset.tag,
      document.querySelector('#relay-table tr[data-task-id="relay-anchor"]')?.dataset.tag,
      document.querySelector('#chart svg')?.dataset.tag,
    ]`);

  it('draws a burst of 300 callbacks within seconds, updating rows in place and listing only the newest 100 live streams', async () => {
    const now = Math.floor(Date.now() / 1000);
    await postAll([signed(push('7200000000000000001', 'anchor_cam', now)), relay(relayCallback('TaskStart', { task_id: 'relay-anchor', stream_id: 'anchor_relay', source_urls: sources }))]);
    await page.locator('#relay-table tr[data-task-id="relay-anchor"]').waitFor({ timeout: 15_000 });
    await page.locator('#live-table tr[data-sequence="7200000000000000001"]').waitFor({ timeout: 15_000 });
    // Marks on the elements: a table or chart drawn afresh would lose them.
    await page.evaluate(`for (const node of [
      document.querySelector('#live-table tr[data-sequence="7200000000000000001"]'),
      document.querySelector('#relay-table tr[data-task-id="relay-anchor"]'),
      document.querySelector('#chart svg'),
    ]) node.dataset.tag = 'kept'`);

    // 140 streams go live (pushed an hour ago: the anchor stays the newest) and 10 relay tasks start.
    const streams = Array.from({ length: 140 }, (_, i) => push(nthSequence(1000 + i), `burst_${i}`, now - 3600 + i));
    const tasks = Array.from({ length: 10 }, (_, i) => ({ task_id: `burst-task-${i}`, stream_id: `burst_relay_${i}`, source_urls: sources }));
    const started = await postAll([...streams.map(signed), ...tasks.map((task) => relay(relayCallback('TaskStart', task)))]);
    expect(await shown(started, 10_000)).toBeLessThan(10_000);
    expect(await page.locator('#live-table tbody tr').count()).toBe(100);
    expect(await page.locator('#live-count').innerText()).toBe('(newest 100 of 141)');
    expect(await page.locator('#live-table tbody tr').first().getAttribute('data-sequence')).toBe('7200000000000000001');
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'dashboard-burst.png') });

    // Then every one of them is interrupted, the tasks exit, and last of all the anchor's task.
    const ended = await postAll([
      ...streams.map((s) => signed({ ...s, event_type: 0, event_time: s.event_time + 60, errcode: 1, errmsg: 'closed', push_duration: '60000' })),
      ...tasks.map((task) => relay(relayCallback('TaskExit', { ...task, msg: JSON.stringify({ message: 'task finished.', code: 0 }) }))),
    ]);
    const last = await postAll([relay(relayCallback('TaskExit', { task_id: 'relay-anchor', stream_id: 'anchor_relay', source_urls: sources, msg: JSON.stringify({ message: 'write packet error.', code: -22 }) }))]);
    expect(last).toBeGreaterThan(ended);
    expect(await shown(last, 10_000)).toBeLessThan(10_000);
    expect(await page.locator('#stat-live').innerText()).toBe('1');
    expect(await page.locator('#stat-interruptions').innerText()).toBe('140');
    expect(await page.locator('#interruptions-table tbody tr').count()).toBe(25);
    expect(await page.locator('#relay-table tr[data-task-id="relay-anchor"]').innerText()).toMatch(/exited\s+-22\s+write packet error\./);
    expect(await page.locator('#feed li').count()).toBe(12);
    expect(await tags()).toEqual(['kept', 'kept', 'kept']);
    expect(browser.pageErrors).toEqual([]);
  }, 120_000);

  it('says it is behind while it cannot keep up with the callbacks, and live again once it has caught up', async () => {
    await watchBadge();
    await page.evaluate(`(() => {
      // Every frame first spends 2.5 s busy, as on a machine too slow for the stream of callbacks.
      window.realRequestAnimationFrame = window.requestAnimationFrame.bind(window);
      window.requestAnimationFrame = (render) => window.realRequestAnimationFrame((time) => {
        const until = performance.now() + 2500;
        while (performance.now() < until);
        render(time);
      });
    })()`);
    // Ten callbacks a second for four seconds.
    const last = await pushTenASecond(5000, 40, 'slow', Math.floor(Date.now() / 1000));
    const sawBehind = async () => (await badgeTexts()).some((text) => /^Behind by \d+ s$/.test(text));
    for (let i = 0; i < 100 && !(await sawBehind()); i++) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await sawBehind()).toBe(true);
    await page.locator('header').screenshot({ path: path.join(OUTPUT_DIR, 'dashboard-behind.png') });

    await page.evaluate('window.requestAnimationFrame = window.realRequestAnimationFrame');
    await shown(last, 20_000);
    await waitForTextIn(page, '#connection', 'Live', 20_000);
    // A frame slowed before the restore may still run and say, rightly, how far behind it was: the last word is Live.
    const lastBadge = async () => (await badgeTexts()).at(-1);
    for (let i = 0; i < 100 && (await lastBadge()) !== 'Live'; i++) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await lastBadge()).toBe('Live');
    expect(await page.locator('#connection').getAttribute('data-state')).toBe('live');
    expect(await page.locator(`#live-table tr[data-sequence="${nthSequence(5039)}"]`).count()).toBe(1);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'dashboard-caught-up.png') });
    expect(browser.pageErrors).toEqual([]);
  }, 120_000);

  it("stays live when the browser's clock is set forward while it follows callbacks", async () => {
    const now = Math.floor(Date.now() / 1000);
    await shown(await postAll([signed(push(nthSequence(6000), 'clock_0', now))]), 20_000);
    await waitForTextIn(page, '#connection', 'Live', 20_000);
    await watchBadge();
    await page.evaluate(`(() => {
      // The machine's clock stepped 30 s forward, as NTP does to a clock that was behind.
      window.realDateNow = Date.now.bind(Date);
      Date.now = () => window.realDateNow() + 30_000;
    })()`);
    try {
      await shown(await pushTenASecond(6001, 10, 'clock', now), 20_000);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(await badgeTexts()).toEqual(['Live']);
      expect(browser.pageErrors).toEqual([]);
    } finally {
      await page.evaluate('Date.now = window.realDateNow');
    }
  }, 60_000);

  it("stays live when the service's clock is set back while the page follows it", async () => {
    await waitForTextIn(page, '#connection', 'Live', 20_000);
    const start = Math.floor(Date.now() / 1000);
    await shown(await postAll([signed(push(nthSequence(6500), 'stepped_0', start))]), 20_000);
    await watchBadge();
    // This process's clock is the service's: set a minute back, as an operator or NTP may step it. Only Date is faked.
    jest.useFakeTimers({
      now: Date.now() - 60_000,
      advanceTimers: true,
      doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
    });
    try {
      // Ten a second for three seconds: longer than the lag the badge says "Behind" from.
      await shown(await pushTenASecond(6501, 30, 'stepped', Math.floor(Date.now() / 1000)), 20_000);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      // Seen from the page, the newest callbacks reached the service a minute before the older ones: not a lag.
      expect(await badgeTexts()).toEqual(['Live']);
      expect(await page.locator(`#live-table tr[data-sequence="${nthSequence(6530)}"] time`).first().innerText()).toMatch(/^(now|\d+s ago)$/);
      expect(browser.pageErrors).toEqual([]);
    } finally {
      jest.useRealTimers();
    }
  }, 60_000);

  it("tells how long ago on the service's clock when the browser's is two minutes behind it", async () => {
    const before = fixture.service.subscriberCount();
    const behind = await browser.browser.newPage();
    const errors: string[] = [];
    behind.on('pageerror', (error) => errors.push(error.message));
    try {
      // This browser's clocks, the wall clock and the monotonic one's origin alike, two minutes behind the service's.
      await behind.addInitScript(`(() => {
        const skew = 120000;
        const RealDate = Date;
        class BehindDate extends RealDate {
          constructor(...args) {
            if (args.length === 0) super(RealDate.now() - skew);
            else super(...args);
          }
          static now() {
            return RealDate.now() - skew;
          }
        }
        globalThis.Date = BehindDate;
        Object.defineProperty(performance, 'timeOrigin', { value: performance.timeOrigin - skew });
      })()`);
      await behind.goto(`${fixture.service.url}/#token=${API_TOKEN}`);
      await waitForTextIn(behind, '#connection', 'Live');
      await waitForSubscribers(fixture.service, before + Number(await behind.evaluate('document.body.dataset.subscriptions')));

      const now = Math.floor(Date.now() / 1000);
      const sequence = nthSequence(7000);
      await postAll([signed(push(sequence, 'ahead_cam', now - 40))]);
      await postAll([signed({ ...push(sequence, 'ahead_cam', now), event_type: 0, errcode: 1, errmsg: 'closed', push_duration: '40000' })]);
      const interrupted = behind.locator(`#interruptions-table tr[data-sequence="${sequence}"] time`).first();
      await interrupted.waitFor({ timeout: 15_000 });
      // On the browser's own clock it read "in 2 minutes".
      expect(await interrupted.innerText()).toMatch(/^(now|\d+ seconds? ago)$/);
      expect(errors).toEqual([]);
    } finally {
      await behind.close();
    }
  }, 60_000);

  it('keeps a long stream id to two lines of the live list, whole on hover, and says how long ago each stream was pushed without breaking a word', async () => {
    const now = Math.floor(Date.now() / 1000);
    const longId = 'live_camera_north_entrance_building_7_floor_3_corridor_east_wing_high_definition_backup_feed';
    const last = await postAll([signed(push(nthSequence(6000), longId, now - 150)), signed(push(nthSequence(6001), 'short_cam', now - 90))]);
    await shown(last, 15_000);
    const [longRow, shortRow] = [6000, 6001].map((n) => `#live-table tr[data-sequence="${nthSequence(n)}"]`);
    expect(await page.locator(`${longRow} td.stream a`).getAttribute('title')).toBe(longId);
    const [longName, shortName] = await Promise.all([longRow, shortRow].map((row) => page.locator(`${row} td.stream strong`).boundingBox()));
    // The short id takes one line (1280 pixels wide); the long one, 92 characters, two of those, not eight.
    expect(longName!.height / shortName!.height).toBeGreaterThan(1.5);
    expect(longName!.height / shortName!.height).toBeLessThan(2.5);
    // "2m ago", not "2 minut / es ago": the column is narrow.
    expect(await page.locator(`${longRow} td:nth-child(3)`).innerText()).toMatch(/^\d+m ago$/);
    expect(await textsOnSeveralLines(page, '#live-table td:nth-child(3) time')).toEqual([]);
    expect(await overflowingCells(page, '#live-table')).toEqual([]);
    await page.locator('#live-table').screenshot({ path: path.join(OUTPUT_DIR, 'dashboard-long-stream-id.png') });
    expect(browser.pageErrors).toEqual([]);
  }, 60_000);
});
