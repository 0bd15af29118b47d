import { StateError } from "@cotrain/core";
import type { JsonValue } from "@cotrain/core";

/**
 * A mixer source's saved position: the source's own state before the oldest batch not yet fully consumed (or,
 * with `source: null`, "reset the source to `restart`"), the rows of that batch already consumed, and the
 * mixer's counters for it.
 */
export interface ReaderState {
  [key: string]: JsonValue | undefined;
  source: JsonValue;
  skip: number;
  epoch: number;
  position: number;
  completed: number;
  passed: number;
  ended: boolean;
  restart?: number;
}

const count = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;

export function parseReaderState(raw: JsonValue, name: string): ReaderState {
  const bad = (what: string): never => {
    throw new StateError("MIX_STATE", `the saved state of source ${JSON.stringify(name)} has ${what}: ${JSON.stringify(raw)}`, { id: name });
  };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return bad("the wrong shape");
  for (const key of ["skip", "epoch", "position", "completed", "passed"] as const) if (!count(raw[key])) bad(`no valid ${key}`);
  if (typeof raw.ended !== "boolean") bad("no valid ended flag");
  if (!("source" in raw)) bad("no source state");
  if (raw.source === null && raw.restart !== undefined && !count(raw.restart)) bad("no valid restart epoch");
  return raw as ReaderState;
}
