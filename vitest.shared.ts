// What every vitest project shares. The packages' `exports` serve src/*.ts under the
// "parafit-source" condition and the built dist/*.js otherwise; tests must always see the
// sources, never a dist/ left by `npm run build` or `npm pack`. Vite resolves through these
// conditions (its server defaults, plus ours); Node, in the workers the tests start, through
// NODE_OPTIONS (vitest.config.ts).
const conditions = ['parafit-source', 'module', 'node', 'development|production']

export const sourceResolve = {
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['parafit-source'] } },
}
