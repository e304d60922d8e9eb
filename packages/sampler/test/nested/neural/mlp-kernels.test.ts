import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { compileKernels, generatedModule } from '../../../scripts/build-wasm.ts'
import { KernelLayout, mlpKernels } from '../../../src/nested/neural/mlp-kernels.ts'

test('the committed WebAssembly is what assembly/mlp-kernels.ts compiles to (npm run build:wasm)', async () => {
  const committed = readFileSync(
    new URL('../../../src/nested/neural/mlp-kernels.wasm.ts', import.meta.url),
    'utf8',
  )
  expect(committed).toBe(generatedModule(await compileKernels()))
}, 60_000)

test('a layout grows the memory to hold its arrays, 16-byte aligned, past the static data', () => {
  const layout = new KernelLayout(mlpKernels())
  const a = layout.allocate(3)
  const b = layout.allocate(300_000)
  layout.commit()
  expect(a).toBeGreaterThanOrEqual(mlpKernels().heapBase())
  expect(a % 16).toBe(0)
  expect(b).toBe(a + 16)
  const view = layout.f32(b, 300_000)
  view[299_999] = 1.5
  expect(layout.f32(b, 300_000)[299_999]).toBe(1.5)
  expect(mlpKernels().memory.buffer.byteLength).toBeGreaterThanOrEqual(b + 4 * 300_000)
})
