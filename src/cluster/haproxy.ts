import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface HaproxyOptions {
  /** Where clients connect (loopback). */
  port: number;
  /** The nodes' loopback ports, in order; server names are n1, n2, … */
  nodePorts: number[];
  /** Health-check interval (ms); a node is taken out after `fall` failed checks. */
  checkIntervalMs: number;
  fall: number;
}

/**
 * The load balancer's configuration. Why each part:
 * - `option httpchk GET /readyz`: a node that is shutting down (or lost its database) answers 503 and is taken
 *   out after `fall` checks; one good check puts it back.
 * - `retry-on conn-failure empty-response` + `option redispatch`: a request that reached no node (refused, or the
 *   connection closed with no answer: a node killed, or an idle connection it closed) goes to another node. A
 *   request a node answered is never sent twice.
 * - `option forwardfor`: the client's address for the nodes' sign-in throttle (the nodes run with trust proxy).
 */
export function haproxyConfig(opts: HaproxyOptions): string {
  const servers = opts.nodePorts.map((p, i) => `  server n${i + 1} 127.0.0.1:${p} check`).join("\n");
  return `global
  maxconn 4096
  log stderr format short local0 warning

defaults
  mode http
  log global
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  timeout http-request 10s
  retries 3
  option redispatch 1
  retry-on conn-failure empty-response
  option forwardfor

frontend rolebridge
  bind 127.0.0.1:${opts.port}
  default_backend nodes

backend nodes
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  default-server inter ${opts.checkIntervalMs} fastinter ${Math.max(100, Math.floor(opts.checkIntervalMs / 2))} downinter ${opts.checkIntervalMs} fall ${opts.fall} rise 1
${servers}
`;
}

/** The HAProxy binary: Debian's package puts it in /usr/sbin, which a non-root PATH may lack. */
export const HAPROXY_BIN = process.env.HAPROXY_BIN ?? "/usr/sbin/haproxy";

/** Checks the configuration with `haproxy -c`, then runs HAProxy in the foreground (-db), logging into `dir`. */
export function startHaproxy(dir: string, opts: HaproxyOptions): ChildProcess {
  const configPath = join(dir, "haproxy.cfg");
  writeFileSync(configPath, haproxyConfig(opts));
  const log = createWriteStream(join(dir, "haproxy.log"));
  const child = spawn(HAPROXY_BIN, ["-db", "-f", configPath], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}
