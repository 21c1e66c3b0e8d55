import { messageReceived } from '../events.js';
import type { Clock } from '../ports/clock.js';
import type {
  InboundMessage,
  InboundMessageStore,
  InboundOnIntegration,
} from '../ports/inbound-message-store.js';

export interface ReceiveMetaMessagesDeps {
  readonly inbox: InboundMessageStore;
  readonly clock: Clock;
}

const announce = (message: InboundOnIntegration) =>
  messageReceived(message.userId, {
    platform: message.platform,
    sender: message.sender,
    platformMessageId: message.mid,
    text: message.text,
    receivedAt: message.sentAt,
    inReplyTo: null,
  });

/**
 * Records the messages people sent, from a webhook whose signature was checked: each opens its sender's
 * window and becomes `message.received`, once per `mid`. Answers how many were new.
 */
export function receiveMetaMessages(deps: ReceiveMetaMessagesDeps) {
  return (messages: readonly InboundMessage[]): Promise<number> => {
    const now = deps.clock.now();
    // A timestamp ahead of this clock would hold a window open longer than Meta does.
    const asOf = messages.map((message) =>
      message.sentAt.getTime() > now.getTime() ? { ...message, sentAt: now } : message,
    );
    return deps.inbox.record(asOf, announce);
  };
}
