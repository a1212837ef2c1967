import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { findPrometheusBinary, INSTALL_HINT } from './binary';
import { httpSdScrapeConfig, prometheusConfig } from './config';

describe('prometheusConfig', () => {
  it('verifies an HTTPS discovery URL against the CA file it is given', () => {
    const sd = httpSdScrapeConfig('mesh', 'https://127.0.0.1:15010/v1/prometheus/sd', {
      caFile: '/d/ca.pem',
    });
    expect(sd).toMatchObject({ http_sd_configs: [{ tls_config: { ca_file: '/d/ca.pem' } }] });
    expect(JSON.stringify(httpSdScrapeConfig('mesh', 'http://x/sd'))).not.toContain('tls_config');
  });

  it('writes the global interval and the scrape configs as given', () => {
    const sd = httpSdScrapeConfig('meshlens-sidecars', 'http://127.0.0.1:15010/v1/prometheus/sd', {
      refreshInterval: '1s',
      credentialsFile: '/tmp/token',
    });
    expect(parse(prometheusConfig({ scrapeConfigs: [sd], scrapeInterval: '2s' }))).toEqual({
      global: { scrape_interval: '2s', scrape_timeout: '2s', evaluation_interval: '2s' },
      scrape_configs: [
        {
          job_name: 'meshlens-sidecars',
          http_sd_configs: [
            {
              url: 'http://127.0.0.1:15010/v1/prometheus/sd',
              refresh_interval: '1s',
              authorization: { type: 'Bearer', credentials_file: '/tmp/token' },
            },
          ],
        },
      ],
    });
  });
});

describe('findPrometheusBinary', () => {
  it('finds prometheus on PATH, or says how to install it', () => {
    expect(() => findPrometheusBinary({ PATH: '/nonexistent' })).toThrow(INSTALL_HINT);
    expect(() => findPrometheusBinary({ PROMETHEUS_BIN: '/nonexistent/prometheus' })).toThrow(
      /PROMETHEUS_BIN/,
    );
    expect(findPrometheusBinary({ PATH: '/usr/bin:/bin' })).toBe('/usr/bin/prometheus');
  });
});

describe('prometheusConfig rule files', () => {
  it('lists rule files only when there are some', () => {
    expect(parse(prometheusConfig({ scrapeConfigs: [], ruleFiles: ['/d/a.rules.yml'] })).rule_files).toEqual([
      '/d/a.rules.yml',
    ]);
    expect(parse(prometheusConfig({ scrapeConfigs: [], ruleFiles: [] }))).not.toHaveProperty('rule_files');
  });
});
