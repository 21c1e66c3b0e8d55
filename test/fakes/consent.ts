/** Opens a consent URL as a browser would and returns where the platform redirects back to. */
export async function giveConsent(authorizationUrl: string): Promise<URL> {
  const response = await fetch(authorizationUrl, { redirect: 'manual' });
  const location = response.headers.get('location');
  if (response.status !== 302 || location === null) {
    throw new Error(`consent failed with ${response.status}: ${await response.text()}`);
  }
  return new URL(location);
}
