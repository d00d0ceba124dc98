/** Hand-off caps on the phone settings and the remaining budgets on the phone object. */
import { describe, expect, it } from 'vitest';
import { appSetup, OWNER } from './helpers.js';

const HOUR_MS = 3_600_000;

describe('phone caps', () => {
  it('a new phone has no caps: 0 and null remaining', async () => {
    const t = await appSetup();
    const r = await t.call('get', '/v1/phones');
    expect(r.body.data[0]).toMatchObject({
      messages_per_hour: 0,
      messages_per_day: 0,
      hourly_remaining: null,
      daily_remaining: null,
    });
  });

  it('sets caps, shows what the current windows have left, and lifts a cap with 0', async () => {
    const t = await appSetup();
    const set = await t
      .call('put', '/v1/phones')
      .send({ phone_number: OWNER, messages_per_hour: 30, messages_per_day: 200 });
    expect(set.status).toBe(200);
    expect(set.body.data).toMatchObject({
      messages_per_hour: 30,
      messages_per_day: 200,
      hourly_remaining: 30,
      daily_remaining: 200,
    });
    // Hand-offs of 5 and 2 segments, as the dispatcher counts them.
    const now = t.clock.now();
    expect(await t.store.reservePhoneBudget(t.phone.id, now, 5)).toBe(true);
    expect(await t.store.reservePhoneBudget(t.phone.id, now, 2)).toBe(true);
    const listed = await t.call('get', '/v1/phones');
    expect(listed.body.data[0]).toMatchObject({ hourly_remaining: 23, daily_remaining: 193 });
    // After the hour the hour window is over; the day window still counts.
    t.clock.set(now + HOUR_MS);
    const later = await t.call('get', '/v1/phones');
    expect(later.body.data[0]).toMatchObject({ hourly_remaining: 30, daily_remaining: 193 });
    // Other settings leave the caps alone; 0 lifts one.
    await t.call('put', '/v1/phones').send({ phone_number: OWNER, messages_per_minute: 20 });
    const lifted = await t
      .call('put', '/v1/phones')
      .send({ phone_number: OWNER, messages_per_day: 0 });
    expect(lifted.body.data).toMatchObject({
      messages_per_hour: 30,
      messages_per_day: 0,
      daily_remaining: null,
    });
  });

  it('refuses caps out of range with 422 and the httpSMS messages, and changes nothing', async () => {
    const t = await appSetup();
    const bad = await t.call('put', '/v1/phones').send({
      phone_number: OWNER,
      messages_per_hour: 3601,
      messages_per_day: 86_401,
      messages_per_minute: 20,
    });
    expect(bad.status).toBe(422);
    expect(bad.body.data).toEqual({
      messages_per_hour: ['The messages_per_hour field must be a whole number between 0 and 3600'],
      messages_per_day: ['The messages_per_day field must be a whole number between 0 and 86400'],
    });
    const phone = await t.raw.phone(t.phone.id);
    expect([phone?.messagesPerHour, phone?.messagesPerDay, phone?.messagesPerMinute]).toEqual([
      0,
      0,
      t.phone.messagesPerMinute,
    ]);
    const negative = await t
      .call('put', '/v1/phones')
      .send({ phone_number: OWNER, messages_per_hour: -1 });
    expect(negative.status).toBe(400);
    const fraction = await t
      .call('put', '/v1/phones')
      .send({ phone_number: OWNER, messages_per_day: 1.5 });
    expect(fraction.status).toBe(400);
  });
});
