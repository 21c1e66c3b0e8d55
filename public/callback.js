// @ts-check
import { createApiClient, developmentIdentity, ServiceUnreachable } from './api-client.js';
import { connectedOutcome, integrationDetails } from './card-state.js';
import { reportUnexpectedErrors } from './page-errors.js';
import { takePendingSignIn } from './pending-sign-in.js';

reportUnexpectedErrors();

const answer = new URLSearchParams(window.location.search);
// The code is single-use and secret: keep it out of the address bar, history and a reload.
window.history.replaceState(null, '', window.location.pathname);

const title = /** @type {HTMLElement} */ (document.getElementById('result-title'));
const detail = /** @type {HTMLElement} */ (document.getElementById('result-detail'));
const summary = /** @type {HTMLElement} */ (document.getElementById('result-summary'));
const backLink = /** @type {HTMLAnchorElement} */ (document.getElementById('back-link'));
const returning = /** @type {HTMLElement} */ (document.getElementById('returning'));
const returningText = /** @type {HTMLElement} */ (document.getElementById('returning-text'));
const stay = /** @type {HTMLButtonElement} */ (document.getElementById('stay'));

const RETURN_AFTER_SECONDS = 5;

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * @param {string} heading
 * @param {string} text
 * @param {'success' | 'warning' | 'error'} tone
 */
function finish(heading, text, tone) {
  document.title = heading;
  title.textContent = heading;
  title.dataset.tone = tone;
  detail.textContent = text;
  title.focus();
}

/**
 * Goes back to the settings page by itself after a few seconds, saying so, unless the person stays.
 */
function returnToSettings() {
  let left = RETURN_AFTER_SECONDS;
  const tell = () => {
    returningText.textContent = `Back to your settings in ${left} s.`;
  };
  tell();
  returning.hidden = false;
  const timer = window.setInterval(() => {
    left -= 1;
    if (left > 0) tell();
    else {
      window.clearInterval(timer);
      window.location.assign(backLink.href);
    }
  }, 1000);
  stay.addEventListener(
    'click',
    () => {
      window.clearInterval(timer);
      returning.hidden = true;
      backLink.focus();
    },
    { once: true },
  );
}

/** @param {[string, string][]} rows */
function showSummary(rows) {
  summary.replaceChildren(
    ...rows.flatMap(([term, description]) => [
      Object.assign(document.createElement('dt'), { textContent: term }),
      Object.assign(document.createElement('dd'), { textContent: description }),
    ]),
  );
  summary.hidden = false;
}

async function complete() {
  const pending = takePendingSignIn();
  if (pending === null) {
    finish(
      'Nothing to finish here',
      'This tab has no connection in progress: it was completed already or started elsewhere. Go back to settings and connect again.',
      'error',
    );
    return;
  }
  backLink.href = `/settings?${new URLSearchParams({ user_id: pending.userId })}`;
  const name = pending.platformName;
  const notConnected = `${name} was not connected`;
  const refusal = answer.get('error');
  if (refusal !== null) {
    const reason = answer.get('error_description') ?? refusal;
    finish(notConnected, `${name} did not grant access (${reason}). Nothing was saved.`, 'error');
    return;
  }
  const code = answer.get('code');
  if (code === null || answer.get('state') !== pending.state) {
    finish(
      notConnected,
      `The answer from ${name} does not belong to the connection this tab started. Nothing was saved; go back to settings and connect again.`,
      'error',
    );
    return;
  }
  const api = createApiClient(developmentIdentity(pending.userId));
  const saved = await api.completeSignIn(pending.platform, {
    code,
    state: pending.state,
    redirect_uri: pending.redirectUri,
  });
  if (!saved.ok) {
    finish(notConnected, saved.error.detail, 'error');
    return;
  }
  showSummary(integrationDetails(saved.data, (iso) => timeFormat.format(new Date(iso))));
  const capability = await api.capability(pending.platform);
  if (!capability.ok) {
    finish(
      `${name} connected`,
      `${name} is connected to your account. What it allows could not be loaded: ${capability.error.detail}`,
      'warning',
    );
    return;
  }
  const outcome = connectedOutcome(name, capability.data);
  finish(outcome.heading, outcome.text, outcome.tone);
  returnToSettings();
}

try {
  await complete();
} catch (error) {
  if (!(error instanceof ServiceUnreachable)) throw error;
  finish('Could not finish the connection', error.message, 'error');
}
