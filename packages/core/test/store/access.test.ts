/** The read/write table of the Store's methods. */
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/store/memory/index.js';
import { isReadOperation, STORE_ACCESS } from '../../src/store.js';

/** The naming rule the table replaced: a read starts with one of these verbs. */
const READ_VERBS = /^(get|find|list|search|latest|next)[A-Z]/;

describe('Store access table', () => {
  it('classifies every data method of the memory store, and nothing else', () => {
    const store = createMemoryStore();
    const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(Object.getPrototypeOf(store)))
      .filter((name) => name !== 'constructor')
      .sort();
    expect(Object.keys(STORE_ACCESS).sort()).toEqual(methods);
  });

  it('calls a method a read exactly when its name starts with a read verb', () => {
    for (const [name, access] of Object.entries(STORE_ACCESS)) {
      expect([name, access]).toEqual([name, READ_VERBS.test(name) ? 'read' : 'write']);
    }
  });

  it('treats an unknown name, and inherited names, as writes', () => {
    expect(isReadOperation('getMessage')).toBe(true);
    expect(isReadOperation('claimDue')).toBe(false);
    expect(isReadOperation('getSomethingElse')).toBe(false);
    expect(isReadOperation('toString')).toBe(false);
  });
});
