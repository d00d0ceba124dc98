/** Send one message from one of the account's phones, now or at a chosen time. */
import { useState } from 'preact/hooks';
import { api, type Message, type Phone } from '../api.js';
import { ErrorLine } from '../format.js';
import { useLive } from '../live.js';
import { Link, navigate } from '../router.js';

export function SendPage() {
  const phones = useLive((signal) => api<Phone[]>('/v1/phones?limit=100', { signal }), []);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [content, setContent] = useState('');
  const [sendAt, setSendAt] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const numbers = (phones.data ?? []).map((p) => p.phone_number);
  const sender = from || numbers[0] || '';

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const message = await api<Message>('/v1/messages/send', {
        method: 'POST',
        body: {
          from: sender,
          to: to.trim(),
          content,
          ...(sendAt ? { send_at: new Date(sendAt).toISOString() } : {}),
        },
      });
      navigate(`/messages/${message.id}`);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }

  return (
    <form class="card form" onSubmit={submit}>
      <p>
        Many messages at once? <Link to="/send/bulk">Upload a CSV or XLSX file</Link>.
      </p>
      <ErrorLine error={phones.error} />
      <label for="from">From (your phone)</label>
      <select id="from" required value={sender} onChange={(e) => setFrom(e.currentTarget.value)}>
        {numbers.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
      <label for="to">To</label>
      <input
        id="to"
        type="tel"
        required
        placeholder="+18005550100"
        value={to}
        onInput={(e) => setTo(e.currentTarget.value)}
      />
      <label for="content">Message</label>
      <textarea
        id="content"
        required
        rows={4}
        maxLength={2048}
        value={content}
        onInput={(e) => setContent(e.currentTarget.value)}
      />
      <label for="send-at">Send at (optional, your local time)</label>
      <input
        id="send-at"
        type="datetime-local"
        value={sendAt}
        onInput={(e) => setSendAt(e.currentTarget.value)}
      />
      <ErrorLine error={error} />
      <button type="submit" disabled={busy || numbers.length === 0}>
        {busy ? 'Sending…' : 'Send'}
      </button>
    </form>
  );
}
