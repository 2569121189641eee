/** `rolebridge aws login`: the device flow (RFC 8628) from the program's side, and `logout`. */
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { CliError, printLine } from "../output.js";
import { type CliConfig, configPath, readConfig, removeFile, writePrivateFile } from "./files.js";
import { CLIENT_ID, DEVICE_GRANT, OAuthFailure, oauthPost } from "./server.js";
import { forgetSession, loadSession, me, saveSession, sessionFromTokens, type TokenResponse } from "./session.js";

interface DeviceAuthorization {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete?: string;
  expires_in: number;
  interval?: number;
}

/** Opens the link for a person at a desktop; on a server or in a pipe the printed link is enough. */
function openBrowser(link: string): void {
  const opener = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  if (process.platform === "linux" && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return;
  try {
    const child = spawn(opener, [link], { stdio: "ignore", detached: true });
    child.on("error", () => undefined);
    child.unref();
  } catch {
    // No opener: the link is printed above.
  }
}

/** Polls the token endpoint as RFC 8628 §3.5 asks: at the interval, 5 s slower after each slow_down. */
async function pollForTokens(url: string, started: DeviceAuthorization): Promise<TokenResponse> {
  let interval = started.interval ?? 5;
  const deadline = Date.now() + started.expires_in * 1000;
  while (Date.now() < deadline) {
    await sleep(interval * 1000);
    try {
      return await oauthPost<TokenResponse>(url, "/oauth/token", {
        grant_type: DEVICE_GRANT,
        client_id: CLIENT_ID,
        device_code: started.device_code,
      });
    } catch (err) {
      if (!(err instanceof OAuthFailure)) throw err;
      if (err.error === "authorization_pending") continue;
      if (err.error === "slow_down") {
        interval += 5;
        continue;
      }
      if (err.error === "access_denied") throw new CliError("the sign-in was denied in the browser", "forbidden");
      if (err.error === "expired_token") {
        throw new CliError("the code expired before it was approved; run login again", "unauthorized");
      }
      throw new CliError(`sign-in failed: ${err.description || err.error}`, "unauthorized");
    }
  }
  throw new CliError("the code expired before it was approved; run login again", "unauthorized");
}

export async function login(
  dir: string,
  url: string,
  remember: CliConfig,
  opts: { browser: boolean; json: boolean },
): Promise<void> {
  const started = await oauthPost<DeviceAuthorization>(url, "/oauth/device_authorization", {
    client_id: CLIENT_ID,
    scope: "aws",
  });
  const link = started.verification_uri_complete ?? started.verification_uri;
  if (opts.json) {
    printLine(JSON.stringify({ verification_uri: started.verification_uri, user_code: started.user_code, link }));
  } else {
    printLine(`To sign in, open ${started.verification_uri} and enter the code ${started.user_code}`);
    printLine(`(or open ${link} directly). Check that the page shows the same code. Waiting for approval…`);
  }
  if (opts.browser && process.stdout.isTTY) openBrowser(link);
  const tokens = await pollForTokens(url, started);
  const who = await me(url, tokens.access_token);
  const previous = loadSession(dir, url);
  saveSession(dir, sessionFromTokens(url, who.user.login, who.session.expiresAt, tokens));
  // The sign-in this one replaces is ended on the server too, so a person has one live sign-in per machine.
  if (previous) await revoke(url, previous.refreshToken).catch(() => undefined);
  // The server (and STS endpoint, region) become the defaults, so credential_process lines stay short.
  writePrivateFile(configPath(dir), `${JSON.stringify({ ...readConfig(dir), ...remember, url }, null, 2)}\n`);
  if (opts.json) printLine(JSON.stringify({ login: who.user.login, expiresAt: who.session.expiresAt }));
  else printLine(`Signed in as ${who.user.login} until ${who.session.expiresAt}.`);
}

const revoke = (url: string, refreshToken: string) =>
  oauthPost(url, "/oauth/revoke", { token: refreshToken, token_type_hint: "refresh_token", client_id: CLIENT_ID });

/** Revokes the sign-in on the server (RFC 7009) and forgets it and every cached credential here. */
export async function logout(dir: string, url: string): Promise<string> {
  const session = loadSession(dir, url);
  if (session) {
    await revoke(url, session.refreshToken).catch((err) => {
      // Already gone on the server is fine; anything else (server unreachable) is worth saying.
      if (!(err instanceof OAuthFailure)) throw err;
    });
  }
  forgetSession(dir, url);
  removeFile(`${dir}/credentials`);
  return session
    ? `Signed out ${session.login} and cleared cached credentials.`
    : "Not signed in; cleared cached credentials.";
}
