"""Job agent speed (docs/agent.md#speed): submit → running with a free slot, and
``GET /api/jobs`` with 10,000 jobs in the queue (warm). Run: python bench/agent_bench.py"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

from runicorn.agent.app import create_agent_app
from runicorn.agent.scheduler import SchedulerOptions
from runicorn.agent.service import Agent, AgentOptions

TOKEN = "bench-agent-token"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root, work = Path(tmp) / "store", Path(tmp)
        agent = Agent.open(root, AgentOptions(gpus="none", scheduler=SchedulerOptions(poll_interval_s=0.2)))
        server = uvicorn.Server(
            uvicorn.Config(
                create_agent_app(agent, token=TOKEN), host="127.0.0.1", port=0, log_level="warning"
            )
        )
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.01)
        url = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}) as http:
            waits = []
            for _ in range(5):
                t0 = time.perf_counter()
                job = http.post("/api/jobs", json={"command": ["sleep", "0.2"], "workdir": str(work)}).json()
                while http.get(f"/api/jobs/{job['id']}").json()["status"] == "pending":
                    time.sleep(0.002)
                waits.append(time.perf_counter() - t0)
                while http.get(f"/api/jobs/{job['id']}").json()["status"] == "running":
                    time.sleep(0.05)
            print(f"submit -> running (free slot): median {statistics.median(waits) * 1000:.1f} ms")
            spec = {"command": ["true"], "workdir": str(work), "requires": ["never"]}
            conn = agent.queue.conn()
            conn.execute("BEGIN")
            for i in range(10_000):
                agent.queue.submit(spec, "bench", f"job{i}", 0, 0, 0.0, None)
            conn.execute("COMMIT")
            times = []
            for _ in range(30):
                t0 = time.perf_counter()
                assert http.get("/api/jobs").json()["total"] >= 10_000
                times.append(time.perf_counter() - t0)
            median_ms = statistics.median(times[5:]) * 1000
            print(f"GET /api/jobs, 10,000 jobs queued (warm): median {median_ms:.1f} ms")
        server.should_exit = True
        time.sleep(0.5)
        agent.close()


if __name__ == "__main__":
    main()
