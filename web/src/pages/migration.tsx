import { useEffect, useState } from "preact/hooks";
import { api, query } from "../api";
import { ConfirmButton, Empty, ErrorNote, Loading, PageTitle, useLoad } from "../components/ui";
import type {
  App,
  MigrationApplied,
  MigrationCutOver,
  MigrationInventory,
  MigrationPlan,
  MigrationRolledBack,
  ProofResult,
} from "../types";
import { bodyOf, initialForm, legacyApps, type MigrationForm, MigrationOptions } from "./migration-options";
import { type StepName, useStepRunner } from "./migration-runner";
import { AppliedView, InventoryView, PlanView, ProgressView, ProofView } from "./migration-views";

/**
 * Off the legacy API mode onto role groups, as `rolebridge migrate` does it: inventory → plan → verify → apply
 * (live progress) → verify → cut-over, with rollback until and after, and the report. Each step is the API's.
 */
export function MigrationPage() {
  const apps = useLoad(() => api.get<App[]>("/apps?limit=200"), []);
  const legacy = legacyApps(apps.data ?? []);
  const [form, setForm] = useState<MigrationForm | null>(null);
  useEffect(() => {
    if (!form && legacy[0]) setForm(initialForm(legacy[0].slug));
  }, [apps.data]);

  if (!apps.data) return apps.error ? <ErrorNote error={apps.error} /> : <Loading what="apps" />;
  return (
    <section>
      <PageTitle>Migration</PageTitle>
      <p>
        Move an AWS app in legacy API mode onto role groups and group mapping so that nobody gains or loses a role, and
        prove it: inventory → plan → verify → apply → verify → cut over. Rollback works until and after cut-over.
      </p>
      {legacy.length === 0 || !form ? (
        <Empty>
          No app is in legacy API mode, so there is nothing to migrate. An AWS Account Federation app with API keys on
          its Provisioning tab shows up here.
        </Empty>
      ) : (
        <Steps key={form.from} form={form} setForm={setForm} apps={legacy} />
      )}
    </section>
  );
}

function Steps(props: { form: MigrationForm; setForm: (f: MigrationForm) => void; apps: App[] }) {
  const { form } = props;
  const [inventory, setInventory] = useState<MigrationInventory | null>(null);
  const [plan, setPlan] = useState<MigrationPlan | null>(null);
  const [proof, setProof] = useState<ProofResult | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  const [applied, setApplied] = useState<MigrationApplied | null>(null);
  const body = bodyOf(form);
  const reportUrl = (format: "html" | "md") => `/api/v1/migrations/report${query({ ...body, format })}`;
  const progressPath = `/migrations/progress${query({ from: form.from, to: form.to.trim() })}`;
  const { busy, errors, lastError, progress, run } = useStepRunner(progressPath);
  const post = <T,>(step: StepName, payload: unknown = body) => api.write<T>("POST", `/migrations/${step}`, payload);

  const ready = plan !== null && plan.counts.blocking === 0 && proof !== null && proof.differences.length === 0;
  const stepError = (s: StepName) => <ErrorNote error={errors[s]} />;

  return (
    <>
      <MigrationOptions apps={props.apps} form={form} onForm={props.setForm} error={lastError} />
      <ol class="steps">
        <li class="panel">
          <h2>1. Inventory</h2>
          <p class="muted">The legacy app's accounts, role lists and assignments, and what AWS says now.</p>
          <button
            type="button"
            disabled={busy !== null}
            onClick={() =>
              run(
                "inventory",
                () => post<MigrationInventory>("inventory", { from: form.from, offline: form.offline }),
                setInventory,
              )
            }
          >
            Read inventory
          </button>
          {stepError("inventory")}
          {inventory && <InventoryView inventory={inventory} />}
        </li>
        <li class="panel">
          <h2>2. Plan</h2>
          <p class="muted">Role groups, memberships, rules and the new app, with every finding. Writes nothing.</p>
          <button
            type="button"
            disabled={busy !== null}
            onClick={() => run("plan", () => post<MigrationPlan>("plan"), setPlan)}
          >
            Make the plan
          </button>
          {stepError("plan")}
          {plan && <PlanView plan={plan} />}
        </li>
        <li class="panel">
          <h2>3. Verify</h2>
          <p class="muted">
            Every person keeps exactly their (provider, role) pairs: against the plan before apply, live after it.
          </p>
          <button
            type="button"
            disabled={busy !== null}
            onClick={() => run("verify", () => post<ProofResult>("verify"), setProof)}
          >
            Verify
          </button>
          {stepError("verify")}
          {proof && <ProofView proof={proof} />}
        </li>
        <li class="panel">
          <h2>4. Apply</h2>
          <p class="muted">
            {applied
              ? "Applied. Verify again, now against live state, before cutting over."
              : ready
                ? "The plan has no blocking finding and the proof is clean."
                : "Make the plan and verify it first: apply runs only a plan with no blocking finding and a clean proof."}{" "}
            Applying again resumes an interrupted apply and changes nothing after a finished one.
          </p>
          <ConfirmButton
            label="Apply"
            title={`Apply the migration of ${form.from} to ${form.to}?`}
            message={
              <p>
                Creates{" "}
                {plan
                  ? `${plan.counts.roleGroups} role groups, their members, ${plan.counts.rules} rules`
                  : "the role groups, their members, the rules"}{" "}
                and the app {form.to}, then sets up SAML in each account
                {form.skipAws ? " (skipped: Leave AWS alone)" : ""}. The legacy app stays active until cut-over;
                rollback undoes all of it.
              </p>
            }
            confirmLabel="Apply"
            disabled={busy !== null || !(ready || applied)}
            onConfirm={() => {
              void run(
                "apply",
                () => post<MigrationApplied>("apply"),
                (r) => {
                  setApplied(r);
                  setOutcome(null);
                  setProof(null);
                },
                true,
              );
            }}
          />
          {(busy === "apply" || busy === "rollback" || busy === "cutover" || progress) && (
            <ProgressView progress={progress} />
          )}
          {stepError("apply")}
          {applied && <AppliedView applied={applied} />}
        </li>
        <li class="panel">
          <h2>5. Cut over, or roll back</h2>
          <p class="muted">
            Cut-over deactivates {form.from}, only when the live proof is clean (verify again after apply). Rollback
            before cut-over removes what apply created; after it, it switches {form.from} back on.
          </p>
          <div class="actions">
            <ConfirmButton
              label="Cut over"
              title={`Cut over to ${form.to}?`}
              message={`${form.from} is deactivated: people sign in to AWS through ${form.to} from then on. Rollback switches it back on.`}
              confirmLabel="Cut over"
              danger
              disabled={busy !== null}
              onConfirm={() => {
                void run(
                  "cutover",
                  () => post<MigrationCutOver>("cutover"),
                  (r) =>
                    setOutcome(
                      `Cut over: ${form.from} is inactive; ${r.proof.identical} of ${r.proof.people} people identical.`,
                    ),
                  true,
                );
              }}
            />
            <ConfirmButton
              label="Roll back"
              title={`Roll back the migration to ${form.to}?`}
              message="Before cut-over: the role groups, memberships, rules, the new app and the AWS changes apply made are removed, newest first. After cut-over: the legacy app is switched back on."
              confirmLabel="Roll back"
              danger
              disabled={busy !== null}
              onConfirm={() => {
                void run(
                  "rollback",
                  () => post<MigrationRolledBack>("rollback"),
                  (r) => {
                    setApplied(null);
                    setProof(null);
                    setOutcome(
                      r.legacyReactivated
                        ? `Rolled back the cut-over: ${form.from} is active again (${r.undone} steps undone).`
                        : `Rolled back: ${r.undone} steps undone; ${form.to} no longer exists.`,
                    );
                  },
                  true,
                );
              }}
            />
          </div>
          {stepError("cutover")}
          {stepError("rollback")}
          {outcome && <p role="status">{outcome}</p>}
        </li>
        <li class="panel">
          <h2>6. Report</h2>
          <p class="muted">
            Counts before and after, the proof, each account's status, findings and what is left to do.
          </p>
          <p class="actions">
            <a href={reportUrl("html")} target="_blank" rel="noopener">
              Open the HTML report
            </a>
            <a href={reportUrl("md")} download>
              Download the Markdown report
            </a>
          </p>
        </li>
      </ol>
    </>
  );
}
