// Watch fan-out with a bounded history: events after a client's resourceVersion are replayed, so an
// informer resumes where it left off; a version older than the history answers Expired (410).
import type { MeshKind, MeshResource } from '../../../lib/mesh-config/schema';
import type { EventType } from './resource-state';
import { expired } from './status';

export const DEFAULT_HISTORY = 1000;

export interface WatchEvent {
  type: EventType;
  object: MeshResource;
}

export interface WatchFilter {
  kind: MeshKind;
  namespace?: string;
}

type Listener = (events: readonly WatchEvent[]) => void;

function matches(f: WatchFilter, o: MeshResource): boolean {
  return (
    o.kind === f.kind && (f.namespace === undefined || (o.metadata.namespace ?? 'default') === f.namespace)
  );
}

function rvOf(e: WatchEvent): number {
  return Number(e.object.metadata.resourceVersion);
}

export class WatchHub {
  private history: WatchEvent[] = [];
  /** Every event with a resourceVersion above this one is still in the history. */
  private floor: number;
  private current: number;
  private readonly listeners = new Set<{ filter: WatchFilter; listener: Listener }>();

  constructor(
    startVersion: number,
    private readonly capacity = DEFAULT_HISTORY,
  ) {
    this.floor = startVersion;
    this.current = startVersion;
  }

  publish(events: readonly WatchEvent[], resourceVersion: number): void {
    this.history.push(...events);
    this.current = resourceVersion;
    if (this.history.length > this.capacity) {
      const dropped = this.history.splice(0, this.history.length - this.capacity);
      this.floor = rvOf(dropped[dropped.length - 1] as WatchEvent);
    }
    for (const { filter, listener } of this.listeners) {
      const mine = events.filter((e) => matches(filter, e.object));
      if (mine.length > 0) listener(mine);
    }
  }

  /**
   * Subscribes to changes after `fromVersion`, first replaying those already in the history.
   * Throws Expired when the history no longer reaches back that far (or the version is in the future).
   */
  subscribe(
    filter: WatchFilter,
    fromVersion: number,
    listener: Listener,
  ): { replay: WatchEvent[]; unsubscribe: () => void } {
    if (fromVersion < this.floor || fromVersion > this.current)
      throw expired(String(fromVersion), String(this.floor));
    const replay = this.history.filter((e) => rvOf(e) > fromVersion && matches(filter, e.object));
    const entry = { filter, listener };
    this.listeners.add(entry);
    return { replay, unsubscribe: () => this.listeners.delete(entry) };
  }

  get watchers(): number {
    return this.listeners.size;
  }
}
