// The HTTP stack's own ceiling: Hono on @hono/node-server answering every request with a constant JSON,
// no middleware. Started by the bench on the service's core; prints the port once listening.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const answer = [
  { platform: 'instagram', can_send_dm: true, can_discover: true, can_read_messages: true },
  { platform: 'facebook', can_send_dm: true, can_discover: true, can_read_messages: true },
  { platform: 'tiktok', can_send_dm: false, can_discover: true, can_read_messages: false },
  { platform: 'email', can_send_dm: true, can_discover: true, can_read_messages: false },
];

const app = new Hono();
app.get('*', (c) => c.json(answer));
serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (address) => {
  process.stdout.write(`listening ${address.port}\n`);
});
