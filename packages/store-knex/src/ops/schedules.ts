/** The ScheduleStore part on SQL: an account's send schedules. */
import type { SendScheduleRecord } from '@textport/core/store';
import { SCHEDULE } from '../rows/columns.js';
import type { Db } from '../sql/db.js';
import { sql } from '../sql/fragment.js';
import {
  deleteOwned,
  insertRow,
  OLDEST_FIRST,
  owned,
  selectMany,
  selectOne,
  updateById,
} from './common.js';

export const insertSendSchedule = (db: Db, schedule: SendScheduleRecord) =>
  insertRow(db, SCHEDULE, schedule);

export const getSendSchedule = (db: Db, accountId: string, id: string) =>
  selectOne(db, SCHEDULE, owned(accountId, id));

export const listSendSchedules = (db: Db, accountId: string) =>
  selectMany(db, SCHEDULE, sql`account_id = ${accountId}`, OLDEST_FIRST);

export const updateSendSchedule = (db: Db, id: string, patch: Partial<SendScheduleRecord>) =>
  updateById(db, SCHEDULE, id, patch);

export async function deleteSendSchedule(db: Db, accountId: string, id: string): Promise<boolean> {
  return (await deleteOwned(db, SCHEDULE, accountId, id)) !== null;
}
