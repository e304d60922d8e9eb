// A few helpers to write SVG as text. Every number goes through `num`, which rounds to a fixed
// number of decimals, so the same input always gives the same string (no -0, no 1e-17).

/** A coordinate or length, rounded to 2 decimals (1/100 px), trailing zeros dropped. */
export function num(x: number, decimals = 2): string {
  const s = x.toFixed(decimals)
  const t = s.includes('.') ? s.replace(/\.?0+$/, '') : s
  return t === '-0' ? '0' : t
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!)
}

export type Attrs = Record<string, string | number | undefined>

function attributes(attrs: Attrs): string {
  let out = ''
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined) continue
    out += ` ${key}="${typeof value === 'number' ? num(value) : escapeXml(value)}"`
  }
  return out
}

/** An element: self-closing without children; children are already-written SVG text. */
export function el(name: string, attrs: Attrs, children?: string | readonly string[]): string {
  const inner = children === undefined ? '' : typeof children === 'string' ? children : children.join('')
  return inner === '' ? `<${name}${attributes(attrs)}/>` : `<${name}${attributes(attrs)}>${inner}</${name}>`
}

/** A text element (the text escaped). */
export function text(attrs: Attrs, content: string): string {
  return `<text${attributes(attrs)}>${escapeXml(content)}</text>`
}

export const FONT_FAMILY = 'DejaVu Sans, sans-serif'

/** The whole document: white background (matplotlib's figure face), the font as attributes. */
export function svgDocument(width: number, height: number, body: readonly string[]): string {
  const head =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${num(width)}" height="${num(height)}" ` +
    `viewBox="0 0 ${num(width)} ${num(height)}" font-family="${FONT_FAMILY}" font-size="10">`
  return `${head}\n${el('rect', { width: '100%', height: '100%', fill: '#ffffff' })}\n${body.join('\n')}\n</svg>\n`
}
