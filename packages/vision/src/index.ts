export { probeImage, decodeImage } from "./decode.js";
export type { ImageInfo, DecodedImage } from "./decode.js";
