"""Command line: ``python -m convexnn <command> ...``.

Commands are registered in :data:`COMMANDS` (name -> (add_arguments, run, help)); a new command
is one more entry: a function that adds its arguments to a subparser and a function that runs it
and returns the exit code. ``recovery`` writes the phase-transition grid of docs/recovery.md::

    python -m convexnn recovery --d 10 20 --n 10:60:5 --trials 20 --jobs 2 --out grid.csv
    python -m convexnn recovery --d 10 --n 10,20,40 --trials 5            # CSV to stdout
    python -m convexnn recovery ... --dask tcp://127.0.0.1:8786            # on a Dask cluster

Every trial has its own seed ``[seed, n, d, trial]``, so the CSV does not depend on how the trials
are run (serially, with joblib or on Dask).

``compare`` runs the convex head vs AdamW experiment of docs/experiments.md on real features
(:mod:`convexnn.experiments.compare`) and writes one row per checkpoint (or ``--summary``)::

    python -m convexnn compare --data digits:3,8 --k 50 100 --seeds 3 --out results.csv
    python -m convexnn compare --data embeddings.npz --k 50 --methods convex_gated adamw --summary
    python -m convexnn compare --data digits --sampling geometric --sketch-dim 20 --jobs 2
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

from .data import realdata
from .experiments import compare
from .theory import recovery


def _ranges(values: list[str]) -> list[int]:
    out: list[int] = []
    for v in values:
        out += recovery.parse_range(v)
    return sorted(set(out))


def add_recovery_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--d", nargs="+", required=True, metavar="D",
                   help="dimensions: values, lists (10,20) or ranges start:stop[:step] (inclusive)")
    p.add_argument("--n", nargs="+", required=True, metavar="N",
                   help="numbers of points, same syntax (e.g. 10:60:5)")
    p.add_argument("--trials", type=int, default=20, help="trials per (n, d) (default 20)")
    p.add_argument("--program", nargs="+", default=list(recovery.PROGRAMS),
                   choices=recovery.PROGRAMS + recovery.BASELINES + tuple(recovery.PROGRAM_ALIASES),
                   help="gated (reference), exact (cone-constrained; 'relu' is its older name), "
                        "linear (baseline); "
                        "default: both programs")
    p.add_argument("--planted", default="gaussian", choices=recovery.PLANTED,
                   help="w*: unit Gaussian (default) or the smallest right singular vector of X")
    p.add_argument("--gates", type=int, default=None,
                   help="Gaussian gates per trial (default max(n, 50), as the reference)")
    p.add_argument("--all-ones", default="reference", choices=recovery.ALL_ONES,
                   help="add the all-ones pattern when some u != 0 has Xu >= 0 (reference), always or never")
    p.add_argument("--seed", type=int, default=0, help="base seed (default 0)")
    p.add_argument("--jobs", type=int, default=1, help="parallel joblib workers (-1: all cores)")
    p.add_argument("--dask", metavar="ADDRESS", default=None,
                   help="run the trials on an existing Dask scheduler (e.g. tcp://host:8786)")
    p.add_argument("--out", default=None, help="CSV file to write (default: standard output)")
    p.add_argument("--quiet", action="store_true", help="no progress on standard error")


def run_recovery(args: argparse.Namespace) -> int:
    try:
        spec = recovery.GridSpec(ns=_ranges(args.n), ds=_ranges(args.d), trials=args.trials,
                                 programs=tuple(dict.fromkeys(args.program)), seed=args.seed,
                                 planted=args.planted, n_gates=args.gates, all_ones=args.all_ones)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    total = len(spec.tasks())
    t0 = time.perf_counter()
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if not args.quiet and (done == total or now - last[0] > 2.0):
            last[0] = now
            print(f"{done}/{total} trials, {now - t0:.0f} s", file=sys.stderr, flush=True)

    client = None
    if args.dask:
        from distributed import Client

        client = Client(args.dask)
    try:
        rows = recovery.recovery_grid(spec, n_jobs=args.jobs, client=client, progress=progress)
    finally:
        if client is not None:
            client.close()
    text = recovery.grid_csv(rows)
    if args.out:
        with open(args.out, "w", newline="") as fh:
            fh.write(text)
        if not args.quiet:
            print(f"wrote {len(rows)} rows ({total} trials) to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def add_compare_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", default="digits:3,8",
                   help="digits:A,B (two digits), digits (all ten, one-vs-rest), breast_cancer, or a file: "
                        ".csv (header, label column), .npy (last column = label), .npz (X, y)")
    p.add_argument("--label-column", default=None, help="the CSV's label column (name)")
    p.add_argument("--k", nargs="+", type=int, default=[50], help="widths: sampled patterns = AdamW neurons")
    p.add_argument("--seeds", type=int, default=3, help="number of seeds 0..S-1 (default 3)")
    p.add_argument("--methods", nargs="+", default=["convex_gated", "adamw"], choices=compare.METHODS)
    p.add_argument("--sampling", default="gaussian", choices=compare.SAMPLING)
    p.add_argument("--sketch-dim", type=int, default=None, help="sketch dimension of GA sampling")
    p.add_argument("--betas", nargs="+", type=float, default=list(compare.CompareSpec.beta_fractions),
                   help="beta grid as fractions of beta_max")
    p.add_argument("--lrs", nargs="+", type=float, default=list(compare.CompareSpec.lrs),
                   help="AdamW learning rates")
    p.add_argument("--epochs", type=int, default=compare.CompareSpec.epochs)
    p.add_argument("--batch-size", type=int, default=compare.CompareSpec.batch_size)
    p.add_argument("--tol", type=float, default=compare.CompareSpec.tol, help="FISTA relative duality gap")
    p.add_argument("--train-sizes", nargs="*", type=int, default=[],
                   help="smaller training sizes too (accuracy vs size at a budget)")
    p.add_argument("--test-fraction", type=float, default=0.5)
    p.add_argument("--standardize", default="standard", choices=realdata.STANDARDIZE)
    p.add_argument("--max-train", type=int, default=None, help="cap the training rows")
    p.add_argument("--summary", action="store_true", help="write the per-method summary instead of the rows")
    p.add_argument("--jobs", type=int, default=1, help="parallel joblib workers (runs then share the cores)")
    p.add_argument("--dask", metavar="ADDRESS", default=None, help="run on an existing Dask scheduler")
    p.add_argument("--out", default=None, help="CSV file to write (default: standard output)")
    p.add_argument("--quiet", action="store_true", help="no progress on standard error")


def run_compare(args: argparse.Namespace) -> int:
    try:
        data = realdata.load(args.data) if args.label_column is None else realdata.from_csv_table(
            open(args.data, "rb").read(), args.label_column, name=args.data)
        split = realdata.split(data, args.test_fraction, 0, args.standardize, args.max_train)
        spec = compare.CompareSpec(
            methods=tuple(dict.fromkeys(args.methods)), ks=tuple(args.k), seeds=tuple(range(args.seeds)),
            train_sizes=tuple(args.train_sizes), sampling=args.sampling, sketch_dim=args.sketch_dim,
            beta_fractions=tuple(args.betas), lrs=tuple(args.lrs), epochs=args.epochs,
            batch_size=args.batch_size, tol=args.tol)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        print(f"{data.describe()}; {split.n_train} training / {split.X_test.shape[0]} test rows; "
              f"{len(compare.tasks(split, spec))} runs", file=sys.stderr)
    t0 = time.perf_counter()

    def progress(done: int, total: int, label: str) -> None:
        if not args.quiet:
            print(f"{done}/{total} runs ({label}), {time.perf_counter() - t0:.1f} s", file=sys.stderr,
                  flush=True)

    client = None
    if args.dask:
        from distributed import Client

        client = Client(args.dask)
    try:
        rows = compare.run_comparison(split, spec, progress=progress, n_jobs=args.jobs, client=client)
    finally:
        if client is not None:
            client.close()
    out = compare.summary(rows) if args.summary else rows
    text = compare.rows_csv(out)
    if args.out:
        with open(args.out, "w", newline="") as fh:
            fh.write(text)
        if not args.quiet:
            print(f"wrote {len(out)} rows to {args.out}", file=sys.stderr)
            for r in compare.summary(rows):
                if r["n_train"] == max(x["n_train"] for x in rows):
                    print(f"  {r['method']:>12} k={r['k']}: test accuracy {r['test_acc_median']:.4f} "
                          f"(min {r['test_acc_min']:.4f}), {r['time_median']:.2f} s, "
                          f"{r['neurons_median']:.0f} neurons", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


Command = tuple[Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int], str]
COMMANDS: dict[str, Command] = {
    "recovery": (add_recovery_arguments, run_recovery,
                 "phase transition of planted-model recovery (docs/recovery.md) as CSV"),
    "compare": (add_compare_arguments, run_compare,
                "convex two-layer head vs AdamW on real features (docs/experiments.md) as CSV"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m convexnn",
                                     description="convexnn experiments from the command line")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (add_arguments, run, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        add_arguments(p)
        p.set_defaults(run=run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args))
