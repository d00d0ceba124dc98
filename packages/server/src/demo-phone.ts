/**
 * The built-in virtual phone: a WebSocket phone in the server's own process. Over TLS it
 * dials the loopback address, so it checks the certificate against the name the certificate
 * carries, trusting that certificate as well as the usual roots. Start-up never waits on it
 * for long: if it cannot connect, the server still starts and says why.
 */
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import type { PhoneTlsOptions } from '@textport/transport-websocket/client';
import { createVirtualPhone, type VirtualPhone } from '@textport/transport-websocket/client';

export interface DemoPhoneOptions {
  port: number;
  apiKey: string;
  phoneNumber: string;
  /** The server's certificate (PEM) when it serves TLS. */
  certificate: Buffer | null;
  log: (line: string) => void;
  /** How long start-up waits for the first connection (default 10 s). */
  connectTimeoutMs?: number;
}

/** The name to check on the loopback connection: an IP SAN for 127.0.0.1, else a DNS SAN, else the CN. */
export function certificateName(pem: Buffer): string | undefined {
  const cert = new X509Certificate(pem);
  const names = (cert.subjectAltName ?? '').split(',').map((entry) => entry.trim());
  if (names.includes('IP Address:127.0.0.1')) return undefined;
  const dns = names.find((entry) => entry.startsWith('DNS:'))?.slice(4);
  if (dns) return dns.replace(/^\*\./, 'textport.');
  return /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1];
}

export async function startDemoPhone(options: DemoPhoneOptions): Promise<VirtualPhone> {
  const tls: PhoneTlsOptions | undefined = options.certificate
    ? {
        ca: [...rootCertificates, options.certificate],
        ...nameOption(certificateName(options.certificate)),
      }
    : undefined;
  const phone = createVirtualPhone({
    url: `${tls ? 'wss' : 'ws'}://127.0.0.1:${options.port}/v1/phones/ws`,
    apiKey: options.apiKey,
    phoneNumbers: [options.phoneNumber],
    register: true,
    deliver: true,
    delayMs: 50,
    log: (line) => options.log(`virtual phone ${line}`),
    ...(tls ? { tls } : {}),
  });
  let reason = 'no answer';
  phone.on('disconnected', (info) => {
    if (info.reason) reason = info.reason;
  });
  const connected = phone.connect().then(
    () => true,
    () => false,
  );
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), options.connectTimeoutMs ?? 10_000);
  });
  const ok = await Promise.race([connected, waited]);
  clearTimeout(timer);
  if (!ok) {
    options.log(
      `virtual phone: not connected yet (${reason}); it keeps trying, and the server runs without it`,
    );
  }
  return phone;
}

const nameOption = (servername: string | undefined) => (servername ? { servername } : {});
