// Behaves like kafka-proxy's samples/consumer.js: connects to ws://host/?topic=&consumerGroup=[&offset=],
// remembers the offset of the last message it processed, and after a disconnect reconnects with
// offset=last+1. The first connection processes only `firstCount` messages and drops the rest of
// that frame (as a client that crashed mid-batch would), so the reconnect must resume exactly after it.
// Prints one JSON line: every processed message in order, and how many connections it made.
const WebSocket = require('ws');

const [base, topic, group, total, firstCount, secret] = process.argv.slice(2);
const wanted = Number(total);
const processed = [];
let lastOffset = null;
let connections = 0;

function connect(limit) {
  connections++;
  let url = `${base}/?topic=${encodeURIComponent(topic)}&consumerGroup=${encodeURIComponent(group)}`;
  if (lastOffset !== null) {
    url += `&offset=${lastOffset + 1}`;
  }
  const headers = secret ? { Authorization: `basic ${secret}` } : {};
  const ws = new WebSocket(url, { headers });
  let stopped = false;
  ws.on('message', (data) => {
    if (stopped) {
      return;
    }
    for (const m of JSON.parse(data.toString('utf8'))) {
      processed.push({ message: m.message, offset: m.offset });
      lastOffset = m.offset;
      if (processed.length >= limit) {
        stopped = true;
        ws.close();
        return;
      }
    }
  });
  ws.on('close', () => {
    if (processed.length >= wanted) {
      console.log(JSON.stringify({ connections, processed }));
      process.exit(0);
    }
    setTimeout(() => connect(wanted), 100);
  });
  ws.on('unexpected-response', (req, res) => {
    console.log(JSON.stringify({ status: res.statusCode }));
    process.exit(3);
  });
  ws.on('error', (e) => {
    console.error(`error: ${e.message}`);
    process.exit(2);
  });
}

setTimeout(() => { console.error('timed out'); console.log(JSON.stringify({ connections, processed })); process.exit(4); }, 60000);
connect(Number(firstCount));
