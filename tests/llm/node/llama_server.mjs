// An OpenAI-compatible chat-completions server over llama.cpp
// (node-llama-cpp, CPU), for the assistant's tests: streams the model's
// tokens as server-sent events. Prompts are the messages as plain
// "role: text" lines; the model needs no chat template. One request at a
// time, on one context sequence. Prints "PORT N" once listening.
// Usage: node llama_server.mjs MODEL.gguf
import http from "node:http";
import {getLlama, LlamaCompletion} from "node-llama-cpp";

const llama = await getLlama({gpu: false, build: "never", progressLogs: false});
const model = await llama.loadModel({modelPath: process.argv[2]});
// One thread: the model is tiny, and spinning threads on a busy machine
// cost seconds a token.
const context = await model.createContext({contextSize: 512, threads: 1});
const sequence = context.getSequence();
let queue = Promise.resolve();

function chunk(content, finishReason) {
  return {
    id: "chatcmpl-llama", object: "chat.completion.chunk", model: "tiny",
    choices: [{index: 0, delta: content === null ? {} : {content}, finish_reason: finishReason}],
  };
}

async function answer(body, response) {
  const prompt = body.messages.map((m) => `${m.role}: ${m.content ?? ""}`).join("\n") +
    "\nassistant:";
  response.writeHead(200, {"Content-Type": "text/event-stream"});
  const send = (data) => response.write(`data: ${JSON.stringify(data)}\n\n`);
  const abort = new AbortController();
  response.on("close", () => abort.abort());
  await sequence.clearHistory();
  const completion = new LlamaCompletion({contextSequence: sequence});
  try {
    await completion.generateCompletion(prompt, {
      maxTokens: body.max_tokens ?? 16,
      temperature: body.temperature ?? 0,
      seed: body.seed ?? 0,
      signal: abort.signal,
      stopOnAbortSignal: true,
      onTextChunk: (text) => send(chunk(text, null)),
    });
    send(chunk(null, "stop"));
    response.end("data: [DONE]\n\n");
  } catch (error) {
    response.end(`data: ${JSON.stringify({error: {message: String(error)}})}\n\n`);
  } finally {
    completion.dispose();
  }
}

const server = http.createServer((request, response) => {
  if (request.method !== "POST" || request.url !== "/v1/chat/completions") {
    response.writeHead(404).end();
    return;
  }
  let data = "";
  request.on("data", (part) => { data += part; });
  request.on("end", () => {
    const body = JSON.parse(data);
    queue = queue.then(() => answer(body, response), () => answer(body, response));
  });
});
server.listen(0, "127.0.0.1", () => console.log(`PORT ${server.address().port}`));
