import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CUSTOMER_ID } from '../fakes/customer-screen.js';
import {
  accessibilityViolations,
  launchChromium,
  openPage,
  screenshot,
  type WatchedPage,
} from '../support/browser.js';
import { DEMO_SMTP_ACCOUNT } from '../support/demo-smtp-server.js';
import { type DemoStack, startDemoStack } from '../support/demo-stack.js';

const FLOW_TIMEOUT = 90_000;
const AUTH_FAILED = 'SMTP authentication failed - check username and password';
const MISSING_SCOPE = "Missing 'instagram_manage_messages' scope. Reconnect with proper permissions.";

let stack: DemoStack;
let browser: Browser;
let dataDir: string;
const opened: WatchedPage[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'settings-page-e2e-'));
  [stack, browser] = await Promise.all([startDemoStack({ dataDir }), launchChromium()]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});
afterEach(() => {
  const watched = opened.splice(0);
  // Checked after every flow: nothing failed silently, no CSP violation, no request off this machine.
  expect(watched.flatMap((page) => page.problems())).toEqual([]);
});

async function open(userId: string, viewport?: { width: number; height: number }): Promise<Page> {
  const watched = await openPage(browser, viewport);
  opened.push(watched);
  await watched.page.goto(`${stack.baseUrl}/settings?user_id=${userId}`);
  await loaded(watched.page);
  return watched.page;
}

/** Waits until every card shows its status from `/capabilities`. */
async function loaded(page: Page) {
  await expect.poll(() => page.locator('[data-field="status"]').allTextContents()).not.toContain('Loading…');
}

const card = (page: Page, platform: string) => page.locator(`[data-platform="${platform}"]`);
const sendDm = (section: Locator) => section.locator('[data-field="can_send_dm"]');
const status = (section: Locator) => section.locator('[data-field="status"]');
const visibleActions = (section: Locator) =>
  section
    .locator('.actions button:visible')
    .evaluateAll((buttons) => buttons.map((button) => button.dataset.action));

async function fillEmailForm(section: Locator, password: string, port = String(stack.smtp.server.port)) {
  await section.getByLabel('Email address').fill(DEMO_SMTP_ACCOUNT.user);
  await section.getByLabel('SMTP server').fill('localhost');
  await section.getByLabel('Port', { exact: true }).fill(port);
  await section.getByLabel('Username', { exact: true }).fill(DEMO_SMTP_ACCOUNT.user);
  await section.getByLabel('Password', { exact: true }).fill(password);
  await section.getByRole('button', { name: 'Save and check' }).click();
}

/** Connect (or Reconnect) → the fake platform's consent screen → back on the callback page. */
type SignInButton = 'Connect' | 'Reconnect' | 'Connect with Facebook Login' | 'Connect with Instagram Login';

async function signIn(page: Page, platform: string, action: SignInButton, untick: string[] = []) {
  await card(page, platform).getByRole('button', { name: action }).click();
  await page.waitForURL((url) => url.port === new URL(stack.consent.baseUrl).port);
  for (const scope of untick) await page.getByLabel(scope).uncheck();
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(/\/settings\/callback$/);
  await expect.poll(() => page.locator('#result-title').getAttribute('data-tone')).not.toBeNull();
}

/** The callback page returns to the settings page by itself; waits for that and for the cards. */
async function returnedToSettings(page: Page) {
  await page.waitForURL(/\/settings\?user_id=/);
  await loaded(page);
}

async function storedPlatforms(userId: string) {
  const response = await fetch(`${stack.baseUrl}/api/integrations?user_id=${userId}`);
  return ((await response.json()) as { platform: string }[]).map((integration) => integration.platform);
}

async function saveDemoEmail(userId: string) {
  const response = await fetch(`${stack.baseUrl}/api/integrations?user_id=${userId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      platform: 'email',
      email_address: DEMO_SMTP_ACCOUNT.user,
      smtp_host: 'localhost',
      smtp_port: stack.smtp.server.port,
      smtp_username: DEMO_SMTP_ACCOUNT.user,
      smtp_password: DEMO_SMTP_ACCOUNT.password,
    }),
  });
  expect(response.status).toBe(201);
}

describe('the settings page in headless Chromium', () => {
  it(
    'connects email against a local SMTP server, and Send DM becomes available',
    async () => {
      const page = await open('avery');
      const email = card(page, 'email');
      expect(await sendDm(email).textContent()).toBe('Not available');
      expect(await visibleActions(email)).toEqual([]);
      expect(await accessibilityViolations(page)).toEqual([]);
      await screenshot(page, 'settings-empty', { fullPage: true });

      await fillEmailForm(email, DEMO_SMTP_ACCOUNT.password);

      await expect.poll(() => sendDm(email).textContent()).toBe('Available');
      expect(await status(email).textContent()).toBe('Connected');
      // The message follows the card's refresh, which reads today's sent count after the capabilities.
      await expect
        .poll(() => email.locator('[data-field="message"]').textContent())
        .toBe('Connected: the SMTP server accepted the login.');
      await expect
        .poll(() => page.locator('#announcer').textContent())
        .toBe('Email: Connected: the SMTP server accepted the login.');
      expect(await email.locator('[data-field="details"]').innerText()).toContain(
        `Server\nlocalhost:${stack.smtp.server.port}`,
      );
      expect(await visibleActions(email)).toEqual(['validate', 'disconnect']);
      expect(await email.locator('details').getAttribute('open')).toBeNull();
      expect(stack.smtp.server.logins.at(-1)).toMatchObject({ username: DEMO_SMTP_ACCOUNT.user });
      await screenshot(email, 'email-connected', { docs: true });
    },
    FLOW_TIMEOUT,
  );

  it(
    'sends a test email through the send API: the demo SMTP server receives it and the count moves',
    async () => {
      await saveDemoEmail('morgan-test-email');
      const page = await open('morgan-test-email');
      const email = card(page, 'email');
      const sentToday = email.locator('[data-field="sent-today"]');
      await expect
        .poll(() => sentToday.textContent())
        .toBe('Sent today: 0 of 200 (the daily limit; the count starts again at 00:00 UTC)');
      expect(await accessibilityViolations(page)).toEqual([]);
      const before = stack.smtp.server.messages.length;

      await email.getByRole('button', { name: 'Send a test email' }).click();

      await expect
        .poll(() => email.locator('[data-field="message"]').textContent())
        .toBe(`Sent a test email to ${DEMO_SMTP_ACCOUNT.user}. Look for it in that inbox.`);
      expect(await sentToday.textContent()).toBe(
        'Sent today: 1 of 200 (the daily limit; the count starts again at 00:00 UTC)',
      );
      const received = stack.smtp.server.messages.slice(before);
      expect(received).toHaveLength(1);
      const [message] = received as [(typeof received)[number]];
      expect(message.from).toBe(DEMO_SMTP_ACCOUNT.user);
      expect(message.to).toEqual([DEMO_SMTP_ACCOUNT.user]);
      expect(message.headers.subject).toBe('Test email from your integrations');
      expect(message.headers['list-unsubscribe']).toMatch(
        new RegExp(`^<${stack.baseUrl}/unsubscribe/[A-Za-z0-9_=-]+>$`),
      );
      expect(message.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
      // Logged as sent, under the Message-ID the server received.
      const log = await fetch(`${stack.baseUrl}/api/outreach/messages?user_id=morgan-test-email`);
      expect(((await log.json()) as { messages: unknown[] }).messages).toEqual([
        expect.objectContaining({
          platform: 'email',
          recipient: DEMO_SMTP_ACCOUNT.user,
          status: 'sent',
          platform_message_id: message.headers['message-id'],
        }),
      ]);
      expect(await accessibilityViolations(page)).toEqual([]);
      await screenshot(email, 'email-test-sent', { docs: true });
    },
    FLOW_TIMEOUT,
  );

  it(
    "shows the SMTP server's clear message in the form for a wrong password, and field errors inline",
    async () => {
      const page = await open('blake');
      const email = card(page, 'email');

      await fillEmailForm(email, 'not-the-password');

      const summary = email.locator('[data-field="form-error"]');
      await expect.poll(() => summary.textContent()).toBe(AUTH_FAILED);
      expect(await summary.getAttribute('role')).toBe('alert');
      const password = email.getByLabel('Password', { exact: true });
      expect(await password.getAttribute('aria-invalid')).toBe('true');
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('email-smtp_password');
      expect(await password.evaluate((input) => input.getAttribute('aria-describedby'))).toBe(
        'email-form-error email-smtp_password-hint',
      );
      expect(await status(email).textContent()).toBe('Not connected');
      expect(await sendDm(email).textContent()).toBe('Not available');
      expect(await storedPlatforms('blake')).toEqual([]);
      expect(await accessibilityViolations(page)).toEqual([]);
      await screenshot(email, 'email-wrong-password', { docs: true });

      await fillEmailForm(email, DEMO_SMTP_ACCOUNT.password, 'twenty-five');

      await expect.poll(() => summary.textContent()).toBe('Please correct the field below.');
      expect(await email.locator('#email-smtp_port-error').textContent()).toBe('Port must be a whole number');
      expect(await email.getByLabel('Port', { exact: true }).getAttribute('aria-invalid')).toBe('true');
      expect(await password.getAttribute('aria-invalid')).toBeNull();
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('email-smtp_port');
    },
    FLOW_TIMEOUT,
  );

  it(
    'sends the optional IMAP login with the SMTP one, and points at the IMAP field the service refuses',
    async () => {
      const page = await open('imogen');
      const email = card(page, 'email');
      const summary = email.locator('[data-field="form-error"]');
      const imapPort = email.getByLabel('IMAP port', { exact: true });

      await email.getByLabel('IMAP server', { exact: true }).fill('localhost');
      await imapPort.fill('nine');
      await fillEmailForm(email, DEMO_SMTP_ACCOUNT.password);

      await expect.poll(() => summary.textContent()).toBe('Please correct the field below.');
      expect(await email.locator('#email-imap_port-error').textContent()).toBe(
        'IMAP port must be a whole number',
      );
      expect(await imapPort.getAttribute('aria-invalid')).toBe('true');
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('email-imap_port');

      await imapPort.fill('2525');
      await email.getByRole('button', { name: 'Save and check' }).click();

      await expect
        .poll(() => summary.textContent())
        .toBe('The IMAP port 2525 is not one this service connects to; use 993 (TLS) or 143 (STARTTLS).');
      expect(await imapPort.getAttribute('aria-invalid')).toBe('true');
      expect(await email.locator('#email-imap_port-error').isHidden()).toBe(true);
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('email-imap_port');
      // The SMTP login was fine, but a mailbox is saved whole or not at all.
      expect(await storedPlatforms('imogen')).toEqual([]);
      expect(await accessibilityViolations(page)).toEqual([]);

      // Emptied again, the IMAP fields are left out and the mailbox only sends.
      await email.getByLabel('IMAP server', { exact: true }).fill('');
      await imapPort.fill('');
      await email.getByRole('button', { name: 'Save and check' }).click();
      await expect.poll(() => status(email).textContent()).toBe('Connected');
      expect(await storedPlatforms('imogen')).toEqual(['email']);
    },
    FLOW_TIMEOUT,
  );

  it(
    "connects Instagram through the platform's consent screen and ends on a connected card",
    async () => {
      const page = await open('casey');
      const instagram = card(page, 'instagram');
      expect(await visibleActions(instagram)).toEqual(['connect', 'connect-instagram']);

      await signIn(page, 'instagram', 'Connect with Facebook Login');
      // The page would return to the settings by itself; staying lets the test look at it.
      await page.getByRole('button', { name: 'Stay on this page' }).click();

      expect(await page.locator('#result-title').textContent()).toBe('Instagram connected');
      expect(await page.locator('#result-title').getAttribute('data-tone')).toBe('success');
      expect(await page.locator('#result-detail').textContent()).toBe(
        'Instagram is connected to your account. It can send messages.',
      );
      expect(await page.locator('#result-summary').innerText()).toContain('Account\n@acme.studio');
      expect(new URL(page.url()).search).toBe('');
      expect(await accessibilityViolations(page)).toEqual([]);
      await screenshot(page.locator('main'), 'oauth-callback', { docs: true });

      await page.getByRole('link', { name: 'Back to settings' }).click();
      await loaded(page);
      expect(new URL(page.url()).searchParams.get('user_id')).toBe('casey');
      expect(await status(instagram).textContent()).toBe('Connected');
      expect(await sendDm(instagram).textContent()).toBe('Available');
      const details = await instagram.locator('[data-field="details"]').innerText();
      expect(details).toContain('Account\n@acme.studio');
      expect(details).toContain('Page\nAcme Studio');
      expect(details).toContain('Connected with\nFacebook Login');
      expect(details).not.toContain('17841400000000042');
      expect(await instagram.locator('[data-field="login-in-use"]').textContent()).toBe(
        'This account is connected with Facebook Login.',
      );
      expect(await visibleActions(instagram)).toEqual(['validate', 'disconnect']);

      await instagram.getByRole('button', { name: 'Validate' }).click();
      await expect
        .poll(() => instagram.locator('[data-field="message"]').textContent())
        .toBe('Checked: the connection works.');
      await screenshot(instagram, 'instagram-connected', { docs: true });
    },
    FLOW_TIMEOUT,
  );

  it(
    'connects Instagram through Instagram Login, with no Facebook Page, and says which login is in use',
    async () => {
      const page = await open('ines');
      const instagram = card(page, 'instagram');
      expect(await instagram.locator('[data-field="login-choice"]').innerText()).toContain(
        'Instagram Login connects your professional account directly and needs no Facebook Page',
      );

      await signIn(page, 'instagram', 'Connect with Instagram Login');
      expect(await page.locator('#result-title').textContent()).toBe('Instagram connected');
      expect(await page.locator('#result-detail').textContent()).toBe(
        'Instagram is connected to your account. It can send messages.',
      );
      await returnedToSettings(page);

      expect(await status(instagram).textContent()).toBe('Connected');
      expect(await sendDm(instagram).textContent()).toBe('Available');
      const details = await instagram.locator('[data-field="details"]').innerText();
      expect(details).toContain(`Account\n@${stack.fakes.instagram.username}`);
      expect(details).toContain('Connected with\nInstagram Login');
      expect(details).not.toContain('Page\n');
      expect(await instagram.locator('[data-field="login-in-use"]').textContent()).toBe(
        'This account is connected with Instagram Login.',
      );
      expect(await visibleActions(instagram)).toEqual(['validate', 'disconnect']);
      expect(await accessibilityViolations(page)).toEqual([]);
    },
    FLOW_TIMEOUT,
  );

  it(
    'shows the reason and a Reconnect button when a scope is missing, and Reconnect fixes it',
    async () => {
      const page = await open('devon');
      const instagram = card(page, 'instagram');

      await signIn(page, 'instagram', 'Connect with Facebook Login', ['instagram_manage_messages']);
      expect(await page.locator('#result-title').textContent()).toBe(
        'Instagram connected, but not ready to send',
      );
      expect(await page.locator('#result-title').getAttribute('data-tone')).toBe('warning');
      expect(await page.locator('#result-detail').textContent()).toBe(
        `Instagram is connected to your account. It cannot send messages: ${MISSING_SCOPE}`,
      );
      await screenshot(page.locator('main'), 'oauth-callback-missing-scope', { docs: true });
      await returnedToSettings(page);

      expect(await instagram.locator('[data-field="reason"]').textContent()).toBe(MISSING_SCOPE);
      expect(await sendDm(instagram).textContent()).toBe('Not available');
      expect(await visibleActions(instagram)).toEqual(['reconnect', 'validate', 'disconnect']);
      expect(await instagram.locator('[data-field="details"]').innerText()).toContain(
        'Permissions\ninstagram_basic, pages_show_list',
      );
      await screenshot(instagram, 'instagram-missing-scope', { docs: true });

      await signIn(page, 'instagram', 'Reconnect');
      expect(await page.locator('#result-title').getAttribute('data-tone')).toBe('success');
      await returnedToSettings(page);
      expect(await sendDm(instagram).textContent()).toBe('Available');
      expect(await instagram.locator('[data-field="reason"]').isVisible()).toBe(false);
      expect(await visibleActions(instagram)).toEqual(['validate', 'disconnect']);
    },
    FLOW_TIMEOUT,
  );

  it(
    'asks before disconnecting and returns the card to its empty state, all by keyboard',
    async () => {
      await saveDemoEmail('emery');
      const page = await open('emery');
      const email = card(page, 'email');
      const disconnect = email.getByRole('button', { name: 'Disconnect' });
      const dialog = page.getByRole('dialog');

      await disconnect.focus();
      await page.keyboard.press('Enter');
      expect(await dialog.getByRole('heading').textContent()).toBe('Disconnect Email?');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
      await screenshot(page, 'disconnect-confirmation', { docs: true });
      await page.keyboard.press('Escape');
      expect(await dialog.isVisible()).toBe(false);
      expect(await status(email).textContent()).toBe('Connected');
      expect(await storedPlatforms('emery')).toEqual(['email']);

      await disconnect.focus();
      await page.keyboard.press('Enter');
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Disconnect');
      await page.keyboard.press('Enter');

      await expect.poll(() => status(email).textContent()).toBe('Not connected');
      expect(await sendDm(email).textContent()).toBe('Not available');
      expect(await email.locator('[data-field="details"]').isVisible()).toBe(false);
      expect(await visibleActions(email)).toEqual([]);
      expect(await email.locator('details').getAttribute('open')).toBe('');
      // The five SMTP fields and the four IMAP ones.
      expect(
        await email
          .locator('input')
          .evaluateAll((inputs) => inputs.map((input) => (input as HTMLInputElement).value)),
      ).toEqual(Array.from({ length: 9 }, () => ''));
      expect(await email.locator('[data-field="message"]').textContent()).toBe('Disconnected.');
      await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Email');
      expect(await storedPlatforms('emery')).toEqual([]);
      await screenshot(email, 'email-disconnected', { docs: true });
    },
    FLOW_TIMEOUT,
  );

  it(
    'says so when the person cancels at the platform, and saves nothing',
    async () => {
      const page = await open('finley');
      await card(page, 'instagram').getByRole('button', { name: 'Connect with Facebook Login' }).click();
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.waitForURL(/\/settings\/callback$/);

      await expect
        .poll(() => page.locator('#result-title').textContent())
        .toBe('Instagram was not connected');
      expect(await page.locator('#result-detail').textContent()).toBe(
        'Instagram did not grant access (The person cancelled the sign-in). Nothing was saved.',
      );
      expect(await storedPlatforms('finley')).toEqual([]);
    },
    FLOW_TIMEOUT,
  );

  it(
    'lets a person play the customer: their message to the demo Page opens the window, and a reply goes out',
    async () => {
      const page = await open('riley');
      await signIn(page, 'facebook', 'Connect');
      expect(await page.locator('#result-title').getAttribute('data-tone')).toBe('success');

      const watched = await openPage(browser);
      opened.push(watched);
      const customer = watched.page;
      await customer.goto(stack.customer.baseUrl);
      expect(await customer.getByLabel('Your id').inputValue()).toBe(DEMO_CUSTOMER_ID);
      await customer.getByLabel('Message').fill('Do you ship to Lisbon?');
      await customer.getByRole('button', { name: 'Send' }).click();
      await expect.poll(() => customer.getByRole('status').textContent()).toContain('Delivered');
      expect(await accessibilityViolations(customer)).toEqual([]);

      const path = `facebook/recipients/${DEMO_CUSTOMER_ID}?user_id=riley`;
      const check = await fetch(`${stack.baseUrl}/api/outreach/${path}`);
      expect(await check.json()).toMatchObject({ can_send: true, window: 'open' });
      const events = await (await fetch(`${stack.baseUrl}/api/events?user_id=riley`)).json();
      expect(events.events.map((event: { type: string }) => event.type)).toContain('message.received');
      const reply = await fetch(`${stack.baseUrl}/api/outreach/facebook/messages?user_id=riley`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ recipient_id: DEMO_CUSTOMER_ID, text: 'Yes, we do!' }),
      });
      expect(reply.status).toBe(201);
      expect(stack.fakes.meta.sentMessages.at(-1)).toMatchObject({
        recipientId: DEMO_CUSTOMER_ID,
        text: 'Yes, we do!',
      });
    },
    FLOW_TIMEOUT,
  );

  it(
    'connects TikTok, which shows why Send DM is unavailable and offers nothing to fix',
    async () => {
      const page = await open('gray');
      await signIn(page, 'tiktok', 'Connect');
      // Nothing to fix: TikTok never sends, so the connection itself is the success.
      expect(await page.locator('#result-title').getAttribute('data-tone')).toBe('success');
      await returnedToSettings(page);

      const tiktok = card(page, 'tiktok');
      expect(await status(tiktok).textContent()).toBe('Connected');
      expect(await tiktok.locator('[data-field="reason"]').textContent()).toBe(
        'TikTok does not provide an official Direct Message API.',
      );
      expect(await visibleActions(tiktok)).toEqual(['validate', 'disconnect']);
      expect(await tiktok.locator('[data-field="details"]').innerText()).toContain('Account\nFake Creator');
    },
    FLOW_TIMEOUT,
  );

  it(
    'shows a load failure with a way to try again, never an endless Loading…',
    async () => {
      const watched = await openPage(browser);
      opened.push(watched);
      const { page } = watched;
      const loadError = page.locator('#load-error');
      await page.route('**/api/integrations/capabilities?*', (route) => route.abort());
      await page.goto(`${stack.baseUrl}/settings?user_id=harper`);
      await expect
        .poll(() => loadError.locator('p').textContent())
        .toBe(
          'Could not reach the service (/api/integrations/capabilities). Check that it is running, then try again.',
        );
      expect(await loadError.getAttribute('role')).toBe('alert');
      expect(await page.locator('[data-field="status"]').allTextContents()).toEqual(
        Array(4).fill('Not loaded'),
      );
      expect(await card(page, 'email').locator('[data-field="can_send_dm"]').textContent()).toBe('Unknown');
      await screenshot(page, 'settings-load-failed', { docs: true, fullPage: true });

      await page.unroute('**/api/integrations/capabilities?*');
      await page.route('**/api/integrations/capabilities?*', (route) =>
        route.fulfill({
          status: 503,
          json: { detail: 'The database is not answering.', code: 'service_unavailable' },
        }),
      );
      await loadError.getByRole('button', { name: 'Try again' }).click();
      await expect
        .poll(() => loadError.locator('p').textContent())
        .toBe('Could not load what your accounts can do: The database is not answering.');
      expect(await loadError.isVisible()).toBe(true);

      await page.unroute('**/api/integrations/capabilities?*');
      await loadError.getByRole('button', { name: 'Try again' }).click();
      await loaded(page);
      expect(await page.locator('[data-field="status"]').allTextContents()).toEqual(
        Array(4).fill('Not connected'),
      );
      expect(await loadError.isVisible()).toBe(false);
    },
    FLOW_TIMEOUT,
  );

  it(
    'asks for a user when none is given, which is where / leads in development',
    async () => {
      const watched = await openPage(browser);
      opened.push(watched);
      const { page } = watched;
      await page.goto(`${stack.baseUrl}/`);

      expect(new URL(page.url()).pathname).toBe('/settings');
      expect(await page.locator('#user-prompt').isVisible()).toBe(true);
      expect(await page.locator('#cards').isVisible()).toBe(false);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('user-id');
      expect(await accessibilityViolations(page)).toEqual([]);
      await screenshot(page, 'settings-no-user', { docs: true });

      await page.keyboard.type('kai');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/settings\?user_id=kai$/);
      await loaded(page);
      expect(await page.locator('#user-prompt').isVisible()).toBe(false);
      expect(await status(card(page, 'email')).textContent()).toBe('Not connected');
    },
    FLOW_TIMEOUT,
  );

  it(
    'explains Discover and what each connection is for, TikTok’s included',
    async () => {
      const page = await open('lane');
      const tiktok = card(page, 'tiktok');
      expect(await tiktok.locator('[data-field="purpose"]').textContent()).toContain(
        'TikTok has no messaging API',
      );
      expect(await tiktok.locator('.capabilities li', { hasText: 'Discover' }).innerText()).toContain(
        'Finding people to reach out to. It needs no connected account.',
      );
      expect(await card(page, 'instagram').locator('[data-field="purpose"]').textContent()).toBe(
        'Reply to people who message your Instagram professional account.',
      );
    },
    FLOW_TIMEOUT,
  );

  it(
    'names each field as the form does, once per field, and counts fields rather than errors',
    async () => {
      const page = await open('morgan');
      const email = card(page, 'email');
      await email.getByRole('button', { name: 'Save and check' }).click();

      const summary = email.locator('[data-field="form-error"]');
      // The service finds two problems with an empty SMTP server: one entry for it all the same.
      await expect.poll(() => summary.textContent()).toBe('Please correct the 5 fields below.');
      expect(await email.locator('.field-error:visible').allTextContents()).toEqual([
        'Email address must be an email address',
        'SMTP server must not be empty',
        'Port must be a whole number',
        'Username must not be empty',
        'Password must not be empty',
      ]);
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('email-email_address');
      await screenshot(email, 'email-empty-form', { docs: true });
    },
    FLOW_TIMEOUT,
  );

  it(
    'sends the bearer token an identity provides, the seam for JWT sign-in',
    async () => {
      const page = await open('jules');
      // A string, so that vitest does not rewrite the browser's import().
      const [request, status] = await Promise.all([
        page.waitForRequest('**/api/integrations/capabilities?*'),
        page.evaluate(`(async () => {
          const { createApiClient } = await import('/assets/api-client.js');
          const api = createApiClient({ userId: 'jules', bearerToken: async () => 'header.payload.signature' });
          return (await api.capabilities()).status;
        })()`),
      ]);
      expect(await request.headerValue('authorization')).toBe('Bearer header.payload.signature');
      expect(new URL(request.url()).searchParams.get('user_id')).toBe('jules');
      // This server runs in development mode, where the user_id decides and the header is not needed.
      expect(status).toBe(200);
    },
    FLOW_TIMEOUT,
  );

  it(
    'fits a phone-sized screen and shows the whole page on a desktop one',
    async () => {
      await saveDemoEmail('demo');
      const desktop = await open('demo');
      await signIn(desktop, 'instagram', 'Connect with Facebook Login', ['instagram_manage_messages']);
      await returnedToSettings(desktop);
      await screenshot(desktop, 'settings-page', { docs: true, fullPage: true });

      const phone = await open('demo', { width: 390, height: 844 });
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      const smallTargets = await phone
        .locator('button:visible, summary:visible, input:visible')
        .evaluateAll((controls) =>
          controls
            .filter((control) => control.getBoundingClientRect().height < 44)
            .map((control) => control.outerHTML),
        );
      expect(smallTargets).toEqual([]);
      expect(await accessibilityViolations(phone)).toEqual([]);
      await screenshot(phone, 'settings-phone', { docs: true });
    },
    FLOW_TIMEOUT,
  );
});

describe('/docs in headless Chromium', () => {
  it(
    'renders every operation of /openapi.json from this origin alone',
    async () => {
      const watched = await openPage(browser);
      opened.push(watched);
      const { page } = watched;
      const origins = new Set<string>();
      page.on('request', (request) => origins.add(new URL(request.url()).origin));
      const document = (await (await fetch(`${stack.baseUrl}/openapi.json`)).json()) as {
        paths: Record<string, Record<string, unknown>>;
      };
      const operations = Object.values(document.paths).flatMap((methods) => Object.keys(methods)).length;
      await page.goto(`${stack.baseUrl}/docs`);

      await expect.poll(() => page.locator('.opblock').count()).toBe(operations);
      expect(await page.locator('.opblock-summary-path').allTextContents()).toContain(
        '/api/integrations/capabilities',
      );
      expect([...origins]).toEqual([stack.baseUrl]);
      await screenshot(page, 'api-docs', { fullPage: true });
    },
    FLOW_TIMEOUT,
  );

  it(
    'sends a request from "Try it out" and shows the 200 it answers',
    async () => {
      const watched = await openPage(browser);
      opened.push(watched);
      const { page } = watched;
      await page.goto(`${stack.baseUrl}/docs`);
      const operation = page.locator('.opblock-get', {
        has: page.locator('.opblock-summary-path', { hasText: /^\/api\/integrations\/capabilities$/ }),
      });
      await operation.locator('.opblock-summary').click();
      await operation.getByRole('button', { name: 'Try it out' }).click();
      await operation.locator('tr[data-param-name="user_id"] input').fill('docs-reader');
      const answered = page.waitForResponse((response) =>
        response.url().startsWith(`${stack.baseUrl}/api/integrations/capabilities?`),
      );
      await operation.getByRole('button', { name: 'Execute' }).click();

      expect((await answered).status()).toBe(200);
      await expect
        .poll(() =>
          operation.locator('.live-responses-table tr.response .response-col_status').first().textContent(),
        )
        .toBe('200');
      expect(
        await operation
          .locator('.live-responses-table tr.response .response-col_description')
          .first()
          .innerText(),
      ).toContain('"platform": "instagram"');
      await screenshot(page, 'api-docs-try-it-out', { fullPage: true });
    },
    FLOW_TIMEOUT,
  );
});
