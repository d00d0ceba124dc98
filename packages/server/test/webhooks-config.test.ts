import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../src/config.js';

describe('TEXTPORT_WEBHOOKS_REFUSE_PRIVATE', () => {
  it('is off by default and turns the private-network guard on with true', () => {
    expect(readConfig({}).TEXTPORT_WEBHOOKS_REFUSE_PRIVATE).toBe(false);
    expect(readConfig({ TEXTPORT_WEBHOOKS_REFUSE_PRIVATE: 'true' })).toMatchObject({
      TEXTPORT_WEBHOOKS_REFUSE_PRIVATE: true,
    });
  });

  it('refuses anything but true or false', () => {
    expect(() => readConfig({ TEXTPORT_WEBHOOKS_REFUSE_PRIVATE: 'yes' })).toThrow(ConfigError);
  });
});
