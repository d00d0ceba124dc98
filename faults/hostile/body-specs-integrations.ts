/** The body specs of the integration routes (Discord, 3CX) and of pools, per acting account. */
import fc from 'fast-check';
import type { BodySpec } from './body-specs.js';
import {
  invalidContact,
  invalidPhone,
  invalidUrl,
  notUuid,
  oddOver,
  oddWithin,
  withNul,
} from './values.js';
import { CONTACTS, type Side } from './world.js';

const snowflake = fc.bigInt({ min: 10n ** 17n, max: 10n ** 19n }).map(String);
const notSnowflake = fc.oneof(
  fc.constantFrom('', 'abc', '12a', '-1', '1.5', ' '),
  oddWithin(20).filter((s) => !/^\s*[0-9]+\s*$/.test(s)),
  withNul(snowflake),
);

export function integrationBodySpecs(me: Side, other: Side): Record<string, BodySpec> {
  const discord: BodySpec = {
    invalidStatuses: [422],
    fields: {
      name: {
        kind: 'text',
        required: true,
        valid: fc.constantFrom('Game Server', 'Ops', 'Équipe'),
        invalid: fc.oneof(fc.constantFrom('', '   '), oddOver(255), withNul(fc.constant('Ops'))),
      },
      server_id: { kind: 'text', required: true, valid: snowflake, invalid: notSnowflake },
      incoming_channel_id: {
        kind: 'text',
        required: true,
        valid: snowflake,
        invalid: notSnowflake,
      },
    },
  };
  return {
    'POST /v1/suppressions': {
      invalidStatuses: [422],
      fields: {
        contact: {
          kind: 'text',
          required: true,
          valid: fc.constantFrom(...CONTACTS),
          invalid: invalidContact,
        },
        // '' and null mean every number of the account: valid.
        owner: {
          kind: 'text',
          valid: fc.constantFrom(me.numbers[0] ?? '', ''),
          invalid: invalidPhone.filter((s) => s !== ''),
        },
      },
    },
    'POST /v1/discord-integrations': discord,
    'PUT /v1/discord-integrations/{discordID}': discord,
    'PUT /v1/integration/3cx': {
      invalidStatuses: [422],
      fields: {
        webhook_url: {
          kind: 'text',
          required: true,
          valid: fc.constantFrom('https://org.3cx.example.com/sms/generic/1'),
          invalid: fc.oneof(
            fc.constant(''),
            invalidUrl,
            oddOver(1024).map((s) => `https://example.com/${s}`),
            withNul(fc.constant('https://org.3cx.example.com/sms')),
          ),
        },
      },
    },
    'POST /v1/integration/3cx/messages': {
      invalidStatuses: [422],
      fields: {
        from: {
          kind: 'text',
          required: true,
          valid: fc.constant(me.numbers[0] ?? ''),
          invalid: fc.oneof(invalidPhone, fc.constantFrom(...other.numbers)),
        },
        to: {
          kind: 'text',
          required: true,
          valid: fc.constantFrom(...CONTACTS),
          invalid: invalidContact,
        },
        text: {
          kind: 'text',
          required: true,
          valid: oddWithin(2048),
          invalid: fc.oneof(fc.constant(''), oddOver(2048), withNul(oddWithin(1000))),
        },
      },
    },
    'POST /v1/pools': pool(me, other),
    'PUT /v1/pools/{poolID}': pool(me, other),
  };
}

/** A pool: its members must be the account's own phones. */
function pool(me: Side, other: Side): BodySpec {
  return {
    invalidStatuses: [422],
    fields: {
      name: {
        kind: 'text',
        required: true,
        valid: fc.constantFrom('Senders', 'Support', 'Équipe'),
        invalid: fc.oneof(fc.constantFrom('', '   '), oddOver(100)),
      },
      phone_ids: {
        kind: 'texts',
        required: true,
        valid: fc.subarray(me.phoneIds),
        invalid: fc.oneof(
          notUuid.map((id) => [id]),
          fc.constantFrom(...other.phoneIds).map((id) => [id]),
        ),
      },
      is_default: { kind: 'flag', valid: fc.boolean() },
    },
  };
}
