/** A map that forgets its oldest entries beyond `capacity` (what the phone took, by message id). */
export class BoundedMap<K, V> {
  private readonly items = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    }
  }

  get(key: K): V | undefined {
    return this.items.get(key);
  }

  has(key: K): boolean {
    return this.items.has(key);
  }

  /** Sets the value; the key becomes the newest. */
  set(key: K, value: V): void {
    this.items.delete(key);
    this.items.set(key, value);
    if (this.items.size > this.capacity) {
      const oldest = this.items.keys().next();
      if (!oldest.done) this.items.delete(oldest.value);
    }
  }

  get size(): number {
    return this.items.size;
  }
}

/** A set that forgets its oldest entries beyond `capacity` (message-id dedupe). */
export class BoundedSet<T> {
  private readonly items: BoundedMap<T, true>;

  constructor(readonly capacity: number) {
    this.items = new BoundedMap(capacity);
  }

  has(value: T): boolean {
    return this.items.has(value);
  }

  add(value: T): void {
    this.items.set(value, true);
  }

  get size(): number {
    return this.items.size;
  }
}
