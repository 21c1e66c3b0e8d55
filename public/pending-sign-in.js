// @ts-check

/**
 * A sign-in this tab started: kept in sessionStorage (this tab only) while the platform's consent page is
 * open, and taken exactly once by the callback page.
 * @typedef {object} PendingSignIn
 * @property {string} platform
 * @property {string} platformName
 * @property {string} userId
 * @property {string} redirectUri
 * @property {string} state the `state` of the consent URL, which the platform must send back unchanged
 */

const KEY = 'social-integrations:pending-sign-in';

export const CALLBACK_PATH = '/settings/callback';

/** The redirect URI this page registers: the callback page on the origin the user is on. */
export const callbackUrl = () => new URL(CALLBACK_PATH, window.location.origin).toString();

/** @param {PendingSignIn} pending */
export function rememberSignIn(pending) {
  window.sessionStorage.setItem(KEY, JSON.stringify(pending));
}

/** @returns {PendingSignIn | null} */
export function takePendingSignIn() {
  const text = window.sessionStorage.getItem(KEY);
  window.sessionStorage.removeItem(KEY);
  if (text === null) return null;
  try {
    const value = JSON.parse(text);
    const fields = ['platform', 'platformName', 'userId', 'redirectUri', 'state'];
    return fields.every((field) => typeof value?.[field] === 'string') ? value : null;
  } catch {
    return null;
  }
}
