#!/usr/bin/env python3
"""Engine minting speed vs a raw ``twilio`` loop (issue 7).

Subject: ``TokenEngine.mint_for(appointment, user)`` on an appointment loaded
from the demo store (lifetime rule, identity, expiry, the ``VideoToken``).
Peer: the bare minimum any backend runs per token:
``AccessToken(...)`` + ``add_grant(VideoGrant(room=...))`` + ``to_jwt()``.

Both run in this process, in alternating blocks timed in CPU time; the
result is the median tokens per CPU second of each and their ratio (goal:
engine >= 0.9x raw; issue 20 aims at 0.95x), plus the median ratio of
neighbouring blocks.

    .venv/bin/python benchmarks/bench_engine.py [--blocks 21] [--block-seconds 0.25] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _demo_pair(store_dir: Path) -> tuple[Any, Any, Any]:
    """(engine, appointment, user): appointment 47 of the demo data, as the patient."""
    from vtctl.backends.local import open_store
    from vtctl.config.settings import BackendOptions, resolve_settings
    from vtctl.local.demo import DEMO_CREDENTIALS
    from vtctl.local.engine import TokenEngine

    # the demo profile keeps its own store, in the data dir: here a temporary one
    os.environ["XDG_DATA_HOME"] = str(store_dir)
    os.environ["XDG_CONFIG_HOME"] = str(store_dir / "config")
    settings = resolve_settings(BackendOptions(local=True, profile="demo"), env={})
    store = open_store(settings)
    engine = TokenEngine(store, lambda: DEMO_CREDENTIALS)
    appointment, user = engine.authorize(47, "2")
    return engine, appointment, user


def make_subject(store_dir: Path) -> Callable[[], object]:
    engine, appointment, user = _demo_pair(store_dir)
    return lambda: engine.mint_for(appointment, user)


def make_peer(store_dir: Path) -> Callable[[], object]:
    from twilio.jwt.access_token import AccessToken
    from twilio.jwt.access_token.grants import VideoGrant

    from vtctl.local.demo import DEMO_CREDENTIALS as creds

    _, appointment, user = _demo_pair(store_dir)
    identity = f"{user.id}-{user.email}"
    room = appointment.video_room_id

    def mint() -> object:
        token = AccessToken(
            creds.account_sid, creds.api_key, creds.api_secret, identity=identity, ttl=5400
        )
        token.add_grant(VideoGrant(room=room))
        return token.to_jwt()

    return mint


def _rate(fn: Callable[[], object], seconds: float) -> float:
    """Tokens per CPU second over one block of at least ``seconds`` of CPU time.

    CPU time, not wall time: on a shared machine this process is descheduled at
    random moments, which wall time would charge to whichever side was running."""
    count = 0
    start = time.process_time()
    deadline = start + seconds
    while True:
        for _ in range(50):
            fn()
        count += 50
        now = time.process_time()
        if now >= deadline:
            return count / (now - start)


def run(blocks: int = 21, block_seconds: float = 0.25) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="vtctl-bench-engine-") as tmp:
        subject, peer = make_subject(Path(tmp)), make_peer(Path(tmp))
        for fn in (subject, peer):  # warm up imports and caches
            _rate(fn, 0.1)
        subject_rates, peer_rates = [], []
        for i in range(blocks):  # alternate, and alternate who goes first
            order = [(subject, subject_rates), (peer, peer_rates)]
            for fn, rates in order if i % 2 == 0 else reversed(order):
                rates.append(_rate(fn, block_seconds))
    s, p = statistics.median(subject_rates), statistics.median(peer_rates)
    # also: each block against its neighbour, run at (nearly) the same moment, so a
    # busy machine slows both sides of a pair alike
    paired = [a / b for a, b in zip(subject_rates, peer_rates, strict=True)]
    return {
        "subject_tokens_per_s": s,
        "peer_tokens_per_s": p,
        "ratio": s / p,
        "paired_ratio_median": statistics.median(paired),
        "blocks": blocks,
        "block_seconds": block_seconds,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--blocks", type=int, default=21)
    parser.add_argument("--block-seconds", type=float, default=0.25)
    parser.add_argument("--json", action="store_true")
    opts = parser.parse_args(argv)
    result = run(opts.blocks, opts.block_seconds)
    if opts.json:
        print(json.dumps(result))
    else:
        print(
            f"engine  {result['subject_tokens_per_s']:10.0f} tokens/s (TokenEngine.mint_for)\n"
            f"raw     {result['peer_tokens_per_s']:10.0f} tokens/s (twilio AccessToken loop)\n"
            f"ratio   {result['ratio']:10.2f}x of the medians (goal >= 0.9x); "
            f"median of paired blocks {result['paired_ratio_median']:.2f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
