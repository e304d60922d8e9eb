"""MINPACK on the 27 NIST StRD nonlinear problems, both starts: the peer curveFit is compared with.

Runs scipy's MINPACK Levenberg-Marquardt (lmdif, finite-difference Jacobian) from both starts of
every problem in ./data and prints one JSON line per run plus a summary per configuration:

  /usr/bin/python3 packages/fitter/test/nist/minpack-reference.py [--tol 1e-15] [--max-nfev N] [--json]

Configurations:
  least_squares   scipy.optimize.least_squares(method='lm'): lmdif with x_scale=1 (MINPACK's
                  mode 2, diag = 1: no scaling by the Jacobian's column norms)
  leastsq         scipy.optimize.leastsq: lmdif with diag=None (mode 1, column-norm scaling)

`nfev` is MINPACK's own count of calls of the residual function, and lmdif calls it n times for
every finite-difference Jacobian, so it counts every evaluation of the model over the data set,
the Jacobian's included, exactly like curveFit's `nfev`. (scipy documents this: least_squares'
'trf' and 'dogbox' leave the Jacobian's evaluations out of nfev, 'lm' counts them.) The default
tolerances are each function's own (1e-8 and 1.49e-8); --tol sets ftol = xtol = gtol. The
default budget is scipy's (least_squares: 100 n (n + 1) calls, leastsq: 200 (n + 1)); --max-nfev
sets it (the data folder's README quotes least_squares with --tol 1e-15 --max-nfev 100000).

Run it with Debian's /usr/bin/python3 (scipy 1.10), as ../shared/peers does: the newer scipy of
another Python on PATH (1.17 here) gives least_squares(method='lm') other iterates and an nfev
without the Jacobian's evaluations (a median of 20 where 1.10 counts 75), so its figures do not
compare.

Models are transcribed from each file's Model section, independently of nist.ts.
"""

import argparse
import json
import math
import os
import re
import statistics

import numpy as np
from scipy.optimize import least_squares, leastsq

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def cubic_over_cubic(x, b):
    return (b[0] + x * (b[1] + x * (b[2] + x * b[3]))) / (1 + x * (b[4] + x * (b[5] + x * b[6])))


def gauss(x, b):
    return (b[0] * np.exp(-b[1] * x) + b[2] * np.exp(-((x - b[3]) ** 2) / b[4] ** 2)
            + b[5] * np.exp(-((x - b[6]) ** 2) / b[7] ** 2))


def lanczos(x, b):
    return b[0] * np.exp(-b[1] * x) + b[2] * np.exp(-b[3] * x) + b[4] * np.exp(-b[5] * x)


def misra1a(x, b):
    return b[0] * (1 - np.exp(-b[1] * x))


def chwirut(x, b):
    return np.exp(-b[0] * x) / (b[1] + b[2] * x)


def enso(x, b):
    w = 2 * np.pi * x
    return (b[0] + b[1] * np.cos(w / 12) + b[2] * np.sin(w / 12) + b[4] * np.cos(w / b[3])
            + b[5] * np.sin(w / b[3]) + b[7] * np.cos(w / b[6]) + b[8] * np.sin(w / b[6]))


MODELS = {
    "Bennett5": lambda x, b: b[0] * (b[1] + x) ** (-1 / b[2]),
    "BoxBOD": misra1a,
    "Chwirut1": chwirut,
    "Chwirut2": chwirut,
    "DanWood": lambda x, b: b[0] * x ** b[1],
    "ENSO": enso,
    "Eckerle4": lambda x, b: (b[0] / b[1]) * np.exp(-0.5 * ((x - b[2]) / b[1]) ** 2),
    "Gauss1": gauss,
    "Gauss2": gauss,
    "Gauss3": gauss,
    "Hahn1": cubic_over_cubic,
    "Kirby2": lambda x, b: (b[0] + x * (b[1] + x * b[2])) / (1 + x * (b[3] + x * b[4])),
    "Lanczos1": lanczos,
    "Lanczos2": lanczos,
    "Lanczos3": lanczos,
    "MGH09": lambda x, b: b[0] * (x ** 2 + x * b[1]) / (x ** 2 + x * b[2] + b[3]),
    "MGH10": lambda x, b: b[0] * np.exp(b[1] / (x + b[2])),
    "MGH17": lambda x, b: b[0] + b[1] * np.exp(-x * b[3]) + b[2] * np.exp(-x * b[4]),
    "Misra1a": misra1a,
    "Misra1b": lambda x, b: b[0] * (1 - (1 + b[1] * x / 2) ** (-2)),
    "Misra1c": lambda x, b: b[0] * (1 - (1 + 2 * b[1] * x) ** (-0.5)),
    "Misra1d": lambda x, b: b[0] * b[1] * x * ((1 + b[1] * x) ** (-1)),
    # log[y] = b1 - b2*x1 * exp[-b3*x2]: fitted to log(y), x = (x1, x2)
    "Nelson": lambda x, b: b[0] - b[1] * x[0] * np.exp(-b[2] * x[1]),
    "Rat42": lambda x, b: b[0] / (1 + np.exp(b[1] - b[2] * x)),
    "Rat43": lambda x, b: b[0] / ((1 + np.exp(b[1] - b[2] * x)) ** (1 / b[3])),
    "Roszman1": lambda x, b: b[0] - b[1] * x - np.arctan(b[2] / (x - b[3])) / np.pi,
    "Thurber": cubic_over_cubic,
}


def load(name):
    lines = open(os.path.join(DATA, name + ".dat")).read().splitlines()
    head = "\n".join(lines[:40])
    s0, s1 = map(int, re.search(r"Starting Values\s*\(lines\s+(\d+)\s+to\s+(\d+)", head).groups())
    d0, d1 = map(int, re.search(r"Data\s*\(lines\s+(\d+)\s+to\s+(\d+)", head).groups())
    starts, cert = [[], []], []
    for ln in lines[s0 - 1:s1]:
        tok = ln.split("=")[1].split()
        starts[0].append(float(tok[0]))
        starts[1].append(float(tok[1]))
        cert.append(float(tok[2]))
    rows = np.array([[float(t) for t in ln.split()] for ln in lines[d0 - 1:d1]])
    y = rows[:, 0]
    x = rows[:, 1] if rows.shape[1] == 2 else rows[:, 1:].T
    if name == "Nelson":
        y = np.log(y)
    return x, y, [np.array(s) for s in starts], np.array(cert)


def min_lre(b, cert):
    if not np.all(np.isfinite(b)):
        return 0.0
    worst = 11.0
    for e, c in zip(b, cert):
        err = abs(e - c) / abs(c)
        worst = min(worst, 11.0 if err == 0 else max(0.0, min(11.0, -math.log10(err))))
    return worst


def run(name, start, config, tol, max_nfev):
    x, y, starts, cert = load(name)
    model = MODELS[name]
    nfev = [0]

    def residuals(b):
        nfev[0] += 1
        with np.errstate(all="ignore"):
            return y - model(x, b)

    x0 = starts[start - 1]
    kw = {} if tol is None else {"ftol": tol, "xtol": tol, "gtol": tol}
    if max_nfev is not None:
        kw["max_nfev" if config == "least_squares" else "maxfev"] = max_nfev
    try:
        with np.errstate(all="ignore"):
            if config == "least_squares":
                r = least_squares(residuals, x0, method="lm", **kw)
                b, reported = r.x, r.nfev
            else:
                b, _, info, _, _ = leastsq(residuals, x0, full_output=True, **kw)
                reported = info["nfev"]
    except Exception as err:  # a run that throws scores 0
        return {"problem": name, "start": start, "minLre": 0.0, "nfev": None, "error": str(err)}
    return {"problem": name, "start": start, "minLre": round(min_lre(b, cert), 2),
            # MINPACK's count; `calls` is our own count of residual calls (equal for leastsq,
            # one more for least_squares, which evaluates x0 once before calling MINPACK).
            "nfev": int(reported), "calls": nfev[0]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tol", type=float, default=None)
    ap.add_argument("--max-nfev", type=int, default=None)
    ap.add_argument("--config", choices=["least_squares", "leastsq", "both"], default="both")
    ap.add_argument("--json", action="store_true", help="print every run as a JSON line")
    args = ap.parse_args()
    configs = ["least_squares", "leastsq"] if args.config == "both" else [args.config]
    for config in configs:
        runs = [run(name, s, config, args.tol, args.max_nfev) for name in MODELS for s in (1, 2)]
        if args.json:
            for r in runs:
                print(json.dumps({"config": config, **r}))
        nfev = [r["nfev"] for r in runs if r["nfev"] is not None]
        summary = {
            "config": config, "tol": args.tol or "default",
            "max_nfev": args.max_nfev or "default", "runs": len(runs),
            "lre4": sum(r["minLre"] >= 4 for r in runs), "lre6": sum(r["minLre"] >= 6 for r in runs),
            "median_nfev": statistics.median(nfev),
            "below6": [f'{r["problem"]}/{r["start"]} {r["minLre"]}' for r in runs if r["minLre"] < 6],
        }
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
