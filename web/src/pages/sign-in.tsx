import { useState } from "preact/hooks";
import { ApiError, api } from "../api";
import { ErrorNote, Field } from "../components/ui";
import type { Session } from "../types";

/** Email and password, then the authenticator code when the account has one (the API says so). */
export function SignInPage(props: { expired: boolean; onSignedIn: (s: Session) => void }) {
  const [login, setLogin] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [askCode, setAskCode] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = { login, password, ...(askCode ? { totpCode: code } : {}) };
      props.onSignedIn(await api.write<Session>("POST", "/sessions", body));
    } catch (err) {
      if (err instanceof ApiError && err.details.secondFactor === "totp") {
        // The first time the code is only asked for; an error then is about the code itself.
        if (askCode) setError(err);
        setAskCode(true);
      } else setError(err);
    } finally {
      setBusy(false);
    }
  }

  const codeError = askCode && error instanceof ApiError && error.details.secondFactor ? error.message : null;
  return (
    <main id="main" class="sign-in">
      <form class="card" onSubmit={submit} noValidate>
        <h1>Sign in to rolebridge</h1>
        {props.expired && (
          <p class="notice" role="status">
            Your session has ended. Sign in again to continue where you were.
          </p>
        )}
        <Field label="Email" type="email" autoComplete="username" required value={login} onValue={setLogin} />
        <Field
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onValue={setPassword}
        />
        {askCode && (
          <Field
            label="Verification code"
            inputMode="numeric"
            autoComplete="one-time-code"
            hint="The 6-digit code from your authenticator app"
            autoFocus
            value={code}
            onValue={setCode}
            error={codeError}
          />
        )}
        {!codeError && <ErrorNote error={error} />}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
