/**
 * Messages: search, and filter by status, phone and date (the latest activity, in the browser's
 * time zone) with `GET /v1/messages/search`, a page at a time.
 */
import { useState } from 'preact/hooks';
import { api, type Message, type Phone } from '../api.js';
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

/** The start of a `YYYY-MM-DD` day in the browser's time zone, `days` later, as RFC 3339. */
function dayStart(day: string, days = 0): string {
  const start = new Date(`${day}T00:00:00`);
  start.setDate(start.getDate() + days);
  return start.toISOString();
}

interface Filters {
  status: string;
  owner: string;
  /** `YYYY-MM-DD`, both days included; '' for no bound. */
  from: string;
  to: string;
}

export function MessagesPage() {
  const [draft, setDraft] = useState('');
  const [query, setQuery] = useState('');
  const [filters, setFilters] = useState<Filters>({ status: '', owner: '', from: '', to: '' });
  const [page, setPage] = useState(0);
  const phones = useLive((signal) => api<Phone[]>('/v1/phones?limit=100', { signal }), []);
  const params = new URLSearchParams({
    skip: String(page * PAGE_SIZE),
    limit: String(PAGE_SIZE + 1),
  });
  if (query) params.set('query', query);
  if (filters.status) params.append('statuses', filters.status);
  if (filters.owner) params.append('owners', filters.owner);
  if (filters.from) params.set('after', dayStart(filters.from));
  if (filters.to) params.set('before', dayStart(filters.to, 1));
  const result = useLive(
    (signal) => api<Message[]>(`/v1/messages/search?${params}`, { signal }),
    [query, filters, page],
    (e) => e.type.startsWith('message.'),
  );
  const filter = (field: keyof Filters) => (e: { currentTarget: { value: string } }) => {
    setFilters({ ...filters, [field]: e.currentTarget.value });
    setPage(0);
  };
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
            <select id="status" value={filters.status} onChange={filter('status')}>
              <option value="">Any</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="owner">Phone</label>
            <select id="owner" value={filters.owner} onChange={filter('owner')}>
              <option value="">Any</option>
              {(phones.data ?? []).map((p) => (
                <option key={p.id} value={p.phone_number}>
                  {p.phone_number}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="from">From day</label>
            <input id="from" type="date" value={filters.from} onChange={filter('from')} />
          </div>
          <div>
            <label for="to">To day</label>
            <input id="to" type="date" value={filters.to} onChange={filter('to')} />
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
