/**
 * SQL text with `?` placeholders and its parameters, built with a tagged
 * template: interpolated values become parameters, interpolated fragments are
 * inlined. Both dialects take `?`; the Postgres executor numbers them.
 */

export interface Fragment {
  readonly text: string;
  readonly params: readonly unknown[];
}

const FRAGMENT = Symbol('fragment');

interface Tagged extends Fragment {
  readonly [FRAGMENT]: true;
}

function make(text: string, params: readonly unknown[]): Tagged {
  return { text, params, [FRAGMENT]: true };
}

export function isFragment(value: unknown): value is Fragment {
  return typeof value === 'object' && value !== null && FRAGMENT in value;
}

/** `sql\`… ${value} …\``: values become `?` parameters; fragments are inlined with theirs. */
export function sql(strings: TemplateStringsArray, ...values: readonly unknown[]): Fragment {
  let text = strings[0] ?? '';
  const params: unknown[] = [];
  values.forEach((value, i) => {
    if (isFragment(value)) {
      text += value.text;
      params.push(...value.params);
    } else {
      text += '?';
      params.push(value);
    }
    text += strings[i + 1] ?? '';
  });
  return make(text, params);
}

/** Trusted SQL text (identifiers, keywords) with optional parameters. */
export function raw(text: string, params: readonly unknown[] = []): Fragment {
  return make(text, params);
}

/** Joins fragments with `separator` (plain text). */
export function join(fragments: readonly Fragment[], separator: string): Fragment {
  return make(
    fragments.map((f) => f.text).join(separator),
    fragments.flatMap((f) => f.params),
  );
}

/** A fragment that is true when every part is; `TRUE`-like when there is none. */
export function and(parts: readonly (Fragment | null | undefined)[]): Fragment {
  const present = parts.filter((p): p is Fragment => p !== null && p !== undefined);
  return present.length === 0 ? raw('1 = 1') : join(present, ' AND ');
}

/** Double-quotes an identifier. */
export function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

/** Backtick-quotes an identifier (MySQL, MariaDB). */
export function quoteMysql(identifier: string): string {
  return `\`${identifier.replaceAll('`', '``')}\``;
}

/** Rewrites the `?` placeholders of `text` as `$1`, `$2`, … (Postgres). */
export function numberPlaceholders(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => {
    n += 1;
    return `$${n}`;
  });
}
