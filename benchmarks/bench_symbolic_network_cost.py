"""Measured / expected time and memory of network derivations (``classical derive --network``).

Usage: ``python benchmarks/bench_symbolic_network_cost.py [--timeout 150] [--memory-gib 3]``.
Each network of a fixed list is derived in a fresh process (derive_network, then the JSON and
text renderings the command prints) under a wall-time limit and an address-space limit; the
table gives the counted shape (largest solved class n, rate variables v), the estimate of
``exactspin.classical.symbolic_network_cost``, the measured wall time and peak resident memory
(above a bare interpreter with exactspin imported) and the ratios. Cases that hit a limit are
reported as lower bounds (">"). Run it to refit the constants of that module; on a shared
machine only ratios between rows mean much.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

from exactspin.classical.symbolic_network_cost import estimate_network
from exactspin.network import Bath, Bond, Network, three_bath_ring, three_branch_junction


def ring(sites, couplings, baths, name):
    bonds = tuple(Bond(i, (i + 1) % sites, couplings[i]) for i in range(sites))
    return Network(sites=sites, bonds=bonds, baths=tuple(Bath(s, t) for s, t in baths),
                   dynamics="q2r", name=name)


def junction(bulk_couplings, name, direct=None):
    """Nodes 0 and n+1 joined through one bulk site per branch (and optionally directly)."""
    last = len(bulk_couplings) + 1
    bonds = []
    for index, coupling in enumerate(bulk_couplings, start=1):
        bonds += [Bond(0, index, coupling), Bond(index, last, coupling)]
    if direct is not None:
        bonds.append(Bond(0, last, direct))
    return Network(sites=last + 1, bonds=tuple(bonds), baths=(Bath(0, 2.0), Bath(last, 0.5)),
                   dynamics="q2r", name=name)


CASES = (
    ring(3, (1.0, 1.0, 2.0), ((0, 2.0), (1, 1.0), (2, 0.5)), "triangle, 3 baths"),
    ring(3, (1.0, 1.0, 2.0), ((0, 2.0), (2, 0.5)), "triangle, 2 baths"),
    ring(4, (1.0, 1.0, 1.0, 1.0), ((0, 2.0), (2, 0.5)), "4-ring J, 2 baths"),
    ring(4, (1.0, 1.0, 1.5, 1.5), ((0, 2.0), (2, 0.5)), "4-ring J1 J2, 2 baths"),
    ring(4, (1.0, 1.0, 1.5, 1.5), ((0, 2.0), (1, 1.0), (2, 0.5)), "4-ring, 3 baths"),
    ring(4, (1.0, 1.25, 0.8, 1.5), ((0, 2.0), (1, 1.5), (2, 1.0), (3, 0.5)), "4-ring, 4 baths"),
    junction((1.0, 1.5), "4-site junction (2 branches + direct)", direct=0.75),
    ring(5, (1.0, 1.0, 1.0, 1.0, 1.0), ((0, 2.0), (2, 0.5)), "5-ring J, 2 baths"),
    ring(5, (1.0, 1.0, 1.5, 1.5, 1.5), ((0, 2.0), (2, 0.5)), "5-ring J1 J2, 2 baths"),
    ring(5, (1.0, 1.0, 1.5, 1.0, 1.0), ((0, 2.0), (2, 1.0), (3, 0.5)), "5-ring, 3 baths, v=5"),
    ring(5, (1.0, 1.0, 1.25, 0.8, 0.8), ((0, 2.0), (2, 1.0), (3, 0.5)), "5-ring, 3 baths"),
    junction((1.0, 1.5, 0.75), "5-site junction (3 branches)"),
    ring(6, (1.0,) * 6, ((0, 2.0), (3, 0.5)), "6-ring J, 2 baths"),
    ring(6, (1.0, 1.0, 1.0, 1.5, 1.5, 1.5), ((0, 2.0), (3, 0.5)), "6-ring J1 J2, 2 baths"),
    three_branch_junction(),
    three_bath_ring(),
)

CHILD = """
import json, resource, sys, time
from exactspin.network import network_from_dict
from exactspin.classical.symbolic_network import derive_network
network = network_from_dict(json.loads(sys.argv[1]))
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start, cpu = time.perf_counter(), time.process_time()
solution = derive_network(network)
json.dumps(solution.to_dict()); solution.pretty()
print(json.dumps({"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu,
                  "base_kib": base,
                  "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def measure(network, timeout, memory_bytes):
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))

    start = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(network.to_dict())],
                              capture_output=True, text=True, timeout=timeout, preexec_fn=limit)
    except subprocess.TimeoutExpired:
        return None, f">{timeout:.0f} s (timeout)"
    if done.returncode != 0:
        return None, f">{time.perf_counter() - start:.0f} s (failed: memory limit?)"
    return json.loads(done.stdout.splitlines()[-1]), ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=150.0)
    parser.add_argument("--memory-gib", type=float, default=3.0)
    parser.add_argument("--skip-over", type=float, default=1e9,
                        help="skip cases whose estimate exceeds this many seconds")
    parser.add_argument("--only", default=None, help="run only networks whose name has this")
    options = parser.parse_args()
    print(f"{'network':<40} {'n':>4} {'v':>3} {'exp s':>9} {'meas s':>9} {'ratio':>6} "
          f"{'exp MiB':>9} {'peak MiB':>9} {'+import':>8} {'cpu s':>8}")
    for network in CASES:
        if options.only and options.only not in network.name:
            continue
        cost = estimate_network(network)
        head = f"{network.name:<40} {cost.largest_class:>4} {cost.variables:>3} " \
               f"{cost.expected_seconds:>9.3g}"
        if cost.expected_seconds > options.skip_over:
            print(f"{head} {'skipped':>9}", flush=True)
            continue
        result, note = measure(network, options.timeout, int(options.memory_gib * 2**30))
        if result is None:
            print(f"{head} {note}", flush=True)
            continue
        peak = result["peak_kib"] / 1024  # the whole process, as the estimate counts it
        grown = max(result["peak_kib"] - result["base_kib"], 0) / 1024  # during the derivation
        expected_mib = cost.expected_bytes / 2**20
        print(f"{head} {result['seconds']:>9.3g} {result['seconds'] / cost.expected_seconds:>6.2f} "
              f"{expected_mib:>9.0f} {peak:>9.0f} {grown:>8.0f} {result['cpu']:>8.3g}", flush=True)


if __name__ == "__main__":
    main()
