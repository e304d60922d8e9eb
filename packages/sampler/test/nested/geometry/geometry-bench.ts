// Rough timings of the geometry's hot paths (not a test). Run from the repo root:
//   bash scripts/with-node.sh node packages/sampler/test/nested/geometry/geometry-bench.ts

import { Random } from '@parafit/core'
import { Ellipsoid } from '../../../src/nested/geometry/ellipsoid.ts'
import { buildEnvelope, splitNonOverlapping } from '../../../src/nested/geometry/envelope.ts'
import { Union } from '../../../src/nested/geometry/union.ts'
import { gaussianBlob } from './helpers.ts'

function time<T>(label: string, run: () => T, repeats = 3): T {
  let result: T | undefined
  const ms: number[] = []
  for (let i = 0; i < repeats; i++) {
    const start = performance.now()
    result = run()
    ms.push(performance.now() - start)
  }
  console.log(`${label}: ${ms.map((m) => m.toFixed(0)).join(' / ')} ms`)
  return result!
}

// Points uniform in the ball |x − 0.5| < r, like the points above a Gaussian likelihood threshold.
function ballPoints(rng: Random, n: number, d: number, r: number): Float64Array[] {
  const unit = Ellipsoid.fromCovariance(new Float64Array(d).fill(0.5), diagonal(d, r * r))
  return Array.from({ length: n }, () => unit.sample(rng))
}

function diagonal(d: number, v: number): Float64Array {
  const m = new Float64Array(d * d)
  for (let i = 0; i < d; i++) m[i * d + i] = v
  return m
}

const rng = Random.fromSeed(1)
const d = 10

const members = [0.47, 0.5, 0.53].map((c) => Ellipsoid.fit(gaussianBlob(rng, 500, Array(d).fill(c), 0.04)))
const union = Union.fromMembers(members)
time('sample(10000), 10-D union of 3 overlapping ellipsoids', () => union.sample(10000, rng), 5)
console.log(`  reject share ${(union.nReject / union.nSample).toFixed(3)}`)
const x = new Float64Array(d)
time(
  '1e5 contains on the union (10-D, 3 members)',
  () => {
    let inside = 0
    for (let i = 0; i < 1e5; i++) {
      for (let k = 0; k < d; k++) x[k] = 0.3 + 0.4 * rng.uniform()
      if (union.contains(x)) inside++
    }
    return inside
  },
  3,
)

const shell = ballPoints(rng, 4000, d, 0.3)
const logBall = Math.log(Math.PI ** 5 / 120) + d * Math.log(0.3)
time('Ellipsoid.fit, 4000 points, 10-D', () => Ellipsoid.fit(shell), 3)
time('buildEnvelope, 4000 points in a 10-D ball, V_live = its volume (no split)', () =>
  buildEnvelope(shell, { nPointsMin: d + 50, logVolumeLive: logBall }, Random.fromSeed(2)),
)
const blobs = [
  ...gaussianBlob(rng, 2000, Array(d).fill(0.3), 0.03),
  ...gaussianBlob(rng, 2000, Array(d).fill(0.7), 0.03),
]
const env = time('buildEnvelope, 4000 points in two 10-D blobs, V_live = 1e-9', () =>
  buildEnvelope(blobs, { nPointsMin: d + 50, logVolumeLive: Math.log(1e-9) }, Random.fromSeed(3)),
)
console.log(`  members ${env.members.length}, ln V ${env.logVolume().toFixed(2)}`)
const filling = gaussianBlob(rng, 4000, Array(d).fill(0.5), 0.05)
for (const p of filling) for (let k = 0; k < 4; k++) p[k] = rng.uniform()
const early = time('buildEnvelope, 4000 points filling 4 of 10 axes, V_live = 1e-6', () =>
  buildEnvelope(filling, { nPointsMin: d + 50, logVolumeLive: Math.log(1e-6) }, Random.fromSeed(4)),
)
console.log(`  members ${early.members.length}, ln V ${early.logVolume().toFixed(2)}`)
const regions = time('splitNonOverlapping, the two blobs', () =>
  splitNonOverlapping(blobs, { nPointsMin: d + 50 }, Random.fromSeed(5)),
)
console.log(`  regions ${regions.length}`)

for (const big of [30, 60]) {
  const pts = ballPoints(rng, 3000, big, 0.3)
  time(`Ellipsoid.fit, 3000 points, ${big}-D`, () => Ellipsoid.fit(pts), 1)
  time(
    `buildEnvelope, 3000 points in a ${big}-D ball (no split)`,
    () => buildEnvelope(pts, { nPointsMin: big + 50, logVolumeLive: 0 }, Random.fromSeed(6)),
    1,
  )
}
