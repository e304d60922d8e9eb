// The physics of the chemfit example: a Morse pair potential for copper clusters, and the
// reference data it is fitted to. The "reference" energies play the part of DFT: the Morse
// potential at literature parameters plus a small many-body (embedding) term the pair potential
// cannot represent, so the fit is good but not exact, as with real data.

export type MorseParams = { morse: { D: number; alpha: number; r0: number } }

/** What one term (one reference structure) receives as `init`, once per worker. */
export interface StructureData {
  name: string
  atoms: number
  frames: number
  /** frames x atoms x 3 coordinates, in angstrom. */
  positions: Float64Array
  /** Reference energy of each frame, in eV. */
  energies: Float64Array
}

/** Girifalco and Weizer's Morse parameters for copper (eV, 1/angstrom, angstrom). */
export const literature: MorseParams = { morse: { D: 0.3429, alpha: 1.3588, r0: 2.866 } }
export const copperLattice = 3.615

/** Morse energy of one frame: sum over pairs of D ((1 - exp(-alpha (r - r0)))^2 - 1). */
export function morseEnergy(xyz: Float64Array, frame: number, atoms: number, p: MorseParams): number {
  const { D, alpha, r0 } = p.morse
  const base = frame * atoms * 3
  let energy = 0
  for (let i = 0; i < atoms; i++) {
    const xi = xyz[base + 3 * i]!
    const yi = xyz[base + 3 * i + 1]!
    const zi = xyz[base + 3 * i + 2]!
    for (let j = i + 1; j < atoms; j++) {
      const dx = xyz[base + 3 * j]! - xi
      const dy = xyz[base + 3 * j + 1]! - yi
      const dz = xyz[base + 3 * j + 2]! - zi
      const x = 1 - Math.exp(-alpha * (Math.sqrt(dx * dx + dy * dy + dz * dz) - r0))
      energy += D * (x * x - 1)
    }
  }
  return energy
}

/** The "DFT" energy: Morse at the literature parameters plus an embedding term -c sum_i sqrt(rho_i). */
function referenceEnergy(xyz: Float64Array, frame: number, atoms: number): number {
  const base = frame * atoms * 3
  let embedding = 0
  for (let i = 0; i < atoms; i++) {
    let rho = 0
    for (let j = 0; j < atoms; j++) {
      if (j === i) continue
      const dx = xyz[base + 3 * j]! - xyz[base + 3 * i]!
      const dy = xyz[base + 3 * j + 1]! - xyz[base + 3 * i + 1]!
      const dz = xyz[base + 3 * j + 2]! - xyz[base + 3 * i + 2]!
      rho += Math.exp(-3 * (Math.sqrt(dx * dx + dy * dy + dz * dz) - 2.556))
    }
    embedding -= 0.03 * Math.sqrt(rho)
  }
  return morseEnergy(xyz, frame, atoms, literature) + embedding
}

/** A small deterministic random generator (xorshift32), so every MPI rank builds the same data. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1
  return () => {
    state ^= state << 13
    state >>>= 0
    state ^= state >>> 17
    state ^= state << 5
    state >>>= 0
    return state / 4294967296
  }
}

/** An fcc copper cluster: the atoms within `radius` of one atom, lattice constant `lattice`. */
function fccCluster(lattice: number, radius: number): number[][] {
  const basis = [
    [0, 0, 0],
    [0, 0.5, 0.5],
    [0.5, 0, 0.5],
    [0.5, 0.5, 0],
  ]
  const atoms: number[][] = []
  const n = Math.ceil(radius / lattice) + 1
  for (let i = -n; i <= n; i++)
    for (let j = -n; j <= n; j++)
      for (let k = -n; k <= n; k++)
        for (const [a, b, c] of basis) {
          const x = (i + a!) * lattice
          const y = (j + b!) * lattice
          const z = (k + c!) * lattice
          if (Math.hypot(x, y, z) <= radius * (lattice / copperLattice) + 1e-9) atoms.push([x, y, z])
        }
  return atoms
}

/**
 * A reference structure: an fcc cluster cut at `radius` (scaled with the strain), thermally
 * rattled into frames (gaussian displacements of 0.07 angstrom), with reference energies.
 * The number of frames gives every structure about `pairBudget` pair interactions per evaluation.
 */
export function structure(name: string, radius: number, strain: number, pairBudget: number): StructureData {
  const cluster = fccCluster(copperLattice * (1 + strain), radius)
  const atoms = cluster.length
  const frames = Math.max(20, Math.round(pairBudget / ((atoms * (atoms - 1)) / 2)))
  const next = random(atoms * 7919 + Math.round(strain * 1000) + 17)
  const gauss = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next())
  const positions = new Float64Array(frames * atoms * 3)
  for (let f = 0; f < frames; f++)
    for (let i = 0; i < atoms; i++)
      for (let d = 0; d < 3; d++) positions[(f * atoms + i) * 3 + d] = cluster[i]![d]! + 0.07 * gauss()
  const energies = Float64Array.from({ length: frames }, (_, f) => referenceEnergy(positions, f, atoms))
  return { name, atoms, frames, positions, energies }
}
