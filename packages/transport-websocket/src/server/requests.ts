/**
 * A phone's requests (`ack`, `event`, `received`, `missed_call`, `heartbeat`) as
 * calls of the phone API (`TransportHost.phoneApi`): the same calls, and so the same rules, as the
 * HTTP phone routes. The reply is the request's `result.data`.
 */
import type { PhoneEventName, PhoneRecord, Principal } from '@textport/core';
import { toWireHeartbeat, toWireMessage } from '@textport/core';
import type { TransportHost } from '@textport/core/transport';
import type { AckFrame, HelloFrame, PhoneFrame, ResultData, ResumeFrame } from '../protocol.js';

/** What a request may use of the transport's host. */
export type RequestHost = Pick<TransportHost, 'phoneApi' | 'lookups'>;

/** A request answered by the phone API (`hello` and `resume` are the session's own). */
export type PhoneRequest = Exclude<PhoneFrame, HelloFrame | ResumeFrame>;

/**
 * Takes the message for the phone. A resent ack whose first sending was applied
 * (the message is `sending` on the attempt it names, for a phone of this socket)
 * is answered with the message again: the answer was lost with the link, and the
 * phone has not sent it.
 */
async function ack(
  host: RequestHost,
  principal: Principal,
  phones: readonly PhoneRecord[],
  frame: AckFrame,
): Promise<ResultData['ack']> {
  try {
    return {
      message: toWireMessage(await host.phoneApi.takeOutstanding(principal, frame.message_id)),
    };
  } catch (error) {
    if (frame.resent !== true || frame.attempt === undefined) throw error;
    const taken = await host.lookups.message(principal.accountId, frame.message_id);
    const ours =
      taken?.status === 'sending' &&
      taken.sendAttemptCount === frame.attempt &&
      phones.some((p) => p.id === taken.phoneId && p.phoneNumber === taken.owner);
    if (!taken || !ours) throw error;
    return { message: toWireMessage(taken) };
  }
}

/** Runs one request for a socket serving `phones` as `principal`; throws a GatewayError. */
export async function handleRequest(
  host: RequestHost,
  principal: Principal,
  phones: readonly PhoneRecord[],
  frame: PhoneRequest,
): Promise<ResultData[keyof ResultData]> {
  const api = host.phoneApi;
  switch (frame.type) {
    case 'ack':
      return ack(host, principal, phones, frame);
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
