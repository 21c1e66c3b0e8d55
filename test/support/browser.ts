import { accessSync, constants, copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { AxeResults } from 'axe-core';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { bundledChromium } from './bundled-chromium.js';

/** Debian's Chromium when installed (apt-get install chromium); else the one an npm package ships. */
const SYSTEM_CHROMIUM = '/usr/bin/chromium';

// Without the background-networking flags Chromium keeps trying to reach Google, which this network refuses.
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// Executable rather than present, so that one hidden by a bind mount of /dev/null counts as absent.
function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function launchChromium(): Promise<Browser> {
  const executablePath = isExecutable(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : await bundledChromium();
  return chromium.launch({ executablePath, args: FLAGS });
}

const LOOPBACK = new Set(['localhost', '127.0.0.1']);

export interface WatchedPage {
  readonly page: Page;
  /** Uncaught errors, CSP violations and requests that left the machine, since the page opened. */
  problems(): string[];
}

/** A page in a fresh context (no shared storage) that records what should never happen. */
export async function openPage(
  browser: Browser,
  viewport: { width: number; height: number } = { width: 1280, height: 900 },
): Promise<WatchedPage> {
  const context = await browser.newContext({
    viewport,
    locale: 'en-US',
    timezoneId: 'UTC',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) problems.push(`CSP: ${message.text()}`);
  });
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol !== 'data:' && !LOOPBACK.has(url.hostname)) problems.push(`left the machine: ${url}`);
  });
  return { page, problems: () => [...problems] };
}

const ARTIFACTS = new URL('../../test-artifacts/settings-page/', import.meta.url);
const DOCS = new URL('../../docs/screenshots/', import.meta.url);

/**
 * Saves a screenshot under test-artifacts/settings-page/ (not committed). Those marked `docs` also
 * replace the README's pictures in docs/screenshots/ when UPDATE_DOCS_SCREENSHOTS=1.
 */
export async function screenshot(
  target: Page | Locator,
  name: string,
  { docs = false, fullPage = false } = {},
): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = new URL(`${name}.png`, ARTIFACTS);
  await target.screenshot({ path: path.pathname, animations: 'disabled', ...(fullPage ? { fullPage } : {}) });
  if (docs && process.env.UPDATE_DOCS_SCREENSHOTS === '1') {
    mkdirSync(DOCS, { recursive: true });
    copyFileSync(path, new URL(`${name}.png`, DOCS));
  }
}

const axeSource = readFileSync(
  join(dirname(createRequire(import.meta.url).resolve('axe-core/package.json')), 'axe.min.js'),
  'utf8',
);

/** What axe-core finds against WCAG 2.1 A/AA and its best practices, one line per rule broken. */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const results = await page.evaluate(() =>
    (window as unknown as { axe: { run: (options: object) => Promise<AxeResults> } }).axe.run({
      runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
    }),
  );
  return results.violations.map(
    (violation) =>
      `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`,
  );
}
