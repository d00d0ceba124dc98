/**
 * One conversation as a chat: the messages between one of the account's numbers and a contact
 * (`GET /v1/messages`, the latest 100), oldest at the top and newest at the bottom, updating
 * live, with a reply box that sends from the thread's number to its contact.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Message } from '../api.js';
import { ErrorLine, Status, when } from '../format.js';
import { useLive } from '../live.js';
import { Link } from '../router.js';

export function ThreadPage({ owner, contact }: { owner: string; contact: string }) {
  const messages = useLive(
    async (signal) => {
      const query = `owner=${encodeURIComponent(owner)}&contact=${encodeURIComponent(contact)}`;
      const newestFirst = await api<Message[]>(`/v1/messages?${query}&limit=100`, { signal });
      return newestFirst.reverse();
    },
    [owner, contact],
    (e) => e.data.owner === owner && e.data.contact === contact,
  );
  const [reply, setReply] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const end = useRef<HTMLLIElement>(null);
  const rows = messages.data ?? [];
  const last = rows[rows.length - 1];

  useEffect(() => {
    end.current?.scrollIntoView({ block: 'nearest' });
  }, [last?.id, last?.status]);

  async function send(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api<Message>('/v1/messages/send', {
        method: 'POST',
        body: { from: owner, to: contact, content: reply },
      });
      setReply('');
      messages.reload();
    } catch (e) {
      setError(e);
    }
    setBusy(false);
  }

  return (
    <>
      <p>
        Your number {owner}. <Link to="/conversations">All conversations</Link>
      </p>
      <ErrorLine error={messages.error} />
      <ol class="chat" aria-label="Messages, oldest first">
        {rows.map((m) => {
          const outbound = m.type !== 'mobile-originated';
          return (
            <li key={m.id} class={outbound ? 'out' : 'in'} ref={m === last ? end : undefined}>
              <span class="visually-hidden">{outbound ? 'You: ' : `${contact}: `}</span>
              <span class="content">{m.content}</span>
              <span class="meta">
                <Link to={`/messages/${m.id}`}>{when(m.created_at)}</Link>{' '}
                {outbound && <Status value={m.status} />}
              </span>
            </li>
          );
        })}
      </ol>
      {messages.data && rows.length === 0 && <p>No messages yet.</p>}
      <form class="reply" onSubmit={send}>
        <label for="reply">Reply</label>
        <textarea
          id="reply"
          required
          rows={2}
          maxLength={2048}
          value={reply}
          onInput={(e) => setReply(e.currentTarget.value)}
        />
        <ErrorLine error={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Sending…' : 'Send reply'}
        </button>
      </form>
    </>
  );
}
