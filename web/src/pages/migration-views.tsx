import { Empty, when } from "../components/ui";
import type {
  Finding,
  MigrationApplied,
  MigrationInventory,
  MigrationPlan,
  MigrationProgress,
  ProofResult,
} from "../types";

/** The legacy estate as it is stored, and each account as AWS answers now. */
export function InventoryView({ inventory }: { inventory: MigrationInventory }) {
  const groupAssignments = inventory.assignments.filter((a) => a.principalType === "group").length;
  return (
    <div>
      <dl class="facts">
        <dt>App</dt>
        <dd>
          {inventory.app.label} ({inventory.app.slug})
        </dd>
        <dt>Last refresh</dt>
        <dd>
          {inventory.lastRefresh
            ? `${inventory.lastRefresh.status}, ${when(inventory.lastRefresh.finishedAt)}`
            : "never: refresh the role lists on the app's Provisioning tab"}
        </dd>
        <dt>Assignments</dt>
        <dd>
          {inventory.assignments.length - groupAssignments} people, {groupAssignments} groups
        </dd>
        <dt>People reached</dt>
        <dd>{inventory.people.length}</dd>
      </dl>
      <div class="wrap-cells">
        <table>
          <caption>Connected accounts</caption>
          <thead>
            <tr>
              <th scope="col">Account</th>
              <th scope="col">Role list (last refresh)</th>
              <th scope="col">AWS now</th>
            </tr>
          </thead>
          <tbody>
            {inventory.accounts.map((a) => (
              <tr key={a.accountId}>
                <th scope="row">
                  {a.accountId}
                  {a.alias && <div class="muted">{a.alias}</div>}
                </th>
                <td>
                  {a.roleList.status}: {a.roleList.roles.length} roles
                  {a.roleList.error && <div class="error">{a.roleList.error}</div>}
                </td>
                <td>
                  {a.aws.status}
                  {a.aws.roles && `: ${a.aws.roles.length} roles`}
                  {a.aws.providers && `, providers ${a.aws.providers.map((p) => p.name).join(", ") || "none"}`}
                  {a.aws.error && <div class="error">{a.aws.error}</div>}
                  {a.aws.providersError && <div class="muted">Providers not listed: {a.aws.providersError}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function FindingsTable({ findings, severity }: { findings: Finding[]; severity: Finding["severity"] }) {
  const list = findings.filter((f) => f.severity === severity);
  const title = severity === "blocking" ? "Blocking findings (apply refuses)" : "Warnings (yours to accept)";
  if (list.length === 0) return <p>{severity === "blocking" ? "No blocking finding." : "No warning."}</p>;
  return (
    <div class="wrap-cells">
      <table class={`findings-${severity}`}>
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">Finding</th>
            <th scope="col">About</th>
            <th scope="col">What it means</th>
          </tr>
        </thead>
        <tbody>
          {list.map((f) => (
            <tr key={`${f.kind}:${f.subject}`}>
              <td>{f.kind}</td>
              <td>
                <code>{f.subject}</code>
              </td>
              <td>{f.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The plan: what apply would write, and its findings, blocking ones first. */
export function PlanView({ plan }: { plan: MigrationPlan }) {
  const c = plan.counts;
  return (
    <div>
      <p>
        {c.roleGroups} role groups, {c.staticMemberships} memberships, {c.rules} membership rules for {c.people} people;
        target app <code>{plan.targetApp.slug}</code> with Group Filter <code>{plan.options.groupFilter}</code>.{" "}
        <strong>{c.blocking} blocking</strong>, {c.warnings} warnings.
      </p>
      <FindingsTable findings={plan.findings} severity="blocking" />
      <FindingsTable findings={plan.findings} severity="warning" />
      <details>
        <summary>Role groups ({plan.roleGroups.length})</summary>
        <div class="wrap-cells">
          <table>
            <caption class="sr-only">Planned role groups</caption>
            <thead>
              <tr>
                <th scope="col">Group</th>
                <th scope="col">Role</th>
                <th scope="col">Members</th>
              </tr>
            </thead>
            <tbody>
              {plan.roleGroups.map((g) => (
                <tr key={g.name}>
                  <td>{g.name}</td>
                  <td>{g.roleArn}</td>
                  <td>
                    {g.members.length} direct
                    {g.ruleFrom.length > 0 && `; members of ${g.ruleFrom.join(", ")} by rule`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  );
}

const pairs = (list: { roleArn: string; providerArn: string }[]) => list.map((p) => p.roleArn).join(", ");

/** The proof: every person keeps exactly their (provider, role) pairs; differences per person. */
export function ProofView({ proof }: { proof: ProofResult }) {
  return (
    <div>
      <p role="status">
        <strong>
          {proof.identical} of {proof.people} people identical
        </strong>
        {proof.differences.length === 0
          ? ": nobody gains or loses a role."
          : `; ${proof.differences.length} difference(s) block apply and cut-over.`}
      </p>
      {proof.differences.length > 0 && (
        <ul class="list" aria-label="Differences">
          {proof.differences.map((d) =>
            d.kind === "person" ? (
              <li key={`p:${d.userId}`}>
                <strong>{d.login}</strong>
                {d.lost.length > 0 && <> loses {pairs(d.lost)}</>}
                {d.gained.length > 0 && <> gains {pairs(d.gained)}</>}
                {d.providerChanged.map((c) => (
                  <span key={c.roleArn}>
                    {" "}
                    signs in to {c.roleArn} through {c.providerArn} instead of {c.expectedProviderArn}
                  </span>
                ))}
              </li>
            ) : d.kind === "setting" ? (
              <li key={`s:${d.setting}`}>
                Setting <strong>{d.setting}</strong>: legacy {JSON.stringify(d.legacy)}, target{" "}
                {JSON.stringify(d.target)}
              </li>
            ) : (
              <li key={`a:${d.accountId}`}>
                Account <strong>{d.accountId}</strong> lacks the provider {d.providerArn}
              </li>
            ),
          )}
        </ul>
      )}
    </div>
  );
}

const TITLES: Record<MigrationProgress["verb"], [string, string]> = {
  apply: ["Applying", "Apply finished"],
  rollback: ["Rolling back", "Rollback finished"],
  cutover: ["Cutting over", "Cut-over finished"],
};

/** Live progress of apply, rollback or cut-over, as the server's board reports it. */
export function ProgressView({ progress }: { progress: MigrationProgress | null }) {
  if (!progress) return <Empty>Starting…</Empty>;
  const max = Math.max(progress.total, 1);
  const waiting = progress.running ? 0 : progress.total - progress.passed;
  const [running, finished] = TITLES[progress.verb];
  const title = progress.running ? running : finished;
  return (
    <div>
      <label>
        {title}: {progress.passed} of {progress.total} steps
        <progress max={max} value={progress.passed} />
      </label>
      <p aria-live="polite" class="muted">
        {progress.running ? `Now: ${progress.lastStep ?? "starting"}` : "Finished."} {progress.done} done,{" "}
        {progress.skipped} already done, {progress.undone} undone, {progress.failed} failed
        {waiting > 0 && `, ${waiting} waiting for the next run`}.
      </p>
    </div>
  );
}

/** Apply's outcome: the directory is whole; each AWS account that failed, with what AWS said. */
export function AppliedView({ applied }: { applied: MigrationApplied }) {
  return (
    <div role="status">
      <p>
        Applied{applied.resumed ? " (resumed)" : ""}: {applied.done} steps done, {applied.skipped} already done,{" "}
        {applied.pending} waiting. AWS: {applied.aws}.
      </p>
      {applied.failed.length > 0 && (
        <>
          <p>These accounts failed; the directory is whole, and applying again retries them once the cause is fixed:</p>
          <ul class="list" aria-label="Failed accounts">
            {applied.failed.map((f) => (
              <li key={f.key}>
                <strong>{f.item.replace(/^aws:/, "account ")}</strong>: <span class="error">{f.message}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      {applied.providersLeft.length > 0 && (
        <p class="muted">Providers switched at cut-over: {applied.providersLeft.join(", ")}.</p>
      )}
    </div>
  );
}
