// toPng: an SVG rendered to PNG by @resvg/resvg-js, an optional dependency loaded only here, so
// the SVG plots cost nothing for those who never ask for PNG. resvg draws no text without
// fonts, and loading every system font is slow: DejaVu Sans (the plots' font, matplotlib's) is
// loaded from where Linux distributions put it, and the system's fonts only if it is not found.

import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { option, PlotError } from './errors.ts'

export interface PngOptions {
  /** Width of the image in px; the height follows (default the SVG's own size). */
  readonly width?: number
  /** Font files to use instead of the DejaVu Sans found on the system. */
  readonly fontFiles?: readonly string[]
}

const FONT_DIRS = [
  '/usr/share/fonts/truetype/dejavu', // Debian, Ubuntu (fonts-dejavu-core)
  '/usr/share/fonts/dejavu', // Fedora, Alpine
  '/usr/share/fonts/TTF', // Arch
  '/usr/share/fonts/dejavu-sans-fonts',
  '/usr/local/share/fonts',
  '/opt/homebrew/share/fonts',
  '/Library/Fonts',
]
const FONT_NAMES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf']

let dejavu: string[] | undefined

/** The DejaVu Sans files found on this system (cached), or none. */
export function dejavuFontFiles(): string[] {
  if (dejavu === undefined) {
    dejavu = []
    for (const dir of FONT_DIRS) {
      const files = FONT_NAMES.map((name) => join(dir, name)).filter((file) => existsSync(file))
      if (files.length > 0) {
        dejavu = files
        break
      }
    }
  }
  return dejavu
}

type ResvgModule = typeof import('@resvg/resvg-js')

async function loadResvg(): Promise<ResvgModule> {
  try {
    return await import('@resvg/resvg-js')
  } catch (error) {
    throw new PlotError(
      'PARAFIT_PLOT_PNG_UNAVAILABLE',
      'PNG output needs the optional package @resvg/resvg-js, which could not be loaded ' +
        `(${error instanceof Error ? error.message.split('\n')[0] : String(error)}). ` +
        'Install it with `npm install @resvg/resvg-js`, or write the SVG instead.',
      { cause: error },
    )
  }
}

/** The PNG bytes of an SVG document (a plot of this package, or any SVG). */
export async function toPng(svg: string, options: PngOptions = {}): Promise<Uint8Array> {
  if (options.width !== undefined) option.finiteNumber(options.width, 'width', { min: 1, unit: 'px' })
  const resvg = await loadResvg()
  const files = options.fontFiles ?? dejavuFontFiles()
  const font =
    files.length > 0
      ? {
          loadSystemFonts: false,
          fontFiles: [...files],
          defaultFontFamily: 'DejaVu Sans',
          sansSerifFamily: 'DejaVu Sans',
        }
      : { loadSystemFonts: true }
  const image = await resvg.renderAsync(svg, {
    font,
    fitTo:
      options.width === undefined
        ? { mode: 'original' }
        : { mode: 'width', value: Math.round(options.width) },
  })
  return new Uint8Array(image.asPng())
}
