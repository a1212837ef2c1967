// The real Prometheus, launched on loopback for the demo and the tests.
export { findPrometheusBinary, INSTALL_HINT } from './binary';
export { httpSdScrapeConfig, prometheusConfig, type ScrapeConfig } from './config';
export { type PrometheusOptions, type RunningPrometheus, startPrometheus } from './launcher';
