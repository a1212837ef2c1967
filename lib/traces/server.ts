// The dashboard backend's Jaeger client (the shared one) and Prometheus URL, configured from the environment.
import 'server-only';
import { createJaegerClient, type JaegerClient } from '@/lib/jaeger/client';
import { prometheusUrlFromEnv } from '@/lib/prometheus/client';
import { jaegerUrlFromEnv } from './jaeger-url';

let jaegerClient: JaegerClient | undefined;

export function jaeger(): JaegerClient {
  jaegerClient ??= createJaegerClient({ baseUrl: jaegerUrlFromEnv() });
  return jaegerClient;
}

export function prometheusBaseUrl(): string {
  return prometheusUrlFromEnv();
}
