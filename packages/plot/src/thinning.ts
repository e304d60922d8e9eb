// Fewer marks for big samples, with the same picture. corner.py draws every sample and hides
// those inside the lowest contour under a white fill; we skip the hidden ones and keep at most a
// seeded random subset of the rest, so the output is small and the same on every run. Trace
// lines keep the lowest and highest value per pixel column, which is what a line that wide shows.

import { Random } from '@parafit/core'
import type { Polygon } from './density2d.ts'
import type { PaddedHistogram } from './levels.ts'

/**
 * Whether the point may lie outside the region ≥ `threshold`: false only when all four grid
 * values around it (the padded histogram's cell centres) reach the threshold, where marching
 * squares leaves the whole cell inside the contour.
 */
export function mayBeOutside(padded: PaddedHistogram, threshold: number, x: number, y: number): boolean {
  const gx = (x - padded.x0) / padded.dx
  const gy = (y - padded.y0) / padded.dy
  const i = Math.floor(gx)
  const j = Math.floor(gy)
  const H2 = padded.H2
  if (i < 0 || j < 0 || i + 1 >= H2.length || j + 1 >= H2[0]!.length) return true
  return Math.min(H2[i]![j]!, H2[i + 1]![j]!, H2[i]![j + 1]!, H2[i + 1]![j + 1]!) < threshold
}

/**
 * Whether a point is inside polygons by the even-odd rule (as SVG fills them), fast for many
 * points: the edges are filed by horizontal band of the grid they were traced on (each lies
 * within a cell, so within one or two bands), and a ray from the point crosses only its band's.
 */
export class RegionTest {
  readonly #bands = new Map<number, number[]>()
  readonly #y0: number
  readonly #dy: number

  constructor(polygons: readonly Polygon[], y0: number, dy: number) {
    this.#y0 = y0
    this.#dy = dy
    for (const polygon of polygons) {
      for (const ring of polygon) {
        for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
          const [xi, yi] = ring[i]!
          const [xj, yj] = ring[j]!
          if (yi === yj) continue // a horizontal edge is never crossed by the rule below
          for (let b = this.#band(Math.min(yi, yj)); b <= this.#band(Math.max(yi, yj)); b++) {
            const list = this.#bands.get(b) ?? []
            list.push(xi, yi, xj, yj)
            this.#bands.set(b, list)
          }
        }
      }
    }
  }

  #band(y: number): number {
    return Math.floor((y - this.#y0) / this.#dy)
  }

  contains(x: number, y: number): boolean {
    const edges = this.#bands.get(this.#band(y))
    if (edges === undefined) return false
    let odd = false
    for (let k = 0; k < edges.length; k += 4) {
      const [xi, yi, xj, yj] = [edges[k]!, edges[k + 1]!, edges[k + 2]!, edges[k + 3]!]
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) odd = !odd
    }
    return odd
  }
}

/** At most `cap` of the indices, chosen uniformly by a seeded shuffle, in increasing order. */
export function seededSubset(
  indices: readonly number[],
  cap: number,
  seed: number,
  ...key: number[]
): number[] {
  if (indices.length <= cap) return [...indices]
  const pool = [...indices]
  const rng = Random.fromSeed(seed, ...key)
  for (let k = 0; k < cap; k++) {
    const pick = k + rng.int(pool.length - k)
    const kept = pool[pick]!
    pool[pick] = pool[k]!
    pool[k] = kept
  }
  return pool.slice(0, cap).sort((a, b) => a - b)
}

/**
 * A long line decimated to pixel columns: for each column of `width` px its lowest and highest
 * point, in their original order, so the line still spans every column's full height. `x` must
 * be increasing; `toPx` gives its position in px. Lines of at most 2 points per column come
 * back whole.
 */
export function decimateMinMax(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  toPx: (v: number) => number,
  width = 1,
): { x: number[]; y: number[] } {
  const n = x.length
  const columns = Math.abs(toPx(x[n - 1]!) - toPx(x[0]!)) / width
  if (n <= 2 * (columns + 1)) return { x: Array.from(x), y: Array.from(y) }
  const outX: number[] = []
  const outY: number[] = []
  let start = 0
  while (start < n) {
    const column = Math.floor(toPx(x[start]!) / width)
    let end = start
    let lo = start
    let hi = start
    while (end < n && Math.floor(toPx(x[end]!) / width) === column) {
      if (y[end]! < y[lo]!) lo = end
      if (y[end]! > y[hi]!) hi = end
      end++
    }
    for (const k of lo === hi ? [lo] : lo < hi ? [lo, hi] : [hi, lo]) {
      outX.push(x[k]!)
      outY.push(y[k]!)
    }
    start = end
  }
  return { x: outX, y: outY }
}
