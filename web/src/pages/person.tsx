import { useState } from "preact/hooks";
import { ApiError, api } from "../api";
import { ExplainView } from "../components/explain";
import {
  ConfirmButton,
  Empty,
  ErrorNote,
  Loading,
  PageTitle,
  Select,
  StatusBadge,
  useLoad,
  when,
} from "../components/ui";
import { Link } from "../router";
import type { App, Group, SignInLock, User } from "../types";
import { fullName } from "./people";

type Action = "activate" | "suspend" | "unsuspend" | "deactivate";

/** What each status allows, as Okta's person page offers it. Deactivation ends access: it asks first. */
const ACTIONS: Record<User["status"], Action[]> = {
  STAGED: ["activate", "deactivate"],
  ACTIVE: ["suspend", "deactivate"],
  SUSPENDED: ["unsuspend", "deactivate"],
  DEPROVISIONED: ["activate"],
};
const LABELS: Record<Action, string> = {
  activate: "Activate",
  suspend: "Suspend",
  unsuspend: "Unsuspend",
  deactivate: "Deactivate",
};

export function PersonPage({ id }: { id: string }) {
  const person = useLoad(() => api.get<User>(`/users/${encodeURIComponent(id)}`), [id]);
  const groups = useLoad(() => api.get<Group[]>(`/users/${encodeURIComponent(id)}/groups`), [id]);
  const lock = useLoad(() => api.get<SignInLock>(`/users/${encodeURIComponent(id)}/lifecycle/lock`), [id]);
  const [unlocked, setUnlocked] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  const [link, setLink] = useState<{ url: string; expiresAt: string; purpose: string } | null>(null);
  const user = person.data;
  if (!user) return person.error ? <ErrorNote error={person.error} /> : <Loading what="person" />;

  const unlock = async () => {
    setActionError(null);
    try {
      await api.write("POST", `/users/${encodeURIComponent(user.id)}/lifecycle/unlock`);
      setUnlocked(true);
      lock.reload();
    } catch (e) {
      setActionError(e);
    }
  };

  const act = async (action: Action) => {
    setActionError(null);
    try {
      await api.write("POST", `/users/${encodeURIComponent(user.id)}/lifecycle/${action}`);
      person.reload();
    } catch (e) {
      setActionError(e);
    }
  };

  /** A one-time link where they set their password: activation, or a reset once they have one. */
  const issueLink = async () => {
    setActionError(null);
    const path = `/users/${encodeURIComponent(user.id)}/activation-link`;
    type Issued = { url: string; expiresAt: string; purpose: string };
    try {
      setLink(
        await api.write<Issued>("POST", path, {}).catch((e: unknown) => {
          if (e instanceof ApiError && e.code === "conflict") return api.write<Issued>("POST", path, { reset: true });
          throw e;
        }),
      );
    } catch (e) {
      setActionError(e);
    }
  };

  return (
    <section>
      <p class="crumbs">
        <Link href="/people">People</Link>
      </p>
      <PageTitle>{fullName(user)}</PageTitle>
      <div class="pair">
        <div class="panel">
          <h2>Profile</h2>
          <dl class="facts">
            <dt>Login</dt>
            <dd>{user.profile.login}</dd>
            <dt>Email</dt>
            <dd>{user.profile.email}</dd>
            <dt>First name</dt>
            <dd>{user.profile.firstName ?? "—"}</dd>
            <dt>Last name</dt>
            <dd>{user.profile.lastName ?? "—"}</dd>
            <dt>Status</dt>
            <dd>
              <StatusBadge status={user.status} />
            </dd>
            <dt>Sign-in</dt>
            <dd>
              {lock.data?.locked ? (
                <span class="error">
                  Locked by failed sign-ins {lock.data.everywhere ? "everywhere" : "at one address or more"} until{" "}
                  {when(lock.data.until)}
                </span>
              ) : lock.data ? (
                unlocked ? (
                  "Unlocked"
                ) : (
                  "Not locked"
                )
              ) : (
                "—"
              )}
            </dd>
            <dt>Last sign-in</dt>
            <dd>{when(user.lastLogin)}</dd>
            <dt>Created</dt>
            <dd>{when(user.created)}</dd>
          </dl>
          <div class="actions">
            {lock.data?.locked && (
              <button type="button" onClick={unlock}>
                Unlock
              </button>
            )}
            {ACTIONS[user.status].map((action) =>
              action === "deactivate" || action === "suspend" ? (
                <ConfirmButton
                  key={action}
                  label={LABELS[action]}
                  title={`${LABELS[action]} ${fullName(user)}?`}
                  message={
                    action === "deactivate"
                      ? "They lose access to every app and their sessions end. Activating them again later is possible."
                      : "They cannot sign in until unsuspended; their groups and assignments stay."
                  }
                  confirmLabel={LABELS[action]}
                  danger
                  onConfirm={() => act(action)}
                />
              ) : (
                <button key={action} type="button" onClick={() => act(action)}>
                  {LABELS[action]}
                </button>
              ),
            )}
            {(user.status === "STAGED" || user.status === "ACTIVE") && (
              <button type="button" class="secondary" onClick={() => void issueLink()}>
                Password link
              </button>
            )}
          </div>
          {link && (
            <p class="notice" role="status">
              One-time {link.purpose} link, valid until {when(link.expiresAt)} (a new one replaces it). Send it to them
              privately: <code>{link.url}</code>
            </p>
          )}
          <ErrorNote error={actionError} />
        </div>
        <div class="panel">
          <h2>Groups</h2>
          <ErrorNote error={groups.error} />
          {groups.data?.length === 0 && <Empty>Not in any group. Add them from a group's page.</Empty>}
          {groups.data && groups.data.length > 0 && (
            <ul class="list">
              {groups.data.map((g) => (
                <li key={g.id}>
                  <Link href={`/groups/${encodeURIComponent(g.id)}`}>{g.profile.name}</Link>{" "}
                  <span class="muted">({g.source})</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
      <AppAccess user={user} />
    </section>
  );
}

/** Why this person gets each AWS role of an app: the same answer sign-in uses. */
function AppAccess({ user }: { user: User }) {
  const apps = useLoad(() => api.get<App[]>("/apps?limit=200"), []);
  const federation = (apps.data ?? []).filter((a) => a.type === "aws-account-federation");
  const [picked, setPicked] = useState("");
  const appId = picked || federation[0]?.id || "";
  return (
    <div class="panel">
      <h2>Apps and AWS roles</h2>
      <ErrorNote error={apps.error} />
      {apps.data && federation.length === 0 && <Empty>No AWS Account Federation app yet. Create one under Apps.</Empty>}
      {federation.length > 0 && (
        <>
          <Select
            label="App"
            value={appId}
            options={federation.map((a) => [a.id, a.label] as const)}
            onValue={setPicked}
          />
          <ExplainView key={appId} appId={appId} userId={user.id} />
        </>
      )}
    </div>
  );
}
