#!/usr/bin/env python3
"""The reference side of emcee-comparison.test.ts: runs emcee 3 on the targets the test hands it.

Reads one JSON object from the file named by the first argument, or from stdin:

  {"jobs": [job, ...]}

with each job one of

  {"kind": "sample", "name": str, "spec": TargetSpec, "seed": int, "nSteps": int, "discard": int,
   "initial": [[float] * nDim] * nWalkers}
      runs emcee.EnsembleSampler (default StretchMove, a = 2) from exactly these walkers, its
      random stream seeded with numpy's RandomState(seed), and reports
      {"tau": [...], "acceptance": float, "mean": [...], "cov": [[...]], "nSteps", "nWalkers"}:
      tau = sampler.get_autocorr_time(discard=discard, quiet=True), acceptance the mean of
      sampler.acceptance_fraction, mean and cov those of the flat chain after discard.

  {"kind": "autocorr", "chainFile": path, "nSteps": int, "nWalkers": int, "nDim": int,
   "c": float, "tol": float}
      reads a chain of float64 (little-endian, step-major then walker then parameter: the layout
      of numpy's (nSteps, nWalkers, nDim) C order) and reports
      {"tau": emcee.autocorr.integrated_time(chain, c=c, tol=tol, quiet=True),
       "tooShort": whether integrated_time(..., quiet=False) would raise AutocorrError}.

TargetSpec is {"kind": "gaussian", "mean": [...], "cov": [[...]], "precision": [[...]]}
(ln p = -(x - mean)^T precision (x - mean) / 2) or {"kind": "rosenbrock"}
(ln p = -(100 (x2 - x1^2)^2 + (1 - x1)^2) / 20), the same functions as targets.ts.

Prints {"emcee": version, "numpy": version, "results": [one per job, in order]} as JSON.
"""

import json
import logging
import sys

import emcee
import numpy as np

# integrated_time(quiet=True) logs a warning for short chains; the test reads only stdout.
logging.getLogger("emcee").setLevel(logging.ERROR)


def log_prob_of(spec):
    """A vectorised ln p: a (n, nDim) array of points in, n values out."""
    if spec["kind"] == "gaussian":
        mean = np.asarray(spec["mean"], dtype=float)
        precision = np.asarray(spec["precision"], dtype=float)

        def log_prob(x):
            d = np.atleast_2d(x) - mean
            return -0.5 * np.einsum("ni,ij,nj->n", d, precision, d)

        return log_prob
    if spec["kind"] == "rosenbrock":

        def log_prob(x):
            x = np.atleast_2d(x)
            x1, x2 = x[:, 0], x[:, 1]
            return -(100.0 * (x2 - x1 * x1) ** 2 + (1.0 - x1) ** 2) / 20.0

        return log_prob
    raise ValueError("unknown target kind: %r" % (spec["kind"],))


def run_sample(job):
    initial = np.asarray(job["initial"], dtype=float)
    n_walkers, n_dim = initial.shape
    # vectorize=True only batches the calls: the moves, their random draws and the acceptance
    # test are those of the one-point-at-a-time sampler.
    sampler = emcee.EnsembleSampler(n_walkers, n_dim, log_prob_of(job["spec"]), vectorize=True)
    sampler.random_state = np.random.RandomState(job["seed"]).get_state()
    sampler.run_mcmc(initial, job["nSteps"], progress=False)
    discard = job["discard"]
    flat = sampler.get_chain(discard=discard, flat=True)
    return {
        "name": job.get("name"),
        "seed": job["seed"],
        "nSteps": job["nSteps"],
        "nWalkers": n_walkers,
        "tau": sampler.get_autocorr_time(discard=discard, quiet=True).tolist(),
        "acceptance": float(np.mean(sampler.acceptance_fraction)),
        "mean": flat.mean(axis=0).tolist(),
        "cov": np.atleast_2d(np.cov(flat, rowvar=False)).tolist(),
    }


def run_autocorr(job):
    shape = (job["nSteps"], job["nWalkers"], job["nDim"])
    chain = np.fromfile(job["chainFile"], dtype="<f8")
    if chain.size != shape[0] * shape[1] * shape[2]:
        raise ValueError("%s holds %d numbers, not %r" % (job["chainFile"], chain.size, shape))
    c = job.get("c", 5)
    tol = job.get("tol", 50)
    tau = emcee.autocorr.integrated_time(chain.reshape(shape), c=c, tol=tol, quiet=True)
    try:
        emcee.autocorr.integrated_time(chain.reshape(shape), c=c, tol=tol, quiet=False)
        too_short = False
    except emcee.autocorr.AutocorrError:
        too_short = True
    return {"tau": tau.tolist(), "tooShort": too_short}


def main():
    if len(sys.argv) > 1:
        with open(sys.argv[1]) as f:
            config = json.load(f)
    else:
        config = json.load(sys.stdin)
    runners = {"sample": run_sample, "autocorr": run_autocorr}
    results = [runners[job["kind"]](job) for job in config["jobs"]]
    json.dump({"emcee": emcee.__version__, "numpy": np.__version__, "results": results}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
