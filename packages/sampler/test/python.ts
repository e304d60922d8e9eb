// The Python the cross-language tests run: the first that imports the modules they need, from
// $PARAFIT_PYTHON, python3, then Debian's /usr/bin/python3 (a python3 earlier on PATH, e.g.
// pyenv's, may lack Debian's packages).

import { spawnSync } from 'node:child_process'

export function findPython(
  modules: readonly string[],
): { python: string; missing?: undefined } | { python?: undefined; missing: string } {
  const candidates = [process.env.PARAFIT_PYTHON, 'python3', '/usr/bin/python3'].filter(
    (c): c is string => c !== undefined && c !== '',
  )
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', `import ${modules.join(', ')}`], {
      stdio: 'ignore',
      timeout: 60_000,
    })
    if (probe.status === 0) return { python }
  }
  return {
    missing:
      `no Python 3 with ${modules.join(', ')} (tried ${candidates.join(', ')}); install them with ` +
      'apt-get install python3-emcee python3-h5py, or point PARAFIT_PYTHON at a python that has them',
  }
}
