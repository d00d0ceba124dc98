/**
 * Pools on the phones page: the account's pools with their phones, and a form that creates
 * or replaces one (`POST`/`PUT /v1/pools`; a 422 shows each field's message beside the field)
 * or deletes it. A send through a pool goes from the phone its policy picks (docs/routing.md).
 */
import { useState } from 'preact/hooks';
import { api, type Phone, type Pool } from '../api.js';
import { ErrorLine, FieldError, fieldErrorsOf, Section } from '../format.js';

function PoolForm(props: {
  pool: Pool | null;
  phones: Phone[];
  onSaved: () => void;
  onCancel: () => void;
}) {
  const { pool } = props;
  const [name, setName] = useState(pool?.name ?? '');
  const [members, setMembers] = useState<string[]>(pool?.phone_ids ?? []);
  const [isDefault, setDefault] = useState(pool?.is_default ?? false);
  const [error, setError] = useState<unknown>(null);
  const fields = fieldErrorsOf(error);

  async function submit(event: Event) {
    event.preventDefault();
    setError(null);
    const body = { name, phone_ids: members, is_default: isDefault };
    try {
      await api<Pool>(pool ? `/v1/pools/${pool.id}` : '/v1/pools', {
        method: pool ? 'PUT' : 'POST',
        body,
      });
      props.onSaved();
    } catch (e) {
      setError(e);
    }
  }

  const toggle = (id: string, on: boolean) =>
    setMembers(on ? [...members, id] : members.filter((m) => m !== id));
  const title = pool ? `Pool ${pool.name}` : 'New pool';
  return (
    <form class="card form" onSubmit={submit} aria-labelledby="pool-form-title">
      <h3 id="pool-form-title">{title}</h3>
      <label for="pool-name">Name</label>
      <input
        id="pool-name"
        value={name}
        aria-invalid={fields.name ? true : undefined}
        aria-describedby={fields.name ? 'pool-name-error' : undefined}
        onInput={(e) => setName(e.currentTarget.value)}
      />
      <FieldError id="pool-name-error" messages={fields.name} />
      <fieldset aria-describedby={fields.phone_ids ? 'pool-phones-error' : undefined}>
        <legend>Phones that send for it</legend>
        {props.phones.map((p) => (
          <label key={p.id} class="check">
            <input
              type="checkbox"
              checked={members.includes(p.id)}
              onChange={(e) => toggle(p.id, e.currentTarget.checked)}
            />{' '}
            {p.phone_number}
          </label>
        ))}
      </fieldset>
      <FieldError id="pool-phones-error" messages={fields.phone_ids} />
      <label class="check">
        <input
          type="checkbox"
          checked={isDefault}
          onChange={(e) => setDefault(e.currentTarget.checked)}
        />{' '}
        Default pool (sends with no sender go through it)
      </label>
      {Object.keys(fields).length === 0 && <ErrorLine error={error} />}
      <div class="actions">
        <button type="submit">{pool ? 'Save pool' : 'Create pool'}</button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          Close
        </button>
      </div>
    </form>
  );
}

export function PoolsSection(props: {
  pools: Pool[];
  phones: Phone[];
  error: unknown;
  reload: () => void;
}) {
  const [editing, setEditing] = useState<string | 'new' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const numberOf = (id: string) => props.phones.find((p) => p.id === id)?.phone_number ?? id;
  const chosen = props.pools.find((p) => p.id === editing) ?? null;

  async function remove(pool: Pool) {
    setError(null);
    try {
      await api(`/v1/pools/${pool.id}`, { method: 'DELETE' });
      setEditing(null);
      props.reload();
    } catch (e) {
      setError(e);
    }
  }

  return (
    <Section title="Pools">
      <ErrorLine error={props.error ?? error} />
      {props.pools.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Phones</th>
              <th scope="col">Default</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.pools.map((pool) => (
              <tr key={pool.id}>
                <td>{pool.name}</td>
                <td>{pool.phone_ids.map(numberOf).join(', ') || 'none'}</td>
                <td>{pool.is_default ? 'yes' : 'no'}</td>
                <td>
                  <button
                    type="button"
                    class="secondary"
                    aria-label={`Edit pool ${pool.name}`}
                    onClick={() => setEditing(pool.id)}
                  >
                    Edit
                  </button>{' '}
                  <button
                    type="button"
                    class="secondary"
                    aria-label={`Delete pool ${pool.name}`}
                    onClick={() => remove(pool)}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>No pools yet. A pool sends as one: each message goes from the phone it picks.</p>
      )}
      {editing === null && (
        <button type="button" onClick={() => setEditing('new')}>
          New pool
        </button>
      )}
      {editing !== null && (
        <PoolForm
          key={editing}
          pool={chosen}
          phones={props.phones}
          onSaved={() => {
            setEditing(null);
            props.reload();
          }}
          onCancel={() => setEditing(null)}
        />
      )}
    </Section>
  );
}
