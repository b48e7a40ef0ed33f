// Headless Chromium for browser tests: the system's /usr/bin/chromium in a throw-away profile, with nothing that calls home.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const INSTALL = 'sudo apt-get install -y --no-install-recommends chromium';
/** Screenshots land here (gitignored), to be looked at after a run. */
export const OUTPUT_DIR = path.join(__dirname, '..', '..', 'test-output');

// CI installs Chromium (.ci/run): there a missing browser is a failure, elsewhere a visible skip.
const inCi = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';
const haveChromium = existsSync(CHROMIUM);

/** `describe` when Chromium is there (or in CI, where its absence fails); elsewhere a skip that says how to install it. */
export function describeInBrowser(what: string): jest.Describe {
  if (haveChromium || inCi) return describe;
  console.warn(`${what} browser test SKIPPED: ${CHROMIUM} is missing; install it with: ${INSTALL}`);
  return describe.skip;
}

export interface HeadlessChromium {
  browser: BrowserContext;
  page: Page;
  /** Script errors and Content-Security-Policy violations of the first page, as they happen. */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function launchChromium(): Promise<HeadlessChromium> {
  if (!haveChromium) throw new Error(`${CHROMIUM} is missing: CI must install it (${INSTALL})`);
  const profile = mkdtempSync(path.join(os.tmpdir(), 'css-ledger-chromium-'));
  let browser: BrowserContext;
  try {
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
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  const page = browser.pages()[0] ?? (await browser.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  return {
    browser,
    page,
    pageErrors,
    close: async () => {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Waits (15 s at most, or `timeoutMs`) until the element's trimmed text matches; the failure names what it showed instead. */
export async function waitForText(page: Page, selector: string, expected: string | RegExp, timeoutMs = 15_000): Promise<string> {
  const matches = (shown: string) => (typeof expected === 'string' ? shown === expected : expected.test(shown));
  const deadline = Date.now() + timeoutMs;
  let shown = (await page.locator(selector).first().innerText()).trim();
  while (!matches(shown)) {
    if (Date.now() > deadline) throw new Error(`${selector} shows ${JSON.stringify(shown)}, not ${String(expected)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    shown = (await page.locator(selector).first().innerText()).trim();
  }
  return shown;
}

/**
 * The cells of a table whose text does not fit them (it runs into the next cell, or the cell is squeezed out of the
 * table), each as "<header>: <text>"; none when every cell shows all it holds.
 */
export async function overflowingCells(page: Page, table: string): Promise<string[]> {
  return (await page.evaluate(`(() => {
    const table = document.querySelector(${JSON.stringify(table)});
    const headers = [...table.querySelectorAll('thead th')].map((th) => th.innerText.trim());
    return [...table.querySelectorAll('th, td')]
      .filter((cell) => cell.scrollWidth > cell.clientWidth + 1)
      .map((cell) => (headers[cell.cellIndex] ?? '?') + ': ' + cell.innerText.trim().replace(/\\s+/g, ' '));
  })()`)) as string[];
}

/** The texts of the elements matching `selector` that the page breaks over more than one line. */
export async function textsOnSeveralLines(page: Page, selector: string): Promise<string[]> {
  return (await page.evaluate(`(() => [...document.querySelectorAll(${JSON.stringify(selector)})].filter((element) => {
    const range = document.createRange();
    range.selectNodeContents(element);
    return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size > 1;
  }).map((element) => element.textContent))()`)) as string[];
}

/** Whether the element shows whole within the box that scrolls it (the nearest ancestor that clips), not cut off by it (a border's pixel aside). */
export async function wholeInItsBox(page: Page, selector: string): Promise<boolean> {
  return (await page.evaluate(`(() => {
    const element = document.querySelector(${JSON.stringify(selector)});
    let box = element.parentElement;
    while (box !== null && getComputedStyle(box).overflowY === 'visible') box = box.parentElement;
    if (box === null) return true;
    const [inner, outer] = [element.getBoundingClientRect(), box.getBoundingClientRect()];
    return inner.top >= outer.top - 2 && inner.bottom <= outer.bottom + 2;
  })()`)) as boolean;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Lets the browser reach loopback only, as on a network without internet: every other request is aborted and
 * listed (WebSockets included), so a test can assert that none was attempted.
 */
export async function keepToLoopback(browser: BrowserContext): Promise<string[]> {
  const outside: string[] = [];
  const isLoopback = (url: string) => LOOPBACK_HOSTS.has(new URL(url).hostname);
  await browser.route('**/*', async (route) => {
    const url = route.request().url();
    if (isLoopback(url)) return route.continue();
    outside.push(url);
    return route.abort('blockedbyclient');
  });
  await browser.routeWebSocket(/.*/, (socket) => {
    if (isLoopback(socket.url())) socket.connectToServer();
    else {
      outside.push(socket.url());
      void socket.close({ code: 1008, reason: 'blocked' });
    }
  });
  return outside;
}
