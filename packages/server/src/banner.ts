/** What the server prints when it is ready: where it is, the keys (once), and a curl to try. */
import type { StandaloneConfig } from './config.js';
import type { RunningServer } from './server.js';

export function banner(
  config: StandaloneConfig,
  running: RunningServer,
  database: string,
): string[] {
  const lines = [
    `textport is listening on ${running.url}`,
    `  dashboard: ${running.url}/ (open it in a browser, sign in with the API key)`,
    `  database: ${database}`,
  ];
  if (running.newApiKey) lines.push(`  API key (shown once, keep it): ${running.newApiKey}`);
  else lines.push('  API key: as printed on the first start, or TEXTPORT_API_KEY');
  if (running.newPhoneApiKey) {
    lines.push(`  phone API key for your Android phones (shown once): ${running.newPhoneApiKey}`);
  } else if (config.TEXTPORT_PHONE_KEYS_RESTRICTED) {
    lines.push(
      '  phone keys are restricted: create one per phone with POST /v1/phone-api-keys {"name", "phone_numbers"}',
    );
  }
  lines.push(...smsgateLines(config, running));
  if (running.virtualPhone) {
    // A key from the environment stays out of the output (it is logged): the shell expands it.
    const key = running.newApiKey ?? '$TEXTPORT_API_KEY';
    const body = JSON.stringify({
      from: config.TEXTPORT_DEMO_PHONE,
      to: '+18005550100',
      content: 'Hello from textport',
    });
    lines.push(
      `  virtual phone: ${config.TEXTPORT_DEMO_PHONE} (set TEXTPORT_DEMO_PHONE=off to disable)`,
      '',
      'Send an SMS through the virtual phone:',
      `  curl -s -X POST ${running.url}/v1/messages/send -H "x-api-key: ${key}" -H 'content-type: application/json' -d '${body}'`,
    );
  }
  return lines;
}

/** How to connect a phone running the SMS Gateway for Android app (docs/smsgate-app.md). */
function smsgateLines(config: StandaloneConfig, running: RunningServer): string[] {
  const smsgate = running.smsgate;
  if (!smsgate) return [];
  const numbers = config.TEXTPORT_SMSGATE_PHONE_NUMBERS;
  const lines = [
    '',
    'SMSGate phone (the SMS Gateway for Android app; no Firebase): in the app, Settings → Cloud server:',
    `  API URL: ${smsgate.apiUrl}`,
  ];
  if (numbers.length === 0) {
    lines.push(
      "  private token: a phone API key created for the phone's numbers (POST /v1/phone-api-keys),",
      '    or set TEXTPORT_SMSGATE_PHONE_NUMBERS=<SIM 1 number>[,<SIM 2 number>] and restart for one',
    );
  } else {
    if (smsgate.newPrivateToken) {
      lines.push(`  private token (shown once, keep it): ${smsgate.newPrivateToken}`);
    } else if (config.TEXTPORT_SMSGATE_PRIVATE_TOKEN) {
      lines.push('  private token: TEXTPORT_SMSGATE_PRIVATE_TOKEN');
    } else {
      lines.push('  private token: as printed on the start that made it');
    }
    const sims = numbers.map((n, i) => `${n} (SIM ${i + 1})`).join(', ');
    lines.push(`  the phone sends for: ${sims}`);
  }
  lines.push('  notification channel: SSE_ONLY');
  if (!smsgate.apiUrl.startsWith('https://')) {
    lines.push(
      '  the app needs HTTPS: set TLS_CERT and TLS_KEY, or TEXTPORT_PUBLIC_URL behind a TLS proxy (docs/smsgate-app.md)',
    );
  }
  const user = config.TEXTPORT_SMSGATE_USERNAME ?? 'textport';
  const password = config.TEXTPORT_SMSGATE_PASSWORD ? 'TEXTPORT_SMSGATE_PASSWORD' : 'your API key';
  lines.push(`  SMSGate clients: ${smsgate.userApiUrl}, Basic login ${user} / ${password}`);
  return lines;
}
