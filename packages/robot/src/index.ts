export { episodeToRows } from "./episode.js";
export type { Episode, EpisodeToRowsOptions } from "./episode.js";
