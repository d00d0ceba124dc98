/** Messages: search and filter by status with `GET /v1/messages/search`, a page at a time. */
import { useState } from 'preact/hooks';
import { api, type Message } from '../api.js';
import { ErrorLine } from '../format.js';
import { useLive } from '../live.js';
import { MessageTable } from './overview.js';

const PAGE_SIZE = 20;
/** `MESSAGE_STATUSES` of @textport/core: the browser bundle takes nothing from the server packages. */
const STATUSES = [
  'pending',
  'scheduled',
  'sending',
  'sent',
  'delivered',
  'failed',
  'expired',
  'received',
  'canceled',
];

export function MessagesPage() {
  const [draft, setDraft] = useState('');
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState('');
  const [page, setPage] = useState(0);
  const params = new URLSearchParams({
    skip: String(page * PAGE_SIZE),
    limit: String(PAGE_SIZE + 1),
  });
  if (query) params.set('query', query);
  if (status) params.append('statuses', status);
  const result = useLive(
    (signal) => api<Message[]>(`/v1/messages/search?${params}`, { signal }),
    [query, status, page],
    (e) => e.type.startsWith('message.'),
  );
  const rows = (result.data ?? []).slice(0, PAGE_SIZE);
  const more = (result.data?.length ?? 0) > PAGE_SIZE;

  return (
    <>
      <search>
        <form
          class="filters"
          onSubmit={(e) => {
            e.preventDefault();
            setQuery(draft.trim());
            setPage(0);
          }}
        >
          <div>
            <label for="search">Search</label>
            <input
              id="search"
              type="search"
              maxLength={50}
              value={draft}
              onInput={(e) => setDraft(e.currentTarget.value)}
            />
          </div>
          <div>
            <label for="status">Status</label>
            <select
              id="status"
              value={status}
              onChange={(e) => {
                setStatus(e.currentTarget.value);
                setPage(0);
              }}
            >
              <option value="">Any</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <button type="submit">Search</button>
        </form>
      </search>
      <ErrorLine error={result.error} />
      <MessageTable messages={rows} />
      {result.data && rows.length === 0 && <p>No messages match.</p>}
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)}>
          Previous page
        </button>
        <span>Page {page + 1}</span>
        <button type="button" disabled={!more} onClick={() => setPage(page + 1)}>
          Next page
        </button>
      </nav>
    </>
  );
}
