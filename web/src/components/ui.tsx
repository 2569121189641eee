import type { ComponentChildren, JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, messageOf } from "../api";
import { hasNavigated } from "../router";

let ids = 0;
/** A stable id per component instance, to tie labels, hints and errors to their control. */
export function useId(prefix: string): string {
  const ref = useRef<string | null>(null);
  ref.current ??= `${prefix}-${++ids}`;
  return ref.current;
}

/**
 * After a move within the console the page's heading takes focus, so keyboard and screen reader users start
 * at the top of the new page; on the first page loaded, Tab starts at "Skip to content" as on any site.
 */
export function PageTitle({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (hasNavigated()) ref.current?.focus();
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}

interface InputProps {
  label: string;
  type?: "text" | "email" | "password" | "search" | "datetime-local" | "number";
  required?: boolean;
  autoComplete?: string;
  inputMode?: "numeric" | "text";
  autoFocus?: boolean;
  list?: string;
  value: string;
  onValue: (v: string) => void;
  error?: string | null | undefined;
  hint?: string;
}

/** A labelled input with its hint and error right under it, announced with the field. */
export function Field({ label, value, onValue, error, hint, ...rest }: InputProps) {
  const id = useId("f");
  const described = [hint ? `${id}-hint` : null, error ? `${id}-err` : null].filter(Boolean).join(" ");
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        // Preact types inputs per `type`; the props above are valid for every type this takes.
        {...(rest as JSX.IntrinsicElements["input"])}
        id={id}
        value={value}
        onInput={(e) => onValue(e.currentTarget.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={described || undefined}
      />
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="error" id={`${id}-err`}>
          {error}
        </p>
      )}
    </div>
  );
}

export function Select<T extends string>(props: {
  label: string;
  value: T;
  onValue: (v: T) => void;
  options: readonly (readonly [T, string])[];
}) {
  const id = useId("s");
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select id={id} value={props.value} onChange={(e) => props.onValue(e.currentTarget.value as T)}>
        {props.options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A failed request, said in words, in a live region so it is announced. */
export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p class="error banner" role="alert">
      {messageOf(error)}
    </p>
  );
}

/** The message of an API error about one field (the API names it in details), else null. */
export function fieldError(error: unknown, ...fields: string[]): string | null {
  if (!(error instanceof ApiError)) return null;
  const at = JSON.stringify(error.details).toLowerCase();
  return fields.some((f) => at.includes(f.toLowerCase())) ? error.message : null;
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge-${status.toLowerCase()}`}>{status}</span>;
}

/**
 * A button that asks before doing something hard to undo, in a modal <dialog>: focus moves into it,
 * Escape cancels, and the confirming button says exactly what will happen.
 */
export function ConfirmButton(props: {
  label: string;
  /** A fuller name for assistive technology when the visible label is short (it starts with the label). */
  ariaLabel?: string;
  title: string;
  message: ComponentChildren;
  confirmLabel: string;
  onConfirm: () => Promise<void> | void;
  danger?: boolean;
  disabled?: boolean;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const titleId = useId("dlg");
  return (
    <>
      <button
        type="button"
        class={props.danger ? "secondary danger" : "secondary"}
        aria-label={props.ariaLabel}
        disabled={props.disabled}
        onClick={() => {
          setError(null);
          dialog.current?.showModal();
        }}
      >
        {props.label}
      </button>
      <dialog ref={dialog} aria-labelledby={titleId}>
        <h2 id={titleId}>{props.title}</h2>
        <div>{props.message}</div>
        <ErrorNote error={error} />
        <div class="actions">
          <button type="button" class="secondary" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
          <button
            type="button"
            class={props.danger ? "danger" : ""}
            disabled={busy}
            onClick={async () => {
              setBusy(true);
              try {
                await props.onConfirm();
                dialog.current?.close();
              } catch (e) {
                setError(e);
              } finally {
                setBusy(false);
              }
            }}
          >
            {props.confirmLabel}
          </button>
        </div>
      </dialog>
    </>
  );
}

/** Server-side paging by cursor: the cursors of the pages seen so far make "Previous" possible. */
export function usePager() {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  return {
    after: cursors[cursors.length - 1],
    pageNumber: cursors.length,
    reset: () => setCursors([undefined]),
    next: (cursor: string) => setCursors((c) => [...c, cursor]),
    previous: () => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c)),
  };
}

export function Pager(props: { pager: ReturnType<typeof usePager>; next: string | null; label: string }) {
  const { pager, next } = props;
  if (pager.pageNumber === 1 && !next) return null;
  return (
    <nav class="pager" aria-label={props.label}>
      <button type="button" class="secondary" disabled={pager.pageNumber === 1} onClick={pager.previous}>
        Previous page
      </button>
      <span>Page {pager.pageNumber}</span>
      <button type="button" class="secondary" disabled={!next} onClick={() => next && pager.next(next)}>
        Next page
      </button>
    </nav>
  );
}

/** Loads data for a view; `reload` after a change. Keeps the previous data while reloading (no layout jump). */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setLoading(true);
    load().then(
      (d) => {
        if (!live) return;
        setData(d);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (!live) return;
        setError(e);
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { data, error, loading, reload: () => setTick((t) => t + 1) };
}

export function Checkbox(props: { label: string; checked: boolean; onValue: (v: boolean) => void; hint?: string }) {
  const id = useId("c");
  return (
    <div class="field check">
      <input
        id={id}
        type="checkbox"
        checked={props.checked}
        onChange={(e) => props.onValue(e.currentTarget.checked)}
        aria-describedby={props.hint ? `${id}-hint` : undefined}
      />
      <label for={id}>{props.label}</label>
      {props.hint && (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
    </div>
  );
}

/** The API's field errors (`details.errors[].path`, e.g. /settings/groupFilter), by field name. */
export function errorsByField(error: unknown, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  const errors = error instanceof ApiError ? error.details.errors : undefined;
  if (!Array.isArray(errors)) return out;
  for (const e of errors as { path?: unknown; message?: unknown }[]) {
    if (typeof e.path !== "string" || !e.path.startsWith(prefix)) continue;
    const field = e.path.slice(prefix.length).split("/")[0] ?? "";
    out[field] ??= String(e.message);
  }
  return out;
}

export const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "—");
