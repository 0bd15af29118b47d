export { IGNORE_INDEX, KIND_ROBOT, KIND_VQA } from "./batch.js";
export type { Batch } from "./batch.js";
