/**
 * The optional refusal of webhook receivers on private or local addresses
 * (`webhooks.refusePrivateNetworks`). The address checked is the one connected to:
 * a literal host is checked before the request, a name through the `lookup` hook of
 * the connection itself, so a name that answers public to a check and private to the
 * connection (DNS rebinding) cannot slip through. Only global unicast addresses pass,
 * classified by ipaddr.js; IPv4-mapped IPv6 addresses are judged as the IPv4 address.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Refused: the receiver is on a private or local address. Not retried. */
export class PrivateNetworkError extends Error {
  override readonly name = 'PrivateNetworkError';
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(`refused: ${host} is a private network address (${address})`);
  }
}

/** True unless `address` is a global unicast IP address (not IP text at all: true). */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  if (!ipaddr.isValid(bare)) return true;
  // process() turns ::ffff:a.b.c.d (written either way) into a.b.c.d.
  return ipaddr.process(bare).range() !== 'unicast';
}

/** The name resolution a guarded connection uses (node:dns `lookup` with `all: true`). */
export type Resolver = (hostname: string, options: LookupAllOptions) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname, options) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    );
  });

/** The literal IP host of a URL, when it is refused; null when it is a name or allowed. */
export function refusedLiteralHost(url: URL): PrivateNetworkError | null {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) === 0) return null;
  return isPrivateAddress(host) ? new PrivateNetworkError(url.hostname, host) : null;
}

/**
 * A `lookup` for `http.request` that resolves with `resolve` and fails with
 * `PrivateNetworkError` when any address the name resolves to is private.
 */
export function guardedLookup(resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { family: options.family, hints: options.hints, all: true }).then(
      (addresses) => {
        const refused = addresses.find((a) => isPrivateAddress(a.address));
        const first = addresses[0];
        if (refused) callback(new PrivateNetworkError(hostname, refused.address), '', 0);
        else if (!first)
          callback(
            Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }),
            '',
            0,
          );
        else if (options.all) {
          (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        } else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}
