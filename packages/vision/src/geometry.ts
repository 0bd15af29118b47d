import type { ResizeMode } from "./spec.js";

/** A window in relative units (0..1) of the frame. */
export interface Window {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * How sharp produces the output: resize the WHOLE source to `resizeWidth × resizeHeight` (axes independently),
 * then cut `width × height` at (`left`, `top`). Cropping after the resize (not before) keeps JPEG shrink-on-load
 * available, which sharp turns off for a pre-resize extract, and resamples only once.
 */
export interface ResizePlan {
  resizeWidth: number;
  resizeHeight: number;
  left: number;
  top: number;
}

/**
 * The frame is the part of the source the model may see: the centred region of the output's aspect ratio
 * ("crop") or the whole source ("squash"). The window, relative to the frame, is the part that becomes the
 * output (a random resized crop, a centre crop, or all of it).
 */
export function planResize(sourceWidth: number, sourceHeight: number, width: number, height: number, mode: ResizeMode, window: Window): ResizePlan {
  let fw = sourceWidth;
  let fh = sourceHeight;
  if (mode === "crop") {
    const aspect = width / height;
    if (sourceWidth / sourceHeight > aspect) fw = sourceHeight * aspect;
    else fh = sourceWidth / aspect;
  }
  const fx = (sourceWidth - fw) / 2;
  const fy = (sourceHeight - fh) / 2;
  const sx = width / (window.w * fw);
  const sy = height / (window.h * fh);
  const resizeWidth = Math.max(width, Math.round(sourceWidth * sx));
  const resizeHeight = Math.max(height, Math.round(sourceHeight * sy));
  const left = clamp(Math.round((fx + window.x * fw) * sx), 0, resizeWidth - width);
  const top = clamp(Math.round((fy + window.y * fh) * sy), 0, resizeHeight - height);
  return { resizeWidth, resizeHeight, left, top };
}

/** The centred window covering `areaFraction` of the frame. */
export function centerWindow(areaFraction: number): Window {
  const side = Math.sqrt(areaFraction);
  return { x: (1 - side) / 2, y: (1 - side) / 2, w: side, h: side };
}

export const FULL_WINDOW: Window = { x: 0, y: 0, w: 1, h: 1 };

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
