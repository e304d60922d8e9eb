// How `parafit` reports an error: the message in the command's words (its flags, not the API's
// option names the library's messages give, which are right for API users), then where in the
// user's own code it happened: the frames of the innermost error in the cause chain that come
// from the user's files, not Node's internals, dependencies or parafit itself.

import { formatFrame, ParafitError, userFrames } from '@parafit/core'

/** Library advice → the command's flag for the same thing. */
const CLI_WORDS: readonly (readonly [RegExp, string])[] = [
  [/\{ export: '([^']*)' \}/g, '--export $1'],
  [/\. The best result so far is in error\.result; pass /g, '. Pass '],
  // A checkpoint or chain file that could not be written: the command has reported the run.
  [/The best result so far is in error\.result; /g, 'The best result so far is reported above; '],
  [/, from which a resume continues/g, ', from which the same command continues'],
  [
    /; nothing computed is lost: error\.summary holds log Z so far, the sampler's posterior\(\) the samples, and run\(\) continues \(the file holds the run as of its last write\)/g,
    '; the report above covers every call, and --resume continues from the last state written',
  ],
  [
    /The sampler keeps every step in memory \(getChain\); choose another chainFile\.path in a new sampler to write them/g,
    'The report above covers every step run; they are in no file',
  ],
  [
    /; the sampler keeps every step in memory and tries again at the next save/g,
    '; the report above covers every step run',
  ],
  // A resume with another seed: the command's flag; nested sampling's state goes with --out.
  [/pass seed (-?\d+) \(or none\)/g, 'pass --seed $1 (or none)'],
  [/start (over|afresh) with seed (-?\d+)/g, 'start $1 with --seed $2'],
  [/\bchoose another checkpoint\.path\b/g, 'choose another --out'],
  [/onError: 'skip'/g, '--skip-errors'],
  // PNG without resvg, found before the run: the flag to leave out.
  [/, or write the SVG instead\./g, ', or leave out --png (the SVG figures need nothing more).'],
  [/checkWorkers: false/g, '--no-check-workers'],
  [
    /unknown option '([^']+)' in methodOptions\.([\w-]+);(.*?) \(at 'methodOptions\.[^']+'\)/gs,
    'unknown --method-option $2.$1;$3',
  ],
  [/ \(at 'methodOptions\.([^']+)'\)/g, ' (--method-option $1)'],
  [/within timeoutMs=(\d+);/g, 'within --timeout $1 (ms);'],
  [/\btimeoutMs: (\d+)/g, '--timeout $1'],
  [/\btimeoutMs\b/g, '--timeout'],
  [/\bnumWorkers: (\d+)/g, '--workers $1'],
  [/\bnumWorkers\b/g, '--workers'],
  [/ \(or pass resume: false\)/g, ''],
  // The chain file's advice: the command resumes with --resume and names the file with --out.
  [
    /Continue it with EnsembleSampler\.resume\(options\), or remove the file, or choose another chainFile\.path or group/g,
    'Pass --resume to continue it, or remove the file, or choose another --out',
  ],
  [/\bchainFile\.path\b/g, '--out'],
  // The samplers' sizes, which parafit sample sets with flags.
  [/ \(at '(nLive|nNetworks|nWalkers)'\)/g, ''],
  [/\bnLive\b/g, '--n-live'],
  [/\bnNetworks\b/g, '--networks'],
  [/\bnWalkers\b/g, '--walkers'],
]

/** A library message with API option names replaced by the command's flags. */
export function inCliWords(message: string): string {
  return CLI_WORDS.reduce((text, [pattern, replacement]) => text.replace(pattern, replacement), message)
}

const MAX_FRAMES = 8

/** `    at fn (model.ts:12:9)` lines for the innermost error of the chain with frames in user code. */
export function userCodeLines(error: unknown, cwd: string = process.cwd()): string[] {
  let frames: ReturnType<typeof userFrames> = []
  const seen = new Set<unknown>()
  for (let e: unknown = error; e instanceof Error && !seen.has(e); e = e.cause) {
    seen.add(e)
    const own = userFrames(e)
    if (own.length > 0) frames = own
  }
  return frames.slice(0, MAX_FRAMES).map((frame) => `    at ${formatFrame(frame, cwd)}`)
}

/** What the command prints for an error (without the trailing newline). */
export function reportError(error: unknown, cwd: string = process.cwd()): string {
  if (!(error instanceof ParafitError)) {
    // Not one of parafit's errors: a bug, most likely; the whole stack helps to report it.
    return `parafit: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`
  }
  return [`parafit: ${inCliWords(error.message)}`, ...userCodeLines(error, cwd)].join('\n')
}
