// Forwarding on the dashboard, in headless Chromium: each destination's health as the service delivers to real receivers.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { writeForwardConfig } from '../support/forwardingService';
import { describeInBrowser, launchChromium, OUTPUT_DIR, waitForText as waitForTextIn, type HeadlessChromium } from '../support/headlessChromium';
import { postCallback, signCallback, tempDataDir, useTestService } from '../support/testService';
import { startReceiver, type WebhookReceiver } from '../support/webhookReceiver';

const KEY = 'dashboard-forwarding-key';
const FAST_RETRY = { initialDelayMs: 5, maxDelayMs: 20 };

describeInBrowser('dashboard forwarding')('the dashboard: forwarding destinations', () => {
  const config = tempDataDir();
  let accepting: WebhookReceiver;
  let refusing: WebhookReceiver;
  let browser: HeadlessChromium;
  let page: Page;

  beforeAll(async () => {
    [accepting, refusing] = await Promise.all([startReceiver(), startReceiver(() => ({ status: 400, body: 'no such stream' }))]);
  });
  // The receivers listen before the service reads where they are.
  const fixture = useTestService(() => ({
    CSS_CALLBACK_KEYS: KEY,
    FORWARD_CONFIG: writeForwardConfig(config.dir, [
      { name: 'billing', url: accepting.url, format: 'raw', retry: FAST_RETRY },
      { name: 'legacy-handler', url: refusing.url, format: 'raw', retry: FAST_RETRY },
    ]),
  }));
  beforeAll(async () => {
    browser = await launchChromium();
    page = browser.page;
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await Promise.all([accepting?.stop(), refusing?.stop()]);
    config.remove();
  });

  const row = (name: string) => `#destinations-table tr[data-destination="${name}"]`;
  const waitForText = (selector: string, expected: string | RegExp) => waitForTextIn(page, selector, expected);

  it("shows each destination's health: delivering and caught up, or dead-lettering with its last error", async () => {
    await page.goto(`${fixture.service.url}/`);
    await waitForText('#connection', 'Live');
    await page.locator(row('billing')).waitFor({ timeout: 15_000 });
    expect(await page.locator('#forwarding').isVisible()).toBe(true);
    expect(await page.locator(row('billing')).innerText()).toMatch(/billing[\s\S]*delivering\s+caught up\s+—\s+0\s+—/);

    const response = await postCallback(fixture.service.url, signCallback({ event_type: 1, sequence: '7500000000000000001', stream_id: 'fwd_cam', event_time: Math.floor(Date.now() / 1000) }, KEY));
    expect(response.status).toBe(200);
    await accepting.waitFor((received) => received.length === 1, 15_000);
    await refusing.waitFor((received) => received.length === 1, 15_000);
    // Asked again every few seconds: the refused delivery is a dead letter, the accepted one a delivery just now.
    await waitForText(`${row('legacy-handler')} td:nth-child(5)`, '1');
    expect(await page.locator(row('legacy-handler')).innerText()).toMatch(/legacy-handler[\s\S]*400/);
    await waitForText(`${row('billing')} td:nth-child(4)`, /ago|now/);
    expect(await page.locator(`${row('billing')} td:nth-child(5)`).innerText()).toBe('0');
    await page.locator('#forwarding').screenshot({ path: path.join(OUTPUT_DIR, 'dashboard-forwarding.png') });
    expect(browser.pageErrors).toEqual([]);
  }, 60_000);
});
