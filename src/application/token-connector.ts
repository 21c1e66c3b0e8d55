import type { Integration } from '../domain/integration.js';
import { connectorOf, type TokenConnector } from '../domain/login.js';

/** The gateway key of an integration that holds a token (not SMTP). */
export function tokenConnectorOf(integration: Pick<Integration, 'platform' | 'loginType'>): TokenConnector {
  const connector = connectorOf(integration);
  if (connector === 'email') throw new Error('An email integration has no token gateway');
  return connector;
}
