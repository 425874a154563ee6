// Streams one chat completion through OpenAI's own SDK from the service's
// /v1 route; prints each delta on a line of its own, as JSON, then "END",
// or "ERROR status message" when the SDK raises.
// Usage: node openai_client.mjs BASE_URL QUESTION
import OpenAI from "openai";

const [baseURL, question] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: "unused", maxRetries: 0 });
try {
  const stream = await client.chat.completions.create({
    model: "quote-ledger",
    stream: true,
    temperature: 0,
    messages: [{ role: "user", content: question }],
  });
  for await (const chunk of stream) {
    const delta = chunk.choices[0]?.delta?.content;
    if (delta) console.log(JSON.stringify(delta));
  }
  console.log("END");
} catch (error) {
  console.log(`ERROR ${error.status ?? "-"} ${error.message}`);
}
