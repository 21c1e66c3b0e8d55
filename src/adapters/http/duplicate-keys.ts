import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.js';
import { errorResponse } from './errors.js';

type Scope = { readonly keys: Set<string> | null; path: string; expectsKey: boolean; index: number };

/**
 * The dotted path of the first key that appears twice in one object of `json`, or null. `json` must be
 * valid JSON. Keys are compared decoded, so `"a"` and `"\u0061"` are the same key.
 */
export function duplicateKeyPath(json: string): string | null {
  const scopes: Scope[] = [];
  const here = () => scopes.at(-1);
  const childPath = (scope: Scope | undefined, key: string) =>
    scope === undefined ? key : scope.path === '' ? key : `${scope.path}.${key}`;
  let lastKey = '';
  for (let at = 0; at < json.length; at += 1) {
    const character = json[at];
    if (character === '"') {
      let end = at + 1;
      while (json[end] !== '"') end += json[end] === '\\' ? 2 : 1;
      const scope = here();
      if (scope?.keys && scope.expectsKey) {
        const key = JSON.parse(json.slice(at, end + 1)) as string;
        if (scope.keys.has(key)) return childPath(scope, key);
        scope.keys.add(key);
        lastKey = key;
      }
      at = end;
    } else if (character === '{' || character === '[') {
      const parent = here();
      const segment = parent === undefined ? '' : parent.keys ? lastKey : String(parent.index);
      scopes.push({
        keys: character === '{' ? new Set() : null,
        path: parent === undefined ? '' : childPath(parent, segment),
        expectsKey: character === '{',
        index: 0,
      });
    } else if (character === '}' || character === ']') {
      scopes.pop();
    } else if (character === ':') {
      const scope = here();
      if (scope) scope.expectsKey = false;
    } else if (character === ',') {
      const scope = here();
      if (scope?.keys) scope.expectsKey = true;
      else if (scope) scope.index += 1;
    }
  }
  return null;
}

const isJson = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/**
 * Refuses a JSON body in which one object names a key twice: parsers disagree on which value wins (the
 * last, here), so a check and a use could read different values (R21).
 */
export const refuseDuplicateKeys: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!c.req.header('content-type')?.toLowerCase().includes('json')) return next();
  // Hono caches the text, so the validators read the same body.
  const text = await c.req.text().catch(() => '');
  const path = isJson(text) ? duplicateKeyPath(text) : null;
  if (path === null) return next();
  const errors = [{ path, message: 'appears more than once in the same object' }];
  return errorResponse(
    c,
    { code: 'invalid_request', detail: `Invalid request: ${path} appears more than once.` },
    errors,
  );
};
