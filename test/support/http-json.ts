/** A POST to `base` + path, with `body` as JSON when there is one: how the e2e suites call the API. */
export const jsonPoster = (base: () => string) => (path: string, body?: unknown) =>
  fetch(`${base()}${path}`, {
    method: 'POST',
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });

interface CapabilityEntry {
  readonly platform: string;
  readonly is_connected: boolean;
  readonly can_send_dm: boolean;
}

/** [platform, is_connected, can_send_dm] of every capabilities entry, to compare a whole answer at a glance. */
export const connectionSummary = (capabilities: readonly CapabilityEntry[]) =>
  capabilities.map((entry) => [entry.platform, entry.is_connected, entry.can_send_dm]);
