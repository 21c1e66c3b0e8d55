// @ts-check
/** @typedef {import('../src/client.js').ApiError} ApiError */
/** @typedef {import('../src/client.js').Authorization} Authorization */
/** @typedef {import('../src/client.js').Capability} Capability */
/** @typedef {import('../src/client.js').Integration} Integration */
/** @typedef {import('../src/client.js').Validation} Validation */

/**
 * @template T
 * @typedef {{ ok: true, status: number, data: T } | { ok: false, status: number, error: ApiError }} ApiResult
 */

/**
 * Who the page acts for, and how each request proves it.
 * @typedef {object} Identity
 * @property {string} userId sent as `user_id`; with JWTs it must equal the token's `sub`
 * @property {() => Promise<string | null>} bearerToken sent as `Authorization: Bearer`; null sends none
 */

/**
 * Development identity: the user named by `user_id` alone, as the API accepts without AUTH_JWT_*.
 * When the service requires JWTs, build the Identity from your sign-in instead, for example
 * `{ userId: session.userId, bearerToken: () => session.accessToken() }`: nothing else changes.
 * @param {string} userId
 * @returns {Identity}
 */
export const developmentIdentity = (userId) => ({ userId, bearerToken: async () => null });

/** The service could not be reached at all: no answer, as opposed to an error answer. */
export class ServiceUnreachable extends Error {
  /** @param {string} path */
  constructor(path) {
    super(`Could not reach the service (${path}). Check that it is running, then try again.`);
    this.name = 'ServiceUnreachable';
  }
}

/**
 * @param {unknown} body
 * @returns {body is ApiError}
 */
const isApiError = (body) =>
  typeof body === 'object' &&
  body !== null &&
  typeof (/** @type {{ detail?: unknown }} */ (body).detail) === 'string' &&
  typeof (/** @type {{ code?: unknown }} */ (body).code) === 'string';

/** @param {Response} response */
async function readJson(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/**
 * The page's only way to the API (`/api/integrations`). Error answers come back as values with the
 * service's own `{detail, code, errors}`; only an unreachable service throws.
 * @param {Identity} identity
 */
export function createApiClient(identity) {
  /**
   * @template T
   * @param {string} method
   * @param {string} path
   * @param {{ query?: Record<string, string>, body?: unknown }} [options]
   * @returns {Promise<ApiResult<T>>}
   */
  async function request(method, path, options = {}) {
    const url = new URL(`/api/integrations${path}`, window.location.origin);
    for (const [name, value] of Object.entries({ user_id: identity.userId, ...options.query })) {
      url.searchParams.set(name, value);
    }
    /** @type {Record<string, string>} */
    const headers = { accept: 'application/json' };
    const token = await identity.bearerToken();
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
    } catch {
      throw new ServiceUnreachable(url.pathname);
    }
    const body = response.status === 204 ? null : await readJson(response);
    if (response.ok) return { ok: true, status: response.status, data: /** @type {T} */ (body) };
    return {
      ok: false,
      status: response.status,
      error: isApiError(body)
        ? body
        : {
            code: 'internal_error',
            detail: `The service answered ${response.status} without an explanation.`,
          },
    };
  }

  return {
    /** @returns {Promise<ApiResult<Capability[]>>} */
    capabilities: () => request('GET', '/capabilities'),
    /** @param {string} platform @returns {Promise<ApiResult<Capability>>} */
    capability: (platform) => request('GET', `/${platform}/capabilities`),
    /** @returns {Promise<ApiResult<Integration[]>>} */
    integrations: () => request('GET', '/'),
    /** @param {Record<string, unknown>} body @returns {Promise<ApiResult<Integration>>} */
    save: (body) => request('POST', '/', { body }),
    /** @param {string} platform @returns {Promise<ApiResult<Validation>>} */
    validate: (platform) => request('POST', `/${platform}/validate`),
    /** @param {string} platform @returns {Promise<ApiResult<null>>} */
    disconnect: (platform) => request('DELETE', `/${platform}`),
    /**
     * @param {string} platform
     * @param {string} redirectUri
     * @param {'facebook' | 'instagram' | null} [login] Instagram's sign-in; null for the default
     * @returns {Promise<ApiResult<Authorization>>}
     */
    authorize: (platform, redirectUri, login = null) =>
      request('GET', `/oauth/${platform}/authorize`, {
        query: login === null ? { redirect_uri: redirectUri } : { redirect_uri: redirectUri, login },
      }),
    /**
     * @param {string} platform
     * @param {{ code: string, state: string, redirect_uri: string }} answer
     * @returns {Promise<ApiResult<Integration>>}
     */
    completeSignIn: (platform, answer) => request('POST', `/oauth/${platform}/callback`, { body: answer }),
  };
}

/** @typedef {ReturnType<typeof createApiClient>} ApiClient */
