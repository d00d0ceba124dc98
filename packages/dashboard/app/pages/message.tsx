/**
 * One message: its status (updated live), the time of each step it reached, attempts and failure
 * reason, the webhook deliveries of its events, and a way to cancel it while the phone has not
 * taken it.
 */
import { useState } from 'preact/hooks';
import { api, type Message } from '../api.js';
import { messageIdOf } from '../events.js';
import { ErrorLine, Section, Status, when } from '../format.js';
import { useLive } from '../live.js';
import { DeliveryTable, QueuedAgain, useDeliveryLog } from './delivery-table.js';

/** Statuses `POST /v1/messages/{id}/cancel` accepts. */
const CANCELABLE = new Set(['pending', 'scheduled']);

const STEPS: [keyof Message, string][] = [
  ['created_at', 'Created'],
  ['scheduled_send_time', 'Scheduled for'],
  ['sent_at', 'Sent'],
  ['delivered_at', 'Delivered'],
  ['received_at', 'Received'],
  ['failed_at', 'Failed'],
  ['expired_at', 'Expired'],
  ['canceled_at', 'Canceled'],
];

export function MessagePage({ id }: { id: string }) {
  const result = useLive(
    (signal) => api<Message>(`/v1/messages/${id}`, { signal }),
    [id],
    (e) => messageIdOf(e) === id,
  );
  const [cancelError, setCancelError] = useState<unknown>(null);
  const [canceling, setCanceling] = useState(false);
  const m = result.data;
  const deliveries = useDeliveryLog(`/v1/messages/${id}/deliveries?limit=100`, [id]);

  async function cancel() {
    setCanceling(true);
    setCancelError(null);
    try {
      await api<Message>(`/v1/messages/${id}/cancel`, { method: 'POST' });
    } catch (e) {
      setCancelError(e);
    }
    setCanceling(false);
    result.reload();
  }

  return (
    <>
      <ErrorLine error={result.error} />
      {m && (
        <>
          <p class="status-line" aria-live="polite">
            Status: <Status value={m.status} />
          </p>
          {CANCELABLE.has(m.status) && (
            <button type="button" class="secondary" disabled={canceling} onClick={cancel}>
              {canceling ? 'Canceling…' : 'Cancel message'}
            </button>
          )}
          <ErrorLine error={cancelError} />
          <dl class="facts">
            <dt>From</dt>
            <dd>{m.type === 'mobile-originated' ? m.contact : m.owner}</dd>
            <dt>To</dt>
            <dd>{m.type === 'mobile-originated' ? m.owner : m.contact}</dd>
            <dt>Content</dt>
            <dd class="content">{m.content}</dd>
            <dt>Attempts</dt>
            <dd>
              {m.send_attempt_count} of {m.max_send_attempts}
            </dd>
            {m.failure_reason && (
              <>
                <dt>Failure reason</dt>
                <dd>{m.failure_reason}</dd>
              </>
            )}
          </dl>
          <Section title="Timeline">
            <ol class="timeline">
              {STEPS.filter(([field]) => m[field]).map(([field, label]) => (
                <li key={field}>
                  {label}: <time dateTime={String(m[field])}>{when(String(m[field]))}</time>
                </li>
              ))}
            </ol>
          </Section>
          <Section title="Webhook deliveries">
            <ErrorLine error={deliveries.log.error ?? deliveries.error} />
            <QueuedAgain queued={deliveries.queued} />
            <DeliveryTable
              rows={deliveries.log.data ?? []}
              onRedeliver={deliveries.redeliver}
              showWebhook
            />
            {deliveries.log.data?.length === 0 && <p>No webhook deliveries for this message.</p>}
          </Section>
        </>
      )}
    </>
  );
}
