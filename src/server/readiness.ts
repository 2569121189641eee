/**
 * Whether this node wants new traffic. It turns false the moment the node starts shutting down, before
 * anything closes, so a load balancer's health checks (GET /readyz) take the node out while it still serves
 * everything sent to it.
 */
export class Readiness {
  private drainingSince: number | null = null;

  get draining(): boolean {
    return this.drainingSince !== null;
  }

  drain(): void {
    this.drainingSince ??= Date.now();
  }
}
