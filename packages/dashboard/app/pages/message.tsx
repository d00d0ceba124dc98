/** One message: its status (updated live) and the time of each step it reached. */
import { api, type Message } from '../api.js';
import { messageIdOf } from '../events.js';
import { ErrorLine, Section, Status, when } from '../format.js';
import { useLive } from '../live.js';

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
  const m = result.data;
  return (
    <>
      <ErrorLine error={result.error} />
      {m && (
        <>
          <p class="status-line" aria-live="polite">
            Status: <Status value={m.status} />
          </p>
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
        </>
      )}
    </>
  );
}
