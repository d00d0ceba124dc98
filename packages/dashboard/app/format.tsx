/** Small shared pieces of the pages: dates, status badges, error and loading lines. */
import type { ComponentChildren } from 'preact';

export function when(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString();
}

export function Status({ value }: { value: string }) {
  return <span class={`badge ${value}`}>{value}</span>;
}

export function ErrorLine({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {error instanceof Error ? error.message : String(error)}
    </p>
  );
}

export function Section(props: { title: string; children: ComponentChildren }) {
  const id = `section-${props.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{props.title}</h2>
      {props.children}
    </section>
  );
}

/** A field's messages from a 422 (`{field: [messages]}`), tied to its input by `id`. */
export function FieldError(props: { id: string; messages: string[] | undefined }) {
  if (!props.messages?.length) return null;
  return (
    <p class="error field-error" id={props.id}>
      {props.messages.join(' ')}
    </p>
  );
}

/** The fields of a 422 when `error` is one; the rest of its message goes to an ErrorLine. */
export function fieldErrorsOf(error: unknown): Record<string, string[]> {
  const fields = (error as { fields?: Record<string, string[]> } | null)?.fields;
  return fields && typeof fields === 'object' ? fields : {};
}
