/**
 * Parts of the OpenAPI document that no route schema gives: the tag
 * descriptions, the readiness answer and the `servers` entry of a mount prefix.
 */

/** One description per route tag; a tag without one fails the document build. */
export const TAG_DESCRIPTIONS: Readonly<Record<string, string>> = {
  Meta: 'Health probes, this document, its reference page and the files of received MMS (no API key).',
  Messages: 'Send, list, search, get, cancel and delete messages (user keys).',
  'Phone API':
    'What the phone app calls: take messages, report their events, store received SMS, missed calls and heartbeats (phone or user keys).',
  Phones: 'Your phones, their settings and their heartbeats.',
  'Message threads': 'One thread per (your number, contact).',
  Users: 'Your account and its user API key.',
  'Phone API keys': 'Keys for phones, restricted to some numbers when you choose.',
  Webhooks: 'Where gateway events are POSTed, signed.',
  'Send schedules': 'Weekly windows in which a phone may send.',
  'Bulk messages': 'Messages queued from a CSV or XLSX file.',
  Activity: 'Counts for dashboards: messages by status and by hour, failed webhook deliveries.',
  Suppressions:
    'Contacts that opted out (an inbound STOP, or added by hand): sends to them fail with OPTED_OUT (textport only).',
  Pools:
    'Groups of your phones that send as one: a send names a pool (or none, for the default pool) and the gateway picks the phone, and moves queued messages off a phone that cannot send (textport only).',
  Discord:
    "Discord servers linked to your account (a slash command sends an SMS, incoming SMS are posted to a channel) and Discord's interactions endpoint.",
  '3CX': 'A 3CX PBX sends SMS through your phones; incoming SMS are POSTed to its webhook URL.',
  Events:
    "Your account's gateway events as a live server-sent event stream (user keys; textport only).",
  Admin:
    "The operator's routes: accounts and their keys, for any account (the admin key, `Authorization: Bearer`; served only when one is configured).",
};

const CHECK_SCHEMA = {
  type: 'object',
  properties: {
    description: { type: 'string' },
    observedUnit: { type: 'string' },
    observedValue: { type: 'number' },
    status: { type: 'string', enum: ['pass', 'warn', 'fail'] },
  },
  required: ['description', 'observedUnit', 'observedValue', 'status'],
} as const;

/** `GET /health/live` and `GET /health/ready`: the overall status and one entry per check. */
export const READINESS_SCHEMA = {
  type: 'object',
  properties: {
    status: {
      type: 'string',
      enum: ['pass', 'warn', 'fail'],
      description: '`fail` when any check fails (503), else `warn` when any warns, else `pass`.',
    },
    checks: {
      type: 'object',
      description:
        'By name: `store`, `store:migrations`, `transports`, `phones:stranded` (ready); none (live).',
      additionalProperties: CHECK_SCHEMA,
    },
  },
  required: ['status', 'checks'],
} as const;

/** The `servers` entry of an API mounted at `basePath` (`/sms`; '' at the root). */
export function serverAt(basePath: string): { url: string; description: string } {
  return basePath === ''
    ? { url: '/', description: 'The root of the host that served this document' }
    : {
        url: basePath,
        description: 'The path this API is mounted at, on the host that served this document',
      };
}
