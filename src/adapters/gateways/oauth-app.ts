/** A platform app's OAuth client credentials (TikTok calls the id a client key). */
export interface OAuthApp {
  readonly clientId: string;
  readonly clientSecret: string;
}
