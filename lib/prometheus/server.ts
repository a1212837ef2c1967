// The dashboard backend's Prometheus client, configured from the environment (server only).
import 'server-only';
import {
  createPrometheusClient,
  maxAnswerBytesFromEnv,
  type PromClient,
  prometheusUrlFromEnv,
} from './client';

let client: PromClient | undefined;

export function prometheus(): PromClient {
  client ??= createPrometheusClient({
    baseUrl: prometheusUrlFromEnv(),
    maxAnswerBytes: maxAnswerBytesFromEnv(),
  });
  return client;
}
