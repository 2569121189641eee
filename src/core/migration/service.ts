import type { Store } from "../../store/contract.js";
import type { MigrationRun } from "../../store/contract-migrations.js";
import { allPages } from "../../store/pages.js";
import type { LegacyApiService } from "../apps/legacy-api.js";
import { DomainError, notFound } from "../errors.js";
import type { Clock } from "../ids.js";
import { policyDiff } from "../policy/diff.js";
import { readAwsAccounts } from "./aws-inventory.js";
import { inventoryFromStore } from "./inventory.js";
import type { Inventory, InventoryGroup } from "./model.js";
import { buildPlan, type DirectoryState } from "./plan.js";
import type { Plan, PlanOptions } from "./plan-model.js";
import { type ProofResult, type ProviderDifference, prove, proveAgainstPlan } from "./proof.js";
import type { ReportInput } from "./report.js";

export interface MigrationReadDeps {
  store: Store;
  clock: Clock;
  legacyApi: Pick<LegacyApiService, "awsAccess">;
}

/** The run whose state decides what verify compares, and what this migration owns. */
export async function currentRun(store: Store, fromAppId: string, to: string): Promise<MigrationRun | null> {
  const run = await store.migrationJournal.latestRun(fromAppId, to);
  return run && run.state !== "rolled_back" ? run : null;
}

async function directoryState(store: Store, run: MigrationRun | null, to: string): Promise<DirectoryState> {
  const groups: InventoryGroup[] = [];
  for await (const g of allPages((after) => store.groups.list({}, { limit: 1000, after })))
    groups.push({ id: g.id, name: g.name, source: g.source });
  const owned = new Set<string>();
  let ownsApp = false;
  if (run) {
    for (const s of await store.migrationJournal.steps(run.id)) {
      if (s.status !== "done") continue;
      if (s.kind === "create-group" && typeof s.result.groupId === "string") owned.add(s.result.groupId);
      if (s.kind === "create-app") ownsApp = true;
    }
  }
  const target = (await store.apps.getBySlug(to)) ? (ownsApp ? "owned" : "foreign") : "absent";
  return { groups, ownedGroupIds: owned, target };
}

/** Accounts read with keys that may list providers, lacking the one the target names there. */
function missingProviders(inventory: Inventory, plan: Plan): ProviderDifference[] {
  const accounts = new Map(inventory.accounts.map((a) => [a.accountId, a.aws.providers]));
  return plan.aws
    .filter((a) => {
      const providers = accounts.get(a.accountId);
      return providers != null && !providers.some((p) => p.arn === a.providerArn);
    })
    .map((a) => ({ kind: "provider", accountId: a.accountId, providerArn: a.providerArn }));
}

/**
 * The read side of a migration: inventory (store, plus AWS unless offline), plan, and proof — against the
 * plan before apply, against live state once a run has applied it.
 */
export class MigrationReader {
  constructor(private readonly deps: MigrationReadDeps) {}

  async inventory(from: string, opts: { offline?: boolean | undefined } = {}): Promise<Inventory> {
    const inventory = await inventoryFromStore(this.deps.store, from);
    if (opts.offline) return inventory;
    let access: Awaited<ReturnType<LegacyApiService["awsAccess"]>>;
    try {
      access = await this.deps.legacyApi.awsAccess(inventory.app.id);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      for (const a of inventory.accounts) a.aws = { ...a.aws, status: "unreachable", error: err.message };
      return inventory;
    }
    const states = await readAwsAccounts(access.clients, access.target, access.credentials, {
      accountIds: inventory.accounts.map((a) => a.accountId),
      crossAccountRoleName: access.api.crossAccountRoleName,
    });
    for (const a of inventory.accounts) a.aws = states.get(a.accountId) ?? a.aws;
    return inventory;
  }

  async plan(from: string, options: PlanOptions, opts: { offline?: boolean | undefined } = {}) {
    const inventory = await this.inventory(from, opts);
    const run = await currentRun(this.deps.store, inventory.app.id, options.to);
    const plan = await buildPlan(inventory, await directoryState(this.deps.store, run, options.to), options);
    return { inventory, plan, run };
  }

  /** Live: both apps from the store, the plan's provider mapping from the run that applied it. */
  async verify(
    from: string,
    options: PlanOptions,
    opts: { offline?: boolean | undefined } = {},
  ): Promise<{
    against: "plan" | "live";
    result: ProofResult;
    plan: Plan;
    inventory: Inventory;
    run: MigrationRun | null;
  }> {
    const app = await inventoryFromStore(this.deps.store, from).then((i) => i.app);
    const run = await currentRun(this.deps.store, app.id, options.to);
    if (run && (run.state === "applied" || run.state === "cut_over")) {
      const inventory = await this.inventory(from, opts);
      const plan = JSON.parse(run.plan) as Plan;
      const target = await this.deps.store.apps.getBySlug(options.to);
      if (!target) throw notFound("app", options.to);
      const result = await prove(inventory, {
        legacy: { app: inventory.app, sources: this.deps.store },
        target: { app: target, sources: this.deps.store },
        providerMap: plan.providerMap,
      });
      // However SAML was set up (apply, the templates, by hand), the target's providers must exist to sign in.
      if (!opts.offline) result.differences.push(...missingProviders(inventory, plan));
      return { against: "live", result, plan, inventory, run };
    }
    const { inventory, plan } = await this.plan(from, options, opts);
    return { against: "plan", result: await proveAgainstPlan(inventory, plan), plan, inventory, run };
  }

  /** Everything `migrate report` shows, proven the way verify proves it. */
  async report(from: string, options: PlanOptions, opts: { offline?: boolean | undefined; awsStepsWired: boolean }) {
    const { against, result, plan, inventory, run } = await this.verify(from, options, opts);
    const input: ReportInput = {
      inventory,
      plan,
      proof: { against, result },
      state: run?.state ?? "not applied",
      awsStepsWired: opts.awsStepsWired,
      policyFixes: (await this.deps.store.policyBackups.list(inventory.app.id)).map((b) => ({
        principalArn: b.principalArn,
        status: b.status,
        createdAt: b.createdAt,
        diff: policyDiff(b.oldDocument, b.newDocument),
      })),
    };
    return input;
  }
}
