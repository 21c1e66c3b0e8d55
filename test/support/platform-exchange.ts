import { nodeHttpExchange } from '../../src/adapters/gateways/node-http-exchange.js';

/** What the Node runtime calls the platforms over, for tests that build the gateways themselves. */
export const exchange = nodeHttpExchange();
