import { useState } from "preact/hooks";
import { ApiError, api } from "../api";
import { ErrorNote, errorsByField, Field } from "../components/ui";
import type { Group } from "../types";

/** The API names the field of a conflict (`details.field`, e.g. /profile/name) outside the validation list. */
function conflictField(error: unknown): string | null {
  return error instanceof ApiError && typeof error.details.field === "string" ? error.details.field : null;
}

/**
 * Edit a group's name and description (its source never changes; an external directory's group is renamed
 * there and synced). Sent with the version read, so a change made meanwhile is refused rather than lost.
 */
export function GroupEditForm(props: { group: Group; onSaved: (g: Group) => void; onCancel: () => void }) {
  const g = props.group;
  const [name, setName] = useState(g.profile.name);
  const [description, setDescription] = useState(g.profile.description ?? "");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const fields = errorsByField(error, "/profile/");
  const at = conflictField(error);
  const nameError = fields.name ?? (at === "/profile/name" ? (error as Error).message : null);
  const descriptionError = fields.description ?? (at === "/profile/description" ? (error as Error).message : null);
  const elsewhere = error && !nameError && !descriptionError ? error : null;

  return (
    <form
      aria-label="Edit group"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          const profile = { name: name.trim(), description: description.trim() || null };
          const body = g.externalId ? { profile, externalId: g.externalId } : { profile };
          props.onSaved(await api.write<Group>("PUT", `/groups/${encodeURIComponent(g.id)}`, body, g.version));
        } catch (err) {
          setError(err);
        } finally {
          setBusy(false);
        }
      }}
    >
      <Field label="Name" required value={name} onValue={setName} error={nameError} />
      <Field
        label="Description"
        value={description}
        onValue={setDescription}
        error={descriptionError}
        hint="Optional; shown in lists and to other admins."
      />
      <ErrorNote error={elsewhere} />
      <div class="actions">
        <button type="submit" disabled={busy}>
          Save group
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
