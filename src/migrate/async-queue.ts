/**
 * A bounded queue between a producer that is told to wait (the validate stream) and a consumer
 * that reads with `for await` (the gateway's bulk reads), so reading Graph never stops at a chunk
 * boundary and the producer never runs more than `capacity` users ahead.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  readonly #items: T[] = [];
  readonly #capacity: number;
  #closed = false;
  #failure: Error | null = null;
  #abandoned = false;
  #wakeConsumer: (() => void) | null = null;
  #wakeProducer: (() => void) | null = null;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#items.length;
  }

  /** Adds an item; resolves at once while there is room, else when the consumer has taken some. */
  push(item: T): Promise<void> | undefined {
    if (this.#abandoned) throw new Error('the consumer of this queue has stopped');
    if (this.#closed) throw new Error('push after close');
    this.#items.push(item);
    this.#signalConsumer();
    if (this.#items.length < this.#capacity) return undefined;
    return new Promise<void>((resolve) => { this.#wakeProducer = resolve; });
  }

  /** No more items: the consumer's iteration ends after the last one. */
  close(): void {
    this.#closed = true;
    this.#signalConsumer();
  }

  /** The producer failed: the consumer's iteration throws this. */
  fail(error: Error): void {
    this.#failure = error;
    this.close();
  }

  /** The consumer stopped for good: a waiting producer is released and its next push throws. */
  abandon(): void {
    this.#abandoned = true;
    this.release();
  }

  /** Wakes a producer waiting for room. */
  release(): void {
    const wake = this.#wakeProducer;
    this.#wakeProducer = null;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const item = this.#items.shift();
      if (item !== undefined) {
        if (this.#items.length < this.#capacity / 2) this.release();
        yield item;
        continue;
      }
      if (this.#failure !== null) throw this.#failure;
      if (this.#closed) return;
      await new Promise<void>((resolve) => { this.#wakeConsumer = resolve; });
    }
  }

  #signalConsumer(): void {
    const wake = this.#wakeConsumer;
    this.#wakeConsumer = null;
    wake?.();
  }
}
