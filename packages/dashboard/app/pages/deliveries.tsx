/**
 * A webhook's delivery log (`GET /v1/webhooks/{id}/deliveries`), newest first, 20 a page, with
 * redelivery of a delivered or failed one. Deliveries change without a gateway event (the
 * worker's attempts), so the page looks again every few seconds while one in view is pending.
 */
import { useState } from 'preact/hooks';
import { api, type Webhook } from '../api.js';
import { ErrorLine, Section } from '../format.js';
import { useLive } from '../live.js';
import { Link } from '../router.js';
import { DeliveryTable, QueuedAgain, useDeliveryLog } from './delivery-table.js';

const PAGE = 20;

export function DeliveriesPage({ id }: { id: string }) {
  const [skip, setSkip] = useState(0);
  const hook = useLive(
    async (signal) =>
      (await api<Webhook[]>('/v1/webhooks?limit=1000', { signal })).find((h) => h.id === id) ??
      null,
    [id],
    () => false,
  );
  const { log, error, queued, redeliver } = useDeliveryLog(
    `/v1/webhooks/${id}/deliveries?skip=${skip}&limit=${PAGE}`,
    [id, skip],
  );
  const rows = log.data ?? [];

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
        <QueuedAgain queued={queued} />
        <DeliveryTable rows={rows} onRedeliver={redeliver} />
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
