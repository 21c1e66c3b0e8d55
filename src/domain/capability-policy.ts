import { type ConnectionStatus, effectiveStatus, type Integration } from './integration.js';
import { type Connector, connectorOf } from './login.js';
import { PLATFORM_NAMES, type Platform } from './platform.js';
import type { ReasonCode } from './reason-codes.js';

export interface Capability {
  readonly platform: Platform;
  readonly isConnected: boolean;
  readonly connectionStatus: ConnectionStatus | null;
  readonly canSendDm: boolean;
  readonly canDiscover: true;
  readonly canReadMessages: boolean;
  readonly reason: string | null;
  readonly reasonCode: ReasonCode | null;
  readonly missingScopes: readonly string[];
  readonly limitations: readonly string[];
}

type MessagingRule =
  /**
   * Meta: sending and reading both need one scope and, for Instagram, a professional account; Facebook
   * Login reaches it through a linked Page. `otherLogin` is what to tell the user when a Page is missing
   * and another login would do without one.
   */
  | {
      readonly kind: 'scoped';
      readonly scope: string;
      readonly needsPage: boolean;
      readonly needsBusinessAccount: boolean;
      readonly otherLogin: string | null;
    }
  /** SMTP: sending works once the server accepted the login; reading needs a checked IMAP login too. */
  | { readonly kind: 'smtp'; readonly withoutImap: string }
  | { readonly kind: 'none'; readonly reason: string };

interface PlatformRule {
  readonly messaging: MessagingRule;
  readonly limitations: readonly string[];
}

const META_REPLY_WINDOW =
  'Meta allows messages only as replies within 24 hours of the person’s last message to you.';

/** Keyed by connector: Instagram through Facebook Login (`instagram`) and through Instagram Login differ. */
export const CAPABILITY_RULES = {
  instagram: {
    messaging: {
      kind: 'scoped',
      scope: 'instagram_manage_messages',
      needsPage: true,
      needsBusinessAccount: true,
      otherLogin: 'or connect with Instagram Login, which needs no Page',
    },
    limitations: [META_REPLY_WINDOW],
  },
  instagram_login: {
    messaging: {
      kind: 'scoped',
      scope: 'instagram_business_manage_messages',
      needsPage: false,
      needsBusinessAccount: true,
      otherLogin: null,
    },
    limitations: [
      META_REPLY_WINDOW,
      'Connected with Instagram Login: Business Discovery is not available, it needs Facebook Login.',
    ],
  },
  facebook: {
    messaging: {
      kind: 'scoped',
      scope: 'pages_messaging',
      needsPage: true,
      needsBusinessAccount: false,
      otherLogin: null,
    },
    limitations: [META_REPLY_WINDOW],
  },
  tiktok: {
    messaging: { kind: 'none', reason: 'TikTok does not provide an official Direct Message API.' },
    limitations: [],
  },
  email: {
    messaging: {
      kind: 'smtp',
      withoutImap:
        'Replies are not read: connect the email integration again with imap_host (and imap_port, imap_username, imap_password) to read them over IMAP.',
    },
    limitations: [],
  },
} as const satisfies Record<Connector, PlatformRule>;

/** What capabilities are decided from: the parts of an integration that say what it can do. */
export type CapabilityFacts = Pick<
  Integration,
  | 'platform'
  | 'loginType'
  | 'connectionStatus'
  | 'statusDetail'
  | 'scopesGranted'
  | 'accountId'
  | 'pageId'
  | 'tokenExpiresAt'
  | 'imap'
>;

export type Denial = { readonly reasonCode: ReasonCode; readonly reason: string };

// A recorded expiry or revocation shows the platform's own reason when one was stored.
const STATUS_DENIALS = {
  expired: (name, detail) => ({
    reasonCode: 'token_expired',
    reason: detail ?? `Your ${name} access has expired. Reconnect your account.`,
  }),
  revoked: (name, detail) => ({
    reasonCode: 'token_revoked',
    reason: detail ?? `Your ${name} access was revoked. Reconnect your account.`,
  }),
  unsupported: (name) => ({
    reasonCode: 'platform_unsupported',
    reason: `This ${name} account cannot be used for messaging.`,
  }),
  error: (name, detail) => ({
    reasonCode: 'validation_failed',
    reason:
      detail === null
        ? `The last check of your ${name} connection failed. Validate it again or reconnect.`
        : `The last check of your ${name} connection failed: ${detail.replace(/\.?$/, '.')}`,
  }),
} as const satisfies Record<
  Exclude<ConnectionStatus, 'connected'>,
  (name: string, detail: string | null) => Denial
>;

/** Why an integration in this stored status cannot be used (null when connected), as capabilities say it. */
export function statusDenial(
  platform: Platform,
  status: ConnectionStatus,
  detail: string | null,
): Denial | null {
  return status === 'connected' ? null : STATUS_DENIALS[status](PLATFORM_NAMES[platform], detail);
}

function missingScopes(rule: MessagingRule, integration: CapabilityFacts | null): string[] {
  if (rule.kind !== 'scoped' || integration === null) return [];
  return integration.scopesGranted.includes(rule.scope) ? [] : [rule.scope];
}

function scopedDenial(
  rule: Extract<MessagingRule, { kind: 'scoped' }>,
  platform: Platform,
  integration: CapabilityFacts,
): Denial | null {
  if (!integration.scopesGranted.includes(rule.scope)) {
    return {
      reasonCode: 'missing_scope',
      reason: `Missing '${rule.scope}' scope. Reconnect with proper permissions.`,
    };
  }
  const name = PLATFORM_NAMES[platform];
  if (rule.needsPage && integration.pageId === null) {
    return {
      reasonCode: 'page_not_linked',
      reason:
        rule.otherLogin === null
          ? `No Facebook Page is linked to this ${name} account. Link a Page and reconnect.`
          : `No Facebook Page is linked to this ${name} account. Link a Page and reconnect, ${rule.otherLogin}.`,
    };
  }
  if (rule.needsBusinessAccount && integration.accountId === null) {
    return {
      reasonCode: 'not_business_account',
      reason: rule.needsPage
        ? `Messaging needs an ${name} Business or Creator account linked to your Page. Switch to a professional account and reconnect${rule.otherLogin === null ? '' : `, ${rule.otherLogin}`}.`
        : `Messaging needs an ${name} Business or Creator account. Switch to a professional account and reconnect.`,
    };
  }
  return null;
}

/**
 * Decides what a user can do on one platform, from their integration (or its absence) at `now`.
 * `unsupportedHere` is why this deployment cannot use the platform at all (email on a runtime without
 * SMTP); it outweighs everything the integration says.
 */
export function decideCapability(
  platform: Platform,
  integration: CapabilityFacts | null,
  now: Date,
  unsupportedHere: string | null = null,
): Capability {
  const rule: PlatformRule = CAPABILITY_RULES[integration === null ? platform : connectorOf(integration)];
  const name = PLATFORM_NAMES[platform];
  const status = integration === null ? null : effectiveStatus(integration, now);
  const isConnected = status === 'connected';

  let denial: Denial | null;
  if (unsupportedHere !== null) {
    denial = { reasonCode: 'unsupported_on_runtime', reason: unsupportedHere };
  } else if (rule.messaging.kind === 'none') {
    denial = { reasonCode: 'dm_not_supported', reason: rule.messaging.reason };
  } else if (integration === null) {
    denial = {
      reasonCode: 'not_connected',
      reason: `No ${name} account is connected. Connect one to send messages.`,
    };
  } else if (status !== null && status !== 'connected') {
    denial = STATUS_DENIALS[status](name, integration.statusDetail);
  } else {
    denial = rule.messaging.kind === 'scoped' ? scopedDenial(rule.messaging, platform, integration) : null;
  }

  const missing = missingScopes(rule.messaging, integration);
  const readsMail = rule.messaging.kind === 'smtp' && integration !== null && integration.imap !== null;
  const canReadMessages =
    isConnected &&
    unsupportedHere === null &&
    ((rule.messaging.kind === 'scoped' && missing.length === 0) || readsMail);
  const limitations =
    rule.messaging.kind === 'smtp' && !readsMail
      ? [...rule.limitations, rule.messaging.withoutImap]
      : rule.limitations;

  return {
    platform,
    isConnected,
    connectionStatus: status,
    canSendDm: denial === null,
    canDiscover: true,
    canReadMessages,
    reason: denial?.reason ?? null,
    reasonCode: denial?.reasonCode ?? null,
    missingScopes: missing,
    limitations,
  };
}
