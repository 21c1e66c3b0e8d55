import type { MessageTag, MessagingConnector } from '../../domain/outreach.js';
import type { Result } from '../../domain/result.js';

export interface DirectMessage {
  /**
   * Who sends: the Facebook Page (for Instagram through Facebook Login, the Page the account is linked
   * to), or with Instagram Login the professional account itself.
   */
  readonly senderId: string;
  /** The sender's token: the Page token, or the Instagram Login user token. */
  readonly accessToken: string;
  /** The PSID or IGSID. */
  readonly recipientId: string;
  readonly text: string;
  readonly tag: MessageTag | null;
}

/**
 * Sends one message through a platform's Send API. Expected refusals come back as failures:
 * `outside_messaging_window`, `recipient_unavailable`, `platform_rate_limited` (with
 * `retryAfterSeconds`), a refused token as `token_expired`, `token_revoked` or `credentials_rejected`,
 * and timeouts, 5xx and malformed answers as `platform_unavailable`.
 */
export interface DirectMessageGateway {
  send(message: DirectMessage): Promise<Result<{ readonly messageId: string }>>;
}

export type DirectMessageGateways = Readonly<Record<MessagingConnector, DirectMessageGateway>>;
