/** What the server prints when it is ready: where it is, the keys (once), and a curl to try. */
import type { StandaloneConfig } from './config.js';
import type { RunningServer } from './server.js';

export function banner(
  config: StandaloneConfig,
  running: RunningServer,
  database: string,
): string[] {
  const lines = [`textport is listening on ${running.url}`, `  database: ${database}`];
  if (running.newApiKey) lines.push(`  API key (shown once, keep it): ${running.newApiKey}`);
  else lines.push('  API key: as printed on the first start, or TEXTPORT_API_KEY');
  if (running.newPhoneApiKey) {
    lines.push(`  phone API key for your Android phones (shown once): ${running.newPhoneApiKey}`);
  } else if (config.TEXTPORT_PHONE_KEYS_RESTRICTED) {
    lines.push(
      '  phone keys are restricted: create one per phone with POST /v1/phone-api-keys {"name", "phone_numbers"}',
    );
  }
  if (running.virtualPhone) {
    const key = running.newApiKey ?? config.TEXTPORT_API_KEY ?? '$TEXTPORT_API_KEY';
    const body = JSON.stringify({
      from: config.TEXTPORT_DEMO_PHONE,
      to: '+18005550100',
      content: 'Hello from textport',
    });
    lines.push(
      `  virtual phone: ${config.TEXTPORT_DEMO_PHONE} (set TEXTPORT_DEMO_PHONE=off to disable)`,
      '',
      'Send an SMS through the virtual phone:',
      `  curl -s -X POST ${running.url}/v1/messages/send -H 'x-api-key: ${key}' -H 'content-type: application/json' -d '${body}'`,
    );
  }
  return lines;
}
