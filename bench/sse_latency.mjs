// sse_latency.mjs: how long a step transition takes to reach a client of
// GET /api/runs/{id}/events. Each event carries the server's time of the
// transition; the client notes when it arrives (same machine, same clock).
//
//     node bench/sse_latency.mjs URL [RUNS]
//
// It submits RUNS small runs (no cache, so every step runs), reads each
// run's stream to its end, and prints the median and p99 delivery delay of
// the step events. Target (issue #7): within 50 ms.
const [url, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 20);
const doc = {
  format: 'weft.pipeline/1',
  name: 'sse latency',
  nodes: [
    { id: 'd', module: 'enter-data@1', params: { data: 'a,b\n1,2\n3,4\n5,6\n' } },
    { id: 's1', module: 'split-data@1', params: { fraction: 0.5, seed: 1 } },
    { id: 's2', module: 'split-data@1', params: { fraction: 0.5, seed: 2 } },
  ],
  edges: [
    { from: 'd.dataset', to: 's1.dataset' },
    { from: 's1.first', to: 's2.dataset' },
  ],
};

const delays = [];
for (let i = 0; i < runs; i++) {
  const r = await fetch(`${url}/api/runs`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ document: doc, no_cache: true }),
  });
  const { run_id: id } = await r.json();
  const stream = await fetch(`${url}/api/runs/${id}/events`);
  const reader = stream.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    const now = Date.now();
    text += decoder.decode(value, { stream: true });
    let at;
    while ((at = text.indexOf('\n\n')) >= 0) {
      const block = text.slice(0, at);
      text = text.slice(at + 2);
      const kind = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (kind !== 'step' || !data) continue;
      const event = JSON.parse(data);
      // Events replayed from history (sent before we connected) are not
      // deliveries of a live transition.
      if (event.status === 'queued') continue;
      delays.push(now - Date.parse(event.time));
    }
  }
}
delays.sort((a, b) => a - b);
const pick = (q) => delays[Math.min(delays.length - 1, Math.floor(q * delays.length))];
console.log(
  `SSE step events: ${delays.length} over ${runs} runs; delivery delay median ${pick(0.5)} ms, ` +
    `p99 ${pick(0.99)} ms, max ${delays[delays.length - 1]} ms (target < 50 ms)`,
);
