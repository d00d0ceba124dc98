import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/index.js';
import { OWNER, setup } from './helpers.js';

async function fields(promise: Promise<unknown>) {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(GatewayError);
  return { code: (error as GatewayError).code, fields: (error as GatewayError).fields ?? {} };
}

describe('webhooks', () => {
  it('normalises the URL, de-duplicates events and normalises numbers', async () => {
    const t = await setup();
    const hook = await t.gateway.webhooks.create(t.account.id, {
      url: ' example.com/hook ',
      signingKey: 'secret',
      events: ['message.phone.sent', 'message.phone.sent', 'message.phone.received'],
      phoneNumbers: ['+1 (800) 555-0199'],
    });
    expect(hook).toMatchObject({
      url: 'https://example.com/hook',
      events: ['message.phone.sent', 'message.phone.received'],
      phoneNumbers: [OWNER],
      enabled: true,
    });
    expect(await t.store.listWebhooksFor(t.account.id, 'message.phone.sent', OWNER)).toHaveLength(
      1,
    );
  });

  it('reports every problem: URL, events outside the allow-list, numbers that are not phones', async () => {
    const t = await setup();
    const bad = await fields(
      t.gateway.webhooks.create(t.account.id, {
        url: 'ftp://x',
        events: ['phone.updated'],
        phoneNumbers: [],
      }),
    );
    expect(Object.keys(bad.fields).sort()).toEqual(['events', 'phone_numbers', 'url']);
    const unknown = await fields(
      t.gateway.webhooks.create(t.account.id, {
        url: 'https://x.test',
        events: ['message.phone.sent'],
        phoneNumbers: ['+18005550111'],
      }),
    );
    expect(unknown.fields.phone_numbers?.[0]).toContain('is not available in your account');
  });

  it('updates and deletes only its own account’s webhooks (404 otherwise)', async () => {
    const t = await setup();
    const input = { url: 'https://x.test', events: ['message.phone.sent'], phoneNumbers: [OWNER] };
    const hook = await t.gateway.webhooks.create(t.account.id, input);
    const { record: other } = await t.gateway.accounts.create();
    expect((await fields(t.gateway.webhooks.delete(other.id, hook.id))).code).toBe('not_found');
    const updated = await t.gateway.webhooks.update(t.account.id, hook.id, {
      ...input,
      url: 'https://y.test',
    });
    expect(updated.url).toBe('https://y.test');
    await t.gateway.webhooks.delete(t.account.id, hook.id);
    expect((await fields(t.gateway.webhooks.get(t.account.id, hook.id))).code).toBe('not_found');
  });
});

describe('send schedules', () => {
  const weekdays = [1, 2, 3, 4, 5].map((day) => ({
    dayOfWeek: day,
    startMinute: 540,
    endMinute: 1020,
  }));

  it('creates, updates and lists schedules; deleting one clears it from phones', async () => {
    const t = await setup();
    const schedule = await t.gateway.schedules.create(t.account.id, {
      name: 'Office',
      timezone: 'Europe/Berlin',
      windows: weekdays,
    });
    await t.gateway.phones.upsert(t.account.id, {
      phoneNumber: OWNER,
      sendScheduleId: schedule.id,
    });
    const renamed = await t.gateway.schedules.update(t.account.id, schedule.id, {
      name: 'Shop',
      timezone: 'Africa/Nairobi',
      windows: weekdays.slice(0, 1),
    });
    expect(renamed).toMatchObject({ name: 'Shop', timezone: 'Africa/Nairobi' });
    expect(await t.gateway.schedules.list(t.account.id)).toHaveLength(1);
    await t.gateway.schedules.delete(t.account.id, schedule.id);
    expect((await t.gateway.phones.get(t.account.id, t.phone.id)).sendScheduleId).toBeNull();
  });

  it('refuses bad names, zones and windows under their keys', async () => {
    const t = await setup();
    const bad = await fields(
      t.gateway.schedules.create(t.account.id, {
        name: 'x',
        timezone: 'Mars/Olympus',
        windows: [
          { dayOfWeek: 7, startMinute: 0, endMinute: 10 },
          { dayOfWeek: 1, startMinute: 600, endMinute: 500 },
          { dayOfWeek: 2, startMinute: 0, endMinute: 100 },
          { dayOfWeek: 2, startMinute: 50, endMinute: 200 },
        ],
      }),
    );
    expect(Object.keys(bad.fields).sort()).toEqual(['name', 'timezone', 'windows']);
    expect(bad.fields.windows).toHaveLength(3);
    const many = Array.from({ length: 7 }, (_, i) => ({
      dayOfWeek: 3,
      startMinute: i * 10,
      endMinute: i * 10 + 5,
    }));
    const crowded = await fields(
      t.gateway.schedules.create(t.account.id, { name: 'Busy', timezone: 'UTC', windows: many }),
    );
    expect(crowded.fields.windows?.[0]).toContain('more than 6');
    const none = await fields(
      t.gateway.schedules.create(t.account.id, { name: 'None', timezone: 'UTC', windows: [] }),
    );
    expect(none.fields.windows).toBeDefined();
  });

  it('treats an unparseable id as a bad request and a missing one as not found', async () => {
    const t = await setup();
    expect((await fields(t.gateway.schedules.get(t.account.id, 'nope'))).code).toBe('bad_request');
    const missing = '00000000-0000-4000-8000-000000000000';
    expect((await fields(t.gateway.schedules.delete(t.account.id, missing))).code).toBe(
      'not_found',
    );
  });
});
