import type { CotrainError } from "@cotrain/core";

/** The error `run` rejects with; fails the test when it resolves. Tests then assert the error's class and fields. */
export async function errorOf(run: () => Promise<unknown>): Promise<CotrainError> {
  try {
    await run();
  } catch (error) {
    return error as CotrainError;
  }
  throw new Error("expected an error");
}
