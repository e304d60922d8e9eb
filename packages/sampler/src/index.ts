// @parafit/sampler: Bayesian sampling on a pool. The ensemble sampler (emcee's) and the nested
// sampler (nautilus's importance nested sampling, with the evidence).
