// What the plot tests share: seeded samples, point-in-polygon, a small PNG decoder, SVG checks.

import { inflateSync } from 'node:zlib'
import { Random } from '@parafit/core'
import { XMLValidator } from 'fast-xml-parser'
import { expect } from 'vitest'
import type { Polygon } from '../src/index.ts'

/** n draws of (1 + 2a, -1 + 0.6a + 0.8b), a and b standard normal: σx = 2, σy = 1, ρ = 0.6. */
export function correlatedGaussian(seed: number, n: number): { x: Float64Array; y: Float64Array } {
  const rng = Random.fromSeed(seed)
  const x = new Float64Array(n)
  const y = new Float64Array(n)
  for (let k = 0; k < n; k++) {
    const a = rng.normal()
    const b = rng.normal()
    x[k] = 1 + 2 * a
    y[k] = -1 + 0.6 * a + 0.8 * b
  }
  return { x, y }
}
/** √det Σ of correlatedGaussian: Σ = [[4, 1.2], [1.2, 1]], det = 4 - 1.44 = 2.56. */
export const SQRT_DET = 1.6

/** Even-odd rule over every ring of every polygon: inside the region d3-contour returned. */
export function inside(polygons: readonly Polygon[], x: number, y: number): boolean {
  let odd = false
  for (const polygon of polygons) {
    for (const ring of polygon) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i]!
        const [xj, yj] = ring[j]!
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) odd = !odd
      }
    }
  }
  return odd
}

/** Well-formed XML (fast-xml-parser's validator), or the test fails with its message. */
export function expectWellFormed(svg: string): void {
  const result = XMLValidator.validate(svg)
  expect(result === true ? true : JSON.stringify(result)).toBe(true)
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true)
}

export function count(svg: string, pattern: RegExp): number {
  return svg.match(new RegExp(pattern.source, 'g'))?.length ?? 0
}

/** The `d` attributes of the paths with this class. */
export function pathsOfClass(svg: string, cls: string): string[] {
  return [...svg.matchAll(new RegExp(`<path class="${cls}" d="([^"]*)"`, 'g'))].map((m) => m[1]!)
}

export interface DecodedPng {
  readonly width: number
  readonly height: number
  /** RGBA, 4 bytes per pixel. */
  readonly rgba: Uint8Array
}

/** Enough of PNG to read resvg's output: 8-bit RGB or RGBA, not interlaced, filters 0-4. */
export function decodePng(bytes: Uint8Array): DecodedPng {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const signature = [137, 80, 78, 71, 13, 10, 26, 10]
  expect([...bytes.subarray(0, 8)]).toEqual(signature)
  let offset = 8
  let width = 0
  let height = 0
  let channels = 0
  const idat: Uint8Array[] = []
  while (offset < bytes.length) {
    const length = view.getUint32(offset)
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8))
    const data = bytes.subarray(offset + 8, offset + 8 + length)
    if (type === 'IHDR') {
      width = view.getUint32(offset + 8)
      height = view.getUint32(offset + 12)
      expect(data[8], 'bit depth').toBe(8)
      expect([2, 6]).toContain(data[9])
      expect(data[12], 'interlace').toBe(0)
      channels = data[9] === 6 ? 4 : 3
    } else if (type === 'IDAT') idat.push(data)
    offset += 12 + length
  }
  const raw = inflateSync(Buffer.concat(idat))
  const stride = width * channels
  const out = new Uint8Array(width * height * 4)
  let previous = new Uint8Array(stride)
  for (let row = 0; row < height; row++) {
    const filter = raw[row * (stride + 1)]!
    expect(filter, `row ${row}'s filter`).toBeLessThanOrEqual(4)
    const line = raw.subarray(row * (stride + 1) + 1, (row + 1) * (stride + 1))
    const current = new Uint8Array(stride)
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? current[i - channels]! : 0
      const b = previous[i]!
      const c = i >= channels ? previous[i - channels]! : 0
      const p = a + b - c
      const paeth =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c
      const predictor =
        filter === 0 ? 0 : filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : paeth
      current[i] = (line[i]! + predictor) & 0xff
    }
    for (let x = 0; x < width; x++) {
      for (let ch = 0; ch < 4; ch++) {
        out[(row * width + x) * 4 + ch] = ch < channels ? current[x * channels + ch]! : 255
      }
    }
    previous = current
  }
  return { width, height, rgba: out }
}
