/** Builders of event `data` payloads (the httpSMS payload keys, as listed in events/events.ts) from stored records. */
import type { MessageRecord } from '../domain/records.js';
import { formatNullable, formatTimestamp } from '../domain/time.js';
import type { GatewayEventData } from '../events/events.js';

type MessageData = GatewayEventData['message.phone.sent'];

export function messageEventData(m: MessageRecord, timestamp: number): MessageData {
  return {
    id: m.id,
    user_id: m.accountId,
    request_id: m.requestId,
    owner: m.owner,
    contact: m.contact,
    encrypted: m.encrypted,
    timestamp: formatTimestamp(timestamp),
    content: m.content,
    sim: m.sim,
  };
}

export function apiSentData(m: MessageRecord): GatewayEventData['message.api.sent'] {
  return {
    message_id: m.id,
    user_id: m.accountId,
    owner: m.owner,
    request_id: m.requestId,
    max_send_attempts: m.maxSendAttempts,
    contact: m.contact,
    scheduled_send_time: formatNullable(m.scheduledSendTime),
    request_received_at: formatTimestamp(m.requestReceivedAt),
    content: m.content,
    attachments: m.attachments,
    encrypted: m.encrypted,
    sim: m.sim,
  };
}

export function failedData(
  m: MessageRecord,
  timestamp: number,
  errorMessage: string,
): GatewayEventData['message.send.failed'] {
  const base = messageEventData(m, timestamp);
  return {
    id: base.id,
    error_message: errorMessage,
    user_id: base.user_id,
    owner: base.owner,
    request_id: base.request_id,
    contact: base.contact,
    timestamp: base.timestamp,
    encrypted: base.encrypted,
    content: base.content,
    sim: base.sim,
  };
}

export function expiredData(
  m: MessageRecord,
  timestamp: number,
  isFinal: boolean,
): GatewayEventData['message.send.expired'] {
  return {
    message_id: m.id,
    owner: m.owner,
    send_attempt_count: m.sendAttemptCount,
    is_final: isFinal,
    request_id: m.requestId,
    contact: m.contact,
    encrypted: m.encrypted,
    user_id: m.accountId,
    timestamp: formatTimestamp(timestamp),
    content: m.content,
    sim: m.sim,
  };
}
