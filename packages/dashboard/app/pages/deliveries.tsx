/**
 * A webhook's delivery log (`GET /v1/webhooks/{id}/deliveries`), newest first, 20 a page, with
 * redelivery of a delivered or failed one. Deliveries change without a gateway event (the
 * worker's attempts), so the page looks again every few seconds while one in view is pending.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, type Webhook, type WebhookDelivery } from '../api.js';
import { ErrorLine, Section, Status, when } from '../format.js';
import { useLive } from '../live.js';
import { Link } from '../router.js';

const PAGE = 20;
const PENDING_REFRESH_MS = 2_000;

export function DeliveriesPage({ id }: { id: string }) {
  const [skip, setSkip] = useState(0);
  const hook = useLive(
    async (signal) =>
      (await api<Webhook[]>('/v1/webhooks?limit=1000', { signal })).find((h) => h.id === id) ??
      null,
    [id],
    () => false,
  );
  const log = useLive(
    (signal) =>
      api<WebhookDelivery[]>(`/v1/webhooks/${id}/deliveries?skip=${skip}&limit=${PAGE}`, {
        signal,
      }),
    [id, skip],
    (e) => e.type.startsWith('message.') || e.type.startsWith('phone.'),
  );
  const [error, setError] = useState<unknown>(null);
  const [queued, setQueued] = useState<string | null>(null);
  const rows = log.data ?? [];
  const pending = rows.some((d) => d.status === 'pending');

  useEffect(() => {
    if (!pending) return;
    const timer = setTimeout(log.reload, PENDING_REFRESH_MS);
    return () => clearTimeout(timer);
  }, [log.data]);

  async function redeliver(delivery: WebhookDelivery) {
    setError(null);
    try {
      await api<WebhookDelivery>(`/v1/webhooks/${id}/deliveries/${delivery.id}/redeliver`, {
        method: 'POST',
      });
      setQueued(delivery.id);
    } catch (e) {
      setError(e);
    }
    log.reload();
  }

  return (
    <>
      <p>
        <Link to="/webhooks">All webhooks</Link>
      </p>
      {hook.data && (
        <p>
          Events POSTed to <code>{hook.data.url}</code>: {hook.data.events.join(', ')}.
        </p>
      )}
      <Section title="Deliveries">
        <ErrorLine error={log.error ?? hook.error ?? error} />
        {queued && (
          <p role="status">Queued again: the delivery is sent once more with the same event.</p>
        )}
        {rows.length > 0 && (
          <table>
            <thead>
              <tr>
                <th scope="col">Created</th>
                <th scope="col">Event</th>
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
              {rows.map((d) => (
                <tr key={d.id} data-event-id={d.event_id}>
                  <td>{when(d.created_at)}</td>
                  <td>
                    {d.event_type}
                    <br />
                    <small>
                      <code>{d.event_id}</code>
                    </small>
                  </td>
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
                        onClick={() => redeliver(d)}
                      >
                        Redeliver
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {log.data && rows.length === 0 && (
          <p>{skip === 0 ? 'No deliveries yet.' : 'No more deliveries.'}</p>
        )}
        {(skip > 0 || rows.length === PAGE) && (
          <nav class="pager" aria-label="Pages of deliveries">
            <button
              type="button"
              class="secondary"
              disabled={skip === 0}
              onClick={() => setSkip(Math.max(0, skip - PAGE))}
            >
              Newer
            </button>
            <button
              type="button"
              class="secondary"
              disabled={rows.length < PAGE}
              onClick={() => setSkip(skip + PAGE)}
            >
              Older
            </button>
          </nav>
        )}
      </Section>
    </>
  );
}
