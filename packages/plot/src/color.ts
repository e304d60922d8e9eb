// Colours: any CSS colour in, #rrggbb out (d3-color parses), and corner.py's density colormap,
// a straight line in RGBA from the colour (opaque) to transparent white.

import { color as parseColor } from 'd3-color'
import { check } from './errors.ts'

export interface Rgb {
  readonly r: number
  readonly g: number
  readonly b: number
}

/** matplotlib's one-letter names, which d3-color does not know. */
const SHORT: Record<string, string> = { k: '#000000', b: '#0000ff', r: '#ff0000', g: '#008000', w: '#ffffff' }

export function toRgb(value: string): Rgb {
  const parsed = parseColor(SHORT[value] ?? value)
  check(parsed !== null, `'${value}' is not a colour`)
  const { r, g, b } = parsed.rgb()
  return { r, g, b }
}

function hex2(v: number): string {
  return Math.round(Math.min(255, Math.max(0, v)))
    .toString(16)
    .padStart(2, '0')
}

export function toHex(c: Rgb): string {
  return `#${hex2(c.r)}${hex2(c.g)}${hex2(c.b)}`
}

/** A colour as #rrggbb, so the output does not depend on how the caller spelled it. */
export function hexColor(value: string): string {
  return toHex(toRgb(value))
}

/**
 * The density colormap at t in [0, 1] (0: the colour, 1: transparent white), with matplotlib's
 * 256-entry lookup table, so the shades are the ones a pcolor shows.
 */
export function densityShade(c: Rgb, t: number): { fill: string; opacity: number } {
  const index = Math.min(255, Math.max(0, Math.floor(t * 256)))
  const s = index / 255
  return {
    fill: toHex({ r: c.r + (255 - c.r) * s, g: c.g + (255 - c.g) * s, b: c.b + (255 - c.b) * s }),
    opacity: 1 - s,
  }
}
