import { monotonicFactory } from "ulidx";

/**
 * Ids are prefixed ULIDs: they sort by creation time (cursor pagination walks them in order)
 * and the prefix tells a support engineer what kind of object an id names.
 */
const ulid = monotonicFactory();

export type IdKind = "usr" | "grp" | "tok" | "evt" | "app" | "key" | "rul" | "pbk" | "dva" | "cls" | "mig" | "dsrc";

export const newId = (kind: IdKind): string => `${kind}_${ulid()}`;

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export const isoNow = (clock: Clock = systemClock) => clock.now().toISOString();
