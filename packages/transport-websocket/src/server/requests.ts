/**
 * A phone's requests (`ack`, `event`, `received`, `missed_call`, `heartbeat`) as
 * calls of the phone API (`TransportHost.phoneApi`): the same calls, and so the same rules, as the
 * HTTP phone routes. The reply is the request's `result.data`.
 */
import type { PhoneEventName, PhoneRecord, Principal } from '@textport/core';
import { toWireHeartbeat, toWireMessage } from '@textport/core';
import type { TransportHost } from '@textport/core/transport';
import type { HelloFrame, PhoneFrame, ResultData, ResumeFrame } from '../protocol.js';

type PhoneApi = TransportHost['phoneApi'];

/** A request answered by the phone API (`hello` and `resume` are the session's own). */
export type PhoneRequest = Exclude<PhoneFrame, HelloFrame | ResumeFrame>;

/** Runs one request for a socket serving `phones` as `principal`; throws a GatewayError. */
export async function handleRequest(
  api: PhoneApi,
  principal: Principal,
  phones: readonly PhoneRecord[],
  frame: PhoneRequest,
): Promise<ResultData[keyof ResultData]> {
  switch (frame.type) {
    case 'ack':
      return { message: toWireMessage(await api.takeOutstanding(principal, frame.message_id)) };
    case 'event': {
      const result = await api.reportEvent(principal, frame.message_id, {
        event: frame.event as PhoneEventName,
        timestamp: frame.timestamp ?? null,
        reason: frame.reason ?? null,
      });
      return {
        outcome: result.outcome,
        status: result.message?.status ?? null,
        ...(result.outcome === 'ignored' ? { reason: result.reason } : {}),
      };
    }
    case 'received': {
      const message = await api.receive(principal, {
        from: frame.from,
        to: frame.to,
        content: frame.content ?? null,
        encrypted: frame.encrypted === true,
        sim: frame.sim ?? null,
        timestamp: frame.timestamp ?? null,
        attachments: frame.attachments?.map((a) => ({
          name: a.name,
          contentType: a.content_type,
          data: a.content,
        })),
      });
      return { message: toWireMessage(message) };
    }
    case 'missed_call': {
      const message = await api.missedCall(principal, {
        from: frame.from,
        to: frame.to,
        sim: frame.sim ?? null,
        timestamp: frame.timestamp ?? null,
      });
      return { message: toWireMessage(message) };
    }
    case 'heartbeat': {
      // One call, so the phone API's rule (one or two numbers) holds here as over HTTP.
      const beats = await api.heartbeat(principal, {
        phoneNumbers: frame.phone_numbers?.length
          ? frame.phone_numbers
          : phones.map((p) => p.phoneNumber),
        charging: frame.charging === true,
        version: frame.version ?? null,
        batteryLevel: frame.battery_level ?? null,
        signalDbm: frame.signal_dbm ?? null,
        networkRegistration: frame.network_registration ?? null,
        networkOperator: frame.network_operator ?? null,
      });
      return { heartbeats: beats.map(toWireHeartbeat) };
    }
  }
}
