"""`/hazard` side by side: safetybot vs. a bare Bolt app (bench/bare_bolt_app.py), in one run.

    python bench/ack_bench.py [--requests 1000] [--concurrency 8] [--warmup 50] [--api-latency MS]

For each app, in its own subprocess (so neither shares a GIL with the load generator):

* **ack latency**: from sending a signed `/hazard` request to getting its HTTP response;
* **time-to-modal**: from sending the request to the fake Slack Web API *receiving* the `views.open`
  that carries the request's trigger_id (`Call.at`, stamped when the fake's handler starts);
* **throughput**: commands per second with `--concurrency` senders posting back to back. A command
  counts as done when it was acked (200) *and* its modal was asked for, so an app cannot win by
  acking fast and opening modals late; acks/s alone is shown as well.

Latency is measured twice: "serial" (one command in flight: send, get the ack, wait for its
`views.open` to arrive and be answered, then the next), which is what one person typing `/hazard`
sees, and "under load" (the throughput phase: one uninterrupted run per app, long enough for a backlog
of modals behind fast acks to show). Both apps are started and warmed up first (`--warmup` commands,
so imports, Bolt's first `auth.test`, the locale cache and thread pools are not counted); the serial
phase then lets them take turns command by command (bot, bare, bare, bot, ...), each on its own keep-alive
connection, so a burst of background load on this shared 2-core machine falls on both alike; the app not
being measured sits idle. (In slices of 100 commands, as before, a burst of a few seconds landed on one app's
slice: the p95 ratio came out anywhere from 0.89 to 1.28 for the same code. `--chunks N` still measures so.)

`--api-latency MS` makes the fake answer `views.open`/`users.info` only after MS ms, as real Slack
does (100 ms or more): then the number of modals an app can have in flight at once shows, which an
instant fake hides. The targets are judged on the default run (instant fake).

Where the fake Slack runs, and why: in this process, next to the load generator.
* The send time and the `views.open` arrival time are then read from one `time.monotonic()` in one
  process: no clock hand-off and no IPC to collect arrival times.
* The machine has 2 cores: app + (load generator & fake) is two busy processes for two cores; a third
  process for the fake would make the apps fight the harness for CPU.
* Both apps face exactly the same harness (same fake, same senders, same machine, measured one at a
  time), so its overhead cancels in the bot/bare ratios; absolute figures include it (the fake's
  stdlib HTTP server takes well under a millisecond of CPU per call, and it stamps arrival before
  doing any of its own work). The bench's own CPU use in the load phase is printed, so one can see it
  was not the bottleneck.

Other options: `--only bot|bare` (one app, e.g. while profiling it with py-spy), `--bot-command CMD`
(serve the bot another way, e.g. a variant under test), `--samples-csv PATH` (every command's
timestamps), `--strict` (exit 1 when a target is missed).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import gc
import http.client
import itertools
import math
import os
import resource
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.core.org import load_org  # noqa: E402
from tests.fakeslack import FakeSlack  # noqa: E402
from tests.slack_payloads import sign, slash_command  # noqa: E402

SIGNING_SECRET = "bench-signing-secret"
BOT_TOKEN = "xoxb-bench"
ORG_FILE = "org.example.yml"
USER_ID = "U01EMP1"  # a member of "cs1" in org.example.yml (else the first department's head is used)
USER_LOCALE = "en-US"
EVENTS_PATH = "/slack/events"
MODAL_TIMEOUT = 15.0  # seconds to wait for views.open calls still on their way after a phase

# Targets (bot relative to the bare Bolt app).
TARGET_ACK_P50 = 1.0  # bot ack p50 <= bare ack p50
TARGET_MODAL_P95 = 1.0  # bot time-to-modal p95 <= bare's
TARGET_THROUGHPUT = 3.0  # bot throughput >= 3x bare's


# ---------------------------------------------------------------------- the apps under test


class BenchSlack(FakeSlack):
    """The fake Web API, optionally answering the calls on the /hazard path late, like real Slack."""

    SLOW_METHODS = ("views.open", "users.info")

    def __init__(self, *, api_latency: float = 0.0) -> None:
        super().__init__()
        self.api_latency = api_latency
        self._slow_down()

    def _slow_down(self) -> None:
        for method in self.SLOW_METHODS:
            self.delay(method, self.api_latency)

    def reset(self, *, keep_messages: bool = False) -> None:
        super().reset(keep_messages=keep_messages)
        self._slow_down()  # reset() forgets delays too


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _clean_env() -> dict[str, str]:
    """The caller's environment minus anything that would change how either app runs."""
    drop = ("SLACK_", "SAFETYBOT_", "DATABASE_URL", "PORT")
    return {k: v for k, v in os.environ.items() if not k.startswith(drop)}


@dataclass
class AppProcess:
    name: str
    argv: list[str]
    env: dict[str, str]
    port: int
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = None

    def start(self, ready_timeout: float = 90.0) -> AppProcess:
        log = self.log_path.open("wb")
        self._log = log
        self.proc = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL,
                                     stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.log_tail()}")
            if self._healthy():
                return self
            time.sleep(0.1)
        raise RuntimeError(f"{self.name}: GET /healthz not 200 within {ready_timeout}s:\n{self.log_tail()}")

    def _healthy(self) -> bool:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
        try:
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            response.read()
            return response.status == 200
        except OSError:
            return False
        finally:
            conn.close()

    def cpu_seconds(self) -> float:
        """User + system CPU of the app process (all its threads) so far; NaN where /proc is missing."""
        if self.proc is None:
            return math.nan
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return math.nan
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None


def bot_process(fake: FakeSlack, workdir: Path, command: str | None = None) -> AppProcess:
    if command:
        argv = shlex.split(command)
    else:
        script = Path(sys.executable).parent / "safetybot"
        exe = str(script) if script.exists() else shutil.which("safetybot")
        if exe is None:
            raise SystemExit("the `safetybot` console script is not installed (pip install -e .)")
        argv = [exe, "serve"]
    port = free_port()
    env = _clean_env() | {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
        "SAFETYBOT_ORG_FILE": ORG_FILE,
        "PORT": str(port),
    }
    return AppProcess("bot", argv, env, port, workdir / "bot.log")


def bare_process(fake: FakeSlack, workdir: Path) -> AppProcess:
    port = free_port()
    env = _clean_env() | {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
    }
    argv = [sys.executable, "-m", "uvicorn", "bare_bolt_app:api", "--app-dir", str(ROOT / "bench"),
            "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
            "--lifespan", "off"]
    return AppProcess("bare Bolt", argv, env, port, workdir / "bare.log")


# ---------------------------------------------------------------------- load generation


@dataclass
class Sample:
    trigger_id: str
    body: bytes
    sent: float = math.nan
    acked: float = math.nan
    status: int = 0
    modal: float = math.nan

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def done(self) -> bool:
        return self.ok and not math.isnan(self.modal)


_trigger_seq = itertools.count(13345224609)


def make_samples(n: int, response_url_base: str, user_id: str) -> list[Sample]:
    samples = []
    for i in range(n):
        trigger_id = f"{next(_trigger_seq)}.738474920.{uuid.uuid4().hex[:21]}"
        request = slash_command("/hazard", f"bench {i}", user_id=user_id, trigger_id=trigger_id,
                                response_url=f"{response_url_base}commands/bench/{i}")
        samples.append(Sample(trigger_id=trigger_id, body=request.body))
    return samples


class Sender:
    """One keep-alive HTTP/1.1 connection, as a busy Slack edge would hold; signs at send time."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def send(self, sample: Sample) -> None:
        headers = sign(sample.body, SIGNING_SECRET)
        sample.sent = time.monotonic()
        try:
            self.conn.request("POST", EVENTS_PATH, body=sample.body, headers=headers)
            response = self.conn.getresponse()
            response.read()
            sample.acked = time.monotonic()
            sample.status = response.status
        except (OSError, http.client.HTTPException):
            sample.acked, sample.status = time.monotonic(), -1
            self.conn.close()  # reconnects on the next request

    def close(self) -> None:
        self.conn.close()


def _stamp_modals(fake: FakeSlack, samples: list[Sample]) -> None:
    arrived: dict[str, float] = {}
    for call in fake.calls_to("views.open"):
        trigger_id = str(call.params.get("trigger_id", ""))
        if trigger_id and (trigger_id not in arrived or call.at < arrived[trigger_id]):
            arrived[trigger_id] = call.at
    for sample in samples:
        sample.modal = arrived.get(sample.trigger_id, math.nan)


def _wait_modals(fake: FakeSlack, count: int, timeout: float) -> bool:
    try:
        fake.wait_for("views.open", count=count, timeout=timeout)
        return True
    except AssertionError:
        return False


def run_serial(fake: BenchSlack, port: int, samples: list[Sample]) -> None:
    """One command in flight: send, read the ack, wait for its views.open (and its answer), then the next."""
    fake.reset()
    sender = Sender(port)
    modals = 0
    try:
        for sample in samples:
            sender.send(sample)
            if sample.ok and _wait_modals(fake, modals + 1, MODAL_TIMEOUT):
                modals += 1
                if fake.api_latency > 0:  # and until it was answered: the app is idle again
                    time.sleep(fake.api_latency)
    finally:
        sender.close()
    _stamp_modals(fake, samples)


@dataclass
class LoadRun:
    samples: list[Sample]
    wall: float  # first send to the last ack or views.open, whichever came later
    bench_cpu: float  # CPU seconds the bench process (senders + fake) used
    app_cpu: float  # CPU seconds the app process used


def _cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_load(fake: FakeSlack, port: int, samples: list[Sample], concurrency: int,
             app_cpu: Callable[[], float]) -> LoadRun:
    """`concurrency` threads, each posting its share of `samples` back to back on its own connection."""
    fake.reset()
    shares = [samples[i::concurrency] for i in range(concurrency)]
    barrier = threading.Barrier(concurrency + 1)

    def worker(share: list[Sample]) -> None:
        sender = Sender(port)
        try:
            barrier.wait()
            for sample in share:
                sender.send(sample)
        finally:
            sender.close()

    threads = [threading.Thread(target=worker, args=(share,), name=f"sender-{i}", daemon=True)
               for i, share in enumerate(shares)]
    for thread in threads:
        thread.start()
    cpu0, app0 = _cpu_self(), app_cpu()
    barrier.wait()
    for thread in threads:
        thread.join()
    _wait_modals(fake, sum(1 for s in samples if s.ok), MODAL_TIMEOUT)
    cpu1, app1 = _cpu_self(), app_cpu()
    _stamp_modals(fake, samples)
    start = min(s.sent for s in samples)
    end = max(x for s in samples for x in (s.acked, s.modal) if not math.isnan(x))
    return LoadRun(samples, end - start, cpu1 - cpu0, app1 - app0)


# ---------------------------------------------------------------------- figures


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    k = (len(ordered) - 1) * q
    lo = math.floor(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


@dataclass
class Figures:
    ack_p50: float
    ack_p95: float
    modal_p50: float
    modal_p95: float
    failed: int  # no 200 ack
    missing: int  # acked but no views.open arrived

    @classmethod
    def of(cls, samples: list[Sample]) -> Figures:
        acks = [(s.acked - s.sent) * 1000 for s in samples if s.ok]
        modals = [(s.modal - s.sent) * 1000 for s in samples if s.done]
        return cls(percentile(acks, 0.50), percentile(acks, 0.95), percentile(modals, 0.50),
                   percentile(modals, 0.95), failed=sum(1 for s in samples if not s.ok),
                   missing=sum(1 for s in samples if s.ok and not s.done))


@dataclass
class AppResult:
    name: str
    serial: Figures
    load: Figures
    throughput: float  # completed commands (acked and modal requested) per second
    ack_rate: float  # acks per second
    app_cpu_ms_per_cmd: float
    bench_cpu_share: float  # bench process CPU / wall, in cores
    samples: dict[str, list[Sample]] = field(default_factory=dict, repr=False)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection in this process while a phase is measured.

    The fake keeps every call it received, parsed: the more an app sends, the more live objects here, and the
    more often and longer this process's collector runs, on the fake's threads too, while the next
    command's `views.open` is being taken in (a full pass took about 20 ms). The app that sends the bigger
    modal would be charged for the harness's bookkeeping; a phase's calls fit in memory easily.
    """
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def warm_up(app: AppProcess, fake: FakeSlack, *, user_id: str, warmup: int, concurrency: int) -> None:
    print(f"  {app.name}: warming up ({warmup} commands)...", flush=True)
    warm = make_samples(warmup, fake.response_url_base, user_id)
    run_load(fake, app.port, warm, min(concurrency, warmup), app.cpu_seconds)
    if not all(s.done for s in warm):
        bad = sum(1 for s in warm if not s.done)
        raise RuntimeError(f"{app.name}: {bad}/{warmup} warm-up commands got no 200 ack or no views.open;"
                           f"\nfake saw: {[(c.method, c.outcome) for c in fake.calls[:10]]}\n{app.log_tail()}")


def serial_paired(apps: list[AppProcess], fake: BenchSlack, *, user_id: str,
                  requests: int) -> dict[str, list[Sample]]:
    """Every app's serial commands taken in turn one by one (AB BA AB ...), each app on its own keep-alive
    connection: the two commands of a pair meet the same background load on this shared machine."""
    names = ", ".join(app.name for app in apps)
    print(f"  serial phase: {requests} commands per app, one in flight, {names} taking turns by command...",
          flush=True)
    out: dict[str, list[Sample]] = {app.name: make_samples(requests, fake.response_url_base, user_id) for app in apps}
    fake.reset()
    senders = {app.name: Sender(app.port) for app in apps}
    modals = 0
    try:
        for i in range(requests):
            for app in apps if i % 2 == 0 else reversed(apps):
                sample = out[app.name][i]
                senders[app.name].send(sample)
                if sample.ok and _wait_modals(fake, modals + 1, MODAL_TIMEOUT):
                    modals += 1
                    if fake.api_latency > 0:  # and until it was answered: the app is idle again
                        time.sleep(fake.api_latency)
    finally:
        for sender in senders.values():
            sender.close()
    for samples in out.values():
        _stamp_modals(fake, samples)
    return out


def serial_phase(apps: list[AppProcess], fake: BenchSlack, *, user_id: str, requests: int,
                 chunks: int) -> dict[str, list[Sample]]:
    """Every app's serial commands, in `chunks` slices taken in turn (ABBA...), so a burst of background
    load on this shared machine lands on both apps alike rather than on whichever ran at the time."""
    names = ", ".join(app.name for app in apps)
    print(f"  serial phase: {requests} commands per app, one in flight, {names} taking turns...", flush=True)
    out: dict[str, list[Sample]] = {app.name: make_samples(requests, fake.response_url_base, user_id) for app in apps}
    size = math.ceil(requests / chunks)
    for i, lo in enumerate(range(0, requests, size)):
        for app in apps if i % 2 == 0 else reversed(apps):
            run_serial(fake, app.port, out[app.name][lo:lo + size])
    return out


def load_phase(app: AppProcess, fake: FakeSlack, *, user_id: str, requests: int, concurrency: int,
               serial: list[Sample]) -> AppResult:
    """One uninterrupted run, long enough for a backlog (acks outpacing modals) to show."""
    print(f"  {app.name}: load phase ({requests} commands, {concurrency} senders)...", flush=True)
    load = run_load(fake, app.port, make_samples(requests, fake.response_url_base, user_id), concurrency,
                    app.cpu_seconds)
    ok = [s for s in load.samples if s.ok]
    last_ack = max(s.acked for s in ok) if ok else math.nan
    first_sent = min(s.sent for s in load.samples)
    done = sum(1 for s in load.samples if s.done)
    return AppResult(
        name=app.name,
        serial=Figures.of(serial),
        load=Figures.of(load.samples),
        throughput=done / load.wall if load.wall > 0 else math.nan,
        ack_rate=len(ok) / (last_ack - first_sent) if ok else math.nan,
        app_cpu_ms_per_cmd=load.app_cpu * 1000 / max(1, len(load.samples)),
        bench_cpu_share=load.bench_cpu / load.wall if load.wall > 0 else math.nan,
        samples={"serial": serial, "load": load.samples},
    )


# ---------------------------------------------------------------------- report


def _fmt(value: float, digits: int = 1) -> str:
    return "n/a" if math.isnan(value) else f"{value:,.{digits}f}"


def _ratio(a: float, b: float) -> float:
    return a / b if b and not (math.isnan(a) or math.isnan(b)) else math.nan


def report(bot: AppResult, bare: AppResult, *, user_id: str, requests: int, concurrency: int,
           api_latency_ms: float) -> list[tuple[str, bool]]:
    verdicts: list[tuple[str, bool]] = []
    rows: list[tuple[str, str, str, str, str]] = []

    def row(label: str, a: float, b: float, digits: int = 1, target: str = "", passed: bool | None = None) -> None:
        verdict = "" if passed is None else ("MET" if passed else "MISSED")
        rows.append((label, _fmt(a, digits), _fmt(b, digits), _fmt(_ratio(a, b), 2),
                     f"{target} {verdict}".strip()))

    def check(name: str, ratio: float, ok: Callable[[float], bool]) -> bool:
        passed = not math.isnan(ratio) and ok(ratio)
        verdicts.append((name, passed))
        return passed

    for phase, fb, fr in (("serial", bot.serial, bare.serial), ("load", bot.load, bare.load)):
        title = "serial: one command in flight" if phase == "serial" else f"under load: {concurrency} senders"
        rows.append((f"[{title}]", "", "", "", ""))
        r = _ratio(fb.ack_p50, fr.ack_p50)
        row("  ack p50 (ms)", fb.ack_p50, fr.ack_p50, 2, "<= 1.00",
            check(f"ack p50 bot <= bare ({phase})", r, lambda x: x <= TARGET_ACK_P50))
        row("  ack p95 (ms)", fb.ack_p95, fr.ack_p95, 2)
        row("  time-to-modal p50 (ms)", fb.modal_p50, fr.modal_p50, 2)
        r = _ratio(fb.modal_p95, fr.modal_p95)
        row("  time-to-modal p95 (ms)", fb.modal_p95, fr.modal_p95, 2, "<= 1.00",
            check(f"time-to-modal p95 bot <= bare ({phase})", r, lambda x: x <= TARGET_MODAL_P95))
        row("  failed acks / missing modals", fb.failed + fb.missing, fr.failed + fr.missing, 0)
    rows.append((f"[throughput: {concurrency} senders]", "", "", "", ""))
    r = _ratio(bot.throughput, bare.throughput)
    row("  commands/s (acked + modal)", bot.throughput, bare.throughput, 1, ">= 3.00",
        check(f"throughput bot >= {TARGET_THROUGHPUT:g}x bare", r, lambda x: x >= TARGET_THROUGHPUT))
    row("  acks/s", bot.ack_rate, bare.ack_rate, 1)
    row("  app CPU per command (ms)", bot.app_cpu_ms_per_cmd, bare.app_cpu_ms_per_cmd, 2)
    row("  bench process CPU (cores)", bot.bench_cpu_share, bare.bench_cpu_share, 2)

    headers = ("/hazard", "bot", "bare Bolt", "bot/bare", "target")
    widths = [max(len(str(x[i])) for x in [headers, *rows]) for i in range(5)]
    line = "  ".join("-" * w for w in widths)
    print()
    print(f"{requests} commands per phase and app; user {user_id}; warm apps; fake Slack in the bench process, "
          f"answering views.open/users.info after {api_latency_ms:g} ms")
    print(line)
    print("  ".join(h.ljust(w) if i in (0, 4) else h.rjust(w) for i, (h, w) in enumerate(zip(headers, widths,
                                                                                            strict=True))))
    print(line)
    for cells in rows:
        print("  ".join(c.ljust(w) if i in (0, 4) else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths,
                                                                                               strict=True))))
    print(line)
    print("Targets: bot ack p50 <= bare ack p50; bot time-to-modal p95 <= bare's; bot throughput >= 3x bare's.")
    for name, passed in verdicts:
        print(f"  {'MET   ' if passed else 'MISSED'}  {name}")
    return verdicts


def write_samples(path: Path, results: Iterable[AppResult]) -> None:
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["app", "phase", "trigger_id", "sent", "acked", "status", "modal"])
        for result in results:
            for phase, samples in result.samples.items():
                for s in samples:
                    out.writerow([result.name, phase, s.trigger_id, f"{s.sent:.6f}", f"{s.acked:.6f}", s.status,
                                  f"{s.modal:.6f}"])
    print(f"samples written to {path}")


# ---------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000, help="commands per phase and app (default 1000)")
    parser.add_argument("--concurrency", type=int, default=8, help="senders in the load phase (default 8)")
    parser.add_argument("--warmup", type=int, default=50, help="warm-up commands per app (default 50)")
    parser.add_argument("--api-latency", type=float, default=0.0, metavar="MS",
                        help="the fake answers views.open and users.info after MS milliseconds, as real Slack "
                             "takes 100 ms or more (default 0); time-to-modal is unaffected (arrival time)")
    parser.add_argument("--chunks", type=int, default=0,
                        help="slices in which the apps take turns in the serial phase (default 0: command by "
                             "command)")
    parser.add_argument("--only", choices=("bot", "bare"), help="measure one app only (for profiling)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--bot-command", metavar="CMD",
                        help="serve the bot with CMD instead of `safetybot serve` (to try a variant; same env)")
    parser.add_argument("--samples-csv", type=Path, metavar="PATH",
                        help="also write every command's send/ack/views.open times (time.monotonic) to PATH")
    args = parser.parse_args(argv)
    if args.api_latency < 0:
        parser.error("--api-latency must not be negative")
    if min(args.requests, args.concurrency, args.warmup) < 1 or args.chunks < 0:
        parser.error("--requests, --concurrency and --warmup must be at least 1, --chunks at least 0")

    org = load_org(ROOT / ORG_FILE)
    user_id = USER_ID if org.department_of(USER_ID) is not None else org.departments[0].head

    busy = os.getloadavg()[0]
    if busy > 0.5:
        print(f"note: load average {busy:.2f} before the run: other processes share the {os.cpu_count()} cores, so "
              "latency tails will be noisy; rerun on a quiet machine for figures to compare", flush=True)
    results: dict[str, AppResult] = {}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="safetybot-bench-") as tmp, \
            BenchSlack(api_latency=args.api_latency / 1000) as fake:
        fake.add_user(user_id, name=user_id.lower(), locale=USER_LOCALE)
        apps: dict[str, AppProcess] = {}
        if args.only in (None, "bot"):
            apps["bot"] = bot_process(fake, Path(tmp), args.bot_command)
        if args.only in (None, "bare"):
            apps["bare"] = bare_process(fake, Path(tmp))
        try:
            for app in apps.values():  # both run from here on; the one not being measured sits idle
                print(f"starting {app.name} on port {app.port}...", flush=True)
                app.start()
            for app in apps.values():
                warm_up(app, fake, user_id=user_id, warmup=args.warmup, concurrency=args.concurrency)
            with collector_paused():
                serial = (serial_phase(list(apps.values()), fake, user_id=user_id, requests=args.requests,
                                       chunks=args.chunks) if args.chunks else
                          serial_paired(list(apps.values()), fake, user_id=user_id, requests=args.requests))
            for key, app in apps.items():
                with collector_paused():
                    results[key] = load_phase(app, fake, user_id=user_id, requests=args.requests,
                                              concurrency=args.concurrency, serial=serial[app.name])
        finally:
            for app in apps.values():
                app.stop()
        if fake.errors:
            print(f"warning: the fake Slack had internal errors: {fake.errors[:3]}", file=sys.stderr)
    print(f"(bench took {time.monotonic() - started:.0f}s)")
    if args.samples_csv:
        write_samples(args.samples_csv, results.values())

    if args.only:
        only = results[args.only]
        for phase, figures in (("serial", only.serial), ("load", only.load)):
            print(f"{only.name} {phase}: {figures}")
        print(f"{only.name}: {only.throughput:.1f} commands/s, {only.ack_rate:.1f} acks/s, "
              f"{only.app_cpu_ms_per_cmd:.2f} ms app CPU per command")
        return 0
    verdicts = report(results["bot"], results["bare"], user_id=user_id, requests=args.requests,
                      concurrency=args.concurrency, api_latency_ms=args.api_latency)
    return 1 if args.strict and not all(passed for _, passed in verdicts) else 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
