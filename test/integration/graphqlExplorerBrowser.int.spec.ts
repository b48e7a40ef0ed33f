// GraphiQL at /graphql in headless Chromium with no way out of loopback: it loads, runs queries and subscriptions, and asks for the API token.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { RunningService } from '../../src/server';
import { waitForSubscribers } from '../support/graphqlClient';
import { describeInBrowser, keepToLoopback, launchChromium, OUTPUT_DIR, type HeadlessChromium } from '../support/headlessChromium';
import { postAndProject, startTestService, tempDataDir } from '../support/testService';

const API_TOKEN = 'explorer-api-token-0123456789';
const push = (sequence: string, streamId: string) => ({ event_type: 1, sequence, stream_id: streamId, event_time: Math.floor(Date.now() / 1000) });

describeInBrowser('GraphQL explorer')('GraphiQL at /graphql, offline', () => {
  // Its own life cycle: a service per setting under test, each started and stopped within its test.
  const data = tempDataDir();
  let chromium: HeadlessChromium;
  let page: Page;
  let outside: string[];
  const sockets: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(OUTPUT_DIR, { recursive: true });
    chromium = await launchChromium();
    page = chromium.page;
    outside = await keepToLoopback(chromium.browser);
    // Uncaught script errors, and every Content-Security-Policy violation (the page's policy refuses anything inline).
    page.on('pageerror', (error) => problems.push(error.message));
    await page.exposeFunction('reportViolation', (violation: string) => problems.push(`blocked by policy: ${violation}`));
    await page.addInitScript(
      "document.addEventListener('securitypolicyviolation', (e) => window.reportViolation(`${e.violatedDirective} ${e.blockedURI}`))",
    );
    page.on('websocket', (socket) => sockets.push(socket.url()));
  }, 60_000);
  afterAll(async () => {
    await chromium?.close();
    data.remove();
  });

  async function withService(env: Record<string, string>, check: (service: RunningService) => Promise<void>) {
    const service = await startTestService(path.join(data.dir, Object.keys(env).join('-') || 'open'), env);
    try {
      await check(service);
    } finally {
      await service.close();
    }
  }

  const editor = (pane: string) => `document.querySelector('${pane} .CodeMirror')?.CodeMirror.getValue() ?? null`;
  /** Waits (15 s at most) until GraphiQL's result pane shows something that `match` accepts; the failure says what it showed. */
  async function waitForResult(match: (shown: string) => boolean, what: string): Promise<string> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const shown = (await page.evaluate(editor('.result-window'))) as string | null;
      if (shown !== null && match(shown)) return shown;
      if (Date.now() > deadline) throw new Error(`the result pane shows ${JSON.stringify(shown)}, not ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  /** Types the operation into GraphiQL's query editor, as a person would, and runs it. */
  async function run(operation: string): Promise<void> {
    await page.locator('.graphiql-query-editor .CodeMirror').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type(operation);
    expect(await page.evaluate(editor('.graphiql-query-editor'))).toBe(operation);
    await page.getByRole('button', { name: /^Execute query/ }).click();
  }
  const answerOf = (shown: string) => {
    try {
      return JSON.parse(shown) as unknown;
    } catch {
      return null;
    }
  };

  it('loads from this service alone and answers { sessions { totalCount } }', async () => {
    await withService({}, async (service) => {
      await postAndProject(service, push('7200000000000000001', 'studio_cam'));
      await page.goto(`${service.url}/graphql`);
      await run('{ sessions { totalCount } }');
      const shown = await waitForResult((text) => text.includes('totalCount'), 'an answer');
      expect(answerOf(shown)).toEqual({ data: { sessions: { totalCount: 1 } } });
      // A dialog adds GraphiQL's scroll-lock <style>: allowed by the answer's nonce, nothing else.
      await page.getByRole('button', { name: 'Open settings dialog' }).click();
      await page.getByRole('dialog').waitFor({ timeout: 15_000 });
      await page.keyboard.press('Escape');

      await page.screenshot({ path: path.join(OUTPUT_DIR, 'graphiql.png') });
      expect(outside).toEqual([]);
      expect(problems).toEqual([]);
    });
  }, 90_000);

  it('asks for the API token when GRAPHQL_API_TOKENS is set, then queries and subscribes with it', async () => {
    await withService({ GRAPHQL_API_TOKENS: API_TOKEN }, async (service) => {
      await page.goto(`${service.url}/graphql`);
      const alert = page.getByRole('alert');
      await alert.waitFor({ timeout: 15_000 });
      expect(await alert.innerText()).toBe('This service requires an API token.');
      expect(await page.locator('.graphiql-container').count()).toBe(0);
      await page.screenshot({ path: path.join(OUTPUT_DIR, 'graphiql-token.png') });

      await page.getByLabel('GraphQL API token').fill('not-the-right-token-000');
      await page.getByRole('button', { name: 'Use token' }).click();
      await page.getByText('The service refused the API token.').waitFor({ timeout: 15_000 });
      expect(await page.locator('.graphiql-container').count()).toBe(0);

      await page.getByLabel('GraphQL API token').fill(API_TOKEN);
      await page.getByRole('button', { name: 'Use token' }).click();
      await page.locator('.graphiql-container').waitFor({ timeout: 15_000 });
      expect(await page.locator('#token-panel').isHidden()).toBe(true);
      await run('{ sessions { totalCount } }');
      expect(answerOf(await waitForResult((text) => text.includes('totalCount'), 'an answer'))).toEqual({ data: { sessions: { totalCount: 0 } } });

      // Over the service's own WebSocket, with the token in connection_init.
      await run('subscription { callbackReceived { type stream } }');
      await waitForSubscribers(service, 1);
      await postAndProject(service, push('7200000000000000002', 'lobby_cam'));
      const event = await waitForResult((text) => text.includes('StreamPushed'), 'the pushed callback');
      expect(answerOf(event)).toEqual({ data: { callbackReceived: { type: 'StreamPushed', stream: 'session-7200000000000000002' } } });
      const port = new URL(service.url).port;
      expect(sockets.length).toBeGreaterThan(0);
      expect(sockets.every((url) => url === `ws://127.0.0.1:${port}/graphql`)).toBe(true);
      await page.screenshot({ path: path.join(OUTPUT_DIR, 'graphiql-subscription.png') });

      // A link with #token= sets the token for a new tab, and leaves the address bar.
      const tab = await chromium.browser.newPage();
      try {
        await tab.goto(`${service.url}/graphql#token=${API_TOKEN}`);
        await tab.locator('.graphiql-container').waitFor({ timeout: 15_000 });
        expect(tab.url()).toBe(`${service.url}/graphql`);
        expect(await tab.locator('#token-panel').isHidden()).toBe(true);
      } finally {
        await tab.close();
      }
      expect(outside).toEqual([]);
      expect(problems).toEqual([]);
    });
  }, 90_000);
});
