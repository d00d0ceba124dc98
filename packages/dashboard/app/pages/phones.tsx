/**
 * Phones: the account's phones, online or offline by their latest heartbeat (as the overview),
 * battery when reported, the transports that reach them (`GET /v1/phones/reach`), their pacing,
 * caps with the budget left, send schedule, pool, attempts and expiry, and a form that changes
 * those (`PUT /v1/phones`; a 422 shows each field's message beside the field); then the pools.
 */
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { api, type Phone, type PhoneReach, type Pool, type SendSchedule } from '../api.js';
import { ErrorLine, FieldError, fieldErrorsOf, Section, when } from '../format.js';
import { useLive } from '../live.js';
import { loadPhones, online, type PhoneRow } from './overview.js';
import { PoolsSection } from './pools.js';

const SETTINGS = [
  {
    field: 'messages_per_minute',
    label: 'Messages per minute (1–60)',
    of: (p: Phone) => p.messages_per_minute,
  },
  {
    field: 'messages_per_hour',
    label: 'SMS segments per hour (0–3600; 0 = no cap)',
    of: (p: Phone) => p.messages_per_hour,
  },
  {
    field: 'messages_per_day',
    label: 'SMS segments per day (0–86400; 0 = no cap)',
    of: (p: Phone) => p.messages_per_day,
  },
  {
    field: 'recipients_per_month',
    label: 'New contacts per month (0–100000; 0 = no cap)',
    of: (p: Phone) => p.recipients_per_month,
  },
  {
    field: 'max_send_attempts',
    label: 'Max send attempts (1–5)',
    of: (p: Phone) => p.max_send_attempts,
  },
  {
    field: 'message_expiration_seconds',
    label: 'Message expiry in seconds (60–3600; 0 restores the default)',
    of: (p: Phone) => p.message_expiration_seconds,
  },
] as const;

type Field = (typeof SETTINGS)[number]['field'];

/** The phone's caps with what the current windows have left, e.g. "28 of 30 / h"; "none" without. */
function caps(p: Phone): string {
  const part = (cap: number, left: number | null, unit: string) =>
    cap === 0 ? [] : [`${left ?? cap} of ${cap} / ${unit}`];
  const parts = [
    ...part(p.messages_per_hour, p.hourly_remaining, 'h'),
    ...part(p.messages_per_day, p.daily_remaining, 'day'),
    ...part(p.recipients_per_month, p.monthly_recipients_remaining, 'month (new contacts)'),
  ];
  return parts.length > 0 ? parts.join(', ') : 'none';
}

function PhoneForm(props: {
  phone: Phone;
  schedules: SendSchedule[];
  onSaved: () => void;
  onCancel: () => void;
}) {
  const { phone } = props;
  const [schedule, setSchedule] = useState(phone.message_send_schedule_id ?? '');
  const [values, setValues] = useState<Record<Field, string>>(
    Object.fromEntries(SETTINGS.map((s) => [s.field, String(s.of(phone))])) as Record<
      Field,
      string
    >,
  );
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const fields = fieldErrorsOf(error);

  async function submit(event: Event) {
    event.preventDefault();
    setError(null);
    setSaved(false);
    const body: Record<string, unknown> = {
      phone_number: phone.phone_number,
      message_send_schedule_id: schedule === '' ? null : schedule,
    };
    for (const { field } of SETTINGS) {
      const text = values[field].trim();
      if (text !== '') body[field] = /^\d+$/.test(text) ? Number(text) : text;
    }
    try {
      await api<Phone>('/v1/phones', { method: 'PUT', body });
      setSaved(true);
      props.onSaved();
    } catch (e) {
      setError(e);
    }
  }

  return (
    <form class="card form" onSubmit={submit} aria-labelledby="phone-form-title">
      <h3 id="phone-form-title">Settings of {phone.phone_number}</h3>
      {SETTINGS.map(({ field, label }) => (
        <Fragment key={field}>
          <label for={`phone-${field}`}>{label}</label>
          <input
            id={`phone-${field}`}
            inputMode="numeric"
            value={values[field]}
            aria-invalid={fields[field] ? true : undefined}
            aria-describedby={fields[field] ? `phone-${field}-error` : undefined}
            onInput={(e) => setValues({ ...values, [field]: e.currentTarget.value })}
          />
          <FieldError id={`phone-${field}-error`} messages={fields[field]} />
        </Fragment>
      ))}
      <label for="phone-schedule">Send schedule</label>
      <select
        id="phone-schedule"
        value={schedule}
        aria-invalid={fields.message_send_schedule_id ? true : undefined}
        aria-describedby={fields.message_send_schedule_id ? 'phone-schedule-error' : undefined}
        onChange={(e) => setSchedule(e.currentTarget.value)}
      >
        <option value="">Any time</option>
        {props.schedules.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name} ({s.timezone})
          </option>
        ))}
      </select>
      <FieldError id="phone-schedule-error" messages={fields.message_send_schedule_id} />
      {Object.keys(fields).length === 0 && <ErrorLine error={error} />}
      {saved && <p role="status">Saved.</p>}
      <div class="actions">
        <button type="submit">Save settings</button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          Close
        </button>
      </div>
    </form>
  );
}

function battery(row: PhoneRow): string {
  if (row.last?.battery_level == null) return '—';
  return `${row.last.battery_level}%${row.last.charging ? ' (charging)' : ''}`;
}

export function PhonesPage() {
  const phones = useLive(loadPhones, [], (e) => e.type.startsWith('phone.'));
  const reach = useLive(
    (signal) => api<PhoneReach[]>('/v1/phones/reach', { signal }),
    [],
    (e) => e.type.startsWith('phone.'),
  );
  const schedules = useLive(
    (signal) => api<SendSchedule[]>('/v1/send-schedules', { signal }),
    [],
    () => false,
  );
  const pools = useLive(
    (signal) => api<Pool[]>('/v1/pools', { signal }),
    [],
    () => false,
  );
  const poolName = (phone: Phone) =>
    phone.pool_id === null ? '—' : (pools.data?.find((p) => p.id === phone.pool_id)?.name ?? '—');
  const transportsOf = (phone: Phone) =>
    reach.data?.find((r) => r.phone_id === phone.id)?.transports ?? [];
  const scheduleName = (phone: Phone) =>
    phone.message_send_schedule_id === null
      ? 'any time'
      : (schedules.data?.find((s) => s.id === phone.message_send_schedule_id)?.name ?? '—');
  const [editing, setEditing] = useState<string | null>(null);
  const rows = phones.data ?? [];
  const chosen = rows.find((r) => r.phone.id === editing)?.phone ?? null;

  return (
    <>
      <Section title="Your phones">
        <ErrorLine error={phones.error ?? reach.error ?? schedules.error} />
        {rows.length > 0 && (
          <table>
            <thead>
              <tr>
                <th scope="col">Number</th>
                <th scope="col">State</th>
                <th scope="col">Last seen</th>
                <th scope="col">Battery</th>
                <th scope="col">Transport</th>
                <th scope="col">Pacing</th>
                <th scope="col">Sends</th>
                <th scope="col">Pool</th>
                <th scope="col">Caps (left)</th>
                <th scope="col">Max attempts</th>
                <th scope="col">Expiry</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.phone.id}>
                  <td>{row.phone.phone_number}</td>
                  <td>{online(row) ? 'online' : 'offline'}</td>
                  <td>{when(row.last?.timestamp)}</td>
                  <td>{battery(row)}</td>
                  <td>{transportsOf(row.phone).join(', ') || 'none here'}</td>
                  <td>{row.phone.messages_per_minute} / min</td>
                  <td>{scheduleName(row.phone)}</td>
                  <td>{poolName(row.phone)}</td>
                  <td>{caps(row.phone)}</td>
                  <td>{row.phone.max_send_attempts}</td>
                  <td>{row.phone.message_expiration_seconds} s</td>
                  <td>
                    <button
                      type="button"
                      class="secondary"
                      aria-label={`Edit ${row.phone.phone_number}`}
                      onClick={() => setEditing(row.phone.id)}
                    >
                      Edit
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {phones.data && rows.length === 0 && <p>No phones yet.</p>}
      </Section>
      {chosen && (
        <PhoneForm
          key={chosen.id}
          phone={chosen}
          schedules={schedules.data ?? []}
          onSaved={phones.reload}
          onCancel={() => setEditing(null)}
        />
      )}
      <PoolsSection
        pools={pools.data ?? []}
        phones={rows.map((r) => r.phone)}
        error={pools.error}
        reload={() => {
          pools.reload();
          phones.reload();
        }}
      />
    </>
  );
}
