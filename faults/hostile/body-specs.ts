/**
 * The body fields of every JSON route, per acting account: for each field a valid
 * value, its JSON kind (for a value of the wrong type) and, for most, a value of
 * the right type that fails validation on its own; and the statuses a body with an
 * invalid field gets.
 */
import { WEBHOOK_EVENTS } from '@textport/core';
import fc from 'fast-check';
import { integrationBodySpecs } from './body-specs-integrations.js';
import {
  invalidContact,
  invalidPhone,
  invalidSim,
  invalidTime,
  invalidUrl,
  invalidZone,
  noNul,
  notUuid,
  odd,
  oddOver,
  oddWithin,
  PROTOTYPE_NAMES,
  unsupportedMediaType,
  validUrl,
  withNul,
} from './values.js';
import { CONTACTS, FRESH_NUMBERS, type Side } from './world.js';

export type Kind = 'text' | 'flag' | 'unsigned' | 'whole' | 'texts' | 'files' | 'windows';

interface Field {
  kind: Kind;
  valid: fc.Arbitrary<unknown>;
  /** Right JSON type, fails validation whatever the other fields hold. */
  invalid?: fc.Arbitrary<unknown>;
  required?: boolean;
}

export interface BodySpec {
  fields: Record<string, Field>;
  /** Statuses of a body with an invalid field. */
  invalidStatuses: readonly number[];
  /** Bodies invalid as a whole, beyond single fields. */
  wholeInvalid?: fc.Arbitrary<Record<string, unknown>>;
}

export function bodySpecs(me: Side, other: Side): Record<string, BodySpec> {
  const mine = fc.constant(me.numbers[0] ?? '');
  const theirs = fc.constantFrom(...other.numbers);
  const contact = fc.constantFrom(...CONTACTS);
  const content = (max: number) => oddWithin(max);
  const nulNumber = mine.map((n) => `${n}\u0000`);
  return {
    'POST /v1/messages/send': {
      invalidStatuses: [422],
      fields: {
        from: {
          kind: 'text',
          required: true,
          valid: mine,
          invalid: fc.oneof(invalidPhone, theirs, nulNumber),
        },
        to: { kind: 'text', required: true, valid: contact, invalid: invalidContact },
        content: {
          kind: 'text',
          required: true,
          valid: content(2048),
          invalid: fc.oneof(fc.constant(''), oddOver(2048), withNul(content(1000))),
        },
        attachments: {
          kind: 'texts',
          valid: fc.array(validUrl, { maxLength: 3 }),
          invalid: fc.oneof(
            fc
              .tuple(fc.array(validUrl, { maxLength: 2 }), invalidUrl)
              .map(([ok, bad]) => [...ok, bad]),
            fc.array(validUrl, { minLength: 11, maxLength: 14 }),
          ),
        },
        encrypted: { kind: 'flag', valid: fc.boolean() },
        request_id: {
          kind: 'text',
          valid: content(200),
          invalid: fc.oneof(oddOver(255), withNul(content(100))),
        },
        send_at: {
          kind: 'text',
          valid: fc.constantFrom('2020-01-01T00:00:00Z'),
          invalid: fc.oneof(invalidTime, fc.constantFrom('2999-01-01T00:00:00Z')),
        },
      },
    },
    'POST /v1/messages/bulk-send': {
      invalidStatuses: [422],
      fields: {
        from: {
          kind: 'text',
          required: true,
          valid: mine,
          invalid: fc.oneof(invalidPhone, theirs),
        },
        to: {
          kind: 'texts',
          required: true,
          valid: fc.array(contact, { minLength: 1, maxLength: 4 }),
          invalid: fc.oneof(
            fc.constant([]),
            fc
              .tuple(fc.array(contact, { maxLength: 3 }), invalidContact)
              .map(([ok, bad]) => [...ok, bad]),
            fc.constant(
              Array.from({ length: 1001 }, (_, i) => `+1800555${String(i).padStart(4, '0')}`),
            ),
          ),
        },
        content: {
          kind: 'text',
          required: true,
          valid: content(1024),
          invalid: fc.oneof(fc.constant(''), oddOver(1024), withNul(content(500))),
        },
        attachments: {
          kind: 'texts',
          valid: fc.array(validUrl, { maxLength: 2 }),
          invalid: fc.array(invalidUrl, { minLength: 1, maxLength: 3 }),
        },
        encrypted: { kind: 'flag', valid: fc.boolean() },
        request_id: {
          kind: 'text',
          valid: content(200),
          invalid: fc.oneof(oddOver(255), withNul(content(100))),
        },
      },
    },
    'POST /v1/messages/{messageID}/events': {
      invalidStatuses: [422],
      fields: {
        event_name: {
          kind: 'text',
          required: true,
          valid: fc.constantFrom('SENT', 'DELIVERED', 'FAILED'),
          invalid: fc
            .oneof(
              odd(0, 4),
              fc.constantFrom('sent', 'SENDING', 'EXPIRED', 'SENT ', ...PROTOTYPE_NAMES),
            )
            .filter((s) => !['SENT', 'DELIVERED', 'FAILED'].includes(s)),
        },
        timestamp: {
          kind: 'text',
          valid: fc.constant('2026-11-24T12:00:00Z'),
          invalid: invalidTime,
        },
        reason: { kind: 'text', valid: odd(0, 6).map(noNul), invalid: withNul(odd(0, 6)) },
      },
    },
    'POST /v1/messages/receive': {
      invalidStatuses: [401, 422],
      fields: {
        from: {
          kind: 'text',
          required: true,
          valid: content(200),
          invalid: fc.oneof(fc.constant(''), oddOver(255), withNul(content(100))),
        },
        to: {
          kind: 'text',
          required: true,
          valid: mine,
          invalid: fc.oneof(invalidPhone, theirs, nulNumber),
        },
        content: {
          kind: 'text',
          required: true,
          valid: content(2048),
          invalid: fc.oneof(oddOver(2048), withNul(content(1000))),
        },
        encrypted: { kind: 'flag', valid: fc.boolean() },
        sim: {
          kind: 'text',
          valid: fc.constantFrom('SIM1', 'SIM2', 'DEFAULT'),
          invalid: invalidSim,
        },
        timestamp: {
          kind: 'text',
          valid: fc.constant('2026-11-24T12:00:00.123000000Z'),
          invalid: invalidTime,
        },
        attachments: {
          kind: 'files',
          valid: fc.constant([
            { name: 'a.png', content_type: 'image/png', content: 'iVBORw0KGgo=' },
          ]),
          invalid: fc.oneof(
            fc
              .tuple(unsupportedMediaType, odd(0, 3))
              .map(([type, name]) => [{ name, content_type: type, content: 'iVBORw0KGgo=' }]),
            fc
              .tuple(odd(1, 4), fc.constantFrom('image/png', 'application/pdf'))
              .map(([bad, type]) => [{ name: 'x', content_type: type, content: `!${bad}=` }]),
            fc.constant(
              Array.from({ length: 11 }, () => ({
                name: 'a.png',
                content_type: 'image/png',
                content: 'iVBORw0KGgo=',
              })),
            ),
          ),
        },
      },
    },
    'POST /v1/messages/calls/missed': {
      invalidStatuses: [401, 422],
      fields: {
        from: {
          kind: 'text',
          required: true,
          valid: contact,
          invalid: fc.oneof(fc.constant(''), oddOver(255), withNul(contact)),
        },
        to: {
          kind: 'text',
          required: true,
          valid: mine,
          invalid: fc.oneof(invalidPhone, theirs, nulNumber),
        },
        sim: { kind: 'text', valid: odd(0, 3).map(noNul), invalid: withNul(odd(0, 3)) },
        timestamp: {
          kind: 'text',
          valid: fc.constant('2026-11-24T12:00:00Z'),
          invalid: invalidTime,
        },
      },
    },
    'POST /v1/heartbeats': {
      invalidStatuses: [401, 422],
      fields: {
        phone_numbers: { kind: 'texts', valid: fc.constant([me.numbers[0] ?? '']) },
        charging: { kind: 'flag', valid: fc.boolean() },
        owner: { kind: 'text', valid: mine },
      },
      wholeInvalid: fc.oneof(
        fc.record({ charging: fc.boolean() }),
        fc.constant({ phone_numbers: [], owner: '' }),
        fc.record({ phone_numbers: fc.array(invalidPhone, { minLength: 1, maxLength: 2 }) }),
        fc.record({ phone_numbers: fc.constant([...FRESH_NUMBERS]) }),
        fc.record({ phone_numbers: fc.tuple(theirs).map((t) => [...t]) }),
        fc.record({ phone_numbers: theirs.map((t) => [me.numbers[0] ?? '', t]) }),
        fc.record({ owner: theirs }),
        fc.record({ owner: invalidPhone }),
        fc.record({ phone_numbers: nulNumber.map((n) => [n]) }),
        fc.record({ owner: nulNumber }),
      ),
    },
    'PUT /v1/phones/fcm-token': {
      invalidStatuses: [422],
      fields: {
        phone_number: {
          kind: 'text',
          required: true,
          valid: mine,
          invalid: fc.oneof(invalidPhone, nulNumber),
        },
        fcm_token: {
          kind: 'text',
          valid: content(500),
          invalid: fc.oneof(oddOver(1000), withNul(content(400))),
        },
        sim: { kind: 'text', valid: fc.constantFrom('SIM1', 'SIM2'), invalid: invalidSim },
      },
    },
    'PUT /v1/phones': {
      invalidStatuses: [422],
      fields: {
        phone_number: {
          kind: 'text',
          required: true,
          valid: fc.constantFrom(me.numbers[0] ?? '', ...FRESH_NUMBERS),
          invalid: fc.oneof(invalidPhone, nulNumber),
        },
        fcm_token: {
          kind: 'text',
          valid: content(500),
          invalid: fc.oneof(oddOver(1000), withNul(content(400))),
        },
        messages_per_minute: {
          kind: 'unsigned',
          valid: fc.integer({ min: 0, max: 60 }),
          invalid: fc.integer({ min: 61, max: 2_000_000_000 }),
        },
        messages_per_hour: {
          kind: 'unsigned',
          valid: fc.integer({ min: 0, max: 3600 }),
          invalid: fc.integer({ min: 3601, max: 2_000_000_000 }),
        },
        messages_per_day: {
          kind: 'unsigned',
          valid: fc.integer({ min: 0, max: 86_400 }),
          invalid: fc.integer({ min: 86_401, max: 2_000_000_000 }),
        },
        recipients_per_month: {
          kind: 'unsigned',
          valid: fc.integer({ min: 0, max: 100_000 }),
          invalid: fc.integer({ min: 100_001, max: 2_000_000_000 }),
        },
        max_send_attempts: {
          kind: 'unsigned',
          valid: fc.integer({ min: 0, max: 5 }),
          invalid: fc.integer({ min: 6, max: 2_000_000_000 }),
        },
        message_expiration_seconds: {
          kind: 'unsigned',
          valid: fc.integer({ min: 60, max: 3600 }),
          invalid: fc.oneof(
            fc.integer({ min: 1, max: 59 }),
            fc.integer({ min: 3601, max: 2_000_000_000 }),
          ),
        },
        missed_call_auto_reply: {
          kind: 'text',
          valid: content(500),
          invalid: fc.oneof(oddOver(2048), withNul(content(400))),
        },
        unarchive_thread: { kind: 'flag', valid: fc.boolean() },
        sim: { kind: 'text', valid: fc.constantFrom('SIM1', 'SIM2'), invalid: invalidSim },
        message_send_schedule_id: {
          kind: 'text',
          valid: fc.constant(me.scheduleId),
          invalid: fc.oneof(notUuid, fc.constant(other.scheduleId), fc.uuid({ version: 4 })),
        },
      },
    },
    'PUT /v1/message-threads/{messageThreadID}': {
      invalidStatuses: [422],
      fields: {
        is_archived: { kind: 'flag', valid: fc.boolean() },
        is_read: { kind: 'flag', valid: fc.boolean() },
      },
      wholeInvalid: fc.oneof(
        fc.constant({}),
        fc.constant({ is_archived: null, is_read: null }),
        fc.record({ archived: fc.boolean(), read: fc.boolean() }),
      ),
    },
    'PUT /v1/users/me': {
      invalidStatuses: [422],
      fields: {
        timezone: {
          kind: 'text',
          valid: fc.constantFrom('Europe/Berlin', 'UTC'),
          invalid: invalidZone,
        },
        active_phone_id: {
          kind: 'text',
          valid: fc.constant(me.phoneIds[0] ?? ''),
          invalid: fc.oneof(notUuid, fc.constantFrom(...other.phoneIds), fc.uuid({ version: 4 })),
        },
      },
    },
    'PUT /v1/users/{userID}/notifications': {
      // Booleans only: no value of the right type is invalid (wrong types are 400).
      invalidStatuses: [400],
      fields: {
        message_status_enabled: { kind: 'flag', valid: fc.boolean() },
        webhook_enabled: { kind: 'flag', valid: fc.boolean() },
        heartbeat_enabled: { kind: 'flag', valid: fc.boolean() },
        newsletter_enabled: { kind: 'flag', valid: fc.boolean() },
      },
    },
    'POST /v1/suppressions': {
      invalidStatuses: [422],
      fields: {
        contact: {
          kind: 'text',
          required: true,
          valid: contact,
          invalid: fc.oneof(
            invalidPhone,
            contact.map((c) => `${c}\u0000`),
          ),
        },
        owner: { kind: 'text', valid: mine, invalid: fc.oneof(invalidPhone, theirs, nulNumber) },
      },
    },
    'POST /v1/phone-api-keys': {
      invalidStatuses: [422],
      fields: {
        name: {
          kind: 'text',
          required: true,
          valid: content(60),
          invalid: fc.oneof(fc.constantFrom('', null), oddOver(60), withNul(content(30))),
        },
      },
    },
    ...Object.fromEntries(
      ['POST /v1/webhooks', 'PUT /v1/webhooks/{webhookID}'].map((key) => [
        key,
        {
          invalidStatuses: [422],
          fields: {
            url: {
              kind: 'text',
              required: true,
              valid: fc.constantFrom('https://hooks.example.com/in', 'hooks.example.net/x'),
              invalid: fc.oneof(
                fc.constant(''),
                invalidUrl.filter((s) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s.trim())),
                oddOver(255).map((s) => `https://example.com/${s}`),
                withNul(fc.constant('https://hooks.example.com/in')),
              ),
            },
            signing_key: {
              kind: 'text',
              valid: content(100),
              invalid: fc.oneof(oddOver(255), withNul(content(50))),
            },
            events: {
              kind: 'texts',
              required: true,
              valid: fc.subarray([...WEBHOOK_EVENTS], { minLength: 1, maxLength: 3 }),
              invalid: fc.oneof(
                fc.constant([]),
                fc
                  .tuple(fc.subarray([...WEBHOOK_EVENTS], { maxLength: 2 }), odd(0, 4))
                  .filter(([, bad]) => !(WEBHOOK_EVENTS as readonly string[]).includes(bad))
                  .map(([ok, bad]) => [...ok, bad]),
              ),
            },
            phone_numbers: {
              kind: 'texts',
              required: true,
              valid: fc.constant([me.numbers[0] ?? '']),
              invalid: fc.oneof(
                fc.constant([]),
                theirs.map((t) => [me.numbers[0] ?? '', t]),
                fc.array(invalidPhone, { minLength: 1, maxLength: 2 }),
              ),
            },
          },
        } satisfies BodySpec,
      ]),
    ),
    ...Object.fromEntries(
      ['POST /v1/send-schedules', 'PUT /v1/send-schedules/{scheduleID}'].map((key) => [
        key,
        {
          invalidStatuses: [422],
          fields: {
            name: {
              kind: 'text',
              required: true,
              valid: oddWithin(100).map((s) => `ok ${s}`.slice(0, 60)),
              invalid: fc.oneof(
                fc.constantFrom('', 'x', ' x '),
                oddOver(100),
                withNul(fc.constant('Office hours')),
              ),
            },
            timezone: {
              kind: 'text',
              required: true,
              valid: fc.constantFrom('Europe/Berlin', 'America/New_York', 'UTC'),
              invalid: invalidZone,
            },
            windows: {
              kind: 'windows',
              required: true,
              valid: fc.constant([{ day_of_week: 2, start_minute: 0, end_minute: 60 }]),
              invalid: fc.oneof(
                fc.constant([]),
                fc.constant([{}]),
                fc
                  .record({
                    day_of_week: fc.integer({ min: 7, max: 1000 }),
                    start_minute: fc.integer({ min: 0, max: 100 }),
                    end_minute: fc.integer({ min: 101, max: 200 }),
                  })
                  .map((w) => [w]),
                fc
                  .record({
                    day_of_week: fc.integer({ min: 0, max: 6 }),
                    start_minute: fc.integer({ min: 1440, max: 100_000 }),
                    end_minute: fc.integer({ min: 1, max: 1440 }),
                  })
                  .map((w) => [w]),
                fc
                  .tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 1439 }))
                  .map(([day, start]) => [
                    { day_of_week: day, start_minute: start, end_minute: start },
                  ]),
                fc.integer({ min: 0, max: 6 }).map((day) => [
                  { day_of_week: day, start_minute: 0, end_minute: 120 },
                  { day_of_week: day, start_minute: 60, end_minute: 180 },
                ]),
                fc.integer({ min: 0, max: 6 }).map((day) =>
                  Array.from({ length: 7 }, (_, i) => ({
                    day_of_week: day,
                    start_minute: i * 10,
                    end_minute: i * 10 + 5,
                  })),
                ),
              ),
            },
          },
        } satisfies BodySpec,
      ]),
    ),
    ...integrationBodySpecs(me, other),
  };
}
