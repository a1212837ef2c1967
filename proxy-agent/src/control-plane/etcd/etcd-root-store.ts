// The mesh CA's roots in etcd, shared by every control plane over it: the private keys sealed with
// AES-256-GCM under the key each control plane is given (--ca-encryption-key-file), and a watch so a
// rotation made on one control plane is trusted and served by all.
import type { Etcd3, IWatchResponse, Watcher } from 'etcd3';
import type { RootPersistence } from '../ca/authority';
import type { StoredRoot } from '../ca/root-store';
import { open, type Sealed, seal } from '../ca/secret-box';
import { CA_ROOTS_KEY } from './keys';

interface SealedRoots {
  version: 1;
  roots: { cert: string; key: Sealed; activeFrom: string }[];
}

export class EtcdRootStore implements RootPersistence {
  private watcher: Watcher | undefined;

  constructor(
    private readonly client: Etcd3,
    private readonly encryptionKey: Buffer,
  ) {}

  private sealAll(roots: StoredRoot[]): string {
    const file: SealedRoots = {
      version: 1,
      roots: roots.map((r) => ({
        cert: r.cert,
        activeFrom: r.activeFrom,
        key: seal(this.encryptionKey, r.key, r.cert),
      })),
    };
    return JSON.stringify(file);
  }

  private openAll(text: string): StoredRoot[] {
    const file = JSON.parse(text) as Partial<SealedRoots>;
    if (file.version !== 1 || !Array.isArray(file.roots) || file.roots.length === 0)
      throw new Error(`etcd key ${CA_ROOTS_KEY} does not hold CA roots this control plane wrote`);
    // The certificate is the associated data: a sealed key cannot be paired with another root.
    return file.roots.map((r) => ({
      cert: r.cert,
      activeFrom: r.activeFrom,
      key: open(this.encryptionKey, r.key, r.cert),
    }));
  }

  async load(): Promise<StoredRoot[] | undefined> {
    const res = await this.client.kv.range({ key: Buffer.from(CA_ROOTS_KEY) });
    const kv = res.kvs[0];
    return kv ? this.openAll(kv.value.toString()) : undefined;
  }

  async create(roots: StoredRoot[]): Promise<StoredRoot[]> {
    const key = Buffer.from(CA_ROOTS_KEY);
    const res = await this.client.kv.txn({
      compare: [{ key, target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [{ request_put: { key, value: Buffer.from(this.sealAll(roots)) } }],
      failure: [{ request_range: { key } }],
    });
    if (res.succeeded) return roots;
    const kv = res.responses[0]?.response_range?.kvs[0];
    if (!kv) throw new Error('the CA roots vanished from etcd while being created');
    return this.openAll(kv.value.toString());
  }

  async save(roots: StoredRoot[]): Promise<void> {
    await this.client.kv.put({ key: Buffer.from(CA_ROOTS_KEY), value: Buffer.from(this.sealAll(roots)) });
  }

  /** Calls `onChange` with the roots each time another writer changes them. */
  async follow(onChange: (roots: StoredRoot[]) => void, log: (m: string) => void): Promise<void> {
    this.watcher = await this.client.watch().key(CA_ROOTS_KEY).create();
    this.watcher.on('data', (res: IWatchResponse) => {
      for (const ev of res.events) {
        if (ev.type !== 'Put') continue;
        try {
          onChange(this.openAll(ev.kv.value.toString()));
        } catch (err) {
          log(`CA roots in etcd unreadable: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    });
    this.watcher.on('error', (err) => log(`CA roots watch ended: ${String(err)}`));
  }

  /** Stops following; does not wait for an etcd that may be gone (the client's close ends the stream). */
  async close(): Promise<void> {
    void this.watcher?.cancel().catch(() => {});
  }
}
