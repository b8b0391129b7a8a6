/**
 * Runs tasks one at a time per key, in the order they were queued. Used so that
 * the events of one session are written and broadcast in seq order by this
 * process; the database's row lock orders writers across processes.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Waits for the key's turn and holds it until the returned release is called. */
  acquire(key: string): Promise<() => void> {
    return new Promise((granted) => {
      void this.run(key, () => new Promise<void>((release) => granted(release)));
    });
  }
}
