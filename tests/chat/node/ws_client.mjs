// Asks questions over the service's WebSocket route, one after the other
// on one connection; prints every message received, then "CLOSED".
// Usage: node ws_client.mjs WS_URL QUESTION...
import WebSocket from "ws";

const [url, ...questions] = process.argv.slice(2);
const socket = new WebSocket(url);
socket.on("open", () => socket.send(questions.shift()));
socket.on("message", (data) => {
  console.log(data.toString());
  const message = JSON.parse(data.toString());
  if (message.event === "end" || message.event === "error") {
    if (questions.length > 0) socket.send(questions.shift());
    else socket.close();
  }
});
socket.on("close", () => console.log("CLOSED"));
socket.on("error", (error) => {
  console.log(`ERROR ${error.message}`);
  process.exitCode = 1;
});
