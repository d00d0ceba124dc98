/** Sign in with an API key: checked with `GET /v1/users/me`, then kept in sessionStorage. */
import { useState } from 'preact/hooks';
import { ApiError, api, type User } from '../api.js';
import { ErrorLine } from '../format.js';

export function SignInPage({ onSignedIn }: { onSignedIn(key: string): void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api<User>('/v1/users/me', { key: key.trim() });
      onSignedIn(key.trim());
    } catch (e) {
      setError(
        e instanceof ApiError && e.status === 401 ? new Error('That API key does not work.') : e,
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card" onSubmit={submit}>
      <h1>Sign in to textport</h1>
      <p>
        Use your API key (it starts with <code>uk_</code>). It is kept in this tab only and
        forgotten when the tab closes.
      </p>
      <label for="api-key">API key</label>
      <input
        id="api-key"
        type="password"
        autoComplete="off"
        required
        value={key}
        onInput={(e) => setKey(e.currentTarget.value)}
      />
      <ErrorLine error={error} />
      <button type="submit" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
