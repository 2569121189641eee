import { createHash } from "node:crypto";

/**
 * Responses the ACS has already signed someone in with. AWS documents no replay rule for its sign-in
 * endpoint; the sandbox takes the stricter behaviour: a Response signs in once. It is recognised by its
 * signature values, which do not change when the XML is re-encoded or re-serialized, and remembered until
 * it expires (after that the expiry check refuses it anyway).
 */
export class UsedResponses {
  private readonly used = new Map<string, number>();

  /** Records the Response; false when it was used before. */
  use(decodedXml: string, expiresAtMs: number, nowMs: number): boolean {
    for (const [key, until] of this.used) if (until <= nowMs) this.used.delete(key);
    const key = fingerprint(decodedXml);
    if (this.used.has(key)) return false;
    this.used.set(key, expiresAtMs);
    return true;
  }
}

function fingerprint(xml: string): string {
  const values = [...xml.matchAll(/<(?:[\w-]+:)?SignatureValue\b[^>]*>([^<]*)</g)].map((m) =>
    (m[1] ?? "").replace(/\s+/g, ""),
  );
  return createHash("sha256").update(values.join("|")).digest("hex");
}
