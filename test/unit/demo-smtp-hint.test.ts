import { describe, expect, it } from 'vitest';
import { demoSmtpHint } from '../support/demo-smtp-server.js';

const command = (port: number) =>
  demoSmtpHint(port, '/data/demo-smtp/ca.pem').find((line) => line.endsWith('npm start'));

describe('the demo SMTP server’s hint', () => {
  it('names the port in SMTP_ALLOWED_PORTS, beside the defaults, when the service would refuse it', () => {
    expect(command(2600)).toBe(
      '  SMTP_ALLOW_PRIVATE_HOSTS=true NODE_EXTRA_CA_CERTS=/data/demo-smtp/ca.pem SMTP_ALLOWED_PORTS=25,465,587,2525,2600 npm start',
    );
  });

  it('needs no SMTP_ALLOWED_PORTS on a port allowed by default', () => {
    expect(command(2525)).toBe(
      '  SMTP_ALLOW_PRIVATE_HOSTS=true NODE_EXTRA_CA_CERTS=/data/demo-smtp/ca.pem npm start',
    );
  });
});
