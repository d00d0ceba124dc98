/**
 * Bulk send: choose a CSV or XLSX document, see every row checked by the server
 * (`POST /v1/bulk-messages/preview`) with its own errors, then queue them all
 * (`POST /v1/bulk-messages`), which takes every row or none.
 */
import { useState } from 'preact/hooks';
import { api, type BulkPreview } from '../api.js';
import { ErrorLine, when } from '../format.js';
import { Link } from '../router.js';

const COLUMNS =
  'FromPhoneNumber, ToPhoneNumber, Content, SendTime (optional), AttachmentURLs (optional)';

function documentForm(file: File): FormData {
  const form = new FormData();
  form.append('document', file, file.name);
  return form;
}

function PreviewTable({ preview }: { preview: BulkPreview }) {
  return (
    <table>
      <caption>
        {preview.valid_count} of {preview.total} rows can be queued
      </caption>
      <thead>
        <tr>
          <th scope="col">Row</th>
          <th scope="col">From</th>
          <th scope="col">To</th>
          <th scope="col">Message</th>
          <th scope="col">Send at</th>
          <th scope="col">Problems</th>
        </tr>
      </thead>
      <tbody>
        {preview.rows.map((row) => (
          <tr key={row.row} class={row.errors.length > 0 ? 'bad-row' : undefined}>
            <th scope="row">{row.row}</th>
            <td>{row.from}</td>
            <td>{row.to}</td>
            <td class="content">{row.content}</td>
            <td>{row.send_time ? when(row.send_time) : 'now'}</td>
            <td class={row.errors.length > 0 ? 'error' : undefined}>
              {row.errors.length > 0 ? row.errors.join(' ') : 'OK'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function BulkPage() {
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<BulkPreview | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [queued, setQueued] = useState<string | null>(null);

  async function check(chosen: File | null) {
    setFile(chosen);
    setPreview(null);
    setQueued(null);
    setError(null);
    if (!chosen) return;
    setBusy(true);
    try {
      setPreview(
        await api<BulkPreview>('/v1/bulk-messages/preview', {
          method: 'POST',
          body: documentForm(chosen),
        }),
      );
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  async function queue(event: Event) {
    event.preventDefault();
    if (!file || !preview) return;
    setBusy(true);
    setError(null);
    try {
      await api<null>('/v1/bulk-messages', { method: 'POST', body: documentForm(file) });
      setQueued(`Queued ${preview.total} messages from ${file.name}.`);
      setPreview(null);
      setFile(null);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const bad = preview ? preview.total - preview.valid_count : 0;
  return (
    <>
      <form class="card form" onSubmit={queue}>
        <p>
          A CSV or XLSX file with a header row and the columns {COLUMNS}; up to 1,000 rows. Every
          row is checked before any is queued. <Link to="/send">Send one message instead</Link>.
        </p>
        <label for="document">Document</label>
        <input
          id="document"
          type="file"
          accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          onChange={(e) => check(e.currentTarget.files?.[0] ?? null)}
        />
        <ErrorLine error={error} />
        {bad > 0 && (
          <p class="error" role="alert">
            {bad === 1 ? '1 row has' : `${bad} rows have`} problems: fix the document and choose it
            again.
          </p>
        )}
        {queued && <p role="status">{queued}</p>}
        <button type="submit" disabled={busy || !preview || bad > 0}>
          {busy ? 'Checking…' : preview ? `Queue ${preview.total} messages` : 'Queue messages'}
        </button>
      </form>
      {preview && <PreviewTable preview={preview} />}
    </>
  );
}
