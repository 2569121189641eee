import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api";
import type { MigrationProgress } from "../types";

export type StepName = "inventory" | "plan" | "verify" | "apply" | "cutover" | "rollback";

/**
 * Runs one migration step at a time: which one is busy, each step's last error (shown at the step), the last
 * error overall (its fields are shown at the options), and — for apply, rollback and cut-over — the server's
 * progress board polled every 250 ms while the request runs, then read once more for the final count.
 */
export function useStepRunner(progressPath: string) {
  const [busy, setBusy] = useState<StepName | null>(null);
  const [errors, setErrors] = useState<Partial<Record<StepName, unknown>>>({});
  const [lastError, setLastError] = useState<unknown>(null);
  const [progress, setProgress] = useState<MigrationProgress | null>(null);
  const timer = useRef<ReturnType<typeof setInterval> | null>(null);
  const stopPolling = () => {
    if (timer.current) clearInterval(timer.current);
    timer.current = null;
  };
  useEffect(() => stopPolling, []);
  // A 404 before the run registers, or a blip, is only a missed frame of the progress bar.
  const readProgress = () => api.get<MigrationProgress>(progressPath).then(setProgress, () => undefined);

  async function run<T>(step: StepName, call: () => Promise<T>, keep: (r: T) => void, watch = false) {
    setBusy(step);
    setErrors((e) => ({ ...e, [step]: null }));
    setLastError(null);
    if (watch) {
      setProgress(null);
      timer.current = setInterval(readProgress, 250);
    }
    try {
      keep(await call());
    } catch (e) {
      setErrors((all) => ({ ...all, [step]: e }));
      setLastError(e);
    } finally {
      if (watch) {
        stopPolling();
        await readProgress();
      }
      setBusy(null);
    }
  }
  return { busy, errors, lastError, progress, run };
}
