import { describe, expect, it } from 'vitest';
import { operationStore } from '../../src/store/operations.js';

interface Counter {
  value: number;
}

const OPS = {
  add: (counter: Counter, amount: number) => {
    counter.value += amount;
    return counter.value;
  },
  read: (counter: Counter) => counter.value,
  fail: (_counter: Counter, message: string): number => {
    throw new Error(message);
  },
};

class CounterStore extends operationStore<Counter, typeof OPS>(OPS) {
  readonly calls: string[] = [];

  constructor(counter: Counter) {
    super(async (name, op) => {
      this.calls.push(name);
      return op(counter);
    });
  }
}

describe('operationStore', () => {
  it('makes one method per operation that runs it on the runner context', async () => {
    const counter = { value: 1 };
    const store = new CounterStore(counter);
    await expect(store.add(4)).resolves.toBe(5);
    await expect(store.read()).resolves.toBe(5);
    expect(counter.value).toBe(5);
    expect(store.calls).toEqual(['add', 'read']);
  });

  it('keeps each instance on its own runner', async () => {
    const a = new CounterStore({ value: 0 });
    const b = new CounterStore({ value: 100 });
    await a.add(1);
    await expect(b.read()).resolves.toBe(100);
    expect(b.calls).toEqual(['read']);
  });

  it('rejects with what the operation throws', async () => {
    const store = new CounterStore({ value: 0 });
    await expect(store.fail('boom')).rejects.toThrow('boom');
  });

  it('refuses a method called on another object', () => {
    const store = new CounterStore({ value: 0 });
    const detached = store.read;
    expect(() => detached.call({})).toThrow(/not its store/);
  });
});
