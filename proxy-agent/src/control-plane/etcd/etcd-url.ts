// `--store etcd://host:2379[,host2:2379,…]`: which etcd members to talk to (plain gRPC over HTTP/2).
export const STORE_FILE = 'file';

export interface StoreSpec {
  kind: 'file' | 'etcd';
  /** etcd members as the client wants them: `http://host:port`. */
  hosts: string[];
}

/** Parses a `--store` value; throws naming what is wrong. */
export function parseStoreSpec(text: string | undefined): StoreSpec {
  if (text === undefined || text === '' || text === STORE_FILE) return { kind: 'file', hosts: [] };
  const m = /^etcd:\/\/(.+)$/.exec(text.trim());
  if (!m)
    throw new Error(`--store must be "file" or etcd://host:port[,host:port…], not ${text.slice(0, 100)}`);
  const hosts = (m[1] as string).split(',').map((h) => h.trim().replace(/\/+$/, ''));
  for (const h of hosts) {
    // host:port, [v6]:port
    if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(h))
      throw new Error(`--store: ${h.slice(0, 100)} is not host:port`);
    const port = Number(h.slice(h.lastIndexOf(':') + 1));
    if (port < 1 || port > 65535) throw new Error(`--store: port of ${h} is out of range`);
  }
  return { kind: 'etcd', hosts: hosts.map((h) => `http://${h}`) };
}
