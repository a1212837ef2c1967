// Concurrent watches per user: each holds a connection and a buffer, so one token must not open them
// without end. Beyond the limit a watch is refused with 429, as kube-apiserver's flow control does.

export class WatchQuota {
  private readonly open = new Map<string, number>();

  constructor(readonly perUser: number) {}

  /** Counts a watch for `user`: the release to call when it ends, or undefined when over the limit. */
  acquire(user: string): (() => void) | undefined {
    const n = this.open.get(user) ?? 0;
    if (n >= this.perUser) return undefined;
    this.open.set(user, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(user) ?? 1) - 1;
      if (left > 0) this.open.set(user, left);
      else this.open.delete(user);
    };
  }

  count(user: string): number {
    return this.open.get(user) ?? 0;
  }
}
