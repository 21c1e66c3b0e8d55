// @ts-check
import { createApiClient, developmentIdentity, ServiceUnreachable } from './api-client.js';
import { cardState, integrationDetails, LOGIN_NAMES } from './card-state.js';
import { fieldMessages } from './field-errors.js';
import { reportUnexpectedErrors } from './page-errors.js';
import { callbackUrl, rememberSignIn } from './pending-sign-in.js';

/** @typedef {import('./api-client.js').ApiError} ApiError */
/** @typedef {import('./api-client.js').Capability} Capability */
/** @typedef {import('./api-client.js').Integration} Integration */

reportUnexpectedErrors();

/** Which form field an SMTP failure is about, so the message can point at it. */
const FIELD_FOR_CODE = /** @type {Record<string, string>} */ ({
  smtp_auth_failed: 'smtp_password',
  smtp_auth_not_offered: 'smtp_host',
  smtp_connection_refused: 'smtp_port',
  smtp_host_not_allowed: 'smtp_host',
  smtp_tls_failed: 'smtp_host',
  smtp_tls_required: 'smtp_port',
  smtp_timeout: 'smtp_host',
  smtp_connection_failed: 'smtp_host',
  imap_auth_failed: 'imap_password',
  imap_tls_failed: 'imap_host',
  imap_connection_failed: 'imap_host',
  imap_timeout: 'imap_host',
  imap_host_not_allowed: 'imap_host',
  imap_port_not_allowed: 'imap_port',
});

const SMTP_FIELDS = ['email_address', 'smtp_host', 'smtp_port', 'smtp_username', 'smtp_password'];
/** Sent only when filled in: no IMAP server means send only, and the others default to the SMTP login. */
const IMAP_FIELDS = ['imap_host', 'imap_port', 'imap_username', 'imap_password'];
const EMAIL_FIELDS = [...SMTP_FIELDS, ...IMAP_FIELDS];
const PORT_FIELDS = ['smtp_port', 'imap_port'];
const PASSWORD_FIELDS = ['smtp_password', 'imap_password'];

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const formatTime = (/** @type {string} */ iso) => timeFormat.format(new Date(iso));

/**
 * @template {Element} T
 * @param {ParentNode} root
 * @param {string} selector
 * @param {new (...args: never[]) => T} type
 * @returns {T}
 */
function find(root, selector, type) {
  const element = root.querySelector(selector);
  if (!(element instanceof type)) throw new Error(`The page is missing ${selector}`);
  return element;
}

const userId = new URLSearchParams(window.location.search).get('user_id')?.trim() ?? '';
const userInput = find(document, '#user-id', HTMLInputElement);
userInput.value = userId;
const api = createApiClient(developmentIdentity(userId));
const announcer = find(document, '#announcer', HTMLElement);
const dialog = find(document, '#disconnect-dialog', HTMLDialogElement);
const loadError = find(document, '#load-error', HTMLElement);

/** @param {string} platform */
const cardOf = (platform) => find(document, `[data-platform="${platform}"]`, HTMLElement);
/** @param {HTMLElement} card */
const nameOf = (card) => find(card, 'h2', HTMLElement).textContent?.trim() ?? '';

/** Says `text` through the polite live region; clearing it first makes a repeated text heard again. */
function announce(/** @type {string} */ text) {
  announcer.textContent = '';
  window.setTimeout(() => {
    announcer.textContent = text;
  }, 50);
}

/**
 * @param {HTMLElement} card
 * @param {string} text
 * @param {'success' | 'error'} tone
 */
function showMessage(card, text, tone) {
  const message = find(card, '[data-field="message"]', HTMLElement);
  message.hidden = false;
  message.dataset.tone = tone;
  message.textContent = text;
  announce(`${nameOf(card)}: ${text}`);
}

/** @param {HTMLElement} card */
function clearMessage(card) {
  find(card, '[data-field="message"]', HTMLElement).hidden = true;
}

/**
 * Disables the card's controls while a request runs, so nothing is sent twice.
 * @param {HTMLElement} card
 * @param {boolean} busy
 */
function setBusy(card, busy) {
  card.setAttribute('aria-busy', String(busy));
  for (const control of card.querySelectorAll('button, input')) {
    if (control instanceof HTMLButtonElement || control instanceof HTMLInputElement) control.disabled = busy;
  }
}

/**
 * @param {HTMLElement} list
 * @param {[string, string][]} details
 */
function fillDetails(list, details) {
  list.replaceChildren(
    ...details.flatMap(([term, description]) => {
      const dt = document.createElement('dt');
      dt.textContent = term;
      const dd = document.createElement('dd');
      dd.textContent = description;
      return [dt, dd];
    }),
  );
  list.hidden = details.length === 0;
}

/**
 * @param {HTMLElement} card
 * @param {Capability} capability
 * @param {Integration | undefined} integration
 */
function renderCard(card, capability, integration) {
  const state = cardState(capability);
  card.dataset.loaded = 'true';
  const badge = find(card, '[data-field="status"]', HTMLElement);
  badge.textContent = state.status.label;
  badge.dataset.tone = state.status.tone;
  fillDetails(
    find(card, '[data-field="details"]', HTMLElement),
    integration === undefined ? [] : integrationDetails(integration, formatTime),
  );
  for (const [field, available] of Object.entries(state.capabilities)) {
    const indicator = find(card, `[data-field="${field}"]`, HTMLElement);
    indicator.textContent = available ? 'Available' : 'Not available';
    indicator.dataset.state = available ? 'on' : 'off';
  }
  const reason = find(card, '[data-field="reason"]', HTMLElement);
  reason.hidden = state.reason === null;
  reason.textContent = state.reason ?? '';
  reason.dataset.tone = state.status.tone;
  const limitations = find(card, '[data-field="limitations"]', HTMLElement);
  limitations.replaceChildren(
    ...state.limitations.map((text) => Object.assign(document.createElement('li'), { textContent: text })),
  );
  limitations.hidden = state.limitations.length === 0;
  for (const [action, shown] of Object.entries(state.actions)) {
    const button = card.querySelector(`[data-action="${action}"]`);
    if (button instanceof HTMLButtonElement) button.hidden = !shown;
  }
  if (state.emailForm !== 'none') renderEmailSettings(card, state.emailForm, integration);
  const inUse = card.querySelector('[data-field="login-in-use"]');
  const login = integration?.login_type ?? null;
  // Reconnect signs in again the way the account was connected.
  card.dataset.login = login ?? '';
  if (inUse instanceof HTMLElement) {
    inUse.textContent = login === null ? '' : `This account is connected with ${LOGIN_NAMES[login]}.`;
  }
}

const TEST_EMAIL = {
  subject: 'Test email from your integrations',
  text: 'This test was sent from the integrations settings page, through the outreach send API.',
};

/**
 * The email card's outreach: what the pre-check says this mailbox sent today, against its daily limit.
 * @param {HTMLElement} card
 * @param {Capability} capability
 * @param {Integration | undefined} integration
 */
async function renderOutreach(card, capability, integration) {
  const section = find(card, '[data-field="outreach"]', HTMLElement);
  const address = capability.can_send_dm ? (integration?.email_address ?? null) : null;
  section.hidden = address === null;
  if (address === null) return;
  card.dataset.ownAddress = address;
  const sentToday = find(section, '[data-field="sent-today"]', HTMLElement);
  const check = await api.checkRecipient('email', address);
  if (!check.ok) {
    sentToday.textContent = `Could not load today’s count: ${check.error.detail}`;
    return;
  }
  const { sent_today: sent, daily_limit: limit } = check.data;
  sentToday.textContent =
    limit === null || limit === 0
      ? `Sent today: ${sent ?? 0} (no daily limit)`
      : `Sent today: ${sent ?? 0} of ${limit} (the daily limit; the count starts again at 00:00 UTC)`;
}

/** @param {HTMLElement} card */
async function sendTestEmail(card) {
  const to = card.dataset.ownAddress ?? '';
  const result = await api.sendEmail({ to, ...TEST_EMAIL });
  await refresh();
  if (result.ok) showMessage(card, `Sent a test email to ${to}. Look for it in that inbox.`, 'success');
  else showMessage(card, `The test email was not sent: ${result.error.detail}`, 'error');
}

/**
 * @param {HTMLElement} card
 * @param {'open' | 'folded'} mode
 * @param {Integration | undefined} integration
 */
function renderEmailSettings(card, mode, integration) {
  const settings = find(card, '[data-field="email-settings"]', HTMLDetailsElement);
  const summary = find(card, '[data-field="email-settings-summary"]', HTMLElement);
  summary.textContent = mode === 'folded' ? 'Change SMTP settings' : 'SMTP settings';
  // Fold only when the login starts working, never while someone is editing.
  if (mode === 'open') settings.open = true;
  else if (card.dataset.emailMode !== 'folded') settings.open = false;
  card.dataset.emailMode = mode;
  const form = find(card, '[data-field="email-form"]', HTMLFormElement);
  if (integration === undefined) return;
  /** @type {Record<string, string | null>} */
  const stored = {
    email_address: integration.email_address,
    smtp_host: integration.smtp_host,
    smtp_port: integration.smtp_port === null ? null : String(integration.smtp_port),
    smtp_username: integration.smtp_username,
    imap_host: integration.imap_host,
    imap_port: integration.imap_port === null ? null : String(integration.imap_port),
    imap_username: integration.imap_username,
  };
  for (const [name, value] of Object.entries(stored)) {
    const input = form.elements.namedItem(name);
    if (input instanceof HTMLInputElement && input.value === '' && value !== null) input.value = value;
  }
}

const cards = () =>
  [...document.querySelectorAll('[data-platform]')].filter((card) => card instanceof HTMLElement);

/**
 * Says why the page could not load, with a way to try again, and marks every card that has nothing to
 * show yet as not loaded rather than leaving it on "Loading…".
 * @param {string} text
 */
function showLoadError(text) {
  find(loadError, '#load-error-text', HTMLElement).textContent = text;
  loadError.hidden = false;
  for (const card of cards()) {
    if (card.dataset.loaded === 'true') continue;
    const badge = find(card, '[data-field="status"]', HTMLElement);
    badge.textContent = 'Not loaded';
    badge.dataset.tone = 'off';
    for (const indicator of card.querySelectorAll('.indicator')) indicator.textContent = 'Unknown';
  }
}

/** Loads capabilities (which decide every button) and the stored integrations (their details). */
async function refresh() {
  const [capabilities, integrations] = await Promise.all([api.capabilities(), api.integrations()]);
  if (!capabilities.ok) {
    showLoadError(`Could not load what your accounts can do: ${capabilities.error.detail}`);
    return;
  }
  if (integrations.ok) loadError.hidden = true;
  else showLoadError(`Could not load your connected accounts: ${integrations.error.detail}`);
  const stored = integrations.ok ? integrations.data : [];
  for (const capability of capabilities.data) {
    const integration = stored.find((candidate) => candidate.platform === capability.platform);
    renderCard(cardOf(capability.platform), capability, integration);
    if (capability.platform === 'email') await renderOutreach(cardOf('email'), capability, integration);
  }
}

/**
 * Runs one card action with the card busy, and turns an unreachable service into a visible message.
 * @param {HTMLElement} card
 * @param {() => Promise<void>} action
 */
async function withCard(card, action) {
  clearMessage(card);
  setBusy(card, true);
  try {
    await action();
  } catch (error) {
    if (!(error instanceof ServiceUnreachable)) throw error;
    showMessage(card, error.message, 'error');
  } finally {
    setBusy(card, false);
  }
}

/**
 * @param {HTMLElement} card
 * @param {'facebook' | 'instagram' | null} login Instagram's sign-in; null for the platform's default
 */
async function signIn(card, login) {
  const platform = card.dataset.platform ?? '';
  const redirectUri = callbackUrl();
  const started = await api.authorize(platform, redirectUri, login);
  if (!started.ok) {
    showMessage(card, started.error.detail, 'error');
    return;
  }
  const consentUrl = started.data.authorization_url;
  rememberSignIn({
    platform,
    platformName: nameOf(card),
    userId,
    redirectUri,
    state: new URL(consentUrl).searchParams.get('state') ?? '',
  });
  announce(`Opening ${nameOf(card)} to sign in.`);
  window.location.assign(consentUrl);
}

/** @param {HTMLElement} card */
async function validate(card) {
  const result = await api.validate(card.dataset.platform ?? '');
  if (!result.ok) {
    showMessage(card, result.error.detail, 'error');
    return;
  }
  await refresh();
  if (result.data.valid) showMessage(card, 'Checked: the connection works.', 'success');
  else
    showMessage(
      card,
      `Check failed: ${result.data.detail ?? 'the platform refused the credentials.'}`,
      'error',
    );
}

/** @param {HTMLElement} card */
function confirmDisconnect(card) {
  const name = nameOf(card);
  find(dialog, '#disconnect-title', HTMLElement).textContent = `Disconnect ${name}?`;
  find(dialog, '#disconnect-text', HTMLElement).textContent =
    `The stored ${name} credentials are deleted. You can connect again at any time.`;
  dialog.returnValue = '';
  dialog.addEventListener(
    'close',
    () => {
      if (dialog.returnValue !== 'confirm') return;
      void withCard(card, async () => {
        const result = await api.disconnect(card.dataset.platform ?? '');
        if (!result.ok) {
          showMessage(card, result.error.detail, 'error');
          return;
        }
        // An empty card again: nothing of the deleted settings stays in the form either.
        card.querySelector('form')?.reset();
        await refresh();
        showMessage(card, 'Disconnected.', 'success');
        // The button that had focus is gone now; the card's heading is the next sensible place.
        find(card, 'h2', HTMLElement).focus();
      });
    },
    { once: true },
  );
  dialog.showModal();
}

/** @param {HTMLFormElement} form */
function clearFormErrors(form) {
  find(form, '[data-field="form-error"]', HTMLElement).hidden = true;
  for (const name of EMAIL_FIELDS) {
    const input = find(form, `[name="${name}"]`, HTMLInputElement);
    input.removeAttribute('aria-invalid');
    input.setAttribute('aria-describedby', `email-${name}-hint`);
    find(form, `#email-${name}-error`, HTMLElement).hidden = true;
  }
}

/**
 * Shows the service's answer inside the form: its sentence on top, and each field at fault marked and
 * explained next to it.
 * @param {HTMLFormElement} form
 * @param {ApiError} error
 * @returns {HTMLInputElement | null} the first field at fault
 */
function showFormErrors(form, error) {
  const summary = find(form, '[data-field="form-error"]', HTMLElement);
  summary.hidden = false;
  const fieldErrors =
    error.errors === undefined
      ? undefined
      : fieldMessages(
          error.errors,
          EMAIL_FIELDS.map((name) => [
            name,
            find(form, `label[for="email-${name}"]`, HTMLElement).textContent ?? name,
          ]),
        );
  if (fieldErrors === undefined) {
    // One problem, told once on top; the field it is about points to it.
    summary.textContent = error.detail;
    const path = FIELD_FOR_CODE[error.code];
    if (path === undefined) return null;
    const input = find(form, `[name="${path}"]`, HTMLInputElement);
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', `email-form-error email-${path}-hint`);
    return input;
  }
  summary.textContent =
    fieldErrors.length === 1
      ? 'Please correct the field below.'
      : `Please correct the ${fieldErrors.length} fields below.`;
  for (const { path, message } of fieldErrors) {
    const text = find(form, `#email-${path}-error`, HTMLElement);
    text.textContent = message;
    text.hidden = false;
    const input = find(form, `[name="${path}"]`, HTMLInputElement);
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', `email-${path}-error email-${path}-hint`);
  }
  const first = fieldErrors[0];
  return first === undefined ? null : find(form, `[name="${first.path}"]`, HTMLInputElement);
}

/**
 * @param {HTMLElement} card
 * @param {HTMLFormElement} form
 */
async function saveEmail(card, form) {
  clearFormErrors(form);
  /** @type {Record<string, string | number>} */
  const values = {};
  for (const name of EMAIL_FIELDS) {
    const value = find(form, `[name="${name}"]`, HTMLInputElement).value;
    if (IMAP_FIELDS.includes(name) && value.trim() === '') continue;
    // A port that is not a number goes as typed, so the service explains what is wrong with it.
    values[name] = PORT_FIELDS.includes(name) && /^\d+$/.test(value.trim()) ? Number(value) : value;
  }
  const submit = find(form, '[data-action="save-email"]', HTMLButtonElement);
  const label = submit.textContent;
  submit.textContent = 'Checking with the SMTP server…';
  /** @type {{ field: HTMLInputElement | null }} */
  const atFault = { field: null };
  try {
    await withCard(card, async () => {
      const result = await api.save({ platform: 'email', ...values });
      if (!result.ok) {
        atFault.field = showFormErrors(form, result.error);
        return;
      }
      for (const name of PASSWORD_FIELDS) find(form, `[name="${name}"]`, HTMLInputElement).value = '';
      await refresh();
      showMessage(card, 'Connected: the SMTP server accepted the login.', 'success');
    });
  } finally {
    submit.textContent = label;
  }
  // Only now: a field cannot take focus while the card is busy (disabled).
  atFault.field?.focus();
}

for (const card of document.querySelectorAll('[data-platform]')) {
  if (!(card instanceof HTMLElement)) continue;
  card.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('button[data-action]') : null;
    if (!(button instanceof HTMLButtonElement)) return;
    const action = button.dataset.action;
    if (action === 'connect') void withCard(card, () => signIn(card, null));
    else if (action === 'connect-instagram') void withCard(card, () => signIn(card, 'instagram'));
    else if (action === 'reconnect') {
      const login = card.dataset.login === 'instagram' ? 'instagram' : null;
      void withCard(card, () => signIn(card, login));
    } else if (action === 'validate') void withCard(card, () => validate(card));
    else if (action === 'disconnect') confirmDisconnect(card);
    else if (action === 'send-test') void withCard(card, () => sendTestEmail(card));
  });
  const form = card.querySelector('[data-field="email-form"]');
  if (form instanceof HTMLFormElement) {
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void saveEmail(card, form);
    });
  }
}

/** The first load, and every retry after one that failed. */
async function load() {
  try {
    await refresh();
  } catch (error) {
    if (!(error instanceof ServiceUnreachable)) throw error;
    showLoadError(error.message);
  }
}

find(loadError, '#retry-load', HTMLButtonElement).addEventListener('click', () => {
  loadError.hidden = true;
  for (const card of cards()) {
    if (card.dataset.loaded !== 'true')
      find(card, '[data-field="status"]', HTMLElement).textContent = 'Loading…';
  }
  void load();
});

if (userId === '') {
  // No user, no integrations to show: ask for one first.
  find(document, '#user-prompt', HTMLElement).hidden = false;
  find(document, '#cards', HTMLElement).hidden = true;
  userInput.focus();
} else {
  await load();
}
