import type { FastifyInstance } from "fastify";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Runtime } from "../runtime.js";

/**
 * Prometheus metrics on a registry owned by one app instance (not prom-client's global one), so many
 * apps can live in one process, as they do in the tests.
 */
export function installMetrics(app: FastifyInstance, runtime: Runtime): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: "http_requests_total",
    help: "HTTP requests answered, by method, route pattern and status",
    labelNames: ["method", "route", "status_code"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "Time to answer HTTP requests, by method, route pattern and status",
    labelNames: ["method", "route", "status_code"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  // Counts are read at scrape time; if the database is down the gauges are simply left out.
  for (const [name, help, count] of [
    ["rolebridge_users", "Users in the directory", () => runtime.store.users.count()],
    ["rolebridge_groups", "Groups in the directory", () => runtime.store.groups.count()],
    [
      "rolebridge_provisioning_queue_depth",
      "Provisioning changes waiting in the outbox",
      () => runtime.store.outbox.depth(),
    ],
  ] as const) {
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        try {
          this.set(await count());
        } catch {
          this.reset();
        }
      },
    });
  }

  // SCIM traffic to provisioning targets, from the running totals of this node.
  const totals = runtime.provisioning.totals;
  new Gauge({
    name: "rolebridge_scim_requests",
    help: "Requests sent to SCIM targets by this node, by outcome",
    labelNames: ["outcome"],
    registers: [registry],
    collect() {
      for (const [outcome, n] of Object.entries(totals.requests)) this.set({ outcome }, n);
    },
  });
  for (const [name, help, read] of [
    ["rolebridge_scim_throttles", "429 answers from SCIM targets", () => totals.throttles],
    ["rolebridge_scim_retries", "SCIM requests sent again after a retryable failure", () => totals.retries],
    ["rolebridge_scim_exhausted", "SCIM requests that failed after their last attempt", () => totals.exhausted],
  ] as const) {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  }

  app.addHook("onResponse", async (request, reply) => {
    // The route pattern, never the raw URL, keeps label cardinality bounded.
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? "unmatched",
      status_code: String(reply.statusCode),
    };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });
  return registry;
}
