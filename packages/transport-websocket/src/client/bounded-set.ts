/** A set that forgets its oldest entries beyond `capacity` (message-id dedupe). */
export class BoundedSet<T> {
  private readonly items = new Set<T>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    }
  }

  has(value: T): boolean {
    return this.items.has(value);
  }

  add(value: T): void {
    this.items.delete(value);
    this.items.add(value);
    if (this.items.size > this.capacity) {
      const oldest = this.items.values().next();
      if (!oldest.done) this.items.delete(oldest.value);
    }
  }

  get size(): number {
    return this.items.size;
  }
}
