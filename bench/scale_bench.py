"""The scheduler and the bot at 1k, 10k, 100k hazards, on SQLite and PostgreSQL.

    python bench/scale_bench.py [--n 1000 10000 100000] [--db sqlite postgres] [--serve-seconds 60]
    python bench/scale_bench.py --seed-only --n 100000 --database-url sqlite:///big.db

Seeds, in bulk (one multi-row INSERT per few thousand rows): N hazards (70% closed, 20% assigned with a
deadline, 10% reported; a busy head with up to 180 pending extension requests), the deadline jobs the steps
would have written (history included), 100 plans (5 of them to everyone) materialized by the bot's own
scheduler, and an org file of 500 people. The state left is that of a bot that ran until six hours ago: what
fell due since is pending.

Then, per database, prints:
* through the bot's own scheduler, in this process (fake clock, statements counted with a SQLAlchemy event,
  each transaction's time measured from its BEGIN to its COMMIT): the catch-up tick after six hours of downtime,
  a steady tick (nothing new due), and a tick an hour later (an hour of due jobs);
* `/hazard mine` for the busy head and `/hazard HZ-…` through the query use cases;
* `safetybot serve` on the database (six hours of downtime again): start-up to `/healthz` 200, then a
  `/hazard` report submitted every 0.5 s (open loop) while the scheduler catches up and ticks every 2 s: the
  ack's p50/p99/max and how many took over 3 s; the process's peak RSS.

PostgreSQL: `--postgres-url` (default postgresql+psycopg://postgres@127.0.0.1:5432/test), in a schema of its
own, dropped afterwards (kept with `--seed-only`). `--seed-only` leaves a seeded database at head and writes
the org file beside it (its path is printed), so `safetybot serve` can run on it.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, create_engine, delete, event, func, insert, select, text, update  # noqa: E402

from bot.core.org import Org, parse_org  # noqa: E402
from bot.hazards.jobs import deadline_jobs  # noqa: E402
from bot.hazards.model import Hazard, HazardCategory, HazardStatus  # noqa: E402
from bot.hazards.queries import my_cases, view_case  # noqa: E402
from bot.plans.model import Audience, PlanInput, PlanKind  # noqa: E402
from bot.plans.usecases import save_imported_plan  # noqa: E402
from bot.runtime.settings import Settings  # noqa: E402
from bot.runtime.slack_requests import sign, view_submission  # noqa: E402
from bot.scheduling import JobState  # noqa: E402
from storage.core import outbox, reference_counters  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.hazards import hazards  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.scheduling import reminder_jobs  # noqa: E402
from tests.fakeslack import FakeSlack  # noqa: E402
from tests.helpers import report_values  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SECRET = "scale-bench-secret"
DOWNTIME = timedelta(hours=6)
DEPARTMENTS = 10
MEMBERS = 47  # per department, with a head and a deputy: 490 people, + 3 officers, 2 managers, 5 more
BUSY_PENDING = 180  # pending extension requests waiting for the busy head (d0's)
PLANS = 100
CHUNK = 5000  # rows per bulk INSERT
TARGETS = {"steady_s": 0.050, "steady_statements": 20, "catchup_s": 10.0, "ack_p99_s": 0.100, "startup_s": 2.0,
           "rss_mb": 150.0}


def person(kind: str, n: int) -> str:
    return f"U{kind}{n:06d}"


def org_yaml() -> str:
    lines = ["timezone: Asia/Shanghai", "language: zh-CN", "safety_department:", "  channel: C0SAFETY",
             f"  members: [{', '.join(person('SAF', i) for i in range(3))}]", "management:",
             f"  members: [{', '.join(person('MGT', i) for i in range(2))}]", "departments:"]
    for d in range(DEPARTMENTS):
        members = ", ".join(person("EMP", d * 100 + m) for m in range(MEMBERS + (5 if d == 0 else 0)))
        lines += [f"  - key: d{d}", f"    name: Department {d}", f"    head: {person('HED', d)}",
                  f"    deputy: {person('DEP', d)}", f"    members: [{members}]"]
    return "\n".join(lines) + "\n"


def busy_head() -> str:
    return person("HED", 0)


# ---------------------------------------------------------------------- seeding


def _hazard_rows(n: int, now: datetime, rng: random.Random) -> Iterator[dict[str, Any]]:
    busy = 0
    for i in range(n):
        share = i % 10  # 0-6 closed, 7-8 assigned, 9 reported: 70/20/10
        status = HazardStatus.CLOSED if share < 7 else HazardStatus.ASSIGNED if share < 9 else HazardStatus.REPORTED
        department = rng.randrange(DEPARTMENTS)
        pending = status is HazardStatus.ASSIGNED and busy < BUSY_PENDING and rng.random() < 0.5
        if pending:
            department, busy = 0, busy + 1
        members = MEMBERS + (5 if department == 0 else 0)
        reported = now - timedelta(days=rng.uniform(20, 400) if status is HazardStatus.CLOSED else rng.uniform(1, 30))
        row: dict[str, Any] = {
            "reference": f"HZ-{now.year}-{i + 1:06d}", "category": rng.choice(list(HazardCategory)).value,
            "location": f"Floor {rng.randrange(1, 30)}", "description": "Seeded for the scale benchmark",
            "department_key": f"d{department}", "reporter_id": person("EMP", department * 100 + rng.randrange(members)),
            "anonymous": rng.random() < 0.1, "photos": [], "status": status.value, "reported_at": reported,
            "rounds": 0, "completion_photos": [], "revision": 1, "severity": None, "deadline_at": None,
            "assignee_id": None, "measures": None, "closed_at": None, "extension_until": None,
            "extension_reason": None, "thread_channel": None, "thread_ts": None,
        }
        if status is not HazardStatus.REPORTED:
            deadline = (now - timedelta(days=rng.uniform(15, 90)) if status is HazardStatus.CLOSED
                        else now + timedelta(hours=rng.uniform(-240, 720)))
            row |= {"severity": "general", "deadline_at": deadline, "measures": "Fix it", "rounds": 1,
                    "assignee_id": person("EMP", department * 100 + rng.randrange(members)),
                    "thread_channel": None, "thread_ts": f"{1700000000 + i}.000100", "revision": 4}
        if status is HazardStatus.CLOSED:
            row |= {"closed_at": row["deadline_at"] - timedelta(days=1)}
        if pending:
            row |= {"extension_until": row["deadline_at"] + timedelta(days=14), "extension_reason": "Parts late"}
        yield row


def _job_rows(row: dict[str, Any], org: Org, now: datetime) -> list[dict[str, Any]]:
    """The deadline jobs the assign step wrote, in the state a bot that ran until six hours ago left them."""
    if row["deadline_at"] is None:
        return []
    hazard = Hazard(reference=row["reference"], category=HazardCategory(row["category"]), location="",
                    description="", department_key=row["department_key"], reporter_id=row["reporter_id"],
                    anonymous=False, reported_at=row["reported_at"], status=HazardStatus.ASSIGNED,
                    deadline_at=row["deadline_at"], rounds=row["rounds"])
    up_to = now - DOWNTIME
    rows = []
    for job in deadline_jobs(hazard, org):
        if row["status"] == HazardStatus.CLOSED.value:  # history: what its chain came to
            state = JobState.SENT if job.fire_at <= row["closed_at"] else JobState.SKIPPED
        else:
            state = JobState.SENT if job.fire_at <= up_to else JobState.PENDING
        rows.append({"key": job.key, "kind": job.kind, "fire_at": job.fire_at, "hazard_ref": job.hazard_ref,
                     "chain": job.chain, "state": state.value,
                     "processed_at": None if state is JobState.PENDING else min(job.fire_at, up_to)})
    return rows


def _insert(engine: Engine, table: Any, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        for start in range(0, len(rows), CHUNK):
            conn.execute(insert(table), rows[start:start + CHUNK])


class _Anyone:
    def is_active_user(self, user_id: str) -> bool:
        return True


def seed(url: str, n: int, org: Org, now: datetime) -> dict[str, float]:
    """Hazards, their jobs and the plans, as fast as bulk inserts go; returns the seconds each part took."""
    from bot.runtime.app import create_app

    took: dict[str, float] = {}
    start = time.perf_counter()
    engine = make_engine(url)
    upgrade(engine)
    with engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(hazards)).scalar_one():
            raise SystemExit(f"{url} already holds hazards: seed an empty database")
    took["schema"] = time.perf_counter() - start
    rng = random.Random(n)
    start = time.perf_counter()
    rows = list(_hazard_rows(n, now, rng))
    jobs = [job for row in rows for job in _job_rows(row, org, now)]
    _insert(engine, hazards, rows)
    _insert(engine, reminder_jobs, jobs)
    _insert(engine, reference_counters, [{"prefix": "HZ", "year": now.year, "last_value": n}])
    took["hazards"] = time.perf_counter() - start
    engine.dispose()

    start = time.perf_counter()
    with FakeSlack() as fake:
        runtime = create_app(_settings(fake, url), org=org, clock=lambda: now - DOWNTIME - timedelta(days=7),
                             migrate=False)
        try:
            for i in range(PLANS):
                everyone = i < 5
                audience = Audience(everyone=True) if everyone else Audience(
                    channel="C0SAFETY" if i % 3 == 0 else None,
                    people=[person("EMP", (i % DEPARTMENTS) * 100 + k) for k in range(3)])
                rule = ("FREQ=DAILY" if i % 4 == 0 else f"FREQ=WEEKLY;BYDAY={['MO', 'TU', 'WE', 'TH', 'FR'][i % 5]}"
                        if i % 4 < 3 else "FREQ=MONTHLY;BYMONTHDAY=1")
                save_imported_plan(PlanInput(
                    key=f"plan-{i:03d}", kind=list(PlanKind)[i % len(PlanKind)], title=f"Plan {i}",
                    owner_id=person("HED", i % DEPARTMENTS), audience=audience, rule=rule,
                    start=(now - timedelta(days=30)).date(), time_of_day=clock_time(8 + i % 10, (i * 7) % 60),
                    offsets=["1d", "0d"]), uow=runtime.services.uow(), org=org, directory=_Anyone(),
                    clock=lambda: now - DOWNTIME - timedelta(days=7))
            # The bot ran until six hours ago: its last tick then materialized the plans and sent what was due.
            runtime.scheduler.clock = lambda: now - DOWNTIME
            runtime.scheduler.tick()
        finally:
            runtime.close()
    took["plans"] = time.perf_counter() - start
    engine = make_engine(url)
    with engine.begin() as conn:  # what that bot sent is gone from the outbox's view: keep the table small
        conn.execute(delete(outbox))
    engine.dispose()
    return took


def down_for(engine: Engine, now: datetime) -> int:
    """Back to "the bot ran until six hours ago": jobs due since are pending again, the outbox is empty."""
    with engine.begin() as conn:
        result = conn.execute(update(reminder_jobs).where(
            reminder_jobs.c.fire_at > now - DOWNTIME, reminder_jobs.c.state.in_(
                [JobState.SENT.value, JobState.SKIPPED.value, JobState.MISSED.value]),
            reminder_jobs.c.processed_at > now - DOWNTIME).values(
            state=JobState.PENDING.value, processed_at=None, lease_until=None))
        conn.execute(delete(outbox))
        return int(result.rowcount or 0)


# ---------------------------------------------------------------------- measuring


def _settings(fake: FakeSlack, url: str, **more: Any) -> Settings:
    return Settings(_env_file=None, slack_bot_token="xoxb-bench", slack_signing_secret=SECRET,  # type: ignore[call-arg]
                    slack_api_url=fake.api_url, database_url=url, slack_timeout_seconds=2.0, **more)


@dataclass
class Meter:
    """Statements and transactions on one engine: how many, and the longest BEGIN … COMMIT."""

    statements: int = 0
    transactions: list[float] = field(default_factory=list)
    _open: dict[int, float] = field(default_factory=dict)

    def attach(self, engine: Engine) -> None:
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "commit", self._end)
        event.listen(engine, "rollback", self._end)

    def _statement(self, *_args: Any) -> None:
        self.statements += 1

    def _begin(self, conn: Any) -> None:
        self._open[id(conn)] = time.perf_counter()

    def _end(self, conn: Any) -> None:
        began = self._open.pop(id(conn), None)
        if began is not None:
            self.transactions.append(time.perf_counter() - began)

    def reset(self) -> None:
        self.statements, self.transactions = 0, []


@dataclass
class Tick:
    cpu: float  # this thread's CPU time: what the tick cost on a machine shared with others
    seconds: float
    statements: int
    jobs: int
    transactions: int
    longest: float


def in_process(url: str, org: Org, now: datetime) -> dict[str, Any]:
    from bot.runtime.app import create_app

    engine = make_engine(url)
    down_for(engine, now)
    engine.dispose()
    clock = {"now": now}
    with FakeSlack() as fake:
        runtime = create_app(_settings(fake, url), org=org, clock=lambda: clock["now"], migrate=False)
        meter = Meter()
        meter.attach(runtime.engine)
        try:
            def tick(at: datetime) -> Tick:
                clock["now"] = at
                meter.reset()
                start, cpu = time.perf_counter(), time.thread_time()
                jobs = runtime.scheduler.tick()
                took = time.perf_counter() - start
                return Tick(time.thread_time() - cpu, took, meter.statements, jobs, len(meter.transactions),
                            max(meter.transactions, default=0))

            results: dict[str, Any] = {"catchup": tick(now), "steady": tick(now + timedelta(seconds=30))}
            results["steady2"] = tick(now + timedelta(seconds=60))
            results["hour"] = tick(now + timedelta(hours=1))
            uow = runtime.services.uow
            times, mine = [], None
            for _ in range(5):
                start = time.perf_counter()
                mine = my_cases(busy_head(), uow=uow(), org=org)
                times.append(time.perf_counter() - start)
            results["mine_s"] = statistics.median(times)
            results["mine_to_decide"] = len(mine.to_decide) if mine else 0
            times = []
            for i in range(5):
                start = time.perf_counter()
                view_case(f"HZ-{now.year}-{i * 7 + 1:06d}", viewer_id=person("SAF", 0), uow=uow(), org=org)
                times.append(time.perf_counter() - start)
            results["lookup_s"] = statistics.median(times)
        finally:
            runtime.close()
    return results


def _get(port: int, path: str, timeout: float = 5.0) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    except OSError:
        return 0
    finally:
        conn.close()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def served(url: str, org_file: Path, workdir: Path, seconds: float) -> dict[str, Any]:
    """`safetybot serve` on the database after six hours of downtime: start-up, then acks while it ticks."""
    engine = make_engine(url)
    reopened = down_for(engine, datetime.now(UTC))
    engine.dispose()
    script = Path(sys.executable).parent / "safetybot"
    exe = str(script) if script.exists() else shutil.which("safetybot") or "safetybot"
    with FakeSlack() as fake:
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SAFETYBOT_", "DATABASE_URL"))}
        env |= {"SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
                "DATABASE_URL": url, "SAFETYBOT_ORG_FILE": str(org_file), "PORT": str(port),
                "SCHEDULER_INTERVAL_SECONDS": "2"}
        log = (workdir / "serve.log").open("wb")
        start = time.perf_counter()
        proc = subprocess.Popen([exe, "serve"], cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            while _get(port, "/healthz", timeout=1.0) != 200:
                if proc.poll() is not None or time.perf_counter() - start > 120:
                    raise RuntimeError(f"serve did not come up: {(workdir / 'serve.log').read_text()[-2000:]}")
                time.sleep(0.01)
            startup = time.perf_counter() - start
            acks: list[float] = []
            lock = threading.Lock()
            requests = [view_submission(user_id=person("EMP", 100 + i % MEMBERS), callback_id="hazard_report",
                                        values=report_values(department="d1", location=f"Bench {i}"),
                                        private_metadata=json.dumps({"locale": "en-US"}),
                                        view_id=f"V{uuid.uuid4().hex[:10].upper()}")
                        for i in range(int(seconds * 2) + 2)]

            def submit(i: int) -> None:
                request = requests[i]
                headers = sign(request.body, SECRET) | {"Content-Type": request.content_type}
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                began = time.perf_counter()
                try:  # the time from sending the submission to having the modal's answer
                    conn.request("POST", "/slack/events", body=request.body, headers=headers)
                    response = conn.getresponse()
                    ok = response.status == 200 and b"HZ-" in response.read()
                except OSError:
                    ok = False
                took = time.perf_counter() - began
                conn.close()
                with lock:
                    acks.append(took if ok else float("inf"))

            threads = []
            t0 = time.perf_counter()
            i = 0
            while time.perf_counter() - t0 < seconds:  # open loop: one every 0.5 s, whatever the answers do
                thread = threading.Thread(target=submit, args=(i,))
                thread.start()
                threads.append(thread)
                i += 1
                time.sleep(max(0.0, t0 + i * 0.5 - time.perf_counter()))
            for thread in threads:
                thread.join(timeout=60)
            rss = _peak_rss_mb(proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()
    engine = make_engine(url)
    with engine.connect() as conn:
        left = conn.execute(select(func.count()).select_from(reminder_jobs).where(
            reminder_jobs.c.state == JobState.PENDING.value,
            reminder_jobs.c.fire_at <= datetime.now(UTC) - timedelta(seconds=5))).scalar_one()
    engine.dispose()
    ordered = sorted(acks)
    return {"startup_s": startup, "acks": len(acks), "ack_p50": _pct(ordered, 50), "ack_p99": _pct(ordered, 99),
            "ack_max": ordered[-1] if ordered else float("nan"), "over_3s": sum(1 for a in acks if a > 3.0),
            "rss_mb": rss, "reopened_jobs": reopened, "due_left": left}


def _pct(ordered: list[float], q: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


# ---------------------------------------------------------------------- databases and the report


@contextmanager
def database(kind: str, n: int, workdir: Path, pg_url: str, keep: bool = False) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{workdir / f'scale-{n}.db'}"
        return
    schema = f"scale_{n}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in pg_url else "?"
    try:
        yield f"{pg_url}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


def report(kind: str, n: int, seeded: dict[str, float], inproc: dict[str, Any], serve: dict[str, Any] | None) -> None:
    print(f"\n== {kind}, {n:,} hazards (seeded in {sum(seeded.values()):.1f} s: "
          + ", ".join(f"{k} {v:.1f} s" for k, v in seeded.items()) + ")")
    for name, label in (("catchup", "tick after 6 h of downtime"), ("steady", "steady tick"),
                        ("steady2", "steady tick (again)"), ("hour", "tick with an hour of due jobs")):
        t: Tick = inproc[name]
        print(f"  {label:32} {_ms(t.seconds):>10} (CPU {_ms(t.cpu)})  {t.statements:6} statements  {t.jobs:5} jobs  "
              f"{t.transactions:4} transactions, longest {_ms(t.longest)}")
    print(f"  /hazard mine, busy head          {_ms(inproc['mine_s']):>10}  ({inproc['mine_to_decide']} to decide)")
    print(f"  /hazard HZ-…                     {_ms(inproc['lookup_s']):>10}")
    if serve:
        print(f"  serve: start-up to /healthz 200 {_ms(serve['startup_s']):>10}  (catching up "
              f"{serve['reopened_jobs']} jobs of 6 h; {serve['due_left']} due left after the run)")
        print(f"  serve: {serve['acks']} report submissions, ack p50 {_ms(serve['ack_p50'])}, p99 "
              f"{_ms(serve['ack_p99'])}, max {_ms(serve['ack_max'])}, over 3 s: {serve['over_3s']}")
        print(f"  serve: peak RSS {serve['rss_mb']:.0f} MB")
    steady: Tick = inproc["steady"]
    misses = [name for name, bad in (
        ("steady tick time", steady.seconds >= TARGETS["steady_s"]),
        ("steady tick statements", steady.statements >= TARGETS["steady_statements"]),
        ("catch-up", inproc["catchup"].seconds >= TARGETS["catchup_s"]),
        ("ack p99", bool(serve) and serve["ack_p99"] >= TARGETS["ack_p99_s"]),  # type: ignore[index]
        ("acks over 3 s", bool(serve) and serve["over_3s"] > 0),  # type: ignore[index]
        ("start-up", bool(serve) and serve["startup_s"] >= TARGETS["startup_s"]),  # type: ignore[index]
        ("RSS", bool(serve) and serve["rss_mb"] >= TARGETS["rss_mb"]),  # type: ignore[index]
    ) if bad]
    print("  targets: " + ("all met" if not misses else "MISSED: " + ", ".join(misses)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--db", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"])
    parser.add_argument("--postgres-url", default=PG_URL)
    parser.add_argument("--serve-seconds", type=float, default=60.0, help="0: skip the served phase")
    parser.add_argument("--seed-only", action="store_true", help="seed --database-url (or a new file) and stop")
    parser.add_argument("--database-url", help="with --seed-only: the (empty) database to seed")
    parser.add_argument("--workdir", type=Path, help="where the SQLite files, org file and logs go")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    now = datetime.now(UTC).replace(microsecond=0)
    org_text = org_yaml()
    org = parse_org(org_text)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="scale-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    org_file = workdir / "scale-org.yml"
    org_file.write_text(org_text, encoding="utf-8")

    if args.seed_only:
        n = args.n[0]
        url = args.database_url or f"sqlite:///{workdir / f'scale-{n}.db'}"
        if url.startswith("sqlite"):
            path = Path(url.removeprefix("sqlite:///"))
            org_file = path.with_name(path.name + ".org.yml")
            org_file.write_text(org_text, encoding="utf-8")
        seeded = seed(url, n, org, now)
        print(f"seeded {n:,} hazards in {sum(seeded.values()):.1f} s ({seeded})")
        print(f"org file: {org_file}")
        print(f"run it:   DATABASE_URL='{url}' SAFETYBOT_ORG_FILE='{org_file}' SLACK_BOT_TOKEN=xoxb-x "
              f"SLACK_SIGNING_SECRET={SECRET} safetybot serve")
        print(f"busy head: {busy_head()} (/hazard mine); a safety officer: {person('SAF', 0)}")
        return 0

    for n in args.n:
        for kind in args.db:
            with database(kind, n, workdir, args.postgres_url) as url:
                seeded = seed(url, n, org, now)
                inproc = in_process(url, org, now)
                serve = served(url, org_file, workdir, args.serve_seconds) if args.serve_seconds > 0 else None
                report(kind, n, seeded, inproc, serve)
                sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
