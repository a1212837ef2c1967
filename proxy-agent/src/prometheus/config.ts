// The Prometheus configuration file a launcher writes: global scrape interval plus the scrape configs.
import { stringify } from 'yaml';

/** A Prometheus `scrape_config`, passed through as written (Prometheus validates it on start). */
export type ScrapeConfig = { job_name: string } & Record<string, unknown>;

export interface PrometheusConfigOptions {
  scrapeConfigs: readonly ScrapeConfig[];
  /** Prometheus duration, e.g. `5s` (default `15s`). */
  scrapeInterval?: string;
  evaluationInterval?: string;
  /** Rule files (paths) Prometheus loads and evaluates, e.g. recording rules. */
  ruleFiles?: readonly string[];
}

export function prometheusConfig(options: PrometheusConfigOptions): string {
  const interval = options.scrapeInterval ?? '15s';
  return stringify({
    global: {
      scrape_interval: interval,
      scrape_timeout: interval,
      evaluation_interval: options.evaluationInterval ?? interval,
    },
    ...(options.ruleFiles && options.ruleFiles.length > 0 ? { rule_files: [...options.ruleFiles] } : {}),
    scrape_configs: options.scrapeConfigs,
  });
}

/** Scrape targets found by `http_sd_configs` at a URL (the control plane's `/v1/prometheus/sd`). */
export function httpSdScrapeConfig(
  jobName: string,
  sdUrl: string,
  options: {
    refreshInterval?: string;
    credentialsFile?: string;
    scrapeInterval?: string;
    /** PEM roots the discovery URL's HTTPS certificate chains to (the control plane's CA). */
    caFile?: string;
  } = {},
): ScrapeConfig {
  return {
    job_name: jobName,
    ...(options.scrapeInterval ? { scrape_interval: options.scrapeInterval } : {}),
    http_sd_configs: [
      {
        url: sdUrl,
        refresh_interval: options.refreshInterval ?? '5s',
        // `type` must be explicit: Prometheus 2.42's http_sd otherwise sends the bare token, without "Bearer".
        ...(options.credentialsFile
          ? { authorization: { type: 'Bearer', credentials_file: options.credentialsFile } }
          : {}),
        ...(options.caFile ? { tls_config: { ca_file: options.caFile } } : {}),
      },
    ],
  };
}
