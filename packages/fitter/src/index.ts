// @parafit/fitter: built by its own issue (see docs/architecture.md); nothing is exported yet.

export {}
