// Plots: a corner plot of a seeded 3-D Gaussian as SVG (and PNG with @resvg/resvg-js)

await import('./corner.ts')
