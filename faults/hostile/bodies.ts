/**
 * Bodies built from the body specs (plausible, with an invalid field, with a field
 * of the wrong JSON type) and multipart bulk documents that are refused as a whole.
 */
import { parseTimestamp } from '@textport/core';
import fc from 'fast-check';
import type { BodySpec, Kind } from './body-specs.js';
import {
  invalidPhoneInFile,
  invalidTime,
  odd,
  oddOver,
  oddWithin,
  wellFormed,
  withNul,
} from './values.js';
import { CONTACTS, type Side } from './world.js';

function wrongType(kind: Kind): fc.Arbitrary<unknown> {
  const notString = fc.oneof(
    fc.integer(),
    fc.boolean(),
    fc.constant({}),
    fc.array(odd(0, 2), { maxLength: 2 }),
  );
  switch (kind) {
    case 'text':
      return notString;
    case 'flag':
      return fc.oneof(fc.constantFrom('true', 'false', 'yes', ''), fc.integer(), fc.constant([]));
    case 'unsigned':
      return fc.oneof(
        fc.integer({ min: -2_147_483_648, max: -1 }),
        fc.integer({ max: 10_000 }).map((n) => n + 0.5),
        fc.constantFrom('5', '0', true, [], {}),
      );
    case 'whole':
      return fc.oneof(
        fc.integer({ min: -10_000, max: 10_000 }).map((n) => n + 0.25),
        fc.constantFrom('1', true, [], {}),
      );
    case 'texts':
      return fc.oneof(
        odd(0, 3),
        fc.integer(),
        fc.constant({}),
        fc.constantFrom([1], [true], [{}], [['x']], [null], ['ok', 2]),
      );
    case 'files':
      return fc.oneof(
        odd(0, 3),
        fc.constantFrom(
          [1],
          ['x'],
          [null],
          [{ name: 5 }],
          [{ content_type: [] }],
          [{ content: {} }],
        ),
      );
    case 'windows':
      return fc.oneof(
        odd(0, 3),
        fc.constantFrom(
          [1],
          [null],
          [{ day_of_week: '1', start_minute: 0, end_minute: 60 }],
          [{ day_of_week: 1, start_minute: 1.5, end_minute: 60 }],
          [{ day_of_week: 1, start_minute: 0, end_minute: [] }],
        ),
      );
  }
}

export function plausibleBody(spec: BodySpec): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.entries(spec.fields);
  return fc.record(Object.fromEntries(fields.map(([name, f]) => [name, f.valid])), {
    requiredKeys: fields.filter(([, f]) => f.required).map(([name]) => name),
  });
}

/** Whether a body of the right types can fail validation (some field, or the whole). */
export function canBeInvalid(spec: BodySpec): boolean {
  return spec.wholeInvalid !== undefined || Object.values(spec.fields).some((f) => f.invalid);
}

/** A JSON object of the right types where at least one field fails validation. */
export function invalidBody(spec: BodySpec): fc.Arbitrary<Record<string, unknown>> {
  const breakable = Object.entries(spec.fields).filter(([, f]) => f.invalid !== undefined);
  const single =
    breakable.length === 0
      ? undefined
      : fc
          .tuple(
            plausibleBody(spec),
            fc.record(
              Object.fromEntries(
                breakable.map(([name, f]) => [name, f.invalid ?? fc.constant(null)]),
              ),
            ),
            // One field alone as often as several: each rule must hold by itself.
            fc.oneof(
              fc.constantFrom(...breakable.map(([name]) => [name])),
              fc.subarray(
                breakable.map(([name]) => name),
                { minLength: 1 },
              ),
            ),
          )
          .map(([base, bad, chosen]) => {
            const body: Record<string, unknown> = { ...base };
            for (const name of chosen) body[name] = bad[name];
            return body;
          });
  const options = [single, spec.wholeInvalid].filter(
    (a): a is fc.Arbitrary<Record<string, unknown>> => a !== undefined,
  );
  return fc.oneof(...options);
}

/** A JSON object where at least one field has the wrong JSON type. */
export function wrongTypedBody(spec: BodySpec): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.entries(spec.fields);
  return fc
    .tuple(
      plausibleBody(spec),
      fc.record(Object.fromEntries(fields.map(([name, f]) => [name, wrongType(f.kind)]))),
      fc.subarray(
        fields.map(([name]) => name),
        { minLength: 1 },
      ),
    )
    .map(([base, wrong, chosen]) => {
      const body: Record<string, unknown> = { ...base };
      for (const name of chosen) body[name] = wrong[name];
      return body;
    });
}

export function multipart(
  parts: readonly { field: string; fileName: string; type: string; data: Buffer }[],
  boundary = 'textport-hostile-boundary',
): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${p.field}"; filename="${p.fileName}"\r\nContent-Type: ${p.type}\r\n\r\n`,
      ),
      p.data,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(closeDelimiter(boundary)));
  return Buffer.concat(chunks);
}

/**
 * The line that ends a multipart body. A body cut inside it is still whole (the parser takes
 * `--boundary--` without its line break), so a body cut short must end before it.
 */
export function closeDelimiter(boundary = 'textport-hostile-boundary'): string {
  return `--${boundary}--\r\n`;
}

export const MULTIPART_TYPE = 'multipart/form-data; boundary=textport-hostile-boundary';

function csv(rows: readonly (readonly string[])[]): Buffer {
  const cell = (c: string) => `"${c.replaceAll('"', '""')}"`;
  return Buffer.from(rows.map((r) => r.map(cell).join(',')).join('\r\n'), 'utf8');
}

/** A bulk document that is refused as a whole (422). */
export function invalidDocument(me: Side, other: Side): fc.Arbitrary<Buffer> {
  const header = ['FromPhoneNumber', 'ToPhoneNumber', 'Content', 'SendTime(optional)'];
  const good = (content: string) => [me.numbers[0] ?? '', CONTACTS[0] ?? '', content, ''];
  const badRow = fc.oneof(
    fc.constantFrom(...other.numbers).map((from) => [from, CONTACTS[0] ?? '', 'hi', '']),
    invalidPhoneInFile.map((from) => [from, CONTACTS[0] ?? '', 'hi', '']),
    invalidPhoneInFile.map((to) => [me.numbers[0] ?? '', to, 'hi', '']),
    oddOver(1024).map((content) => good(content)),
    withNul(oddWithin(200)).map((content) => good(content)),
    fc.constant(good('')),
    invalidTime
      .map(wellFormed)
      .filter(
        (t) =>
          parseTimestamp(t.trim()) === null &&
          !/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}$/.test(t.trim()),
      )
      .map((t) => [me.numbers[0] ?? '', CONTACTS[0] ?? '', 'hi', t]),
  );
  const parts = (doc: Buffer, type = 'text/csv', fileName = 'messages.csv') =>
    multipart([{ field: 'document', fileName, type, data: doc }]);
  return fc.oneof(
    fc
      .tuple(fc.array(oddWithin(200), { maxLength: 3 }), badRow, fc.nat(3))
      .map(([contents, bad, at]) => {
        const rows = contents.map(good);
        rows.splice(at % (rows.length + 1), 0, bad);
        return parts(csv([header, ...rows]));
      }),
    fc.constant(parts(csv([header]))),
    fc.constant(parts(csv([header, ...Array.from({ length: 1001 }, () => good('x'))]))),
    odd(0, 6).map((junk) => parts(csv([['From', 'To', junk], good('x')]))),
    fc
      .uint8Array({ maxLength: 2048 })
      .map((bytes) =>
        parts(
          Buffer.from(bytes),
          'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          'x.xlsx',
        ),
      ),
    fc.constant(parts(Buffer.from('PK\x03\x04garbage'), 'application/zip', 'x.xlsx')),
    fc.constant(parts(csv([header, good('x')]), 'image/png', 'x.png')),
    fc.constant(
      multipart([
        { field: 'file', fileName: 'x.csv', type: 'text/csv', data: csv([header, good('x')]) },
      ]),
    ),
  );
}
