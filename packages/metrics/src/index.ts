/**
 * `@textport/metrics`: Prometheus metrics of a textport gateway, from its operational
 * events (`gateway.operations`) and scrape-time reads, with prom-client.
 */
export { LATENCY_BUCKETS } from './gateway-metrics.js';
export type { HttpMetricsOptions, HttpMiddleware, RoutePattern } from './http-metrics.js';
export {
  createMetrics,
  type Metrics,
  type MetricsHandler,
  type MetricsOptions,
  metrics,
} from './metrics.js';
