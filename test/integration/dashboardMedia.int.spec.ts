// The dashboard's pictures and media in headless Chromium: live streams' latest screenshots as thumbnails, loaded only
// from the hosts DASHBOARD_IMAGE_HOSTS allows, moderation hits as they arrive, and a session's screenshots and recordings.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { RunningService } from '../../src/server';
import { callbackTypeFixture } from '../support/callbackTypeFixtures';
import { waitForSubscribers } from '../support/graphqlClient';
import { describeInBrowser, launchChromium, OUTPUT_DIR, waitForText as waitForTextIn, type HeadlessChromium } from '../support/headlessChromium';
import { postCallback, signCallback, startTestService, tempDataDir } from '../support/testService';

const KEY = 'dashboard-media-key';
/** A 2×2 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==', 'base64');

interface ImageHost {
  origin: string;
  requests: string[];
  close(): Promise<void>;
}

/** A loopback server answering every GET with the PNG, and listing what was asked of it. */
async function imageHost(): Promise<ImageHost> {
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    requests.push(request.url ?? '');
    response.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG.length }).end(PNG);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const documented = (name: string) => JSON.parse(callbackTypeFixture(name).raw) as Record<string, unknown>;

describeInBrowser('dashboard media')('the dashboard: thumbnails, moderation hits and a session\'s media', () => {
  const data = tempDataDir();
  let allowed: ImageHost;
  let other: ImageHost;
  let service: RunningService;
  let browser: HeadlessChromium;
  let page: Page;
  const now = Math.floor(Date.now() / 1000);
  const place = { app: 'test.app', appname: 'live' };

  async function postSigned(body: Record<string, unknown>): Promise<void> {
    const response = await postCallback(service.url, signCallback(body, KEY));
    expect(response.status).toBe(200);
  }
  const screenshot = (streamId: string, url: string, takenAt: number) => ({ ...documented('screenshot'), ...place, stream_id: streamId, channel_id: streamId, create_time: takenAt, pic_full_url: url });

  beforeAll(async () => {
    [allowed, other] = await Promise.all([imageHost(), imageHost()]);
    service = await startTestService(data.dir, { CSS_CALLBACK_KEYS: KEY, DASHBOARD_IMAGE_HOSTS: allowed.origin });
    await postSigned({ event_type: 1, sequence: '7400000000000000001', stream_id: 'cam_allowed', ...place, event_time: now - 600 });
    await postSigned({ event_type: 1, sequence: '7400000000000000002', stream_id: 'cam_elsewhere', ...place, event_time: now - 300 });
    await postSigned(screenshot('cam_allowed', `${allowed.origin}/shots/cam_allowed-1.png`, now - 120));
    await postSigned(screenshot('cam_elsewhere', `${other.origin}/shots/cam_elsewhere-1.png`, now - 120));
    browser = await launchChromium();
    page = browser.page;
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await service?.close();
    await Promise.all([allowed?.close(), other?.close()]);
    data.remove();
  });

  const text = (selector: string) => page.locator(selector).first().innerText();
  const waitForText = (selector: string, expected: string | RegExp) => waitForTextIn(page, selector, expected);
  const thumbnail = (sequence: string) => `#live-table tr[data-sequence="${sequence}"] img.thumb`;
  /** Polls (15 s at most) until the expression is true in the page; waitForFunction would need eval, which the page's policy refuses. */
  async function waitUntil(expression: string): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (!(await page.evaluate(expression))) {
      if (Date.now() > deadline) throw new Error(`not true within 15 s: ${expression}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  /** Waits until the picture has loaded or failed, and says which, with its size as the browser decoded it. */
  async function outcome(selector: string): Promise<{ state: string; width: number }> {
    await waitUntil(`document.querySelector(${JSON.stringify(selector)})?.matches('.loaded, .failed') === true`);
    return (await page.evaluate(`(() => { const img = document.querySelector(${JSON.stringify(selector)});
      return { state: img.classList.contains('loaded') ? 'loaded' : 'failed', width: img.naturalWidth }; })()`)) as { state: string; width: number };
  }

  it("shows each live stream's latest screenshot, from an allowed host only: another host's is blocked by the page's policy", async () => {
    await page.goto(`${service.url}/`);
    await waitForText('#connection', 'Live');
    expect(await outcome(thumbnail('7400000000000000001'))).toEqual({ state: 'loaded', width: 2 });
    expect(await outcome(thumbnail('7400000000000000002'))).toEqual({ state: 'failed', width: 0 });
    expect(allowed.requests).toEqual(['/shots/cam_allowed-1.png']);
    // Refused by the browser before any request: the other host never heard of it.
    expect(other.requests).toEqual([]);
    // The page says whose pictures its policy refused and what lets them in; each picture opens in a tab of its own.
    await waitForText('#live-pictures-refused', new RegExp(`^Pictures from ${other.origin.replace(/[.]/g, '\\.')} are not shown`));
    expect(await text('#live-pictures-refused')).toContain('DASHBOARD_IMAGE_HOSTS');
    expect(await text('#live-pictures-refused')).not.toContain(allowed.origin);
    const link = await page.evaluate(`(() => { const a = document.querySelector(${JSON.stringify(thumbnail('7400000000000000002'))}).closest('a');
      return { href: a.href, target: a.target, rel: a.rel }; })()`);
    expect(link).toEqual({ href: `${other.origin}/shots/cam_elsewhere-1.png`, target: '_blank', rel: 'noopener noreferrer' });
    // Chromium reports the violation (once or more); nothing else went wrong.
    expect(browser.pageErrors.length).toBeGreaterThan(0);
    for (const error of browser.pageErrors) expect(error).toMatch(/^Loading the image '.*\/cam_elsewhere-1\.png' violates the following Content Security Policy directive: "img-src [^"]*"\. The action has been blocked\.$/);
    browser.pageErrors.length = 0;

    // A newer screenshot replaces the thumbnail without a reload.
    await waitForSubscribers(service, Number(await page.evaluate('document.body.dataset.subscriptions')));
    await postSigned(screenshot('cam_allowed', `${allowed.origin}/shots/cam_allowed-2.png`, now - 10));
    await waitUntil(`document.querySelector(${JSON.stringify(thumbnail('7400000000000000001'))})?.src.endsWith('cam_allowed-2.png') === true`);
    expect(await outcome(thumbnail('7400000000000000001'))).toEqual({ state: 'loaded', width: 2 });
    await page.locator('#live-table').screenshot({ path: path.join(OUTPUT_DIR, 'dashboard-thumbnails.png') });
    expect(browser.pageErrors).toEqual([]);
  }, 60_000);

  it('lists moderation hits as they arrive, with the feed saying so', async () => {
    expect(await page.locator('#moderation-table tbody tr').count()).toBe(0);
    const hit = { ...documented('image-moderation'), ...place, streamId: 'cam_allowed', channelId: 'cam_allowed', screenshotTime: now - 5, sendTime: now - 4, img: `${allowed.origin}/judged/porn.png` };
    await postSigned(hit);
    await page.locator('#moderation-table tbody tr').first().waitFor({ timeout: 15_000 });
    const row = await text('#moderation-table tbody tr');
    expect(row).toMatch(/block[\s\S]*image[\s\S]*cam_allowed[\s\S]*Porn \/ PornHigh[\s\S]*99/);
    expect(await outcome('#moderation-table tbody tr img.thumb')).toEqual({ state: 'loaded', width: 2 });
    expect(await text('#feed li')).toContain('cam_allowed image moderation: BLOCK Porn');
    await page.locator('#moderation-table').screenshot({ path: path.join(OUTPUT_DIR, 'dashboard-moderation.png') });
    expect(browser.pageErrors).toEqual([]);
  }, 60_000);

  it("shows a session's screenshots, recordings and moderation hits on its stream's page, and a new recording as it arrives", async () => {
    await page.locator('#live-table tr[data-sequence="7400000000000000001"] a', { hasText: 'cam_allowed' }).click();
    await waitForText('#stream-title', 'cam_allowed');
    await waitForText('#connection', 'Live');
    await waitForText('#session-screenshots-count', '(2)');
    const shots = page.locator('#session-screenshots img');
    expect(await shots.evaluateAll((images) => images.map((image) => image.getAttribute('src')))).toEqual([
      `${allowed.origin}/shots/cam_allowed-2.png`,
      `${allowed.origin}/shots/cam_allowed-1.png`,
    ]);
    await waitForText('#session-moderation-table tbody', /block[\s\S]*Porn \/ PornHigh/);
    expect(await page.locator('#session-recordings-table tbody tr').count()).toBe(0);
    // The page still says whose pictures it refused, beside the screenshots here.
    expect(await text('#session-pictures-refused')).toContain(`Pictures from ${other.origin} are not shown`);

    await waitForSubscribers(service, Number(await page.evaluate('document.body.dataset.subscriptions')));
    const recording = { ...documented('recording-file'), ...place, stream_id: 'cam_allowed', channel_id: 'cam_allowed', start_time: now - 500, end_time: now - 346, duration: 154 };
    await postSigned(recording);
    await waitForText('#session-recordings-table tbody', /HLS[\s\S]*2 min 34 s[\s\S]*277\.9 MB[\s\S]*zzzz\.m3u8/);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'dashboard-stream-media.png'), fullPage: true });
    expect(browser.pageErrors).toEqual([]);
  }, 60_000);
});
