/**
 * Conversations: the threads of one of the account's phones (`GET /v1/message-threads`), newest
 * first, unread ones marked, the inbox or the archive; archive and unarchive
 * (`PUT /v1/message-threads/{id}`). Opening an unread thread marks it read.
 */
import { useState } from 'preact/hooks';
import { api, type Phone, type Thread } from '../api.js';
import { ErrorLine, when } from '../format.js';
import { useLive } from '../live.js';
import { Link, threadPath } from '../router.js';

export function ConversationsPage() {
  const phones = useLive((signal) => api<Phone[]>('/v1/phones?limit=100', { signal }), []);
  const [chosen, setChosen] = useState('');
  const [archived, setArchived] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const numbers = (phones.data ?? []).map((p) => p.phone_number);
  const owner = chosen || numbers[0] || '';
  const threads = useLive(
    (signal) =>
      owner
        ? api<Thread[]>(
            `/v1/message-threads?owner=${encodeURIComponent(owner)}&is_archived=${archived}&limit=100`,
            { signal },
          )
        : Promise.resolve([]),
    [owner, archived],
    (e) => e.type.startsWith('message'),
  );
  const rows = threads.data ?? [];

  async function update(thread: Thread, change: { is_archived?: boolean; is_read?: boolean }) {
    setError(null);
    try {
      await api<Thread>(`/v1/message-threads/${thread.id}`, { method: 'PUT', body: change });
    } catch (e) {
      setError(e);
    }
    threads.reload();
  }

  return (
    <>
      <div class="filters">
        <div>
          <label for="owner">Phone</label>
          <select id="owner" value={owner} onChange={(e) => setChosen(e.currentTarget.value)}>
            {numbers.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
        <label class="check">
          <input
            type="checkbox"
            checked={archived}
            onChange={(e) => setArchived(e.currentTarget.checked)}
          />
          Show archived
        </label>
      </div>
      <ErrorLine error={phones.error ?? threads.error ?? error} />
      {phones.data && numbers.length === 0 && <p>No phones yet.</p>}
      {rows.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Contact</th>
              <th scope="col">Last message</th>
              <th scope="col">Updated</th>
              <th scope="col">State</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((t) => (
              <tr key={t.id} class={t.is_read ? undefined : 'unread'}>
                <td>
                  <Link
                    to={threadPath(t.owner, t.contact)}
                    onFollow={() => {
                      if (!t.is_read) void update(t, { is_read: true });
                    }}
                  >
                    {t.contact}
                  </Link>
                </td>
                <td class="content">{t.last_message_content ?? ''}</td>
                <td>{when(t.order_timestamp)}</td>
                <td>
                  {[t.is_read ? 'read' : 'unread', t.is_archived && 'archived']
                    .filter(Boolean)
                    .join(', ')}
                </td>
                <td>
                  <button
                    type="button"
                    class="secondary"
                    aria-label={`${t.is_archived ? 'Unarchive' : 'Archive'} ${t.contact}`}
                    onClick={() => update(t, { is_archived: !t.is_archived })}
                  >
                    {t.is_archived ? 'Unarchive' : 'Archive'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {threads.data && owner && rows.length === 0 && (
        <p>{archived ? 'No archived conversations.' : 'No conversations yet.'}</p>
      )}
    </>
  );
}
