/**
 * Webhooks: the account's webhooks (list, create, edit, delete) and a link to each one's
 * delivery log. Events come from the allow-list; numbers from the account's phones.
 */
import { useState } from 'preact/hooks';
import { api, type Phone, WEBHOOK_EVENTS, type Webhook } from '../api.js';
import { ErrorLine, FieldError, fieldErrorsOf, Section, when } from '../format.js';
import { useLive } from '../live.js';
import { Link } from '../router.js';

interface Draft {
  url: string;
  signingKey: string;
  events: string[];
  phoneNumbers: string[];
}

const EMPTY: Draft = { url: '', signingKey: '', events: [], phoneNumbers: [] };

function toggled(list: string[], value: string, on: boolean): string[] {
  return on ? [...new Set([...list, value])] : list.filter((v) => v !== value);
}

function WebhookForm(props: {
  editing: Webhook | null;
  phones: string[];
  onSaved: () => void;
  onCancel: () => void;
}) {
  const { editing } = props;
  const [draft, setDraft] = useState<Draft>(
    editing
      ? {
          url: editing.url,
          signingKey: editing.signing_key ?? '',
          events: editing.events,
          phoneNumbers: editing.phone_numbers,
        }
      : EMPTY,
  );
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const fields = fieldErrorsOf(error);
  const numbers = [...new Set([...props.phones, ...draft.phoneNumbers])];

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api<Webhook>(editing ? `/v1/webhooks/${editing.id}` : '/v1/webhooks', {
        method: editing ? 'PUT' : 'POST',
        body: {
          url: draft.url.trim(),
          signing_key: draft.signingKey.trim() || null,
          events: draft.events,
          phone_numbers: draft.phoneNumbers,
        },
      });
      setDraft(EMPTY);
      props.onSaved();
    } catch (e) {
      setError(e);
    }
    setBusy(false);
  }

  const described = (field: string) => (fields[field] ? `webhook-${field}-error` : undefined);
  return (
    <form class="card form" onSubmit={submit} aria-labelledby="webhook-form-title">
      <h3 id="webhook-form-title">{editing ? `Edit webhook ${editing.url}` : 'New webhook'}</h3>
      <label for="webhook-url">URL</label>
      <input
        id="webhook-url"
        type="url"
        required
        maxLength={255}
        placeholder="https://example.com/textport-events"
        value={draft.url}
        aria-invalid={fields.url ? true : undefined}
        aria-describedby={described('url')}
        onInput={(e) => setDraft({ ...draft, url: e.currentTarget.value })}
      />
      <FieldError id="webhook-url-error" messages={fields.url} />
      <label for="webhook-key">Signing key (optional)</label>
      <input
        id="webhook-key"
        maxLength={255}
        autoComplete="off"
        value={draft.signingKey}
        aria-invalid={fields.signing_key ? true : undefined}
        aria-describedby={described('signing_key')}
        onInput={(e) => setDraft({ ...draft, signingKey: e.currentTarget.value })}
      />
      <FieldError id="webhook-signing_key-error" messages={fields.signing_key} />
      <fieldset class="choices" aria-describedby={described('events')}>
        <legend>Events</legend>
        {WEBHOOK_EVENTS.map((type) => (
          <label class="check" key={type}>
            <input
              type="checkbox"
              checked={draft.events.includes(type)}
              onChange={(e) =>
                setDraft({ ...draft, events: toggled(draft.events, type, e.currentTarget.checked) })
              }
            />
            {type}
          </label>
        ))}
      </fieldset>
      <FieldError id="webhook-events-error" messages={fields.events} />
      <fieldset class="choices" aria-describedby={described('phone_numbers')}>
        <legend>Phone numbers</legend>
        {numbers.length === 0 && <p>No phones yet.</p>}
        {numbers.map((number) => (
          <label class="check" key={number}>
            <input
              type="checkbox"
              checked={draft.phoneNumbers.includes(number)}
              onChange={(e) =>
                setDraft({
                  ...draft,
                  phoneNumbers: toggled(draft.phoneNumbers, number, e.currentTarget.checked),
                })
              }
            />
            {number}
          </label>
        ))}
      </fieldset>
      <FieldError id="webhook-phone_numbers-error" messages={fields.phone_numbers} />
      {Object.keys(fields).length === 0 && <ErrorLine error={error} />}
      <div class="actions">
        <button type="submit" disabled={busy}>
          {editing ? 'Save webhook' : 'Create webhook'}
        </button>
        {editing && (
          <button type="button" class="secondary" onClick={props.onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

export function WebhooksPage() {
  const hooks = useLive((signal) => api<Webhook[]>('/v1/webhooks?limit=100', { signal }), []);
  const phones = useLive((signal) => api<Phone[]>('/v1/phones?limit=100', { signal }), []);
  const [editing, setEditing] = useState<Webhook | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const rows = hooks.data ?? [];

  async function remove(hook: Webhook) {
    setError(null);
    try {
      await api<null>(`/v1/webhooks/${hook.id}`, { method: 'DELETE' });
      if (editing?.id === hook.id) setEditing(null);
    } catch (e) {
      setError(e);
    }
    setDeleting(null);
    hooks.reload();
  }

  return (
    <>
      <Section title="Your webhooks">
        <p>Where textport POSTs the account's events, signed when a key is set.</p>
        <ErrorLine error={hooks.error ?? error} />
        {rows.length > 0 && (
          <table>
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">Events</th>
                <th scope="col">Phone numbers</th>
                <th scope="col">Updated</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((hook) => (
                <tr key={hook.id}>
                  <td class="content">
                    <Link to={`/webhooks/${hook.id}`}>{hook.url}</Link>
                    {hook.enabled === false ? (
                      <>
                        {' '}
                        <span
                          class="badge failed"
                          title="Its receiver answered 410 Gone: no events are queued for it. Edit and save it to enable it again."
                        >
                          disabled
                        </span>
                      </>
                    ) : null}
                  </td>
                  <td>{hook.events.join(', ')}</td>
                  <td>{hook.phone_numbers.join(', ')}</td>
                  <td>{when(hook.updated_at)}</td>
                  <td>
                    {deleting === hook.id ? (
                      <fieldset class="confirm">
                        <legend>Delete this webhook? Its pending deliveries fail.</legend>
                        <button type="button" onClick={() => remove(hook)}>
                          Delete webhook
                        </button>
                        <button type="button" class="secondary" onClick={() => setDeleting(null)}>
                          Keep it
                        </button>
                      </fieldset>
                    ) : (
                      <div class="row-actions">
                        <Link to={`/webhooks/${hook.id}`}>Deliveries</Link>
                        <button
                          type="button"
                          class="secondary"
                          aria-label={`Edit ${hook.url}`}
                          onClick={() => setEditing(hook)}
                        >
                          Edit
                        </button>
                        <button
                          type="button"
                          class="secondary"
                          aria-label={`Delete ${hook.url}…`}
                          onClick={() => setDeleting(hook.id)}
                        >
                          Delete…
                        </button>
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {hooks.data && rows.length === 0 && <p>No webhooks yet.</p>}
      </Section>
      <WebhookForm
        key={editing?.id ?? 'new'}
        editing={editing}
        phones={(phones.data ?? []).map((p) => p.phone_number)}
        onSaved={() => {
          setEditing(null);
          hooks.reload();
        }}
        onCancel={() => setEditing(null)}
      />
    </>
  );
}
