import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';

const parsed = (environment: Record<string, string>) => {
  const result = parseConfig(environment);
  if (!result.ok) throw new Error(result.problems.join('; '));
  return result.config;
};

describe('parseConfig: platforms and OAuth', () => {
  it('defaults to the real endpoints and no apps', () => {
    expect(parsed({})).toMatchObject({
      platforms: {
        apps: { instagram: null, facebook: null, tiktok: null },
        metaGraphUrl: 'https://graph.facebook.com',
        metaGraphVersion: 'v25.0',
        metaDialogUrl: 'https://www.facebook.com',
        tiktokAuthUrl: 'https://www.tiktok.com',
        tiktokApiUrl: 'https://open.tiktokapis.com',
      },
      oauthRedirectUris: [],
    });
  });

  it('lets Instagram fall back to the Facebook app, and prefers its own', () => {
    const facebook = { FACEBOOK_CLIENT_ID: 'fb-id', FACEBOOK_CLIENT_SECRET: 'fb-secret' };

    expect(parsed(facebook).platforms.apps.instagram).toEqual({
      clientId: 'fb-id',
      clientSecret: 'fb-secret',
    });
    expect(
      parsed({ ...facebook, INSTAGRAM_CLIENT_ID: 'ig-id', INSTAGRAM_CLIENT_SECRET: 'ig-secret' }).platforms
        .apps,
    ).toEqual({
      instagram: { clientId: 'ig-id', clientSecret: 'ig-secret' },
      facebook: { clientId: 'fb-id', clientSecret: 'fb-secret' },
      tiktok: null,
    });
  });

  it('keeps redirect URIs exactly as written and strips trailing slashes from endpoints', () => {
    const config = parsed({
      OAUTH_REDIRECT_URIS: 'https://app.example.com/oauth/callback, http://localhost:3000/cb/',
      META_GRAPH_URL: 'http://127.0.0.1:4010/',
      META_GRAPH_VERSION: 'v26.0',
    });

    expect(config.oauthRedirectUris).toEqual([
      'https://app.example.com/oauth/callback',
      'http://localhost:3000/cb/',
    ]);
    expect(config.platforms.metaGraphUrl).toBe('http://127.0.0.1:4010');
    expect(config.platforms.metaGraphVersion).toBe('v26.0');
  });

  it('names every bad platform setting at once', () => {
    const result = parseConfig({
      FACEBOOK_CLIENT_ID: 'fb-id',
      TIKTOK_CLIENT_SECRET: 'tt-secret',
      OAUTH_REDIRECT_URIS:
        'http://app.example.com/cb,https://user:pw@app.example.com/cb,https://app.example.com/cb#x',
      META_GRAPH_URL: 'http://graph.example.com',
      META_GRAPH_VERSION: '25',
    });

    expect(result).toEqual({
      ok: false,
      problems: [
        'OAUTH_REDIRECT_URIS.0 entries must be absolute https URLs (http only on localhost) without credentials or fragment',
        'OAUTH_REDIRECT_URIS.1 entries must be absolute https URLs (http only on localhost) without credentials or fragment',
        'OAUTH_REDIRECT_URIS.2 entries must be absolute https URLs (http only on localhost) without credentials or fragment',
        'META_GRAPH_URL must be an https URL (http only on localhost)',
        'META_GRAPH_VERSION must look like v25.0',
        'FACEBOOK_CLIENT_SECRET must be set together with FACEBOOK_CLIENT_ID',
        'TIKTOK_CLIENT_KEY must be set together with TIKTOK_CLIENT_SECRET',
      ],
    });
  });
});
