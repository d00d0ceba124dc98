import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as core from '../src/index.js';
import * as memory from '../src/store/memory/index.js';

/** Runs the README's snippet as written, with `@textport/core` bound to this package. */
describe('README snippet', () => {
  it('sends a message with the memory store and hears its event', async () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const block = /<!-- snippet:start -->\s*```ts\n([\s\S]*?)```\s*<!-- snippet:end -->/.exec(
      readme,
    );
    expect(block).not.toBeNull();
    const source = block?.[1] ?? '';
    const importLine = /^import \{([^}]+)\} from '@textport\/core';\n/m;
    expect(source).toMatch(importLine);
    const body = source.replace(importLine, 'const {$1} = lib;\n');
    const logs: unknown[][] = [];
    const fakeConsole = { log: (...args: unknown[]) => logs.push(args) };
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
      ...args: string[]
    ) => (...values: unknown[]) => Promise<void>;
    await new AsyncFunction('lib', 'console', body)({ ...core, ...memory }, fakeConsole);
    expect(logs[0]?.[0]).toBe('queued');
    expect(logs[0]?.[1]).toMatch(/^[0-9a-f-]{36}$/);
    expect(logs[1]).toEqual(['pending']);
  });
});
