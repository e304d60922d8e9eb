// `--method-option key=value` (repeatable): a method's settings on the command line, e.g.
// `-O xtol=1e-12` for the chosen method or `-O cmaes.popSize=32` for a named one. Values are
// numbers, true/false, or text; unknown keys are caught by the Fitter's own check, with the
// closest known name, before anything is evaluated.

import { messageWithoutKeyPath, oneOf, ValidationError } from '@parafit/core'
import type { Method } from '@parafit/fitter'
import { METHODS, type MethodOptions } from '@parafit/fitter'

export interface MethodSetting {
  readonly method: Method | undefined
  readonly key: string
  readonly value: number | boolean | string
}

function parseValue(text: string): number | boolean | string {
  if (text === 'true') return true
  if (text === 'false') return false
  const n = Number(text)
  return text.trim() !== '' && !Number.isNaN(n) ? n : text
}

/** One `--method-option` argument; commander calls it once per occurrence. */
export function parseMethodSetting(text: string): MethodSetting {
  const eq = text.indexOf('=')
  if (eq <= 0 || eq === text.length - 1) {
    throw new ValidationError(
      `--method-option takes key=value (e.g. xtol=1e-12, or cmaes.popSize=32), got '${text}'`,
    )
  }
  const name = text.slice(0, eq).trim()
  const dot = name.indexOf('.')
  const prefix = dot > 0 ? name.slice(0, dot) : undefined
  let method: Method | undefined
  try {
    method = prefix === undefined ? undefined : oneOf(prefix, 'the method before the dot', METHODS)
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error
    throw new ValidationError(`--method-option ${text}: ${messageWithoutKeyPath(error)}`)
  }
  return {
    method,
    key: prefix === undefined ? name : name.slice(dot + 1),
    value: parseValue(text.slice(eq + 1)),
  }
}

/** The settings as the Fitter's methodOptions; unprefixed keys belong to --method. */
export function methodOptionsOf(settings: readonly MethodSetting[], method: Method | 'auto'): MethodOptions {
  const options: Record<string, Record<string, unknown>> = {}
  for (const setting of settings) {
    const target = setting.method ?? (method === 'auto' ? undefined : method)
    if (target === undefined) {
      throw new ValidationError(
        `--method-option ${setting.key}=${String(setting.value)} needs a method: give --method, ` +
          `or name it before the key (e.g. lm.${setting.key}=${String(setting.value)})`,
      )
    }
    options[target] ??= {}
    options[target][setting.key] = setting.value
  }
  return options as MethodOptions
}
