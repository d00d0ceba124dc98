/**
 * Webhook deliveries as a table, with a Redeliver button for the delivered and failed ones:
 * a webhook's log (`deliveries.tsx`) and a message's (`message.tsx`). `useDeliveryLog` keeps
 * the rows fresh while one is pending (attempts happen without a gateway event) and redelivers.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, type WebhookDelivery } from '../api.js';
import { Status, when } from '../format.js';
import { type Loaded, useLive } from '../live.js';
import { Link } from '../router.js';

const PENDING_REFRESH_MS = 2_000;

export interface DeliveryLog {
  log: Loaded<WebhookDelivery[]>;
  error: unknown;
  /** The id of the delivery last queued again. */
  queued: string | null;
  redeliver(delivery: WebhookDelivery): Promise<void>;
}

/** Loads `path` (a list of deliveries), reloads while one is pending, and redelivers. */
export function useDeliveryLog(path: string, deps: unknown[]): DeliveryLog {
  const log = useLive(
    (signal) => api<WebhookDelivery[]>(path, { signal }),
    deps,
    (e) => e.type.startsWith('message.') || e.type.startsWith('phone.'),
  );
  const [error, setError] = useState<unknown>(null);
  const [queued, setQueued] = useState<string | null>(null);
  const pending = (log.data ?? []).some((d) => d.status === 'pending');
  useEffect(() => {
    if (!pending) return;
    const timer = setTimeout(log.reload, PENDING_REFRESH_MS);
    return () => clearTimeout(timer);
  }, [log.data]);

  async function redeliver(delivery: WebhookDelivery) {
    setError(null);
    try {
      await api<WebhookDelivery>(
        `/v1/webhooks/${delivery.webhook_id}/deliveries/${delivery.id}/redeliver`,
        { method: 'POST' },
      );
      setQueued(delivery.id);
    } catch (e) {
      setError(e);
    }
    log.reload();
  }
  return { log, error, queued, redeliver };
}

export function DeliveryTable(props: {
  rows: WebhookDelivery[];
  onRedeliver: (delivery: WebhookDelivery) => void;
  /** A column linking each row to its webhook's log (on a message's page). */
  showWebhook?: boolean;
}) {
  if (props.rows.length === 0) return null;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Created</th>
          <th scope="col">Event</th>
          {props.showWebhook && <th scope="col">Webhook</th>}
          <th scope="col">Status</th>
          <th scope="col">Attempts</th>
          <th scope="col">HTTP status</th>
          <th scope="col">Last error</th>
          <th scope="col">Next attempt</th>
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((d) => (
          <tr key={d.id} data-event-id={d.event_id}>
            <td>{when(d.created_at)}</td>
            <td>
              {d.event_type}
              <br />
              <small>
                <code>{d.event_id}</code>
              </small>
            </td>
            {props.showWebhook && (
              <td>
                <Link to={`/webhooks/${d.webhook_id}`}>Log</Link>
              </td>
            )}
            <td>
              <Status value={d.status} />
            </td>
            <td>{d.attempts}</td>
            <td>{d.last_http_status ?? '—'}</td>
            <td class="content">{d.last_error ?? '—'}</td>
            <td>{d.status === 'pending' ? when(d.next_attempt_at) : '—'}</td>
            <td>
              {d.status !== 'pending' && (
                <button
                  type="button"
                  class="secondary"
                  aria-label={`Redeliver ${d.event_type} ${d.event_id}`}
                  onClick={() => props.onRedeliver(d)}
                >
                  Redeliver
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function QueuedAgain({ queued }: { queued: string | null }) {
  if (!queued) return null;
  return <p role="status">Queued again: the delivery is sent once more with the same event.</p>;
}
