import { randomBytes } from 'node:crypto';
import { GatewayError } from '@textport/core';
import { describe, expect, it } from 'vitest';
import { httpSetup, OWNER } from './helpers.js';

const input = (signingKey: string) => ({
  url: 'https://hooks.example.com/sms',
  signingKey,
  events: ['message.phone.received'],
  phoneNumbers: [OWNER],
});

const strong = `whsec_${randomBytes(32).toString('base64')}`;

describe('Standard Webhooks signing keys', () => {
  it.each([
    ['not base64', 'whsec_!!!!'],
    ['empty after the prefix', 'whsec_'],
    ['base64 of 16 bytes', `whsec_${randomBytes(16).toString('base64')}`],
    [
      'base64 with junk inside',
      `whsec_${randomBytes(32).toString('base64').slice(0, 20)}*${'A'.repeat(23)}`,
    ],
  ])('refuses a whsec_ key that is %s, on create and update', async (_, signingKey) => {
    const t = await httpSetup();
    const response = await t.call('POST', '/v1/webhooks', {
      body: {
        url: 'https://hooks.example.com/sms',
        signing_key: signingKey,
        events: ['message.phone.received'],
        phone_numbers: [OWNER],
      },
    });
    expect(response.status).toBe(422);
    expect(response.json).toMatchObject({ status: 'error' });
    expect(JSON.stringify(response.json.data)).toContain('signing_key');

    const hook = await t.gateway.webhooks.create(t.account.id, input(strong));
    const update = t.gateway.webhooks.update(t.account.id, hook.id, input(signingKey));
    await expect(update).rejects.toBeInstanceOf(GatewayError);
    await expect(update).rejects.toMatchObject({ code: 'validation' });
    expect((await t.gateway.webhooks.get(t.account.id, hook.id)).signingKey).toBe(strong);
  });

  it('accepts 24 bytes or more of base64, padded or not, and keys without the prefix', async () => {
    const t = await httpSetup();
    const keys = [
      strong,
      `whsec_${randomBytes(24).toString('base64')}`,
      `whsec_${randomBytes(25).toString('base64').replace(/=+$/, '')}`,
      'a plain shared secret',
    ];
    for (const signingKey of keys) {
      const hook = await t.gateway.webhooks.create(t.account.id, input(signingKey));
      expect(hook.signingKey).toBe(signingKey);
    }
  });
});
