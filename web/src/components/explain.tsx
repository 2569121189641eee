import { api, query } from "../api";
import type { Explain } from "../types";
import { Empty, ErrorNote, Loading, useLoad } from "./ui";

type Reason = Explain["roles"][number]["reasons"][number];

const RULES: Record<Explain["assignmentRule"], string> = {
  own: "their own assignment (Join all roles is off, so their groups' roles are not added)",
  "own+groups": "their own assignment plus their groups' (Join all roles is on)",
  "groups-combine": "their groups' assignments, combined",
  "groups-priority": "the highest-priority group assignment",
  none: "no assignment; only group mapping can grant roles",
};

function reasonText(r: Reason): string {
  if (r.kind === "user-assignment") return "assigned to them directly";
  if (r.kind === "group-assignment") return `assigned to group ${r.groupName}`;
  return `group ${r.groupName} (${r.source}) matches the Group Filter`;
}

/** Which AWS roles a person gets from an app with its saved settings, and why. */
export function ExplainView({ appId, userId }: { appId: string; userId: string }) {
  const { data, error } = useLoad(
    () => api.get<Explain>(`/apps/${encodeURIComponent(appId)}/explain${query({ user: userId })}`),
    [appId, userId],
  );
  if (error) return <ErrorNote error={error} />;
  if (!data) return <Loading what="roles" />;
  return <ExplainResult data={data} />;
}

/** Which AWS roles a person gets and why, and which of their groups the filters leave out. */
export function ExplainResult({ data }: { data: Explain }) {
  return (
    <div class="explain" aria-live="polite">
      {data.blockedBecause === "app_inactive" && <p class="notice">The app is inactive: it signs no one in.</p>}
      {data.blockedBecause === "user_not_active" && <p class="notice">This person is not active: no roles.</p>}
      {!data.assigned && <p class="notice">Neither this person nor any of their groups is assigned to the app.</p>}
      <p>Roles come from {RULES[data.assignmentRule]}.</p>
      {data.roles.length === 0 ? (
        <Empty>No AWS role. Assign the person or one of their groups to the app, with a role.</Empty>
      ) : (
        <table class="wrap-last">
          <caption class="sr-only">AWS roles and why</caption>
          <thead>
            <tr>
              <th scope="col">Account</th>
              <th scope="col">Role</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {data.roles.map((r) => (
              <tr key={r.roleArn + r.providerArn}>
                <td>{r.alias ? `${r.alias} (${r.accountId})` : r.accountId}</td>
                <td>{r.roleName}</td>
                <td>{r.reasons.map(reasonText).join("; ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data.rejectedByAppFilter.length > 0 && (
        <p>
          Rejected by the App Filter (source not allowed):{" "}
          {data.rejectedByAppFilter.map((g) => `${g.groupName} (${g.source})`).join(", ")}
        </p>
      )}
      {data.unmatchedByGroupFilter.length > 0 && (
        <p>Not matched by the Group Filter: {data.unmatchedByGroupFilter.map((g) => g.groupName).join(", ")}</p>
      )}
      {data.ignoredGroupAssignments.length > 0 && (
        <p>
          Left out by the assignment rule:{" "}
          {data.ignoredGroupAssignments
            .map(
              (g) =>
                `${g.groupName} → ${g.roleArn} (${g.reason === "lower_priority" ? "lower priority" : "Join all roles off"})`,
            )
            .join(", ")}
        </p>
      )}
      {[...data.invalidRenders, ...data.invalidAssignments].length > 0 && (
        <p class="error">
          Invalid: {data.invalidRenders.map((r) => `${r.groupName}: ${r.reason}`).join(", ")}
          {data.invalidAssignments.map((a) => `${a.roleArn}: ${a.reason}`).join(", ")}
        </p>
      )}
      {data.heldByRules.length > 0 && (
        <p>
          Memberships held by rules:{" "}
          {data.heldByRules.map((h) => `${h.groupName} (because of ${h.fromGroupName})`).join(", ")}
        </p>
      )}
    </div>
  );
}
