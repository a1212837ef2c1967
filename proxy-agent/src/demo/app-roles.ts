// The app of each demo role: the store (TCP), ratings (gRPC, reading the store and the external
// database), or an HTTP app. Used by `demo-app` (one app a process) and the apps thread (all of them).
import { type AppHandle, type AppOptions, call, FORWARDED, startApp } from './apps';
import { callsOf } from './topology';

export async function startRole(options: AppOptions): Promise<AppHandle> {
  if (options.role === 'mongodb') return (await import('./store')).startStore(options.port);
  if (options.role !== 'ratings') return startApp(options);
  const [{ startRatingsServer }, { StoreClient }] = await Promise.all([
    import('./grpc-ratings'),
    import('./store'),
  ]);
  const calls = callsOf(options.role, options.version);
  const storeCall = calls.find((c) => c.protocol === 'tcp');
  if (storeCall === undefined) throw new Error('ratings has no store to read');
  const store = new StoreClient(options.outboundPort, storeCall.host, storeCall.port ?? 0);
  const http = calls.filter((c) => c.protocol === 'http');
  const server = await startRatingsServer({
    port: options.port,
    instance: options.instance,
    version: options.version,
    behaviour: options.behaviour,
    store,
    forwarded: FORWARDED,
    dependencies: async (headers) => {
      const statuses = await Promise.all(
        http.map((c) => call(options.outboundPort, c.host, c.path, headers)),
      );
      const failed = statuses.findIndex((s) => s < 200 || s >= 400);
      return failed < 0 ? undefined : `${http[failed]?.host} answered ${statuses[failed]}`;
    },
  });
  return {
    port: server.port,
    close: async () => {
      store.close();
      await server.close();
    },
  };
}
