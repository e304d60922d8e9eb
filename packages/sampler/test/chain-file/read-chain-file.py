#!/usr/bin/env python3
"""The Python side of emcee-reads.test.ts: reads a chain file parafit wrote, as a user would.

    read-chain-file.py CHAIN_FILE COPY_TO_CONTINUE

Prints one JSON object:
  - from emcee.backends.HDFBackend(CHAIN_FILE, read_only=True): the chain's shape, the chain and
    log-probabilities (flat, as floats: JSON keeps every bit of a float64), accepted, iteration
    (and its type), get_autocorr_time(quiet=True), the shape of a discarded and thinned flat
    chain, whether get_blobs() is None, and get_last_sample();
  - from plain h5py: the types of emcee's attributes and datasets (dtype, maxshape, chunks), any
    random_state_* attributes, and parafit's group (its attributes, random states and blobs);
  - "continued": CHAIN_FILE copied to COPY_TO_CONTINUE and continued there by emcee itself,
    EnsembleSampler(nwalkers, ndim, log_prob, backend=HDFBackend(COPY_TO_CONTINUE)) then
    run_mcmc(None, 5): the new iteration, whether the first steps are unchanged, and the
    random_state_* attributes emcee wrote.

log_prob is problem.ts's: ln p = -(x0^2 + ((x1 - x0/2)/0.5)^2 + x2^2/4) / 2.
"""

import json
import logging
import shutil
import sys

import emcee
import h5py
import numpy as np

# get_autocorr_time(quiet=True) logs a warning for short chains; the test reads only stdout.
logging.getLogger("emcee").setLevel(logging.ERROR)


def log_prob(x):
    a, b, c = x
    return -0.5 * (a * a + ((b - 0.5 * a) / 0.5) ** 2 + c * c / 4)


def kind(value):
    return {"type": type(value).__name__, "dtype": str(getattr(value, "dtype", ""))}


def dataset(d):
    return {"dtype": str(d.dtype), "shape": list(d.shape), "maxshape": list(d.maxshape), "chunks": d.chunks}


def main(path, copy):
    backend = emcee.backends.HDFBackend(path, read_only=True)
    chain = backend.get_chain()
    iteration = backend.iteration
    out = {
        "versions": {"emcee": emcee.__version__, "h5py": h5py.__version__, "hdf5": h5py.version.hdf5_version},
        "shape": list(chain.shape),
        "chain": chain.ravel().tolist(),
        "logProb": backend.get_log_prob().ravel().tolist(),
        "accepted": backend.accepted.tolist(),
        "iteration": int(iteration),
        "iterationType": type(iteration).__name__,
        "tau": backend.get_autocorr_time(quiet=True).tolist(),
        "thinnedShape": list(backend.get_chain(discard=2, thin=3, flat=True).shape),
        "blobsIsNone": backend.get_blobs() is None,
        "lastSample": backend.get_last_sample().coords.ravel().tolist(),
    }
    with h5py.File(path, "r") as f:
        g = f["mcmc"]
        p = f["parafit/mcmc"]
        n = int(g.attrs["iteration"])
        out["h5py"] = {
            "attrs": {k: kind(v) for k, v in g.attrs.items()},
            "version": str(g.attrs["version"]),
            "chain": dataset(g["chain"]),
            "logProb": dataset(g["log_prob"]),
            "accepted": dataset(g["accepted"]),
            "randomStateAttrs": sorted(k for k in g.attrs if k.startswith("random_state")),
            "parafit": {
                "seed": int(p.attrs["seed"]),
                "moves": str(p.attrs["moves"]),
                "parameterNames": [str(s) for s in p.attrs.get("parameter_names", [])],
                "iteration": int(p.attrs["iteration"]),
                "randomState": p["random_state"][:n].tolist(),
                "blobNames": [str(s) for s in p["blobs"].attrs["names"]],
                "blobs": p["blobs"][:n].ravel().tolist(),
                "blobKind": p["blob_kind"][:n].ravel().tolist(),
            },
        }

    shutil.copyfile(path, copy)
    np.random.seed(1)
    nwalkers, ndim = chain.shape[1:]
    sampler = emcee.EnsembleSampler(nwalkers, ndim, log_prob, backend=emcee.backends.HDFBackend(copy))
    sampler.run_mcmc(None, 5)
    continued = emcee.backends.HDFBackend(copy, read_only=True)
    with h5py.File(copy, "r") as f:
        random_state_attrs = sorted(k for k in f["mcmc"].attrs if k.startswith("random_state"))
    out["continued"] = {
        "iteration": int(continued.iteration),
        "firstStepsUnchanged": bool(np.array_equal(continued.get_chain()[: chain.shape[0]], chain)),
        "acceptedGrew": bool(np.all(continued.accepted >= backend.accepted)),
        "randomStateAttrs": random_state_attrs,
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
