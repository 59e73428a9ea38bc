// Opens COUNT graphql-ws (graphql-transport-ws) connections to URL, each signed
// in as another seeded subscriber (bench-token-1 … bench-token-COUNT) and
// following `accountEvents`; prints "open N" once all are acknowledged and
// subscribed, then holds them until stdin closes. For bench/compare.sh, which
// reads the gateway's resident memory meanwhile. Needs the `ws` package.
const WebSocket = require("ws");

const url = process.argv[2];
const count = Number(process.argv[3] || 1000);
const sockets = [];

function open(i) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, "graphql-transport-ws");
    const timer = setTimeout(() => reject(new Error(`socket ${i}: no ack in 10 s`)), 10000);
    ws.on("open", () =>
      ws.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer bench-token-${i}` } })));
    ws.on("message", (data) => {
      const message = JSON.parse(data);
      if (message.type === "connection_ack") {
        clearTimeout(timer);
        ws.send(JSON.stringify({
          id: "1", type: "subscribe",
          payload: { query: "subscription { accountEvents { __typename } }" },
        }));
        resolve(ws);
      } else if (message.type === "error" || message.type === "complete") {
        reject(new Error(`socket ${i}: ${JSON.stringify(message)}`));
      } else if (message.type === "ping") {
        ws.send(JSON.stringify({ type: "pong" }));
      }
    });
    ws.on("error", (err) => { clearTimeout(timer); reject(err); });
    sockets.push(ws);
  });
}

(async () => {
  // 50 handshakes at a time: each signs in (one statement).
  for (let start = 1; start <= count; start += 50) {
    const batch = [];
    for (let i = start; i < Math.min(start + 50, count + 1); i++) batch.push(open(i));
    await Promise.all(batch);
  }
  // Let the last subscriptions start before anyone measures.
  await new Promise((r) => setTimeout(r, 2000));
  const alive = sockets.filter((s) => s.readyState === WebSocket.OPEN).length;
  console.log(`open ${alive}`);
  process.stdin.resume();
  process.stdin.on("end", () => { sockets.forEach((s) => s.close()); process.exit(0); });
})().catch((err) => { console.error(err.message); process.exit(1); });
