import { useState } from "preact/hooks";
import { api } from "../api";
import { ConfirmButton, Empty, ErrorNote, PageTitle, useId } from "../components/ui";
import { Link } from "../router";

type Kind = "users" | "groups" | "memberships";
const KINDS: readonly (readonly [Kind, string])[] = [
  ["users", "Users CSV"],
  ["groups", "Groups CSV"],
  ["memberships", "Memberships CSV"],
];

interface Counts {
  rows: number;
  valid: number;
  written: number;
  rejected: number;
  existing: number;
}
interface Report {
  committed: boolean;
  users: Counts;
  groups: Counts;
  memberships: Counts;
  errors: { file: string; line: number; column?: string; message: string }[];
  errorCount: number;
}
type Picked = Partial<Record<Kind, { name: string; text: string }>>;

function FilePicker(props: { label: string; onFile: (f: { name: string; text: string } | null) => void }) {
  const id = useId("file");
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        type="file"
        accept=".csv,text/csv"
        onChange={async (e) => {
          const file = e.currentTarget.files?.[0];
          props.onFile(file ? { name: file.name, text: await file.text() } : null);
        }}
      />
    </div>
  );
}

/**
 * CSV import: pick the files, see every bad row by file and line (a dry run: nothing written), then import
 * them all, or only the good rows. Files past the server's body limit go through `rolebridge import`.
 */
export function ImportPage() {
  const [files, setFiles] = useState<Picked>({});
  const [preview, setPreview] = useState<Report | null>(null);
  const [done, setDone] = useState<Report | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const body = (extra: Record<string, boolean>) => {
    const out: Record<string, unknown> = { ...extra, names: {} };
    for (const [kind, f] of Object.entries(files)) {
      out[kind] = f.text;
      (out.names as Record<string, string>)[kind] = f.name;
    }
    return out;
  };
  const run = async (extra: Record<string, boolean>) => {
    setError(null);
    setBusy(true);
    try {
      const report = await api.write<Report>("POST", "/import", body(extra));
      if (extra.dryRun) setPreview(report);
      else {
        setDone(report);
        setPreview(null);
      }
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const none = Object.keys(files).length === 0;

  return (
    <section>
      <p class="crumbs">
        <Link href="/people">People</Link>
      </p>
      <PageTitle>Import from CSV</PageTitle>
      <form
        class="panel"
        aria-labelledby="import-files"
        onSubmit={(e) => {
          e.preventDefault();
          setDone(null);
          void run({ dryRun: true });
        }}
      >
        <h2 id="import-files">Files</h2>
        <p class="hint">
          Columns as in the import guide: users (login, email, firstName, lastName, …), groups (name, description,
          source, externalId), memberships (group, user, source). Any of the three.
        </p>
        <div class="filters">
          {KINDS.map(([kind, label]) => (
            <FilePicker
              key={kind}
              label={label}
              onFile={(f) => {
                setPreview(null);
                setFiles((old) => {
                  const next = { ...old };
                  if (f) next[kind] = f;
                  else delete next[kind];
                  return next;
                });
              }}
            />
          ))}
        </div>
        <ErrorNote error={error} />
        <button type="submit" disabled={none || busy}>
          Check files
        </button>
      </form>
      {preview && (
        <section class="panel" aria-labelledby="import-preview">
          <h2 id="import-preview">Check: nothing written yet</h2>
          <CountsTable report={preview} />
          {preview.errorCount === 0 ? (
            <p>Every row is valid.</p>
          ) : (
            <>
              <p class="error">
                {preview.errorCount} problem{preview.errorCount === 1 ? "" : "s"}: fix the files and check again, or
                import only the valid rows.
              </p>
              <ul class="list" aria-label="Problems by line">
                {preview.errors.map((e) => (
                  <li key={`${e.file}:${e.line}:${e.column ?? ""}:${e.message}`}>
                    {e.file} line {e.line}
                    {e.column ? `, ${e.column}` : ""}: {e.message}
                  </li>
                ))}
              </ul>
            </>
          )}
          <div class="actions">
            {preview.errorCount === 0 ? (
              <button type="button" disabled={busy} onClick={() => run({})}>
                Import
              </button>
            ) : (
              <ConfirmButton
                label="Import the valid rows"
                title="Import only the valid rows?"
                message="The rows listed as problems are skipped; everything else is written in one step."
                confirmLabel="Import the valid rows"
                onConfirm={() => run({ partial: true })}
              />
            )}
          </div>
        </section>
      )}
      {done && (
        <div class="panel" role="status">
          <h2>{done.committed ? "Imported" : "Nothing imported"}</h2>
          <CountsTable report={done} />
        </div>
      )}
      {!preview && !done && (
        <Empty>Pick one or more CSV files, then check them: nothing is written until you import.</Empty>
      )}
    </section>
  );
}

function CountsTable({ report }: { report: Report }) {
  return (
    <table>
      <caption class="sr-only">Rows per file</caption>
      <thead>
        <tr>
          <th scope="col">File</th>
          <th scope="col">Rows</th>
          <th scope="col">Valid</th>
          <th scope="col">Problems</th>
          <th scope="col">Written</th>
        </tr>
      </thead>
      <tbody>
        {(["users", "groups", "memberships"] as const)
          .filter((k) => report[k].rows > 0)
          .map((k) => (
            <tr key={k}>
              <td>{k}</td>
              <td>{report[k].rows}</td>
              <td>{report[k].valid}</td>
              <td>{report[k].rejected}</td>
              <td>{report[k].written}</td>
            </tr>
          ))}
      </tbody>
    </table>
  );
}
