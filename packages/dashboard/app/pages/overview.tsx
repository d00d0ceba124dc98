/**
 * Overview: messages by status and per hour, failed webhook deliveries, the phones (online or
 * offline by their last heartbeat) and the latest messages.
 */
import { api, type Heartbeat, type Message, type Phone } from '../api.js';
import { ErrorLine, Section, Status, when } from '../format.js';
import { useLive } from '../live.js';
import { Link } from '../router.js';
import { ActivitySection } from './activity.js';

/** httpSMS's rule: a phone without a heartbeat for 64 minutes is offline. */
const OFFLINE_AFTER_MS = 64 * 60_000;

export interface PhoneRow {
  phone: Phone;
  last: Heartbeat | null;
}

export async function loadPhones(signal: AbortSignal): Promise<PhoneRow[]> {
  const phones = await api<Phone[]>('/v1/phones?limit=100', { signal });
  return Promise.all(
    phones.map(async (phone) => {
      const owner = encodeURIComponent(phone.phone_number);
      const beats = await api<Heartbeat[]>(`/v1/heartbeats?owner=${owner}&limit=1`, { signal });
      return { phone, last: beats[0] ?? null };
    }),
  );
}

export function online(row: PhoneRow): boolean {
  return row.last !== null && Date.now() - Date.parse(row.last.timestamp) < OFFLINE_AFTER_MS;
}

export function OverviewPage() {
  const phones = useLive(loadPhones, [], (e) => e.type.startsWith('phone.'));
  const recent = useLive(
    (signal) => api<Message[]>('/v1/messages/search?limit=10', { signal }),
    [],
    (e) => e.type.startsWith('message.'),
  );
  const rows = phones.data ?? [];
  const up = rows.filter(online).length;

  return (
    <>
      <ActivitySection />
      <Section title="Phones">
        <ErrorLine error={phones.error} />
        {phones.data && (
          <p class="summary">
            <strong>{up}</strong> online, <strong>{rows.length - up}</strong> offline
          </p>
        )}
        {rows.length > 0 && (
          <table>
            <thead>
              <tr>
                <th scope="col">Number</th>
                <th scope="col">State</th>
                <th scope="col">Last heartbeat</th>
                <th scope="col">Battery</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.phone.id}>
                  <td>{row.phone.phone_number}</td>
                  <td>{online(row) ? 'online' : 'offline'}</td>
                  <td>{when(row.last?.timestamp)}</td>
                  <td>
                    {row.last?.battery_level == null
                      ? '—'
                      : `${row.last.battery_level}%${row.last.charging ? ' (charging)' : ''}`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {phones.data && rows.length === 0 && <p>No phones yet.</p>}
      </Section>
      <Section title="Recent messages">
        <ErrorLine error={recent.error} />
        <MessageTable messages={recent.data ?? []} />
        {recent.data?.length === 0 && <p>No messages yet.</p>}
      </Section>
    </>
  );
}

export function MessageTable({ messages }: { messages: Message[] }) {
  if (messages.length === 0) return null;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Created</th>
          <th scope="col">From</th>
          <th scope="col">To</th>
          <th scope="col">Content</th>
          <th scope="col">Status</th>
        </tr>
      </thead>
      <tbody>
        {messages.map((m) => {
          const outbound = m.type !== 'mobile-originated';
          return (
            <tr key={m.id}>
              <td>
                <Link to={`/messages/${m.id}`}>{when(m.created_at)}</Link>
              </td>
              <td>{outbound ? m.owner : m.contact}</td>
              <td>{outbound ? m.contact : m.owner}</td>
              <td class="content">{m.content}</td>
              <td>
                <Status value={m.status} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
