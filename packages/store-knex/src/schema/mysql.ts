/**
 * The MySQL/MariaDB side of the migrations. Tables are InnoDB in utf8mb4 (emoji
 * and every other code point) with a binary collation that does not pad: strings
 * compare and sort by their bytes, case- and trailing-space-sensitive, as on
 * SQLite and Postgres ("C"). MySQL cannot index TEXT whole, so ids and the
 * other indexed strings are VARCHAR(191): four of them fit one index key.
 */
import type { Knex } from 'knex';

/** Indexed strings (ids, numbers, statuses, keys). */
export const TEXT_KEY = 'varchar(191)';

/** Other text: the `text` type on SQLite and Postgres, LONGTEXT on MySQL (TEXT holds 64 KiB). */
export const LONG_TEXT = 'longtext';

export function isMysql(knex: Knex): boolean {
  return (knex.client as { dialect?: string }).dialect === 'mysql';
}

/**
 * A column for ids and other indexed strings in byte order on every dialect: "C" on
 * Postgres, VARCHAR on MySQL, plain text on SQLite.
 */
export function keyColumn(
  knex: Knex,
): (t: Knex.TableBuilder, column: string) => Knex.ColumnBuilder {
  const pg = (knex.client as { dialect?: string }).dialect === 'postgresql';
  const my = isMysql(knex);
  return (t, column) =>
    pg
      ? t.specificType(column, 'text COLLATE "C"')
      : my
        ? t.specificType(column, TEXT_KEY)
        : t.text(column);
}

/** MariaDB's padless binary utf8mb4 collation, or MySQL 8's. */
export async function mysqlCollation(knex: Knex): Promise<string> {
  const [rows] = (await knex.raw('SELECT VERSION() AS version')) as [{ version: string }[]];
  return /mariadb/i.test(rows[0]?.version ?? '') ? 'utf8mb4_nopad_bin' : 'utf8mb4_0900_bin';
}

/** Table options of every MySQL table. */
export function mysqlTable(t: Knex.CreateTableBuilder, collation: string): void {
  t.engine('InnoDB');
  t.charset('utf8mb4');
  t.collate(collation);
}

/** An index definition without its `WHERE` (MySQL has no partial indexes). */
export function mysqlIndex(definition: string): string {
  return definition.replace(/\s+WHERE\s.*$/s, '');
}
