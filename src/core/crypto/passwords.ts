import { hash, verify } from "@node-rs/argon2";

/** argon2id with OWASP's recommended minimum (19 MiB, t=2, p=1). */
const OPTIONS = {
  algorithm: 2 /* Argon2id; the enum is a const enum we cannot import */,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export const hashPassword = (password: string): Promise<string> => hash(password, OPTIONS);

let dummy: Promise<string> | null = null;
const dummyHash = () => {
  dummy ??= hash("rolebridge: a password no account has", OPTIONS);
  return dummy;
};

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  // Without a stored hash do the same work, a verify against a dummy hash, so timing does not tell which
  // logins exist.
  if (!stored) {
    await verify(await dummyHash(), password).catch(() => false);
    return false;
  }
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}
