// The importance samples, shell by shell, and what follows from them: each shell's mean
// likelihood, volume and effective size, and from those log Z, its error, N_eff, the efficiency,
// f_live and the live volume. Shell i is bound i minus every later bound; its points were drawn
// uniformly there, so a point's weight is L × V_i / n_i.

import type { Blob } from '../batch-results.ts'
import { logSumExp } from './log-sum-exp.ts'

export interface ShellRecord {
  /** Unit-cube points now in the shell's region (points of a later bound were moved out). */
  readonly points: Float64Array[]
  readonly logL: number[]
  readonly blobs: (Blob | undefined)[]
  /** Uniform draws ever made from the shell's bound for this shell, kept or not. */
  nSample: number
  /** The likelihood threshold its bound was built for (-Infinity for the cube). */
  logLMin: number
  /** Points and draws when exploration ended: what `discardExploration` leaves out. */
  endExploration: number
  nSampleExploration: number
}

export interface ShellStats {
  readonly n: number
  /** ln of the mean likelihood; NaN for an empty shell. */
  readonly logLMean: number
  /** ln of the shell's volume: the bound's volume × the share of its draws that fell in the shell. */
  readonly logV: number
  readonly nEff: number
  /** The share of draws from the bound kept for the shell, and the draws that share rests on. */
  readonly keptShare: number
  readonly nSample: number
}

export function emptyShell(logLMin: number): ShellRecord {
  return { points: [], logL: [], blobs: [], nSample: 0, logLMin, endExploration: 0, nSampleExploration: 0 }
}

/** The shell's statistics, from its own points (only those drawn after exploration when discarding). */
export function shellStats(shell: ShellRecord, boundLogVolume: number, discard: boolean): ShellStats {
  const start = discard ? shell.endExploration : 0
  const nSample = shell.nSample - (discard ? shell.nSampleExploration : 0)
  const n = shell.logL.length - start
  if (n <= 0 || nSample <= 0) {
    return {
      n: Math.max(n, 0),
      logLMean: Number.NaN,
      logV: Number.NEGATIVE_INFINITY,
      nEff: 0,
      keptShare: 0,
      nSample,
    }
  }
  const lse = logSumExp(shell.logL, start)
  let nEff = n
  if (lse !== Number.NEGATIVE_INFINITY) {
    let max = Number.NEGATIVE_INFINITY
    for (let i = start; i < shell.logL.length; i++) max = Math.max(max, shell.logL[i]!)
    let s2 = 0
    for (let i = start; i < shell.logL.length; i++) s2 += Math.exp(2 * (shell.logL[i]! - max))
    nEff = Math.exp(2 * (lse - max) - Math.log(s2))
  }
  return {
    n,
    logLMean: lse - Math.log(n),
    logV: boundLogVolume + Math.log(n / nSample),
    nEff,
    keptShare: n / nSample,
    nSample,
  }
}

/** ln Z = ln Σ_i L̄_i V_i. */
export function logEvidence(stats: readonly ShellStats[]): number {
  const terms = stats.filter((s) => s.n > 0).map((s) => s.logLMean + s.logV)
  return logSumExp(terms)
}

/** ln Z_i − max: each shell's evidence relative to the largest, 0 for empty shells. */
function relativeEvidence(stats: readonly ShellStats[]): number[] {
  const logZ = stats.map((s) => (s.n > 0 ? s.logLMean + s.logV : Number.NEGATIVE_INFINITY))
  let max = Number.NEGATIVE_INFINITY
  for (const z of logZ) if (z > max) max = z
  return logZ.map((z) => (Number.isFinite(z) && Number.isFinite(max) ? Math.exp(z - max) : 0))
}

/** N_eff = (Σ Z_i)² / Σ (Z_i² / N_eff,i). */
export function effectiveSize(stats: readonly ShellStats[]): number {
  const z = relativeEvidence(stats)
  let sum = 0
  let sumSq = 0
  for (let i = 0; i < stats.length; i++) {
    if (stats[i]!.nEff <= 0 || z[i] === 0) continue
    sum += z[i]!
    sumSq += (z[i]! * z[i]!) / stats[i]!.nEff
  }
  return sumSq === 0 ? 0 : (sum * sum) / sumSq
}

/** The asymptotic efficiency N_eff / N_like the shells' current allocation tends to. */
export function asymptoticEfficiency(stats: readonly ShellStats[]): number {
  const z = relativeEvidence(stats)
  let sum = 0
  let weighted = 0
  for (let i = 0; i < stats.length; i++) {
    const s = stats[i]!
    if (s.n === 0 || z[i] === 0) continue
    sum += z[i]!
    weighted += z[i]! / Math.sqrt(s.nEff / s.n)
  }
  return weighted === 0 ? 0 : (sum * sum) / (weighted * weighted)
}

/**
 * The standard error of ln Z from one run. Per shell, the relative variance of Z_i has three
 * parts: the importance-sampling variance of the mean likelihood (1/N_eff,i − 1/n_i), the
 * binomial variance of the share of draws that fell in the shell, and the Monte Carlo variance of
 * the bound's volume (`boundRelVar`, from its rejection counts). Shells are taken as independent,
 * so Var(ln Z) ≈ Σ (Z_i/Z)² × relvar_i.
 */
export function logEvidenceError(stats: readonly ShellStats[], boundRelVar: readonly number[]): number {
  const z = relativeEvidence(stats)
  let total = 0
  for (const v of z) total += v
  if (total === 0) return Number.POSITIVE_INFINITY
  let variance = 0
  for (let i = 0; i < stats.length; i++) {
    const s = stats[i]!
    if (s.n === 0 || z[i] === 0) continue
    const share = z[i]! / total
    const sampling = Math.max(1 / s.nEff - 1 / s.n, 0)
    const kept = s.keptShare < 1 ? (1 - s.keptShare) / (s.keptShare * s.nSample) : 0
    variance += share * share * (sampling + kept + (boundRelVar[i] ?? 0))
  }
  return Math.sqrt(variance)
}

export interface PointWeights {
  /** ln L + ln(V_i / n_i), unnormalised. */
  readonly logW: Float64Array
  readonly logL: Float64Array
  /** ln(V_i / n_i): the volume each point stands for. */
  readonly logV: Float64Array
  readonly shell: Int32Array
  /** The point's position in its shell's lists. */
  readonly index: Int32Array
}

/** Every point's ln weight (ln L + ln V_i − ln n_i) and ln L, shell by shell, in one list. */
export function pointWeights(
  shells: readonly ShellRecord[],
  stats: readonly ShellStats[],
  discard: boolean,
): PointWeights {
  let total = 0
  for (const s of stats) total += s.n
  const logW = new Float64Array(total)
  const logL = new Float64Array(total)
  const logV = new Float64Array(total)
  const shell = new Int32Array(total)
  const index = new Int32Array(total)
  let k = 0
  for (let i = 0; i < shells.length; i++) {
    const rec = shells[i]!
    const st = stats[i]!
    const start = discard ? rec.endExploration : 0
    const logVPerPoint = st.n > 0 ? st.logV - Math.log(st.n) : Number.NEGATIVE_INFINITY
    for (let j = start; j < rec.logL.length; j++) {
      logL[k] = rec.logL[j]!
      logW[k] = rec.logL[j]! + logVPerPoint
      logV[k] = logVPerPoint
      shell[k] = i
      index[k] = j
      k++
    }
  }
  return { logW, logL, logV, shell, index }
}

/**
 * Indices of the nLive points with the highest likelihood; among equal likelihoods the earlier
 * point wins, so the set is deterministic. A selection, not a sort: this runs after every batch.
 */
export function liveIndices(logL: Float64Array, nLive: number): Int32Array {
  const n = logL.length
  if (nLive >= n) return Int32Array.from({ length: n }, (_, i) => i)
  const threshold = kthLargest(Float64Array.from(logL), nLive)
  let above = 0
  for (let i = 0; i < n; i++) if (logL[i]! > threshold) above++
  const out = new Int32Array(nLive)
  let k = 0
  let ties = nLive - above
  for (let i = 0; i < n; i++) {
    const v = logL[i]!
    if (v > threshold || (v === threshold && ties-- > 0)) out[k++] = i
  }
  return out
}

/** The k-th largest value (k from 1), by quickselect on a scratch copy. */
function kthLargest(values: Float64Array, k: number): number {
  let lo = 0
  let hi = values.length - 1
  const target = k - 1
  while (lo < hi) {
    const pivot = values[(lo + hi) >>> 1]!
    let i = lo
    let j = hi
    while (i <= j) {
      while (values[i]! > pivot) i++
      while (values[j]! < pivot) j--
      if (i <= j) {
        const t = values[i]!
        values[i] = values[j]!
        values[j] = t
        i++
        j--
      }
    }
    if (target <= j) hi = j
    else if (target >= i) lo = i
    else return values[target]!
  }
  return values[target]!
}

/** The share of the evidence held by the nLive best points: exploration ends when it is small. */
export function liveFraction(weights: PointWeights, nLive: number): number {
  const all = logSumExp(weights.logW)
  if (all === Number.NEGATIVE_INFINITY) return 1
  const live = liveIndices(weights.logL, nLive)
  return Math.exp(logSumExp(Float64Array.from(live, (i) => weights.logW[i]!)) - all)
}

/** ln of the volume the nLive best points stand for (Σ V_i / n_i over them). */
export function liveLogVolume(weights: PointWeights, nLive: number): number {
  const live = liveIndices(weights.logL, nLive)
  return logSumExp(Float64Array.from(live, (i) => weights.logV[i]!))
}
