// The dashboard backend's Jaeger query client and Prometheus URL, configured from the environment.
import 'server-only';
import { prometheusUrlFromEnv } from '@/lib/prometheus/client';
import { createJaegerQueryClient, type JaegerQueryClient, jaegerUrlFromEnv } from './jaeger-query';

let jaegerClient: JaegerQueryClient | undefined;

export function jaeger(): JaegerQueryClient {
  jaegerClient ??= createJaegerQueryClient({ baseUrl: jaegerUrlFromEnv() });
  return jaegerClient;
}

export function prometheusBaseUrl(): string {
  return prometheusUrlFromEnv();
}
