// The dashboard's views in headless Chromium: the domain filter and a stream's page, as links that survive a reload,
// and the interruptions in sight without scrolling on a laptop screen.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { callbackTypeFixture } from '../support/callbackTypeFixtures';
import { waitForSubscribers, waitForSubscribersDown } from '../support/graphqlClient';
import { describeInBrowser, launchChromium, OUTPUT_DIR, overflowingCells, textsOnSeveralLines, waitForText as waitForTextIn, wholeInItsBox, type HeadlessChromium } from '../support/headlessChromium';
import { postCallback, signCallback, useTestService } from '../support/testService';

const KEY = 'dashboard-stream-page-key';

describeInBrowser('dashboard stream page')('the dashboard: domain filter, stream pages and deep links', () => {
  const fixture = useTestService({ CSS_CALLBACK_KEYS: KEY });
  let browser: HeadlessChromium;
  let page: Page;
  const now = Math.floor(Date.now() / 1000);

  async function postSigned(body: Record<string, unknown>): Promise<void> {
    const response = await postCallback(fixture.service.url, signCallback(body, KEY));
    expect(response.status).toBe(200);
  }
  const push = (sequence: string, streamId: string, domain: string, eventTime: number) => ({
    event_type: 1,
    sequence,
    stream_id: streamId,
    channel_id: streamId,
    app: domain,
    appname: 'live',
    event_time: eventTime,
    node: '203.0.113.9',
    user_ip: '198.51.100.7',
  });
  const interruption = (pushed: Record<string, unknown>, errcode: number, eventTime: number) => ({
    ...pushed,
    event_type: 0,
    errcode,
    errmsg: 'closed',
    event_time: eventTime,
    push_duration: String((eventTime - (pushed.event_time as number)) * 1000),
  });

  beforeAll(async () => {
    // studio_cam on a.example: pushed twice, interrupted once, live again; lobby_cam on b.example, interrupted.
    const first = push('7300000000000000001', 'studio_cam', 'a.example', now - 3600);
    await postSigned(first);
    await postSigned(interruption(first, 3, now - 1800));
    await postSigned(push('7300000000000000002', 'studio_cam', 'a.example', now - 600));
    const lobby = push('7300000000000000003', 'lobby_cam', 'b.example', now - 900);
    await postSigned(lobby);
    await postSigned(interruption(lobby, 1, now - 300));
    // flappy_cam on c.example: interrupted three times within five minutes, 25 minutes ago, by what its encoder sent.
    for (let i = 0; i < 3; i++) {
      const flap = push(String(7300000000000000200n + BigInt(i)), 'flappy_cam', 'c.example', now - 1600 + i * 100);
      await postSigned(flap);
      await postSigned(interruption(flap, 6, now - 1550 + i * 100));
    }
    // earlier_cam on c.example flapped the same way two hours ago: past the last hour the anomaly panel looks at.
    for (let i = 0; i < 3; i++) {
      const flap = push(String(7300000000000000300n + BigInt(i)), 'earlier_cam', 'c.example', now - 7300 + i * 100);
      await postSigned(flap);
      await postSigned(interruption(flap, 1, now - 7250 + i * 100));
    }
    // Enough interruptions on other streams to fill the table past a screen's height.
    for (let i = 0; i < 12; i++) {
      const other = push(String(7300000000000000100n + BigInt(i)), `other_${i}`, 'c.example', now - 2000 + i);
      await postSigned(other);
      await postSigned(interruption(other, 1, now - 1000 + i));
    }
    browser = await launchChromium();
    page = browser.page;
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
  });

  const text = (selector: string) => page.locator(selector).first().innerText();
  const waitForText = (selector: string, expected: string | RegExp) => waitForTextIn(page, selector, expected);
  const waitFor = (selector: string) => page.locator(selector).first().waitFor({ timeout: 15_000 });
  const screenshot = (name: string) => {
    mkdirSync(OUTPUT_DIR, { recursive: true });
    return page.screenshot({ path: path.join(OUTPUT_DIR, name) });
  };
  /** Waits (15 s at most) until the selector matches `count` elements: the page draws on its next frame. */
  async function waitForCount(selector: string, count: number): Promise<void> {
    const deadline = Date.now() + 15_000;
    while ((await page.locator(selector).count()) !== count) {
      if (Date.now() > deadline) throw new Error(`${selector}: ${await page.locator(selector).count()} elements, not ${count}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  /** Once the page is live, the service holds its subscriptions, and no more (those of the view before are gone). */
  const followed = async () => {
    await waitForText('#connection', 'Live');
    const count = Number(await page.evaluate('document.body.dataset.subscriptions'));
    await waitForSubscribersDown(fixture.service, count);
    await waitForSubscribers(fixture.service, count);
  };
  const inView = async (selector: string) => {
    const box = await page.locator(selector).first().boundingBox();
    return box !== null && box.y >= 0 && box.y + box.height <= 768;
  };

  it('shows the recent interruptions without scrolling on a 1366×768 screen', async () => {
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.goto(`${fixture.service.url}/`);
    await waitForText('#connection', 'Live');
    await waitFor('#interruptions-table tr[data-sequence="7300000000000000003"]');
    expect(await page.evaluate('window.scrollY')).toBe(0);
    expect(await inView('#interruptions-title')).toBe(true);
    // The newest interruptions: lobby_cam's (5 minutes ago) and the first of the others after it.
    expect(await page.locator('#interruptions-table tbody tr').first().getAttribute('data-sequence')).toBe('7300000000000000003');
    expect(await inView('#interruptions-table tbody tr:nth-child(1)')).toBe(true);
    expect(await inView('#interruptions-table tbody tr:nth-child(3)')).toBe(true);
    // The anomaly views beside them: one flapping stream in the last hour, linked to its page.
    expect(await inView('#anomalies-title')).toBe(true);
    await waitForText('#anomalies li[data-view="flapping"] .anomaly-count', '1');
    expect(await text('#anomalies li[data-view="flapping"] .anomaly-streams')).toBe('flappy_cam');
    expect(await page.locator('#anomalies li[data-view="flapping"] .anomaly-streams a').getAttribute('href')).toBe('/streams/flappy_cam?domain=c.example');
    expect(await inView('#anomalies li[data-view="flapping"]')).toBe(true);
    expect(await text('#anomalies li[data-view="stale"] .anomaly-count')).toBe('0');
    // Its three interruptions were on the customer's side: the stream is named once, with how often.
    await waitForText('#anomalies li[data-view="customer"] .anomaly-count', '3');
    expect(await text('#anomalies li[data-view="customer"] .anomaly-streams')).toBe('flappy_cam (3×)');
    // Nothing is forwarded here (no FORWARD_CONFIG): the forwarding card stays out of the way.
    expect(await page.locator('#forwarding').isHidden()).toBe(true);
    // Beside the anomalies card, taller, the box of interruptions shows five whole rows; each column's text fits.
    expect(await wholeInItsBox(page, '#interruptions-table tbody tr:nth-child(5)')).toBe(true);
    expect(await inView('#interruptions-table tbody tr:nth-child(5)')).toBe(true);
    expect(await overflowingCells(page, '#interruptions-table')).toEqual([]);
    await screenshot('dashboard-1366x768.png');
    expect(browser.pageErrors).toEqual([]);
  }, 60_000);

  it('filters to one domain, keeps the filter in the address, and keeps it across a reload', async () => {
    await page.goto(`${fixture.service.url}/`);
    await waitForText('#connection', 'Live');
    await waitFor('#interruptions-table tr[data-sequence="7300000000000000003"]');
    // The domains of the sessions shown are offered as choices.
    const offered = await page.locator('#known-domains option').all();
    expect(await Promise.all(offered.map((option) => option.getAttribute('value')))).toEqual(['a.example', 'b.example', 'c.example']);
    await page.getByRole('combobox', { name: 'Domain' }).fill('a.example');
    await page.getByRole('button', { name: 'Filter' }).click();
    await waitForText('#connection', 'Live');
    expect(new URL(page.url()).search).toBe('?domain=a.example');
    const onlyA = async (live: number) => {
      await waitForCount('#interruptions-table tbody tr', 1);
      expect(await text('#interruptions-table tbody')).toContain('studio_cam');
      expect(await text('#live-table tbody')).toContain('studio_cam');
      expect(await text('#stat-live')).toBe(String(live));
      expect(await page.getByRole('combobox', { name: 'Domain' }).inputValue()).toBe('a.example');
    };
    await onlyA(1);
    await screenshot('dashboard-domain-filter.png');

    // A push on another domain does not show; one on the filtered domain does, live.
    await followed();
    await postSigned(push('7300000000000000004', 'elsewhere_cam', 'b.example', now));
    await postSigned(push('7300000000000000005', 'second_cam', 'a.example', now));
    await waitFor('#live-table tr[data-sequence="7300000000000000005"]');
    expect(await page.locator('#live-table tr[data-sequence="7300000000000000004"]').count()).toBe(0);

    await page.reload();
    await waitForText('#connection', 'Live');
    await onlyA(2);
    expect(await page.locator('#live-table tr[data-sequence="7300000000000000004"]').count()).toBe(0);

    await page.getByRole('button', { name: 'Every domain' }).click();
    await waitFor('#interruptions-table tr[data-sequence="7300000000000000003"]');
    expect(new URL(page.url()).search).toBe('');
    expect(browser.pageErrors).toEqual([]);
  }, 60_000);

  it('opens a stream\'s page from a click in the interruptions, without reloading, with its sessions, timeline and push anomalies, kept live', async () => {
    await page.goto(`${fixture.service.url}/?domain=a.example`);
    await waitForText('#connection', 'Live');
    await page.evaluate('window.sameDocument = true');
    await page.locator('#interruptions-table tr[data-sequence="7300000000000000001"] a', { hasText: 'studio_cam' }).click();
    await waitForText('#stream-title', 'studio_cam');
    expect(new URL(page.url()).pathname).toBe('/streams/studio_cam');
    expect(new URL(page.url()).search).toBe('?domain=a.example');
    await waitForText('#connection', 'Live');
    expect(await page.locator('#overview-page').isHidden()).toBe(true);
    await waitFor('#stream-sessions-table tr[data-sequence="7300000000000000001"]');
    const rows = await page.locator('#stream-sessions-table tbody tr').all();
    expect(await Promise.all(rows.map((row) => row.getAttribute('data-sequence')))).toEqual([
      '7300000000000000002',
      '7300000000000000001',
    ]);
    expect(await text('#stream-status')).toBe('live');
    expect(await text('#stream-sessions-table tr[data-sequence="7300000000000000001"]')).toMatch(/ended[\s\S]*30 min 00 s[\s\S]*3/);
    // The newest session is looked at first: its story so far, the push.
    await waitForText('#session-timeline-sequence', '7300000000000000002');
    await waitForText('#session-timeline-table tbody', /StreamPushed\s+pushed studio_cam/);
    expect(await page.locator('#session-anomalies-table tbody tr').count()).toBe(0);
    expect(await page.evaluate('window.sameDocument')).toBe(true);

    // Live: CSS reports push anomalies of the current session, which is then interrupted, while the page is open.
    await followed();
    // The documented report, a minute ago: its two entries' details moved to then.
    const report = JSON.parse(callbackTypeFixture('push-anomalies').raw) as { abnormal_event: Array<{ detail: Array<{ occur_time: number }> }> };
    for (const entry of report.abnormal_event) for (const [i, detail] of entry.detail.entries()) detail.occur_time = (now - 60 + i) * 1000;
    await postSigned({ ...report, sequence: '7300000000000000002', stream_id: 'studio_cam', domain: 'a.example', data_time: (now - 58) * 1000 });
    await waitForCount('#session-anomalies-table tbody tr', 2);
    const anomalies = (await page.locator('#session-anomalies-table tbody tr').allInnerTexts()).sort();
    expect(anomalies).toEqual([expect.stringMatching(/^\d+ minutes? ago\s+6\s+video frames arrived late.*\s+2$/), expect.stringMatching(/^\d+ minutes? ago\s+7\s+audio frames arrived late.*\s+2$/)]);
    await waitForText('#session-timeline-table tbody', /StreamPushed[\s\S]*PushAnomaliesReported/);
    await postSigned(interruption(push('7300000000000000002', 'studio_cam', 'a.example', now - 600), 12, now));
    await waitForText('#stream-status', 'not live');
    await waitForText('#stream-sessions-table tr[data-sequence="7300000000000000002"] td:nth-child(2)', 'ended');
    await waitForText('#session-timeline-table tbody', /StreamPushed[\s\S]*StreamInterrupted/);
    await screenshot('dashboard-stream-page.png');
    expect(browser.pageErrors).toEqual([]);
  }, 60_000);

  it('keeps the stream and the session looked at across a reload, and goes back to the overview with the back button', async () => {
    await page.locator('#stream-sessions-table tr[data-sequence="7300000000000000001"] a').click();
    expect(new URL(page.url()).search).toBe('?domain=a.example&session=7300000000000000001');
    await waitForText('#session-timeline-sequence', '7300000000000000001');
    await waitForText('#session-timeline-table tbody', /StreamPushed[\s\S]*StreamInterrupted/);

    await page.reload();
    expect(await page.evaluate('window.sameDocument')).toBeUndefined();
    await waitForText('#connection', 'Live');
    await waitForText('#stream-title', 'studio_cam');
    await waitForText('#session-timeline-sequence', '7300000000000000001');
    await waitForText('#session-timeline-table tbody', /StreamPushed[\s\S]*StreamInterrupted/);
    expect(await page.locator('#stream-sessions-table tr.selected').getAttribute('data-sequence')).toBe('7300000000000000001');
    // The body of each callback exactly as received, a click away.
    await page.locator('#session-timeline-table tbody tr').first().locator('details summary').click();
    expect(await text('#session-timeline-table tbody tr pre.raw')).toContain('"sequence":"7300000000000000001"');
    await screenshot('dashboard-stream-page-reloaded.png');

    await page.goBack();
    await waitForText('#session-timeline-sequence', '7300000000000000002');
    await page.goBack();
    await waitFor('#interruptions-table tr[data-sequence="7300000000000000001"]');
    expect(await page.locator('#stream-page').isHidden()).toBe(true);
    expect(new URL(page.url()).search).toBe('?domain=a.example');
    expect(browser.pageErrors).toEqual([]);
  }, 60_000);

  it('marks a LIVE session that a newer push of its stream replaced, and goes by the newest for whether the stream is live', async () => {
    // ghost_cam on c.example: a push whose interruption never came, then a newer push (live) and one on another domain.
    await postSigned(push('7300000000000000400', 'ghost_cam', 'c.example', now - 3000));
    await postSigned(push('7300000000000000401', 'ghost_cam', 'c.example', now - 60));
    await postSigned(push('7300000000000000402', 'ghost_cam', 'd.example', now - 2000));
    await page.goto(`${fixture.service.url}/streams/ghost_cam`);
    await waitForText('#connection', 'Live');
    await waitForCount('#stream-sessions-table tbody tr', 3);
    const status = (sequence: string) => text(`#stream-sessions-table tr[data-sequence="${sequence}"] td:nth-child(2)`);
    expect([await status('7300000000000000401'), await status('7300000000000000402'), await status('7300000000000000400')]).toEqual(['live', 'live', 'replaced']);
    expect(await text('#stream-sessions-table tr[data-sequence="7300000000000000400"]')).toContain('A newer push of the stream replaced it');
    expect(await text('#stream-status')).toBe('live');
    // On every domain, each session says which it is on.
    expect(await text('#stream-sessions-table tr[data-sequence="7300000000000000402"] td:first-child')).toContain('d.example / live');
    expect(await text('#stream-sessions-table tr[data-sequence="7300000000000000401"] td:first-child')).toContain('c.example / live');
    // A sequence's 19 digits stay on one line.
    expect(await textsOnSeveralLines(page, '#stream-sessions-table td:first-child a')).toEqual([]);

    // Both domains' newest pushes end: the stream is not live, whatever its replaced session says.
    await followed();
    await postSigned({ ...interruption(push('7300000000000000401', 'ghost_cam', 'c.example', now - 60), 1, now - 5) });
    await postSigned({ ...interruption(push('7300000000000000402', 'ghost_cam', 'd.example', now - 2000), 1, now - 5) });
    await waitForText('#stream-status', 'not live');
    expect(await status('7300000000000000400')).toBe('replaced');
    expect(browser.pageErrors).toEqual([]);
  }, 60_000);

  it("opens each anomaly view's page from the overview: all it finds, a link each, kept across a reload and by the domain filter", async () => {
    await page.goto(`${fixture.service.url}/`);
    await waitForText('#connection', 'Live');
    await waitForText('#anomalies li[data-view="flapping"] .anomaly-count', '1');
    await page.locator('#anomalies li[data-view="flapping"] a.anomaly-link').click();
    await waitForText('#anomaly-title', 'Flapping streams');
    expect(new URL(page.url()).pathname).toBe('/anomalies/flapping');
    await waitForText('#anomaly-count', '(1)');
    expect(await text('#anomaly-table tbody')).toMatch(/flappy_cam[\s\S]*c\.example/);

    // The customer-side view lists each of flappy_cam's three interruptions, with its errcode.
    await page.goto(`${fixture.service.url}/anomalies/customer`);
    await waitForText('#connection', 'Live');
    await waitForCount('#anomaly-table tbody tr', 3);
    expect(await text('#anomaly-table tbody tr')).toMatch(/flappy_cam[\s\S]*6[\s\S]*protocol/);
    // Filtered to a domain where nothing of the kind happened, it says so; the filter stays in the address.
    await page.getByRole('combobox', { name: 'Domain' }).fill('a.example');
    await page.getByRole('button', { name: 'Filter' }).click();
    await waitForText('#connection', 'Live');
    expect(`${new URL(page.url()).pathname}${new URL(page.url()).search}`).toBe('/anomalies/customer?domain=a.example');
    await page.locator('[data-empty-for="anomaly-table"]').waitFor({ state: 'visible', timeout: 15_000 });
    expect(await page.locator('#anomaly-table tbody tr').count()).toBe(0);
    expect(await text('#anomaly-count')).toBe('(0)');
    await page.reload();
    await waitForText('#anomaly-title', 'Interrupted on the customer’s side');
    expect(await text('#anomaly-domain')).toBe('a.example');

    // A stream in a view opens its page.
    await page.goto(`${fixture.service.url}/anomalies/flapping`);
    await waitForText('#connection', 'Live');
    await page.locator('#anomaly-table a', { hasText: 'flappy_cam' }).click();
    await waitForText('#stream-title', 'flappy_cam');
    expect(`${new URL(page.url()).pathname}${new URL(page.url()).search}`).toBe('/streams/flappy_cam?domain=c.example');
    expect(browser.pageErrors).toEqual([]);
    // An address that names no view is not a page.
    expect((await page.goto(`${fixture.service.url}/anomalies/nothing`))?.status()).toBe(404);
  }, 60_000);
});
