import type { Store } from "../../store/contract.js";
import type { Clock } from "../ids.js";
import type { SigningKey } from "./model.js";
import type { SignInVoice } from "./sign-in-refusals.js";
import type { SigningKeyService } from "./signing-keys.js";

/** What a SAML sign-in to any app needs: the store, the app's keys, where we are, and the time. */
export interface SignInDeps {
  store: Store;
  keys: SigningKeyService;
  publicUrl: string;
  clock: Clock;
  /** Who the refusals speak to: the person at the portal (default) or an admin previewing. */
  voice?: SignInVoice;
  /** The app's active key as read with the app (null: none); left out, the keys are read. */
  activeKey?: SigningKey | null;
}
