/**
 * API keys: the account's user key (masked; rotate it: `DELETE /v1/users/{id}/api-keys`) and its
 * phone API keys (list, create, delete). A full key is shown once, in the answer that makes it:
 * keys are stored hashed. Rotating hands the new key to the app so this tab stays signed in.
 */
import { useState } from 'preact/hooks';
import { api, type PhoneApiKey, type User } from '../api.js';
import { ErrorLine, Section, when } from '../format.js';
import { useLive } from '../live.js';

function NewKey(props: { label: string; value: string; note: string }) {
  return (
    <div class="new-key" role="status">
      <p>
        <strong>{props.label}</strong> <code>{props.value}</code>
      </p>
      <p>{props.note}</p>
    </div>
  );
}

function UserKey({ onKeyChanged }: { onKeyChanged: (key: string) => void }) {
  const me = useLive((signal) => api<User>('/v1/users/me', { signal }), []);
  const [confirming, setConfirming] = useState(false);
  const [rotated, setRotated] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function rotate(user: User) {
    setError(null);
    try {
      const next = await api<User>(`/v1/users/${user.id}/api-keys`, { method: 'DELETE' });
      setRotated(next.api_key);
      onKeyChanged(next.api_key);
    } catch (e) {
      setError(e);
    }
    setConfirming(false);
    me.reload();
  }

  return (
    <Section title="Your API key">
      <ErrorLine error={me.error ?? error} />
      {me.data && (
        <>
          <p>
            {me.data.email && `Account ${me.data.email}. `}Current key (masked):{' '}
            <code>{me.data.api_key}</code>
          </p>
          {rotated && (
            <NewKey
              label="New API key:"
              value={rotated}
              note="Copy it now: it is not shown again. The old key has stopped working; this tab already uses the new one."
            />
          )}
          {confirming ? (
            <fieldset class="confirm">
              <legend>Rotate the API key?</legend>
              <p>The old key stops working at once, for every client that uses it.</p>
              <button type="button" onClick={() => me.data && rotate(me.data)}>
                Rotate now
              </button>
              <button type="button" class="secondary" onClick={() => setConfirming(false)}>
                Keep the current key
              </button>
            </fieldset>
          ) : (
            <button type="button" onClick={() => setConfirming(true)}>
              Rotate key
            </button>
          )}
        </>
      )}
    </Section>
  );
}

function numbersOf(text: string): string[] {
  return text.split(/[\s,;]+/).filter(Boolean);
}

function PhoneKeys() {
  const keys = useLive(
    (signal) => api<PhoneApiKey[]>('/v1/phone-api-keys?limit=100', { signal }),
    [],
  );
  const [name, setName] = useState('');
  const [numbers, setNumbers] = useState('');
  const [created, setCreated] = useState<PhoneApiKey | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const rows = keys.data ?? [];

  async function create(event: Event) {
    event.preventDefault();
    setError(null);
    const list = numbersOf(numbers);
    try {
      const key = await api<PhoneApiKey>('/v1/phone-api-keys', {
        method: 'POST',
        body: { name: name.trim(), ...(list.length ? { phone_numbers: list } : {}) },
      });
      setCreated(key);
      setName('');
      setNumbers('');
    } catch (e) {
      setError(e);
    }
    keys.reload();
  }

  async function remove(key: PhoneApiKey) {
    setError(null);
    try {
      await api<null>(`/v1/phone-api-keys/${key.id}`, { method: 'DELETE' });
      if (created?.id === key.id) setCreated(null);
    } catch (e) {
      setError(e);
    }
    setDeleting(null);
    keys.reload();
  }

  return (
    <Section title="Phone API keys">
      <p>The keys your Android phones sign in with.</p>
      <ErrorLine error={keys.error ?? error} />
      {created && (
        <NewKey
          label={`New phone API key "${created.name}":`}
          value={created.api_key}
          note="Copy it now: it is not shown again."
        />
      )}
      {rows.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Key</th>
              <th scope="col">May sign in for</th>
              <th scope="col">Phones using it</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td>
                  <code>{k.api_key}</code>
                </td>
                <td>{k.allowed_phone_numbers?.join(', ') ?? 'any number of the account'}</td>
                <td>{k.phone_numbers.join(', ') || '—'}</td>
                <td>{when(k.created_at)}</td>
                <td>
                  {deleting === k.id ? (
                    <fieldset class="confirm">
                      <legend>Delete {k.name}? Phones using it can no longer sign in.</legend>
                      <button type="button" onClick={() => remove(k)}>
                        Delete {k.name}
                      </button>
                      <button type="button" class="secondary" onClick={() => setDeleting(null)}>
                        Keep it
                      </button>
                    </fieldset>
                  ) : (
                    <button
                      type="button"
                      class="secondary"
                      aria-label={`Delete ${k.name}…`}
                      onClick={() => setDeleting(k.id)}
                    >
                      Delete…
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {keys.data && rows.length === 0 && <p>No phone API keys.</p>}
      <form class="card form" onSubmit={create}>
        <h3>New phone API key</h3>
        <label for="key-name">Name</label>
        <input
          id="key-name"
          required
          maxLength={60}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <label for="key-numbers">Numbers it may sign in for (optional, comma-separated)</label>
        <input
          id="key-numbers"
          placeholder="+18005550100, +18005550101"
          value={numbers}
          onInput={(e) => setNumbers(e.currentTarget.value)}
        />
        <button type="submit">Create key</button>
      </form>
    </Section>
  );
}

export function KeysPage({ onKeyChanged }: { onKeyChanged: (key: string) => void }) {
  return (
    <>
      <UserKey onKeyChanged={onKeyChanged} />
      <PhoneKeys />
    </>
  );
}
